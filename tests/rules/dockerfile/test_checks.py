"""The Dockerfile rules together: a hardened multi-stage Dockerfile trips none of them (each
rule's own cases are in the test module named after its rule module).

Each case is a Dockerfile written to a temporary directory (with a ``.dockerignore`` unless the
case is about it) and scanned by the real engine with ``as_of`` fixed; the assertion is the
complete list of (code, line, column, message, severity) findings of the rule under test.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.dockerfile import DIGEST, run

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
