"""A pod that passes every workload rule (:data:`BASE`) and the tools to change one thing in it,
scan it and compare exact rows (code, pointer, "line:column", message, severity)."""

from __future__ import annotations

import textwrap
from typing import Any

from hardhull.engine import ScanOptions, ScanResult, evaluate, findings_for
from hardhull.frontends.kubernetes import parse_text
from hardhull.model import Violation

WORKLOAD_CODES = frozenset(f"K{n:03d}" for n in range(1, 41))

DIGEST = "sha256:" + "0123456789abcdef" * 4

IMAGE = f"registry.example.com/app:1.4.2@{DIGEST}"

Row = tuple[str, str, str, str, str]  # code, pointer, "line:column", message, severity

Needle = str | tuple[str, int]

SPEC_BODY = f"""\
automountServiceAccountToken: false
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  runAsGroup: 10001
  seccompProfile:
    type: RuntimeDefault
containers:
  - name: app
    image: {IMAGE}
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities:
        drop: ["ALL"]
    resources:
      requests: {{cpu: 100m, memory: 64Mi}}
      limits: {{cpu: 500m, memory: 128Mi}}
    livenessProbe:
      httpGet: {{path: /healthz, port: 8080}}
    readinessProbe:
      httpGet: {{path: /ready, port: 8080}}
"""

HEADER = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
"""

BASE = HEADER + "spec:\n" + textwrap.indent(SPEC_BODY, "  ")

CTR_SC_AT = "        readOnlyRootFilesystem: true\n"


def edit(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def objects(text: str) -> list[Any]:
    parsed = parse_text("w.yaml", text)
    assert parsed.errors == [] and parsed.skipped == [], (parsed.errors, parsed.skipped)
    return parsed.objects


def scan_text(text: str) -> list[Row]:
    result = ScanResult()
    for obj in objects(text):
        vs = [v for v in evaluate(obj.data) if v.code in WORKLOAD_CODES]
        findings_for(obj, vs, ScanOptions(jobs=1), result)
    return sorted(
        (
            f.code,
            f.pointer,
            f"{f.location.line}:{f.location.column}",
            f.message,
            f.severity.label,
        )
        for f in result.findings
    )


def at(text: str, needle: Needle) -> str:
    """line:column (1-based) where the n-th occurrence (default: the only one) of a text starts."""
    if isinstance(needle, tuple):
        word, nth = needle
    else:
        word, nth = needle, 1
        assert text.count(word) == 1, f"{word!r} occurs {text.count(word)} times"
    pos = -1
    for _ in range(nth):
        pos = text.index(word, pos + 1)
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"{line}:{col}"


def rows(text: str, *expected: tuple[str, str, Needle, str, str]) -> list[Row]:
    return sorted((c, p, at(text, n), m, s) for c, p, n, m, s in expected)


def check(text: str, *expected: tuple[str, str, Needle, str, str]) -> None:
    assert scan_text(text) == rows(text, *expected)


APP = 'container "app"'


# anchors in BASE after which fragments are inserted
SPEC_AT = "  automountServiceAccountToken: false\n"


POD_SC_AT = "    runAsGroup: 10001\n"


CTR_AT = f"      image: {IMAGE}\n"


META_AT = "  namespace: shop\n"


HARDENED_INIT = f"""\
initContainers:
  - name: init
    image: {IMAGE}
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities:
        drop: ["ALL"]
    resources:
      requests: {{cpu: 100m, memory: 64Mi}}
      limits: {{cpu: 500m, memory: 128Mi}}
"""


def insert(text: str, anchor: str, fragment: str) -> str:
    """Insert ``fragment`` (dedented) after ``anchor``, indented like the anchor's line."""
    indent = anchor[: len(anchor) - len(anchor.lstrip(" "))]
    body = textwrap.indent(textwrap.dedent(fragment).strip("\n") + "\n", indent)
    return edit(text, (anchor, anchor + body))


def spec(fragment: str, text: str = BASE) -> str:
    return insert(text, SPEC_AT, fragment)


def pod_sc(fragment: str, text: str = BASE) -> str:
    return insert(text, POD_SC_AT, fragment)


def ctr(fragment: str, text: str = BASE) -> str:
    return insert(text, CTR_AT, fragment)


def ctr_sc(fragment: str, text: str = BASE) -> str:
    return insert(text, CTR_SC_AT, fragment)


def drop(text: str, *lines: str) -> str:
    return edit(text, *((line, "") for line in lines))


def violations(text: str) -> list[Violation]:
    (obj,) = objects(text)
    return [v for v in evaluate(obj.data) if v.code in WORKLOAD_CODES]


C0 = "/spec/containers/0"


CTR_SC = ("securityContext:", 2)  # the container's (the pod's comes first)


CAPS_LINES = ("        capabilities:\n", '          drop: ["ALL"]\n')


NO_POD_SECCOMP = ("    seccompProfile:\n", "      type: RuntimeDefault\n")


NO_POD_USER = ("    runAsNonRoot: true\n", "    runAsUser: 10001\n")


WINDOWS_USER = "    windowsOptions: {runAsUserName: ContainerUser}\n"


WINDOWS_BASE = spec(
    "os: {name: windows}",
    edit(
        drop(
            BASE,
            *NO_POD_USER,
            *NO_POD_SECCOMP,
            "        allowPrivilegeEscalation: false\n",
            CTR_SC_AT,
            *CAPS_LINES,
        ),
        (POD_SC_AT, WINDOWS_USER),
    ),
)
