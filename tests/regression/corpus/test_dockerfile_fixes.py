"""Fixes that came out of the side-by-side review on ../shared/corpus/docker (bench/
docker_corpus.py, docs/benchmarks.md): every case names the corpus file that showed the gap,
with a positive and a negative case asserting the exact findings."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.dockerfile import DIGEST, found

# --------------------------------------------------------------------------- D002 / D003
# docker+awesome-compose/*/Dockerfile (26 files): `COPY --from=gloursdocker/docker / /` pulls
# a third-party image with no tag into the image; hadolint (DL3022/DL3067) flags it only as a
# missing stage alias / a whole-filesystem copy, trivy and checkov not at all.


def test_copy_from_image_unpinned(tmp_path: Path) -> None:
    text = f"""
    FROM golang:1.25-trixie@{DIGEST} AS build
    FROM debian:trixie-slim@{DIGEST}
    COPY --from=gloursdocker/docker / /
    COPY --from=busybox:latest /bin/busybox /bin/
    COPY --from=docker.io/library/alpine:3.22 /etc/ssl/certs /etc/ssl/certs
    RUN --mount=type=bind,from=ghcr.io/acme/tools:1.2,target=/t /t/run
    """
    assert found(tmp_path, text, "D002", "D003") == [
        ("D002", 3, 1, "COPY --from image gloursdocker/docker uses no tag (latest): pin a version",
         "medium"),
        ("D002", 4, 1, "COPY --from image busybox:latest uses the latest tag: pin a version",
         "medium"),
        ("D003", 5, 1, "COPY --from image docker.io/library/alpine:3.22 is not pinned by digest",
         "low"),
        ("D003", 6, 1, "RUN --mount from image ghcr.io/acme/tools:1.2 is not pinned by digest",
         "low"),
    ]  # fmt: skip


def test_copy_from_stage_or_pinned_image(tmp_path: Path) -> None:
    text = f"""
    ARG TOOLS=ghcr.io/acme/tools
    FROM golang:1.25-trixie@{DIGEST} AS build
    FROM debian:trixie-slim@{DIGEST}
    COPY --from=build /out/app /app
    COPY --from=0 /out/app /app2
    COPY --from=BUILD /out/app /app3
    COPY --from=busybox:1.37@{DIGEST} /bin/busybox /bin/
    COPY --from=${{TOOLS}} /t /t
    RUN --mount=type=bind,from=build,target=/b /b/app --version
    RUN --mount=type=cache,target=/root/.cache true
    """
    assert found(tmp_path, text, "D002", "D003") == []


# --------------------------------------------------------------------------- D012
# jessfraz+dockerfiles/{cura,powershell,zoom-us}/Dockerfile: `dpkg -i x.deb && apt-get -f
# install` installs the package's dependencies, recommends included (hadolint DL3015, trivy
# DS029 agree).


def test_apt_fix_broken_install_recommends(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim
    RUN dpkg -i /tmp/a.deb || true && apt-get -yf install && rm -rf /var/lib/apt/lists/*
    RUN dpkg -i /tmp/b.deb && apt-get install -fy
    RUN dpkg -i /tmp/c.deb && apt-get --fix-broken install
    """
    assert found(tmp_path, text, "D012") == [
        ("D012", 2, 35, "apt-get install without --no-install-recommends", "low"),
        ("D012", 3, 27, "apt-get install without --no-install-recommends", "low"),
        ("D012", 4, 27, "apt-get install without --no-install-recommends", "low"),
    ]


