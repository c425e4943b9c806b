# syntax=docker/dockerfile:1
# hardhull: the scanner CLI and the admission webhook in one minimal, non-root image.
#
#   docker build -t hardhull .
#   docker run --rm -v "$PWD:/src:ro" hardhull scan /src
#   (in Kubernetes: `hardhull admission manifests --image IMG@sha256:…`, see docs/admission-install.md)
#
# Base images are pinned by digest (D003). The builder is Debian 12 ("bookworm") like the runtime,
# so every wheel pip picks is built for the runtime's glibc, and Python 3.11 on both sides, so the
# compiled extension modules (cryptography, orjson, uvloop, httptools, PyYAML) and the byte-code
# match the runtime's /usr/bin/python3 (3.11). Let Renovate or Dependabot move tag and digest
# together; re-resolve with `docker buildx imagetools inspect IMAGE:TAG` when updating by hand.

# ---------------------------------------------------------------------------------------- build
FROM python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91 AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src

# 1. wheels for hardhull and every dependency of the admission extra (binary wheels preferred:
#    there is no compiler here); 2. an offline install of exactly those wheels into one directory
#    the runtime puts on PYTHONPATH; 3. byte-code compiled now, because the runtime's file system
#    is read-only (unchecked-hash: valid whatever the file times after the copy)
RUN python -m pip wheel --no-cache-dir --prefer-binary --wheel-dir /wheels ".[admission]" \
 && python -m pip install --no-cache-dir --no-index --find-links /wheels \
        --target /opt/hardhull/lib "hardhull[admission]" \
 && rm -rf /opt/hardhull/lib/bin \
 && python -m compileall -q --invalidation-mode unchecked-hash /opt/hardhull/lib

# -------------------------------------------------------------------------------------- runtime
# distroless: Debian 12's Python 3.11 and its libraries only; no shell, no package manager.
FROM gcr.io/distroless/python3-debian12:nonroot@sha256:17b27c84c985a53d0cd2adef4f196ca327fa9b6755369be605cf45533b4e700b

LABEL org.opencontainers.image.title="hardhull" \
      org.opencontainers.image.description="Harden containers and Kubernetes: one rule set from CI to admission" \
      org.opencontainers.image.licenses="Apache-2.0"

# root-owned and read-only for the process: the code cannot be changed by what it runs
COPY --from=build /opt/hardhull/lib /opt/hardhull/lib

ENV PYTHONPATH=/opt/hardhull/lib \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# the distroless "nonroot" user, numeric so Kubernetes can verify runAsNonRoot
USER 65532:65532

# the webhook's HTTPS port (`hardhull admission serve --port 8443`); the CLI serves nothing
EXPOSE 8443

# No HEALTHCHECK: the image is a CLI (`hardhull scan` exits when done) as much as a server, there
# is no shell or curl to run one, and Kubernetes ignores it: the webhook's Deployment has
# readiness (/readyz) and liveness (/healthz) probes instead.
HEALTHCHECK NONE

ENTRYPOINT ["/usr/bin/python3", "-m", "hardhull"]
CMD ["--help"]
