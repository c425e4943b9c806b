"""Every Dockerfile rule D001–D022, positive and negative, with the exact findings.

Each case is a Dockerfile written to a temporary directory (with a ``.dockerignore`` unless the
case is about it) and scanned by the real engine with ``as_of`` fixed; the assertion is the
complete list of (code, line, column, message, severity) findings of the rule under test.
"""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from hardhull.engine import ScanOptions, ScanResult, scan

AS_OF = date(2026, 11, 25)
DIGEST = "sha256:" + "0123456789abcdef" * 4

Row = tuple[str, int, int, str, str]


def run(
    tmp_path: Path,
    text: str,
    *,
    dockerignore: bool = True,
    name: str = "Dockerfile",
    as_of: date = AS_OF,
) -> ScanResult:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    if dockerignore:
        (tmp_path / ".dockerignore").write_text(".git\n")
    return scan([str(path)], ScanOptions(jobs=1, as_of=as_of))


def rows(result: ScanResult, *codes: str) -> list[Row]:
    assert result.errors == []
    return [
        (f.code, f.location.line, f.location.column, f.message, f.severity.label)
        for f in result.findings
        if f.code in codes
    ]


def found(tmp_path: Path, text: str, *codes: str, **kw: object) -> list[Row]:
    return rows(run(tmp_path, text, **kw), *codes)  # type: ignore[arg-type]


CLEAN = f"""
# syntax=docker/dockerfile:1
FROM python:3.13-slim-trixie@{DIGEST} AS build
WORKDIR /src
COPY requirements.txt ./
RUN pip install --no-cache-dir --require-hashes --target /install -r requirements.txt
COPY app/ ./app/

FROM gcr.io/distroless/python3-debian13:nonroot@{DIGEST}
COPY --from=build /install /srv/deps
COPY --from=build /src/app /srv/app
USER 65532:65532
ENTRYPOINT ["python3", "-m", "app"]
"""


def test_clean_dockerfile_has_no_findings(tmp_path: Path) -> None:
    result = run(tmp_path, CLEAN)
    assert result.findings == []
    assert result.errors == []
    assert result.objects == 1


# --------------------------------------------------------------------------- D001


def test_d001_eol_images(tmp_path: Path) -> None:
    text = """
    FROM python:3.8-slim-buster AS build
    FROM node:16-alpine3.18 AS n
    FROM ubuntu:jammy AS u
    FROM openjdk:17-jdk-slim AS j
    FROM registry.access.redhat.com/ubi7/ubi-minimal:7.9 AS r
    FROM amazonlinux:2 AS a
    FROM golang:1.24-alpine AS g
    FROM python:3 AS p
    FROM debian:bookworm-slim AS d
    FROM alpine:3.20
    """
    assert found(tmp_path, text, "D001") == [
        (
            "D001",
            1,
            6,
            "base image python:3.8-slim-buster is end of life: Python 3.8 on 2024-10-07 and "
            "Debian 10 (buster) on 2024-06-30 (no security updates); used by build stage "
            "'build'",
            "medium",
        ),
        (
            "D001",
            2,
            6,
            "base image node:16-alpine3.18 is end of life: Node.js 16 on 2023-09-11 and Alpine "
            "Linux 3.18 on 2025-05-09 (no security updates); used by build stage 'n'",
            "medium",
        ),
        (
            "D001",
            4,
            6,
            "base image openjdk:17-jdk-slim is deprecated: the openjdk image gets no updates "
            "since 2022-08-03; use eclipse-temurin (or another maintained OpenJDK build); used "
            "by build stage 'j'",
            "medium",
        ),
        (
            "D001",
            5,
            6,
            "base image registry.access.redhat.com/ubi7/ubi-minimal:7.9 is end of life: Red Hat "
            "Enterprise Linux (UBI) 7 on 2024-06-30 (no security updates); used by build stage "
            "'r'",
            "medium",
        ),
        (
            "D001",
            6,
            6,
            "base image amazonlinux:2 is end of life: Amazon Linux 2 on 2026-06-30 (no security "
            "updates); used by build stage 'a'",
            "medium",
        ),
        (
            "D001",
            7,
            6,
            "base image golang:1.24-alpine is end of life: Go 1.24 on 2026-02-11 (no security "
            "updates); used by build stage 'g'",
            "medium",
        ),
        (
            "D001",
            10,
            6,
            "base image alpine:3.20 is end of life: Alpine Linux 3.20 on 2026-04-01 (no security "
            "updates)",
            "high",
        ),
    ]


