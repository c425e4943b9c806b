"""The Dockerfile front end around the checks: pointers to positions, suppressions, input
errors, standard input, the ``as_of`` date, the end-of-life table, and robustness."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardhull.context import ScanFacts
from hardhull.engine import ScanOptions, check_document, scan
from hardhull.formats.dockerfile import DockerfileError, parse_dockerfile
from hardhull.frontends.dockerfile import DockerfileDocument
from hardhull.models.dockerfile_facts import DockerContext, dockerfile_facts
from hardhull.models.eol import eol_hits, eol_table
from hardhull.models.image_ref import parse_image
from hardhull.registry import Target
from hardhull.rules import checks
from hardhull.rules.dockerfile.permissions import world_writable
from hardhull.rules.dockerfile.secrets import secret_file_kind
from tests.conftest import ROOT

AS_OF = date(2026, 11, 25)


def _scan(tmp_path: Path, text: str, **kw: object) -> object:
    (tmp_path / "Dockerfile").write_text(text)
    (tmp_path / ".dockerignore").write_text(".git\n")
    return scan([str(tmp_path / "Dockerfile")], ScanOptions(jobs=1, as_of=AS_OF, **kw))  # type: ignore[arg-type]


def test_every_rule_is_documented_and_registered_once() -> None:
    dockerfile_checks = checks(Target.DOCKERFILE)
    codes = [c.code for c in dockerfile_checks]
    # one check per rule, numbered from D001 without gaps (a new rule needs no edit here)
    assert codes == [f"D{n:03d}" for n in range(1, len(codes) + 1)]
    assert len(codes) >= 26
    for rule in (c.rule for c in dockerfile_checks):
        assert rule.what and rule.why and rule.fix and rule.example and rule.references
        assert rule.category == "dockerfile"


def test_positions_of_pointers() -> None:
    text = (
        "ARG A=1\n"
        "FROM alpine:3.22 AS b\n"
        "ENV X=1 \\\n"
        "    Y=2\n"
        "RUN apk add --no-cache curl=8 && \\\n"
        "    pnpm i && npm i\n"
    )
    df = parse_dockerfile(text)
    facts = dockerfile_facts(df, DockerContext(AS_OF, True), lines=text.split("\n"))
    doc = DockerfileDocument("Dockerfile", text.split("\n"), facts)
    assert doc.position("/instructions/0") == (1, 1)
    assert doc.position("/instructions/0/args/0") == (1, 5)
    assert doc.position("/stages/0") == (2, 1)
    assert doc.position("/stages/0/image") == (2, 6)
    assert doc.position("/stages/0/instructions/0/args/2") == (4, 5)
    assert doc.position("/stages/0/instructions/1") == (5, 1)
    assert doc.position("/stages/0/instructions/1/commands/0/argv/3") == (5, 24)
    assert doc.position("/stages/0/instructions/1/commands/2") == (6, 15)
    # nothing there: unknown
    assert doc.position("/stages/9") == (0, 0)
    assert doc.position("/stages/0/instructions/9") == (0, 0)
    assert doc.position("/nonsense") == (0, 0)
    assert doc.resource.kind == "Dockerfile"
    assert doc.resource.name == "Dockerfile"


def test_comment_suppression_and_ignore_label(tmp_path: Path) -> None:
    text = (
        "# hardhull: ignore[D002] reason\n"
        "FROM alpine\n"
        'LABEL hardhull.dev/ignore="D004,D020: probed by Kubernetes"\n'
        "EXPOSE 22\n"
    )
    result = _scan(tmp_path, text)
    assert [(f.code, f.location.line) for f in result.findings] == [("D019", 4)]  # type: ignore[attr-defined]
    assert dict(result.suppressed) == {"comment": 1, "annotation": 2}  # type: ignore[attr-defined]


def test_disabled_rules_do_not_run(tmp_path: Path) -> None:
    result = _scan(tmp_path, "FROM alpine\n", disabled=frozenset({"D002", "D004", "D020"}))
    assert result.findings == []  # type: ignore[attr-defined]


def test_parse_error_is_an_input_error_with_line(tmp_path: Path) -> None:
    result = _scan(tmp_path, "FROM alpine:3.22\nCOPY onlyone\n")
    assert result.findings == []  # type: ignore[attr-defined]
    assert [(e.line, e.message) for e in result.errors] == [  # type: ignore[attr-defined]
        (
            2,
            "COPY requires at least two arguments, but only one was provided. Destination "
            "could not be determined",
        )
    ]


def test_stdin_is_recognised_and_dockerignore_unknown() -> None:
    result = scan(
        ["-"],
        ScanOptions(jobs=1, as_of=AS_OF, stdin_text="FROM alpine:3.22\nUSER 1\nCOPY . /app\n"),
    )
    assert result.errors == []
    assert [f.code for f in result.findings] == ["D020", "D003"]


def test_as_of_defaults_to_today(tmp_path: Path) -> None:
    result = _scan(tmp_path, "FROM ubuntu:10.04\nUSER 1\n")
    assert [f.code for f in result.findings if f.code == "D001"] == ["D001"]  # type: ignore[attr-defined]
    early = scan([str(tmp_path / "Dockerfile")], ScanOptions(jobs=1, as_of=date(2013, 1, 1)))
    assert [f.code for f in early.findings if f.code == "D001"] == []


def test_crlf_and_bom_lines(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(
        b"\xef\xbb\xbfFROM alpine:3.22\r\nUSER 1\r\nEXPOSE 22\r\n"
    )
    (tmp_path / ".dockerignore").write_text("x\n")
    result = scan([str(tmp_path / "Dockerfile")], ScanOptions(jobs=1, as_of=AS_OF))
    assert [(f.code, f.location.line, f.location.column, f.snippet) for f in result.findings] == [
        ("D020", 1, 1, "FROM alpine:3.22"),
        ("D003", 1, 6, "FROM alpine:3.22"),
        ("D019", 3, 8, "EXPOSE 22"),
    ]


# --------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("ref", "parts", "official"),
    [
        ("python:3.13-slim", ("", "python", "3.13-slim", ""), True),
        ("docker.io/library/node:22", ("docker.io", "library/node", "22", ""), True),
        ("localhost:5000/app:1", ("localhost:5000", "app", "1", ""), False),
        ("ghcr.io/o/app@sha256:ab", ("ghcr.io", "o/app", "", "sha256:ab"), False),
        (
            "public.ecr.aws/docker/library/python:3.9",
            ("public.ecr.aws", "docker/library/python", "3.9", ""),
            True,
        ),
        ("bitnami/nginx", ("", "bitnami/nginx", "", ""), False),
    ],
)
def test_parse_image(ref: str, parts: tuple[str, str, str, str], official: bool) -> None:
    img = parse_image(ref)
    assert img is not None
    assert (img.registry, img.path, img.tag, img.digest) == parts
    assert img.official is official


def test_parse_image_none() -> None:
    assert parse_image("scratch") is None
    assert parse_image("") is None


@pytest.mark.parametrize(
    ("ref", "labels"),
    [
        ("ubuntu:bionic-20230530", ["Ubuntu 18.04 (bionic)"]),
        ("debian:10.13-slim", ["Debian 10 (buster)"]),
        ("centos:centos7", ["CentOS Linux 7"]),
        ("amazonlinux:2018.03", ["Amazon Linux 1"]),
        ("python:2-alpine", ["Python 2.7"]),
        ("python:3.9.2-alpine3.13", ["Python 3.9", "Alpine Linux 3.13"]),
        ("node:lts-buster", ["Debian 10 (buster)"]),
        ("eclipse-temurin:17-jre-focal", ["Eclipse Temurin (Java) 17", "Ubuntu 20.04 (focal)"]),
        ("golang:1.16.5-alpine3.12", ["Go 1.16", "Alpine Linux 3.12"]),
        ("redhat/ubi8-minimal:8.10", ["Red Hat Enterprise Linux (UBI) 8"]),
        ("python:3", []),
        ("node:current", []),
        ("alpine:edge", []),
        ("mycorp/python:2.7", []),
    ],
)
def test_eol_hits(ref: str, labels: list[str]) -> None:
    img = parse_image(ref)
    assert img is not None
    assert [h.label for h in eol_hits(img)] == labels


def test_eol_table_is_well_formed() -> None:
    table = eol_table()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", table["retrieved"])
    for name, product in table["products"].items():
        assert product["source"].startswith("https://"), name
        assert product["label"] and product["judged_at"]
        for cycle, rel in product["releases"].items():
            assert date.fromisoformat(rel["eol"]), (name, cycle)
    for d in table["deprecated_images"].values():
        assert date.fromisoformat(d["since"]) and d["source"].startswith("https://")
    # shipped as package data
    raw = (ROOT / "src" / "hardhull" / "data" / "eol.json").read_text()
    assert json.loads(raw) == table


@pytest.mark.parametrize(
    ("mode", "writable"),
    [("777", True), ("0666", True), ("2777", True), ("1777", False), ("755", False),
     ("a+w", True), ("o+rwx", True), ("ugo=rwx", True), ("g+w", False), ("u+w", False),
     ("o+w,+t", False), ("+w", False), ("rwx", False)],
)  # fmt: skip
def test_world_writable(mode: str, writable: bool) -> None:
    assert world_writable(mode) is writable


@pytest.mark.parametrize(
    ("src", "kind"),
    [("id_rsa", "credential file id_rsa"),
     ("./conf/.env.production", "environment file .env.production"),
     ("keys/app.p12", "key store app.p12"),
     (".docker/config.json", "credential file .docker/config.json"),
     ("truststore.jks", None), (".env.template", None), ("docker.asc", None), ("pubkey.pem", None),
     ("server.crt", None), ("apt-key.key", None), ("$SECRET", None)],
)  # fmt: skip
def test_secret_file_kind(src: str, kind: str | None) -> None:
    assert secret_file_kind(src) == kind


# --------------------------------------------------------------------------- robustness

_TOKENS = st.sampled_from(
    [
        "FROM alpine", "FROM a AS b", "FROM b", "FROM scratch", "FROM ${X:-python:2.7}",
        "RUN ", "COPY ", "ADD ", "ENV ", "ARG ", "USER ", "EXPOSE ", "ONBUILD ", "LABEL ",
        "HEALTHCHECK ", "SHELL ", "<<EOF", "EOF", "\\\n", "\n", " ", "apt-get install -y x",
        "apk add y", "pip install z", "curl -fsSL u | sh", "sudo", "chmod 777 /", "npm i",
        "--mount=type=secret,id=a", "--from=b", '["a", "b"]', "$A", "PASSWORD=hunter2hunter2",
        ". /", "22", "0", "root", "id_rsa /x", "https://x/y.tgz /z", "&&", "|", ";", "'", '"',
    ]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(_TOKENS, max_size=30).map("".join))
def test_arbitrary_dockerfiles_never_break_the_checks(text: str) -> None:
    try:
        df = parse_dockerfile(text)
    except DockerfileError:
        return
    lines = text.split("\n")
    facts = dockerfile_facts(df, DockerContext(AS_OF, False), lines=lines)
    doc = DockerfileDocument("Dockerfile", lines, facts)
    violations, errors = check_document(doc, ScanFacts(), frozenset())
    assert errors == []
    for v in violations:
        line, col = doc.position(v.pointer)
        assert 1 <= line <= len(lines), v
        assert col >= 1, v