def test_apt_fix_broken_without_recommends(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim
    RUN dpkg -i /tmp/a.deb || apt-get -yf install --no-install-recommends
    RUN apt-get -y install
    RUN apt-get -f -y remove foo
    """
    assert found(tmp_path, text, "D012") == []


# --------------------------------------------------------------------------- D013 / D015
# GoogleCloudPlatform+kubernetes-engine-samples/ai-ml/maxdiffusion-tpu/build/server/Dockerfile
# (`RUN apt-get -y update` then `RUN apt-get -y install git`) and
# kubernetes+examples/_archived/storage/mysql-galera/image/Dockerfile: the update in a RUN of
# its own (trivy DS017); .../t5-model-serving/client-app/Dockerfile: `RUN apk update` alone.


def test_apt_update_alone(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim
    RUN apt-get -y update
    RUN apt-get -y install --no-install-recommends git=1:2.47.3-0+deb13u1
    """
    assert found(tmp_path, text, "D013") == [
        (
            "D013",
            2,
            5,
            "apt-get update in a RUN of its own: the lists stay in the image, and once the "
            "layer is cached later installs use stale lists; update, install and "
            "rm -rf /var/lib/apt/lists/* in one RUN",
            "low",
        )
    ]


def test_apt_update_with_install_and_cleanup(tmp_path: Path) -> None:
    text = """
    FROM debian:trixie-slim
    RUN apt-get update && apt-get install -y --no-install-recommends git \\
     && rm -rf /var/lib/apt/lists/*
    RUN --mount=type=cache,target=/var/lib/apt/lists apt-get update
    """
    assert found(tmp_path, text, "D013") == []


def test_apk_update(tmp_path: Path) -> None:
    text = """
    FROM alpine:3.22
    RUN apk update
    RUN apk add --no-cache build-base=0.5-r3
    RUN apk update && apk add curl=8.14.1-r2
    """
    assert found(tmp_path, text, "D015") == [
        (
            "D015",
            2,
            5,
            "apk update leaves the package index in /var/cache/apk: use apk add --no-cache instead",
            "low",
        ),
        ("D015", 4, 19, "apk add without --no-cache", "low"),
    ]


def test_apk_update_cleaned(tmp_path: Path) -> None:
    text = """
    FROM alpine:3.22
    RUN apk update && apk add --no-cache curl=8.14.1-r2 && rm -rf /var/cache/apk/*
    RUN --mount=type=cache,target=/var/cache/apk apk update && apk add curl=8.14.1-r2
    RUN apk add --no-cache --update curl=8.14.1-r2
    FROM alpine:3.22
    """
    assert found(tmp_path, text, "D015") == []


def test_apk_update_in_build_stage(tmp_path: Path) -> None:
    # nginx-golang/backend/Dockerfile: the update is in a `dev-envs` stage, the image is
    # FROM scratch; trivy DS017/DS025 and hadolint DL3019 flag it, it is not shipped
    text = """
    FROM golang:1.25-alpine AS dev-envs
    RUN <<EOF
    apk update
    apk add git
    EOF
    FROM scratch
    """
    assert found(tmp_path, text, "D013", "D015") == []


# --------------------------------------------------------------------------- D010
# jessfraz+dockerfiles/{mpd,termboy,zoom-us}/Dockerfile, argoproj+argo-cd/Dockerfile.tilt:
# the sudo package installed into the final image (checkov CKV2_DOCKER_1 fires on the word).


def test_sudo_package_installed(tmp_path: Path) -> None:
    text = """
    FROM alpine:3.22
    RUN apk add --no-cache doas=6.8.2-r9
    """
    assert found(tmp_path, text, "D010") == [
        (
            "D010",
            2,
            24,
            "installs doas into the final image: a setuid-root program that lets the "
            "container's user regain root; remove it",
            "low",
        )
    ]


# --------------------------------------------------------------------------- D018
# hadolint DL3016 (jessfraz+dockerfiles/imagemin: `npm install -g imagemin-cli`), DL3028
# (cloudapp, gmail-britta, t, travis, consul: `gem install NAME`), DL3062 (github-dev:
# `go get golang.org/x/lint/golint`).


def test_unpinned_npm_gem_go(tmp_path: Path) -> None:
    text = """
    FROM node:22-bookworm-slim
    RUN npm install -g imagemin-cli @angular/cli typescript@latest
    RUN gem install travis --no-document
    RUN go get golang.org/x/lint/golint
    RUN go install honnef.co/go/tools/cmd/staticcheck@latest
    """
    assert found(tmp_path, text, "D018") == [
        (
            "D018",
            2,
            20,
            "npm install: 3 packages without a version: imagemin-cli, @angular/cli, "
            "typescript@latest",
            "low",
        ),
        ("D018", 3, 17, "gem install: 1 package without a version: travis", "low"),
        ("D018", 4, 12, "go get: 1 package without a version: golang.org/x/lint/golint", "low"),
        (
            "D018",
            5,
            16,
            "go install: 1 package without a version: honnef.co/go/tools/cmd/staticcheck@latest",
            "low",
        ),
    ]


def test_pinned_npm_gem_go(tmp_path: Path) -> None:
    text = """
    FROM node:22-bookworm-slim
    COPY package.json package-lock.json ./
    RUN npm ci && npm install -g npm@latest imagemin-cli@9.0.2 @angular/cli@20.1.0 ./local-pkg
    RUN npm install --prefix /opt/x github:acme/tool#v1.2.3 /tmp/pkg.tgz
    RUN gem install travis -v 1.10.0 && gem install bundler:2.5.22 ./local.gem
    RUN go get golang.org/x/lint/golint@v0.0.0-20210508222113-6edffad5e616 \\
     && go install ./cmd/... && go install github.com/acme/tool/cmd/tool
    RUN go build -o /out/app . && go get -d
    """
    assert found(tmp_path, text, "D018") == []


# --------------------------------------------------------------------------- D020
# kubernetes+examples/*/Dockerfile (12 files) start with "# Copyright 2016 The Kubernetes
# Authors." and GoogleCloudPlatform+kubernetes-engine-samples/cost-optimization/
# gke-shift-left-cost/Dockerfile has `#ENTRYPOINT ["k8s-cost-estimator"]`: neither says the
# image only runs on Kubernetes (trivy DS026 and checkov CKV_DOCKER_2 flag all 13).


def test_healthcheck_license_header_is_no_kubernetes_marker(tmp_path: Path) -> None:
    text = """
    # Copyright 2016 The Kubernetes Authors.
    #
    # Licensed under the Apache License, Version 2.0 (the "License");
    FROM redis:8.2
    #ENTRYPOINT ["k8s-cost-estimator"]
    CMD ["redis-server"]
    """
    assert found(tmp_path, text, "D020") == [
        ("D020", 4, 1, "final stage 0 has no HEALTHCHECK", "low")
    ]


def test_healthcheck_real_kubernetes_marker(tmp_path: Path) -> None:
    text = """
    # Copyright 2026 Example Corp.
    FROM redis:8.2
    # runs on Kubernetes only: the Deployment defines liveness and readiness probes
    CMD ["redis-server"]
    """
    assert found(tmp_path, text, "D020") == []