def test_d001_final_image_is_high_and_as_of_decides(tmp_path: Path) -> None:
    text = "FROM ubuntu:18.04\nUSER 1000\n"
    assert found(tmp_path, text, "D001") == [
        (
            "D001",
            1,
            6,
            "base image ubuntu:18.04 is end of life: Ubuntu 18.04 (bionic) on 2023-05-31 (no "
            "security updates)",
            "high",
        )
    ]
    assert found(tmp_path, text, "D001", as_of=date(2023, 5, 31)) == []


def test_d001_negative(tmp_path: Path) -> None:
    text = """
    ARG PY
    FROM python:${PY}-slim AS a
    FROM node:lts AS b
    FROM ubuntu:noble AS c
    FROM b
    FROM myregistry.example.com/python:2.7 AS e
    FROM eclipse-temurin:21-jre-noble AS f
    FROM scratch
    """
    assert found(tmp_path, text, "D001") == []


# --------------------------------------------------------------------------- D002 / D003


def test_d002_d003_tags_and_digests(tmp_path: Path) -> None:
    text = f"""
    ARG BASE=alpine:3.22
    ARG TAG
    FROM alpine AS a
    FROM alpine:latest AS b
    FROM $BASE AS c
    FROM node:${{TAG}} AS d
    FROM python:3.13-slim@{DIGEST} AS e
    FROM a
    FROM python:3.13-slim AS g
    FROM python:3.13-slim
    """
    assert found(tmp_path, text, "D002", "D003") == [
        ("D002", 3, 6, "base image alpine uses no tag (latest): pin a version", "medium"),
        ("D002", 4, 6, "base image alpine:latest uses the latest tag: pin a version", "medium"),
        ("D003", 5, 6, "base image alpine:3.22 is not pinned by digest", "low"),
        ("D003", 9, 6, "base image python:3.13-slim is not pinned by digest", "low"),
    ]


def test_d002_negative_scratch_and_stage(tmp_path: Path) -> None:
    text = f"FROM alpine:3.22@{DIGEST} AS base\nFROM base\nFROM scratch\n"
    assert found(tmp_path, text, "D002", "D003") == []


# --------------------------------------------------------------------------- D004


def test_d004_no_user(tmp_path: Path) -> None:
    text = """
    FROM golang:1.25 AS build
    USER nobody
    FROM debian:trixie-slim
    COPY --from=build /x /x
    """
    assert found(tmp_path, text, "D004") == [
        (
            "D004",
            3,
            1,
            "final stage 1 sets no USER: the container runs as the base image's user (root for "
            "almost all images) (the USER of stage 'build' does not carry over)",
            "medium",
        )
    ]


def test_d004_explicit_root(tmp_path: Path) -> None:
    text = "FROM debian:trixie-slim\nUSER app\nRUN true\nUSER 0:0\n"
    assert found(tmp_path, text, "D004") == [
        ("D004", 4, 1, "the image runs as root: last USER is 0:0", "high")
    ]


def test_d004_scratch_runs_as_root(tmp_path: Path) -> None:
    assert found(tmp_path, "FROM scratch\nCOPY app /app\n", "D004") == [
        (
            "D004",
            1,
            1,
            "final stage 0 sets no USER: the container runs as the base image's user (root for "
            "almost all images)",
            "medium",
        )
    ]


@pytest.mark.parametrize(
    "text",
    [
        # a stage built FROM an earlier stage inherits its USER
        "FROM debian:trixie-slim AS base\nUSER app\nFROM base\nCOPY x /x\n",
        # USER from a build argument with a default
        "FROM debian:trixie-slim\nARG UID=10001\nUSER ${UID}\n",
        "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app\n",
        "FROM cgr.dev/chainguard/static:latest\nCOPY app /app\n",
        "FROM bitnami/nginx:1.27\n",
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n",
        "FROM debian:trixie-slim\nUSER root\nRUN apt-get update\nUSER 10001:10001\n",
    ],
)
def test_d004_negative(tmp_path: Path, text: str) -> None:
    assert found(tmp_path, text, "D004") == []


# --------------------------------------------------------------------------- D005

GH_TOKEN = "ghp_R8x2Lq9ZkT4vB7nW1cY5mP3sD6fH0jA2gE8u"


