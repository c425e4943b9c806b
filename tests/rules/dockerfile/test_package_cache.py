"""Package-manager hygiene in the final image: D012, D013, D015, D016
(``hardhull/rules/dockerfile/package_cache.py``) and D014, D018
(``package_versions.py``), positive and negative, with the exact findings.

Each case is a Dockerfile written to a temporary directory (with a ``.dockerignore`` unless the
case is about it) and scanned by the real engine with ``as_of`` fixed; the assertion is the
complete list of (code, line, column, message, severity) findings of the rule under test.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.dockerfile import found


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
