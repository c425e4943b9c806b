"""Peers' own test cases, restated as hardhull cases.

For the rules hardhull claims as equivalent to a hadolint (``test/Hadolint/Rule/DL*Spec.hs``),
Trivy (``aquasecurity/trivy-checks``, ``checks/docker/*_test.rego``) or Checkov
(``bridgecrewio/checkov``, ``tests/dockerfile/checks/example_*``) check, a representative set
of their positive and negative cases, each written anew from the facts of the case (the
comment names the source case). Where hardhull deliberately decides otherwise the comment
says "we differ" and docs/benchmarks.md gives the reason. Every case asserts the exact
findings (code, line, column, message, severity) of the rules under test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.dockerfile import Row, found

DIGEST = "sha256:" + "0123456789abcdef" * 4

# (id, Dockerfile, rules under test, expected findings)
CASES: list[tuple[str, str, tuple[str, ...], list[Row]]] = [
    # hadolint DL3002Spec: last user should not be root
    (
        "dl3002-last-user-root",
        ("FROM debian:trixie-slim\nUSER root\n"),
        ("D004",),
        [("D004", 2, 1, "the image runs as root: last USER is root", "high")],
    ),
    # hadolint DL3002Spec: no UID:GID (USER 0:0)
    (
        "dl3002-user-0-0",
        ("FROM debian:trixie-slim\nUSER 0:0\n"),
        ("D004",),
        [("D004", 2, 1, "the image runs as root: last USER is 0:0", "high")],
    ),
    # hadolint DL3002Spec: can switch back to non root
    (
        "dl3002-switch-back",
        ("FROM debian:trixie-slim\nUSER root\nRUN true\nUSER foo\n"),
        ("D004",),
        [],
    ),
    # hadolint DL3002Spec: warns on transitive root user
    (
        "dl3002-transitive",
        ("FROM debian:trixie-slim AS base\nUSER root\nRUN true\nFROM base\nRUN true\n"),
        ("D004",),
        [("D004", 2, 1, "the image runs as root: last USER is root", "high")],
    ),
    # hadolint DL3002Spec: warns on multiple stages (we differ: only the final image runs)
    (
        "dl3002-multi-stage",
        (
            "FROM debian:trixie-slim AS base\n"
            "USER root\n"
            "RUN true\n"
            "FROM debian:trixie-slim\n"
            "USER foo\n"
            "RUN true\n"
        ),
        ("D004",),
        [],
    ),
    # trivy-checks root_user_test: no USER command denied
    (
        "ds002-no-user",
        ("FROM alpine:3.22\nEXPOSE 8080\n"),
        ("D004",),
        [
            (
                "D004",
                1,
                1,
                (
                    "final stage 0 sets no USER: the container runs as the base image's user "
                    "(root for almost all images)"
                ),
                "medium",
            )
        ],
    ),
    # trivy-checks root_user_test: last non-root allowed
    ("ds002-last-non-root", ("FROM alpine:3.22\nUSER root\nUSER user1\n"), ("D004",), []),
    # trivy-checks root_user_test: multi-stage allowed if last stage uses non-root
    (
        "ds002-multistage-last-nonroot",
        ("FROM alpine:3.22\nUSER root\nFROM alpine:3.22\nUSER user1\n"),
        ("D004",),
        [],
    ),
    # trivy-checks root_user_test: multi-stage denied if last stage does not specify user
    (
        "ds002-multistage-last-no-user",
        ("FROM alpine:3.22\nUSER root\nFROM alpine:3.22\nCOPY blah.zip /\n"),
        ("D004",),
        [
            (
                "D004",
                3,
                1,
                (
                    "final stage 1 sets no USER: the container runs as the base image's user "
                    "(root for almost all images) (the USER of stage 0 does not carry over)"
                ),
                "medium",
            )
        ],
    ),
    # checkov example_UserExists/success_gosu (we differ: the entrypoint still starts as root)
    (
        "ckv3-gosu",
        ('FROM debian:trixie-slim\nENTRYPOINT ["gosu", "me", "tini", "--", "/bin/sh"]\n'),
        ("D004",),
        [
            (
                "D004",
                1,
                1,
                (
                    "final stage 0 sets no USER: the container runs as the base image's user "
                    "(root for almost all images)"
                ),
                "medium",
            )
        ],
    ),
    # hadolint DL3009Spec: apt-get no cleanup
    (
        "dl3009-no-cleanup",
        (
            "FROM debian:trixie-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends "
            "python3\n"
        ),
        ("D013",),
        [
            (
                "D013",
                2,
                5,
                "apt-get update without rm -rf /var/lib/apt/lists/* in the same RUN",
                "low",
            )
        ],
    ),
    # hadolint DL3009Spec: no warn in intermediate stage not used later
    (
        "dl3009-stage-not-used",
        (
            "FROM debian:trixie-slim AS foo\n"
            "RUN apt-get update && apt-get install -y python3\n"
            "FROM scratch\n"
            "COPY --from=foo /bin/true /true\n"
        ),
        ("D013",),
        [],
    ),
    # hadolint DL3009Spec: no cleanup in intermediate stage (FROM foo)
    (
        "dl3009-intermediate-used",
        (
            "FROM debian:trixie-slim AS foo\n"
            "RUN apt-get update && apt-get install -y python3\n"
            "FROM foo\n"
            "RUN true\n"
        ),
        ("D013",),
        [
            (
                "D013",
                2,
                5,
                "apt-get update without rm -rf /var/lib/apt/lists/* in the same RUN",
                "low",
            )
        ],
    ),
    # hadolint DL3009Spec: BuildKit cache mount to apt lists
    (
        "dl3009-cache-mount",
        (
            "FROM debian:trixie-slim\n"
            "RUN --mount=type=cache,target=/var/lib/apt/lists \\\n"
            "    apt-get update && apt-get install -y python3\n"
        ),
        ("D013",),
        [],
    ),
    # hadolint DL3009Spec: cache mount to /var/cache/apt only warns
    (
        "dl3009-cache-mount-apt-cache-only",
        (
            "FROM debian:trixie-slim\n"
            "RUN --mount=type=cache,target=/var/cache/apt \\\n"
            "    apt-get update && apt-get install -y python3\n"
        ),
        ("D013",),
        [
            (
                "D013",
                3,
                5,
                "apt-get update without rm -rf /var/lib/apt/lists/* in the same RUN",
                "low",
            )
        ],
    ),
    # hadolint DL3015Spec: apt-get no install recommends
    (
        "dl3015-missing",
        ("FROM debian:trixie-slim\nRUN apt-get install -y python3\n"),
        ("D012",),
        [("D012", 2, 5, "apt-get install without --no-install-recommends", "low")],
    ),
    # hadolint DL3015Spec: apt-get install --no-install-recommends
    (
        "dl3015-present",
        ("FROM debian:trixie-slim\nRUN apt-get install -y --no-install-recommends python3\n"),
        ("D012",),
        [],
    ),
    # hadolint DL3015Spec: -o APT::Install-Recommends=false
    (
        "dl3015-option",
        (
            "FROM debian:trixie-slim\n"
            "RUN apt-get -o APT::Install-Recommends=false install -y python3\n"
        ),
        ("D012",),
        [],
    ),
    # hadolint DL3019Spec: apk add without --no-cache
    (
        "dl3019-missing",
        ("FROM alpine:3.22\nRUN apk add flex=2.6.4-r6\n"),
        ("D015",),
        [("D015", 2, 5, "apk add without --no-cache", "low")],
    ),
    # hadolint DL3019Spec: apk add with BuildKit cache mount
    (
        "dl3019-cache-mount",
        (
            "FROM alpine:3.22\n"
            "RUN --mount=type=cache,target=/var/cache/apk apk add -U curl=8.14.1-r2\n"
        ),
        ("D015",),
        [],
    ),
    # hadolint DL3019Spec: cache mount to the wrong directory warns
    (
        "dl3019-wrong-mount",
        (
            "FROM alpine:3.22\n"
            "RUN --mount=type=cache,target=/var/cache/foo apk add -U curl=8.14.1-r2\n"
        ),
        ("D015",),
        [("D015", 2, 46, "apk add without --no-cache", "low")],
    ),
    # hadolint DL3004Spec / trivy run_using_sudo_test: sudo
    (
        "dl3004-sudo",
        (
            "FROM debian:trixie-slim\n"
            "RUN sudo apt-get install -y --no-install-recommends python3=3.13.5-1\n"
        ),
        ("D010",),
        [("D010", 2, 5, "RUN uses sudo: switch USER instead", "medium")],
    ),
    # hadolint DL3004Spec: install without sudo
    (
        "dl3004-no-sudo",
        (
            "FROM debian:trixie-slim\n"
            "RUN apt-get install -y --no-install-recommends python3=3.13.5-1\n"
        ),
        ("D010",),
        [],
    ),
    # hadolint DL3004Spec onBuildRuleCatches: sudo in an ONBUILD RUN trigger
    (
        "onbuild-sudo",
        "FROM debian:trixie-slim\nONBUILD RUN sudo make install\n",
        ("D007", "D010"),
        [
            (
                "D010",
                2,
                13,
                "RUN uses sudo: switch USER instead (ONBUILD: in the build of every image "
                "made FROM this one)",
                "medium",
            )
        ],
    ),
    # the ONBUILD form of trivy/hadolint's download-and-run cases: curl | sh in a trigger
    (
        "onbuild-curl-sh",
        "FROM debian:trixie-slim\nONBUILD RUN curl -fsSL https://x/i.sh | sh\n",
        ("D007", "D010"),
        [
            (
                "D007",
                2,
                13,
                "curl output is piped into sh: the downloaded script runs unverified "
                "(ONBUILD: in the build of every image made FROM this one)",
                "high",
            )
        ],
    ),
    # hadolint onBuildRuleCatchesNot: a trigger that saves the download first, ONBUILD COPY
    (
        "onbuild-clean",
        (
            "FROM debian:trixie-slim\n"
            "ONBUILD RUN curl -fsSLo /tmp/i.sh https://x/i.sh && make\n"
            "ONBUILD COPY . /app\n"
        ),
        ("D007", "D010"),
        [],
    ),
    # hadolint DL3007Spec / trivy latest_tag_test: explicit latest
    (
        "dl3007-latest",
        "FROM debian:latest\n",
        ("D002",),
        [("D002", 1, 6, "base image debian:latest uses the latest tag: pin a version", "medium")],
    ),
    # hadolint DL3006Spec: untagged image
    (
        "dl3006-untagged",
        "FROM debian\n",
        ("D002",),
        [("D002", 1, 6, "base image debian uses no tag (latest): pin a version", "medium")],
    ),
    # hadolint DL3006Spec / checkov success_multi_stage: FROM an earlier stage
    ("dl3006-stage-alias", ("FROM debian:trixie-slim AS build\nFROM build\n"), ("D002",), []),
    # checkov example_ReferenceLatestTag/success_arg_default_tag
    ("ckv7-arg-default", ("ARG BASE_IMAGE=node:18.17.0\nFROM ${BASE_IMAGE}\n"), ("D002",), []),
    # checkov example_ReferenceLatestTag/success_multi_stage_scratch
    (
        "ckv7-scratch",
        ("FROM golang:1.25 AS build\nFROM scratch\nCOPY --from=build /app /app\n"),
        ("D002",),
        [],
    ),
    # hadolint DL3007Spec: latest with digest is pinned
    ("dl3007-digest", ("FROM debian:latest@" + DIGEST + "\n"), ("D002",), []),
    # hadolint DL3020Spec / trivy add_instead_of_copy_test: ADD of a local file
    (
        "dl3020-add-file",
        ("FROM debian:trixie-slim\nADD requirements.txt /usr/src/app/\n"),
        ("D009",),
        [("D009", 2, 1, "ADD copies local files (requirements.txt): use COPY", "low")],
    ),
    # hadolint DL3020Spec: ADD of a tar archive is fine
    (
        "dl3020-add-archive",
        ("FROM debian:trixie-slim\nADD file.tar.gz /usr/src/app/\n"),
        ("D009",),
        [],
    ),
    # checkov example_AddExists / hadolint DL3020Spec: ADD of a URL (D008, not D009)
    (
        "ckv4-add-url",
        ("FROM debian:trixie-slim\nADD https://example.com/tool.tar.gz /tmp/\n"),
        ("D008", "D009"),
        [
            (
                "D008",
                2,
                5,
                ("ADD downloads https://example.com/tool.tar.gz without --checksum; verify it"),
                "medium",
            )
        ],
    ),
    # checkov example_ExposePort22/failure_tcp
    (
        "ckv1-port22-tcp",
        ("FROM busybox:1.37\nEXPOSE 22/tcp\n"),
        ("D019",),
        [("D019", 2, 8, "EXPOSE 22/tcp publishes SSH (port 22)", "medium")],
    ),
    # trivy-checks port22_test: other ports are fine
    ("ds004-other-ports", ("FROM busybox:1.37\nEXPOSE 80 443 2222\n"), ("D019",), []),
    # trivy-checks no_healthcheck_instruction_test / checkov HealthcheckExists failure
    (
        "ds026-missing",
        "FROM nginx:1.29\n",
        ("D020",),
        [("D020", 1, 1, "final stage 0 has no HEALTHCHECK", "low")],
    ),
    # checkov example_HealthcheckExists/success
    (
        "ds026-present",
        ('FROM nginx:1.29\nHEALTHCHECK CMD ["curl", "-f", "http://localhost/"]\n'),
        ("D020",),
        [],
    ),
    # trivy-checks run_apt_get_dist_upgrade_test
    (
        "ds024-dist-upgrade",
        ("FROM debian:trixie-slim\nRUN apt-get update && apt-get dist-upgrade -y\n"),
        ("D014",),
        [("D014", 2, 23, "apt-get dist-upgrade upgrades the whole image", "info")],
    ),
    # trivy-checks leaked_secrets_test: ENV GITHUB_TOKEN=placeholder (we differ: a placeholder is
    # no credential)
    (
        "ds031-env-token-placeholder",
        ("FROM busybox:1.37\nENV GITHUB_TOKEN=placeholder\n"),
        ("D005",),
        [],
    ),
    # trivy-checks leaked_secrets_test: secret env variable, with a real-looking value
    (
        "ds031-env-token-real",
        ("FROM busybox:1.37\nENV GITHUB_TOKEN=ghp_R8x2Lq9ZkT4vB7nW1cY5mP3sD6fH0jA2gE8u\n"),
        ("D005",),
        [
            (
                "D005",
                2,
                5,
                "ENV GITHUB_TOKEN holds a credential: GitHub token (ghp_…(40 chars))",
                "high",
            )
        ],
    ),
    # trivy-checks leaked_secrets_test: ARG GITHUB_TOKEN (we differ: only when a RUN uses it)
    ("ds031-arg-no-default", ("FROM busybox:1.37\nARG GITHUB_TOKEN\n"), ("D005",), []),
    # trivy-checks leaked_secrets_test: ARG GITHUB_TOKEN used by RUN
    (
        "ds031-arg-used",
        (
            "FROM busybox:1.37\n"
            "ARG GITHUB_TOKEN\n"
            'RUN wget --header "Authorization: token $GITHUB_TOKEN" '
            "https://api.github.com/x\n"
        ),
        ("D005",),
        [
            (
                "D005",
                3,
                1,
                (
                    "RUN uses credential build argument $GITHUB_TOKEN: its value is recorded "
                    "in the image history"
                ),
                "medium",
            )
        ],
    ),
    # trivy-checks leaked_secrets_test: secret mounts are fine
    (
        "ds031-secret-mount",
        (
            "FROM amazon/aws-cli:2.27.0\n"
            "RUN --mount=type=secret,id=aws-key-id,env=AWS_ACCESS_KEY_ID aws s3 ls\n"
        ),
        ("D005",),
        [],
    ),
    # trivy-checks leaked_secrets_test: PUBLIC_KEY is no secret
    (
        "ds031-public-key",
        ("FROM busybox:1.37\nENV PUBLIC_KEY=test\nARG public_token\n"),
        ("D005",),
        [],
    ),
    # trivy-checks leaked_secrets_test: a credentials path is not a credential
    (
        "ds031-credentials-path",
        (
            "FROM busybox:1.37\n"
            "ENV "
            "GOOGLE_APPLICATION_CREDENTIALS=/credentials/google-storage-service.json\n"
        ),
        ("D005", "D006"),
        [],
    ),
    # hadolint DL3042Spec: pip install without --no-cache-dir
    (
        "dl3042-pip-cache",
        (
            "FROM python:3.13-slim\n"
            "RUN pip install --no-cache-dir -r requirements.txt && pip install "
            "foo==1.0\n"
        ),
        ("D016",),
        [("D016", 2, 55, "pip install without --no-cache-dir", "low")],
    ),
    # hadolint DL3042Spec: PIP_NO_CACHE_DIR set
    (
        "dl3042-env",
        ("FROM python:3.13-slim\nENV PIP_NO_CACHE_DIR=1\nRUN pip install foo==1.0\n"),
        ("D016",),
        [],
    ),
    # hadolint DL3008Spec: apt-get install without version
    (
        "dl3008-unpinned",
        ("FROM debian:trixie-slim\nRUN apt-get install -y --no-install-recommends python3\n"),
        ("D018",),
        [("D018", 2, 48, "apt-get install: 1 package without a version: python3", "low")],
    ),
    # hadolint DL3008Spec: apt-get install with version
    (
        "dl3008-pinned",
        (
            "FROM debian:trixie-slim\n"
            "RUN apt-get install -y --no-install-recommends python3=3.13.5-1 "
            "./local.deb\n"
        ),
        ("D018",),
        [],
    ),
    # hadolint DL3013Spec: pip install -r is pinned by the file
    (
        "dl3013-requirements",
        ("FROM python:3.13-slim\nRUN pip install --no-cache-dir -r requirements.txt .\n"),
        ("D018",),
        [],
    ),
    # hadolint DL3013Spec: pip install without version
    (
        "dl3013-unpinned",
        ("FROM python:3.13-slim\nRUN pip install --no-cache-dir flask 'requests>=2'\n"),
        ("D018",),
        [("D018", 2, 32, "pip install: 1 package without a version: flask", "low")],
    ),
    # hadolint DL3016Spec: npm install of a version, a git ref, a tarball
    (
        "dl3016-npm-pinned",
        (
            "FROM node:22-slim\n"
            "RUN npm install -g express@4.1.1 git+https://github.com/a/b.git#v1.0 "
            "./x.tgz\n"
        ),
        ("D018",),
        [],
    ),
    # hadolint DL3016Spec: npm install express
    (
        "dl3016-npm-unpinned",
        ("FROM node:22-slim\nRUN npm install express\n"),
        ("D018",),
        [("D018", 2, 17, "npm install: 1 package without a version: express", "low")],
    ),
    # hadolint DL3028Spec: gem install without version / with -v
    (
        "dl3028-gem",
        ("FROM ruby:3.4-slim\nRUN gem install bundler && gem install rake -v 13.3.0\n"),
        ("D018",),
        [("D018", 2, 17, "gem install: 1 package without a version: bundler", "low")],
    ),
    # hadolint DL3062Spec: go install @latest vs @version
    (
        "dl3062-go",
        (
            "FROM golang:1.25\n"
            "RUN go install example.com/tool@latest && go install "
            "example.com/other@v1.2.3\n"
        ),
        ("D018",),
        [
            (
                "D018",
                2,
                16,
                "go install: 1 package without a version: example.com/tool@latest",
                "low",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("text", "codes", "expected"), [pytest.param(*case[1:], id=case[0]) for case in CASES]
)
def test_peer_case(tmp_path: Path, text: str, codes: tuple[str, ...], expected: list[Row]) -> None:
    assert found(tmp_path, text, *codes) == expected