def test_d005_literal_secrets(tmp_path: Path) -> None:
    text = f"""
    ARG GITHUB_TOKEN={GH_TOKEN}
    FROM python:3.13-slim
    ENV DB_PASSWORD=hunter2hunter2Xq9 DATABASE_URL=postgres://app:Xk29fLq0aZ@db/app
    ARG DEPLOY_KEY={GH_TOKEN}
    """
    assert found(tmp_path, text, "D005") == [
        (
            "D005",
            1,
            5,
            "ARG GITHUB_TOKEN holds a credential: GitHub token (ghp_…(40 chars))",
            "high",
        ),
        (
            "D005",
            3,
            5,
            "ENV DB_PASSWORD holds a credential: literal value in a credential-named field "
            "(hu…(17 chars))",
            "medium",
        ),
        (
            "D005",
            3,
            35,
            "ENV DATABASE_URL holds a credential: URL with an embedded password (post…(25 chars))",
            "high",
        ),
        (
            "D005",
            4,
            5,
            "ARG DEPLOY_KEY holds a credential: GitHub token (ghp_…(40 chars))",
            "high",
        ),
    ]


def test_d005_build_arguments(tmp_path: Path) -> None:
    text = """
    FROM node:22-bookworm-slim
    ARG NPM_TOKEN
    ARG TOKEN
    ARG VERSION=1
    ENV NPM_TOKEN=$NPM_TOKEN SECRET_KEY=${SECRET_KEY} API_TOKEN=$TOKEN APP_VERSION=$VERSION
    RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci
    """
    assert found(tmp_path, text, "D005") == [
        (
            "D005",
            5,
            5,
            "ENV NPM_TOKEN stores build argument $NPM_TOKEN in the image configuration",
            "high",
        ),
        (
            "D005",
            5,
            51,
            "ENV API_TOKEN stores build argument $TOKEN in the image configuration",
            "high",
        ),
        (
            "D005",
            6,
            1,
            "RUN uses credential build argument $NPM_TOKEN: its value is recorded in the image "
            "history",
            "medium",
        ),
    ]


def test_d005_negative(tmp_path: Path) -> None:
    text = """
    FROM node:22-bookworm-slim
    ARG NPM_TOKEN
    RUN --mount=type=secret,id=npm,env=NPM_TOKEN npm ci
    ENV DB_PASSWORD_FILE=/run/secrets/db DB_PASSWORD=changeme API_KEY="" TOKEN_URL=https://x/t
    ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY NODE_VERSION=22.12.0
    """
    assert found(tmp_path, text, "D005") == []


# --------------------------------------------------------------------------- D006


