"""The bundled Dockerfile examples: the insecure image trips exactly these rules, the hardened
multi-stage distroless counterpart none (two digest-pinning notes are suppressed in the file
with a reason)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hardhull.engine import ScanOptions, scan
from tests.conftest import ROOT

AS_OF = date(2026, 11, 25)


def test_insecure_dockerfile_exact_findings() -> None:
    result = scan(
        [str(ROOT / "examples" / "insecure" / "Dockerfile")], ScanOptions(jobs=1, as_of=AS_OF)
    )
    got = [
        (f.code, f.location.line, f.location.column, f.message, f.severity.label)
        for f in result.findings
    ]
    assert got == [
        (
            "D004",
            2,
            1,
            "final stage 0 sets no USER: the container runs as the base image's user (root for "
            "almost all images)",
            "medium",
        ),
        ("D020", 2, 1, "final stage 0 has no HEALTHCHECK", "low"),
        (
            "D001",
            2,
            6,
            "base image ubuntu:18.04 is end of life: Ubuntu 18.04 (bionic) on 2023-05-31 (no "
            "security updates)",
            "high",
        ),
        ("D003", 2, 6, "base image ubuntu:18.04 is not pinned by digest", "low"),
        (
            "D005",
            4,
            5,
            "ENV DB_PASSWORD holds a credential: random-looking literal in a credential-named "
            "field (Sup…(20 chars))",
            "medium",
        ),
        (
            "D005",
            5,
            5,
            "ARG GITHUB_TOKEN holds a credential: GitHub token (ghp_…(40 chars))",
            "high",
        ),
        ("D013", 7, 5, "apt-get update without rm -rf /var/lib/apt/lists/* in the same RUN", "low"),
        ("D014", 7, 23, "apt-get upgrade upgrades the whole image", "info"),
        ("D012", 8, 5, "apt-get install without --no-install-recommends", "low"),
        (
            "D018",
            8,
            24,
            "apt-get install: 6 packages without a version: python3, python3-pip, "
            "build-essential, git, openssh-server, sudo",
            "low",
        ),
        (
            "D021",
            8,
            44,
            "build tools stay in the final image (build-essential, git): use a multi-stage build",
            "low",
        ),
        (
            "D010",
            8,
            79,
            "installs sudo into the final image: a setuid-root program that lets the "
            "container's user regain root; remove it",
            "low",
        ),
        (
            "D007",
            9,
            5,
            "curl output is piped into sh: the downloaded script runs unverified",
            "high",
        ),
        ("D016", 10, 5, "pip install without --no-cache-dir", "low"),
        ("D018", 10, 18, "pip install: 2 packages without a version: flask, gunicorn", "low"),
        ("D011", 11, 14, "chmod 777 makes /srv world-writable", "medium"),
        ("D009", 13, 1, "ADD copies local files (app/): use COPY", "low"),
        (
            "D022",
            14,
            6,
            "COPY . copies the whole build context and there is no .dockerignore",
            "medium",
        ),
        (
            "D006",
            15,
            6,
            "COPY copies credential file id_rsa into the image; use RUN --mount=type=secret",
            "high",
        ),
        ("D019", 18, 8, "EXPOSE 22 publishes SSH (port 22)", "medium"),
    ]
    assert result.errors == []


def test_hardened_dockerfile_is_clean() -> None:
    result = scan(
        [str(ROOT / "examples" / "hardened" / "Dockerfile")], ScanOptions(jobs=1, as_of=AS_OF)
    )
    assert result.findings == []
    assert result.errors == []
    assert result.objects == 1
    # the two D003 (digest pinning) notes, suppressed in the file with their reason
    assert dict(result.suppressed) == {"comment": 2}


def test_hardened_dockerfile_without_its_suppressions(tmp_path: Path) -> None:
    """Only the two low digest-pinning notes are suppressed; nothing else hides there."""
    hardened = ROOT / "examples" / "hardened"
    text = (hardened / "Dockerfile").read_text()
    stripped = "\n".join(
        line for line in text.split("\n") if not line.startswith("# hardhull: ignore")
    )
    (tmp_path / "Dockerfile").write_text(stripped)
    (tmp_path / ".dockerignore").write_text((hardened / ".dockerignore").read_text())
    result = scan([str(tmp_path / "Dockerfile")], ScanOptions(jobs=1, as_of=AS_OF))
    got = [(f.code, f.location.line, f.location.column, f.severity.label) for f in result.findings]
    assert got == [("D003", 6, 6, "low"), ("D003", 12, 6, "low")]