def test_d006_secret_files(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim AS b
    COPY .npmrc /root/.npmrc
    FROM debian:trixie-slim
    COPY id_ed25519 .env .env.example ca.pem server.key nodesource.gpg.key tls-key.pem /x/
    COPY id_rsa.pub kubeconfig config/.aws/credentials ["a", "b"] /y/
    """
    msg = "; use RUN --mount=type=secret"
    assert found(tmp_path, text, "D006") == [
        ("D006", 2, 6, f"COPY copies credential file .npmrc into build stage 'b'{msg}", "medium"),
        ("D006", 4, 6, f"COPY copies credential file id_ed25519 into the image{msg}", "high"),
        ("D006", 4, 17, f"COPY copies environment file .env into the image{msg}", "high"),
        ("D006", 4, 42, f"COPY copies private key server.key into the image{msg}", "high"),
        ("D006", 4, 72, f"COPY copies private key tls-key.pem into the image{msg}", "high"),
        ("D006", 5, 17, f"COPY copies credential file kubeconfig into the image{msg}", "high"),
        (
            "D006",
            5,
            28,
            f"COPY copies credential file .aws/credentials into the image{msg}",
            "high",
        ),
    ]


def test_d006_negative(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim
    COPY .env.sample certs/fullchain.pem repo-signing.key *.pem $KEY_FILE /x/
    COPY <<EOF /app/.env
    A=1
    EOF
    """
    assert found(tmp_path, text, "D006") == []


# --------------------------------------------------------------------------- D007


def test_d007_download_piped_to_shell(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim
    RUN curl -fsSL https://x.sh | sh
    RUN wget -qO- https://x.sh | sudo -E bash -
    RUN set -e; \\
        sh -c "$(curl -fsSL https://x/install.sh)"
    RUN bash <(curl -s https://x)
    RUN curl -sSL https://x | tee /tmp/log | python3 -
    """
    assert found(tmp_path, text, "D007") == [
        (
            "D007",
            2,
            5,
            "curl output is piped into sh: the downloaded script runs unverified",
            "high",
        ),
        (
            "D007",
            3,
            5,
            "wget output is piped into bash: the downloaded script runs unverified",
            "high",
        ),
        ("D007", 5, 5, "sh runs a script downloaded with curl: it runs unverified", "high"),
        ("D007", 6, 5, "bash runs a script downloaded with curl: it runs unverified", "high"),
        (
            "D007",
            7,
            5,
            "curl output is piped into python3: the downloaded script runs unverified",
            "high",
        ),
    ]


def test_d007_in_shell_syntax_bashlex_could_not_read(tmp_path: Path) -> None:
    # a `case` branch, a default inside ${...}, arithmetic holding a substitution, and a shell
    # reading a here-document inside a here-document script
    text = """
    FROM debian:trixie-slim
    RUN case "$(uname -m)" in \\
          x86_64) echo ok ;; \\
          *) curl -fsSL https://x/i.sh | sh ;; \\
        esac
    RUN echo "${INSTALLER:-$(curl -fsSL https://x/i.sh | sh)}"
    RUN echo $((1 + $(curl -fsSL https://x/n.sh | sh)))
    RUN <<EOF
    set -e
    bash <<SH
    curl -fsSL https://x/i.sh | sh
    SH
    EOF
    """
    message = "curl output is piped into sh: the downloaded script runs unverified"
    assert [(rule, line) for rule, line, *_ in found(tmp_path, text, "D007")] == [
        ("D007", 4),
        ("D007", 6),
        ("D007", 7),
        ("D007", 11),
    ]
    assert {m for _, _, _, m, _ in found(tmp_path, text, "D007")} == {message}


def test_d007_negative(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim
    RUN wget https://x.sh | sh
    RUN curl -fsSL https://x/key.gpg | gpg --dearmor -o /usr/share/keyrings/x.gpg
    RUN curl -sSL https://x | tar xz
    RUN curl -o /tmp/i.sh https://x && sh /tmp/i.sh
    RUN curl -fsSL https://x | bash /tmp/local.sh
    RUN VERSION="$(curl -fsSL https://x/version)" && echo "$VERSION"
    """
    assert found(tmp_path, text, "D007") == []


# --------------------------------------------------------------------------- D008 / D009


def test_d008_d009_add(tmp_path: Path) -> None:
    sha = "sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d"
    text = f"""
    FROM debian:trixie-slim
    ADD https://example.com/a.tar.gz /tmp/
    ADD --checksum={sha} https://example.com/b.tar.gz /tmp/
    ADD https://github.com/x/y.git#v1.0 /src
    ADD https://github.com/x/y.git#0123456789abcdef0123456789abcdef01234567 /src2
    ADD app/ /app/
    ADD rootfs.tar.xz /
    ADD ["a b.txt", "/c/"]
    ADD $ARCHIVE /opt/
    """
    assert found(tmp_path, text, "D008", "D009") == [
        (
            "D008",
            2,
            5,
            "ADD downloads https://example.com/a.tar.gz without --checksum; verify it",
            "medium",
        ),
        (
            "D008",
            4,
            5,
            "ADD fetches Git repository https://github.com/x/y.git#v1.0 at a movable ref; pin "
            "a commit id",
            "medium",
        ),
        ("D009", 6, 1, "ADD copies local files (app/): use COPY", "low"),
        ("D009", 8, 1, "ADD copies local files (a b.txt): use COPY", "low"),
    ]


# --------------------------------------------------------------------------- D010


def test_d010_sudo(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim AS b
    RUN sudo apt-get update && sudo apt-get install -y x
    FROM debian:trixie-slim
    RUN su -c "sudo make install" && apt-get install -y sudo
    """
    assert found(tmp_path, text, "D010") == [
        ("D010", 2, 5, "RUN uses sudo: switch USER instead", "medium"),
        ("D010", 4, 12, "RUN uses sudo: switch USER instead", "medium"),
        (
            "D010",
            4,
            53,
            "installs sudo into the final image: a setuid-root program that lets the "
            "container's user regain root; remove it",
            "low",
        ),
    ]


def test_d010_negative(tmp_path: Path) -> None:
    # the sudo package in a build stage stays out of the image; "sudo" as a word is data
    text = (
        "FROM debian:trixie-slim AS build\nRUN apt-get install -y sudo\n"
        "FROM debian:trixie-slim\nRUN echo sudo > /x && apt-get install -y sudoku\n"
    )
    assert found(tmp_path, text, "D010") == []


# --------------------------------------------------------------------------- D011


def test_d011_world_writable(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim AS b
    RUN chmod 777 /build
    FROM debian:trixie-slim
    RUN chmod 777 /app && chmod 1777 /tmp && chmod -R a+w /data && chmod g=u /etc/passwd \\
     && chmod 0644 x && chmod o+rwx y && chmod u+w z && chmod 2777 /shared
    COPY --chmod=666 a /a
    COPY --chmod=755 b /b
    """
    assert found(tmp_path, text, "D011") == [
        ("D011", 4, 11, "chmod 777 makes /app world-writable", "medium"),
        ("D011", 4, 51, "chmod a+w makes /data world-writable", "medium"),
        ("D011", 5, 27, "chmod o+rwx makes y world-writable", "medium"),
        ("D011", 5, 59, "chmod 2777 makes /shared world-writable", "medium"),
        ("D011", 6, 1, "COPY --chmod=666 makes files world-writable", "medium"),
    ]


# --------------------------------------------------------------------------- D012–D016, D018


def test_package_manager_hygiene(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim
    RUN apt-get update && apt-get install -y --no-install-recommends curl=8.14.1-2 \\
     && rm -rf /var/lib/apt/lists/*
    RUN apt-get update && apt-get install -y curl ca-certificates
    RUN --mount=type=cache,target=/var/lib/apt/lists apt-get update \\
     && apt-get install -y -o APT::Install-Recommends=false git=1:2.47.3-0
    RUN apt-get -y dist-upgrade && apt-get upgrade -y openssl
    RUN apk add curl && apk add --no-cache git=2.49 && apk --no-cache add --virtual .deps gcc
    RUN pip install flask==3.1 requests && pip install --no-cache-dir -r requirements.txt
    """
    codes = ("D012", "D013", "D014", "D015", "D016", "D018")
    assert found(tmp_path, text, *codes) == [
        ("D013", 4, 5, "apt-get update without rm -rf /var/lib/apt/lists/* in the same RUN", "low"),
        ("D012", 4, 23, "apt-get install without --no-install-recommends", "low"),
        (
            "D018",
            4,
            42,
            "apt-get install: 2 packages without a version: curl, ca-certificates",
            "low",
        ),
        ("D014", 7, 5, "apt-get dist-upgrade upgrades the whole image", "info"),
        ("D015", 8, 5, "apk add without --no-cache", "low"),
        ("D018", 8, 13, "apk add: 1 package without a version: curl", "low"),
        ("D018", 8, 87, "apk add: 1 package without a version: gcc", "low"),
        ("D016", 9, 5, "pip install without --no-cache-dir", "low"),
        ("D018", 9, 28, "pip install: 1 package without a version: requests", "low"),
    ]


def test_package_hygiene_only_in_final_image(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim AS build
    RUN apt-get update && apt-get install -y gcc make && pip install flask && apk add x
    FROM gcr.io/distroless/static-debian12:nonroot
    COPY --from=build /out /out
    """
    codes = ("D012", "D013", "D014", "D015", "D016", "D018")
    assert found(tmp_path, text, *codes) == []


def test_package_hygiene_negative(tmp_path: Path) -> None:
    text = """
    FROM python:3.13-slim
    RUN echo 'APT::Install-Recommends "false";' > /etc/apt/apt.conf.d/90norecommends
    RUN apt-get update && apt-get install -y curl=8.14.1-2 && rm -rf /var/lib/apt/lists/*
    ENV PIP_NO_CACHE_DIR=1
    RUN pip install flask==3.1.0 "uvicorn[standard]>=0.30" -r requirements.txt ./pkg \\
     && pip install --upgrade pip setuptools wheel
    RUN apk update && apk add curl=8.14 && rm -rf /var/cache/apk/*
    RUN apk upgrade openssl && dnf update -y openssl
    """
    codes = ("D012", "D013", "D014", "D015", "D016", "D018")
    assert found(tmp_path, text, *codes) == []


# --------------------------------------------------------------------------- D017


def test_d017_npm_install_with_lockfile(tmp_path: Path) -> None:
    text = """
    FROM node:22-bookworm-slim AS deps
    COPY package.json package-lock.json ./
    RUN npm install
    RUN npm install -g pnpm@9.1.0 && npm i --omit=dev && npm ci && npm install left-pad@1.3.0
    FROM node:22-bookworm-slim
    COPY package.json ./
    RUN npm install
    """
    assert found(tmp_path, text, "D017") == [
        ("D017", 3, 5, "npm install with a lockfile: use npm ci", "low"),
        ("D017", 4, 34, "npm i with a lockfile: use npm ci", "low"),
    ]


# --------------------------------------------------------------------------- D019


def test_d019_expose(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim AS b
    EXPOSE 22
    FROM docker:27-dind
    EXPOSE 2375 2376/tcp 8080 20-25 22/udp
    """
    assert found(tmp_path, text, "D019") == [
        ("D019", 4, 8, "EXPOSE 2375 publishes the Docker API without TLS (port 2375)", "high"),
        ("D019", 4, 13, "EXPOSE 2376/tcp publishes the Docker API (port 2376)", "medium"),
        ("D019", 4, 27, "EXPOSE 20-25 publishes SSH (port 22)", "medium"),
        ("D019", 4, 33, "EXPOSE 22/udp publishes SSH (port 22)", "medium"),
    ]


# --------------------------------------------------------------------------- D020


def test_d020_missing_healthcheck(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim AS base
    HEALTHCHECK CMD ["true"]
    FROM debian:trixie-slim
    CMD ["x"]
    """
    assert found(tmp_path, text, "D020") == [
        ("D020", 3, 1, "final stage 1 has no HEALTHCHECK", "low")
    ]


@pytest.mark.parametrize(
    "text",
    [
        'FROM debian:trixie-slim AS base\nHEALTHCHECK CMD ["true"]\nFROM base\n',
        "FROM debian:trixie-slim\nHEALTHCHECK NONE\n",
        'FROM debian:trixie-slim\n# liveness and readiness are Kubernetes probes\nCMD ["x"]\n',
        'FROM debian:trixie-slim\nLABEL io.k8s.description="worker"\n',
        "FROM scratch\nCOPY app /app\n",
        "FROM gcr.io/distroless/static-debian12:nonroot\n",
        'FROM debian:trixie-slim\nLABEL hardhull.dev/ignore="D020: probed by Kubernetes"\n',
    ],
)
def test_d020_negative(tmp_path: Path, text: str) -> None:
    assert found(tmp_path, text, "D020") == []


# --------------------------------------------------------------------------- D021


def test_d021_build_tools_single_stage(tmp_path: Path) -> None:
    text = """
    FROM golang:1.25-trixie
    RUN apt-get update && apt-get install -y --no-install-recommends gcc=4 make=4 \\
     && rm -rf /var/lib/apt/lists/*
    RUN go build -o /app .
    """
    assert found(tmp_path, text, "D021") == [
        (
            "D021",
            1,
            6,
            "the image is built on toolchain image golang:1.25-trixie and ships it: use a "
            "multi-stage build",
            "low",
        ),
        (
            "D021",
            2,
            66,
            "build tools stay in the final image (gcc=4, make=4): use a multi-stage build",
            "low",
        ),
    ]


@pytest.mark.parametrize(
    "text",
    [
        # build dependencies removed in the same stage
        "FROM alpine:3.22\nRUN apk add --no-cache --virtual .build-deps gcc=1 make=2 && make "
        "&& apk del .build-deps\n",
        "FROM debian:trixie-slim\nRUN apt-get install -y gcc=4 && make && apt-get purge -y gcc\n",
        # tools needed at run time: nothing is compiled
        'FROM debian:trixie-slim\nRUN apt-get install -y git=1 clang=19\nENTRYPOINT ["git"]\n',
        # multi-stage: the builder keeps its tools
        "FROM golang:1.25 AS b\nRUN go build -o /app\nFROM debian:trixie-slim\nRUN "
        "apt-get install -y git=1 && make\n",
    ],
)
def test_d021_negative(tmp_path: Path, text: str) -> None:
    assert found(tmp_path, text, "D021") == []


# --------------------------------------------------------------------------- D022


def test_d022_context_without_dockerignore(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim AS build
    COPY . /src
    FROM debian:trixie-slim
    COPY --from=build /src/out /out
    COPY ./ /app
    """
    assert found(tmp_path, text, "D022", dockerignore=False) == [
        (
            "D022",
            5,
            6,
            "COPY ./ copies the whole build context and there is no .dockerignore",
            "medium",
        )
    ]
    assert found(tmp_path, text, "D022") == []


def test_d022_dockerfile_specific_ignore_file(tmp_path: Path) -> None:
    (tmp_path / "prod.Dockerfile.dockerignore").write_text(".git\n")
    text = "FROM debian:trixie-slim\nCOPY . /app\n"
    assert found(tmp_path, text, "D022", dockerignore=False, name="prod.Dockerfile") == []
