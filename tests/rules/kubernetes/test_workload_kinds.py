"""Pod-bearing kinds and their pointer layouts, look-alike custom resources, and JSON-patch
fixes that apply cleanly and make their rule go quiet."""

from __future__ import annotations

import copy
import textwrap
from typing import Any

import pytest

from hardhull.engine import evaluate
from hardhull.models.workload import Workload
from hardhull.registry import RULES
from hardhull.rules import all_rules
from tests.helpers.kubernetes import (
    APP,
    BASE,
    CTR_SC_AT,
    IMAGE,
    SPEC_BODY,
    WORKLOAD_CODES,
    at,
    check,
    edit,
    objects,
    scan_text,
)

META = "metadata: {name: web, namespace: shop}\n"

#: kind → (YAML text with the pod spec body at the marker, pointer of the pod spec)
LAYOUTS: dict[str, tuple[str, str]] = {
    "Pod": ("apiVersion: v1\nkind: Pod\n" + META + "spec:\n@2", "/spec"),
    "PodTemplate": (
        "apiVersion: v1\nkind: PodTemplate\n" + META + "template:\n  metadata: {}\n  spec:\n@4",
        "/template/spec",
    ),
    "ReplicationController": (
        "apiVersion: v1\nkind: ReplicationController\n" + META + "spec:\n  template:\n"
        "    metadata: {labels: {app: web}}\n    spec:\n@6",
        "/spec/template/spec",
    ),
    **{
        kind: (
            f"apiVersion: apps/v1\nkind: {kind}\n" + META + "spec:\n"
            "  selector: {matchLabels: {app: web}}\n  template:\n"
            "    metadata: {labels: {app: web}}\n    spec:\n@6",
            "/spec/template/spec",
        )
        for kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
    },
    "Job": (
        "apiVersion: batch/v1\nkind: Job\n" + META + "spec:\n  template:\n"
        "    metadata: {}\n    spec:\n@6",
        "/spec/template/spec",
    ),
    "CronJob": (
        "apiVersion: batch/v1\nkind: CronJob\n" + META + "spec:\n  schedule: '0 * * * *'\n"
        "  jobTemplate:\n    spec:\n      template:\n        metadata: {}\n        spec:\n@10",
        "/spec/jobTemplate/spec/template/spec",
    ),
}


def layout(kind: str, body: str = SPEC_BODY, api_version: str | None = None) -> str:
    text, _ = LAYOUTS[kind]
    head, _, depth = text.rpartition("@")
    doc = head + textwrap.indent(body, " " * int(depth))
    if api_version is not None:
        doc = doc.replace(doc.split("\n", 1)[0], f"apiVersion: {api_version}", 1)
    return doc


@pytest.mark.parametrize("kind", sorted(LAYOUTS))
def test_every_kind_is_clean_when_hardened(kind: str) -> None:
    assert scan_text(layout(kind)) == []


@pytest.mark.parametrize("kind", sorted(LAYOUTS))
def test_every_kind_pointer_layout(kind: str) -> None:
    body = SPEC_BODY.replace(
        "      readOnlyRootFilesystem: true\n",
        "      readOnlyRootFilesystem: true\n      privileged: true\n",
    ).replace("automountServiceAccountToken: false", "automountServiceAccountToken: true")
    text = layout(kind, body)
    spec = LAYOUTS[kind][1]
    check(
        text,
        ("K001", f"{spec}/containers/0/securityContext/privileged", "privileged",
         f"{APP} runs privileged", "critical"),
        ("K030", f"{spec}/automountServiceAccountToken", "automountServiceAccountToken",
         "pod mounts its service account token (set automountServiceAccountToken: false)",
         "low"),
    )  # fmt: skip


@pytest.mark.parametrize("kind", sorted(LAYOUTS))
def test_probes_only_for_long_running_kinds(kind: str) -> None:
    body = SPEC_BODY.split("    livenessProbe:\n")[0]
    rows = scan_text(layout(kind, body))
    codes = [r[0] for r in rows]
    if kind in ("Job", "CronJob", "PodTemplate"):
        assert codes == []
    else:
        assert codes == ["K032", "K033"]
        assert rows[0][1] == LAYOUTS[kind][1] + "/containers/0"


def test_template_annotations_are_read_from_the_pod_template() -> None:
    body = SPEC_BODY
    text = layout("Deployment", body).replace(
        "    metadata: {labels: {app: web}}\n",
        "    metadata:\n      labels: {app: web}\n      annotations:\n"
        "        container.apparmor.security.beta.kubernetes.io/app: unconfined\n",
    )
    check(
        text,
        ("K012", "/spec/template/metadata/annotations/"
         "container.apparmor.security.beta.kubernetes.io~1app", "container.apparmor",
         f"{APP} runs with AppArmor unconfined", "high"),
    )  # fmt: skip


INSECURE_BODY = """\
hostNetwork: true
containers:
  - name: app
    image: nginx
    securityContext: {privileged: true}
"""


@pytest.mark.parametrize(
    ("kind", "api_version"),
    [
        ("Job", "batch.volcano.sh/v1alpha1"),
        ("Deployment", "apps.example.com/v1"),
        ("DaemonSet", "acme.io/v1"),
        ("CronJob", "batch.tensorstack.dev/v1beta1"),
        ("Pod", "apps/v1"),  # no such built-in kind: not a real Pod
        ("Pod", "v2"),
        ("StatefulSet", "extensions/v1beta1"),  # never existed there
        ("Deployment", "batch/v1"),
    ],
)
def test_look_alike_custom_resources_are_not_workloads(kind: str, api_version: str) -> None:
    text = layout(kind, INSECURE_BODY, api_version)
    (obj,) = objects(text)
    assert Workload.of(obj.data) is None
    assert scan_text(text) == []


@pytest.mark.parametrize(
    ("kind", "api_version"),
    [("Deployment", "extensions/v1beta1"), ("DaemonSet", "apps/v1beta2"),
     ("CronJob", "batch/v1beta1"), ("Job", "batch/v1"), ("Pod", "v1")],
)  # fmt: skip
def test_builtin_group_versions_are_workloads(kind: str, api_version: str) -> None:
    (obj,) = objects(layout(kind, INSECURE_BODY, api_version))
    assert Workload.of(obj.data) is not None
    assert {v.code for v in evaluate(obj.data)} >= {"K001", "K014", "K027"}


def test_list_items_are_checked_with_item_pointers() -> None:
    pod = textwrap.indent(edit(BASE, ("readOnlyRootFilesystem: true", "privileged: true")), "    ")
    text = "apiVersion: v1\nkind: List\nitems:\n  -" + pod[3:]
    rows = scan_text(text)
    assert rows == [
        ("K001", "/spec/containers/0/securityContext/privileged", at(text, "privileged"),
         f"{APP} runs privileged", "critical"),
        ("K006", "/spec/containers/0/securityContext", at(text, ("securityContext:", 2)),
         f"{APP} has a writable root filesystem", "medium"),
    ]  # fmt: skip


# --------------------------------------------------------------------------- fixes


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def apply_patch(doc: Any, patch: list[dict[str, Any]]) -> Any:
    """A minimal RFC 6902 applier (add and replace), strict about missing parents."""
    doc = copy.deepcopy(doc)
    for op in patch:
        assert op["op"] in ("add", "replace"), op
        *parents, last = _tokens(op["path"])
        cur = doc
        for tok in parents:
            cur = cur[int(tok)] if isinstance(cur, list) else cur[tok]
        if isinstance(cur, list):
            if op["op"] == "add":
                cur.insert(len(cur) if last == "-" else int(last), op["value"])
            else:
                cur[int(last)] = op["value"]
        else:
            assert isinstance(cur, dict), (op, cur)
            if op["op"] == "replace":
                assert last in cur, f"replace of missing member {op['path']}"
            cur[last] = op["value"]
    return doc


def test_apply_patch_itself() -> None:
    doc = {"a": {"b": [1, 2]}}
    assert apply_patch(doc, [{"op": "add", "path": "/a/b/-", "value": 3}]) == {
        "a": {"b": [1, 2, 3]}
    }
    assert apply_patch(doc, [{"op": "replace", "path": "/a/b/0", "value": 9}]) == {
        "a": {"b": [9, 2]}
    }
    assert apply_patch(doc, [{"op": "add", "path": "/a/c~1d", "value": {}}]) == {
        "a": {"b": [1, 2], "c/d": {}}
    }


#: an object that trips every rule with a fix, several ways (missing parents, explicit bad
#: values, null securityContext, two containers)
FIXABLE = f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: shop}}
spec:
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      hostNetwork: true
      hostPID: true
      hostIPC: true
      initContainers:
        - name: init
          image: {IMAGE}
          securityContext:
      containers:
        - name: app
          image: {IMAGE}
          securityContext:
            privileged: true
            allowPrivilegeEscalation: true
            readOnlyRootFilesystem: false
            capabilities: {{drop: [NET_RAW]}}
        - name: side
          image: {IMAGE}
          securityContext:
            runAsNonRoot: false
"""

FIXABLE_CODES = ["K001", "K002", "K003", "K006", "K007", "K010", "K014", "K015", "K016", "K030"]


@pytest.mark.parametrize("code", FIXABLE_CODES)
def test_fixes_apply_and_silence_their_rule(code: str) -> None:
    (obj,) = objects(FIXABLE)
    data = obj.data
    if code == "K002":  # K002 has no valid fix next to privileged: true; fix that first
        data = apply_patch(data, *[v.fix for v in evaluate(data) if v.code == "K001" and v.fix])
    found = [v for v in evaluate(data) if v.code == code]
    assert found, code
    assert all(v.fix for v in found), [v for v in found if not v.fix]
    for v in found:
        assert v.fix is not None
        data = apply_patch(data, v.fix)
    assert [v for v in evaluate(data) if v.code == code] == []


def test_fix_to_fixpoint_leaves_only_unfixable_findings() -> None:
    (obj,) = objects(FIXABLE)
    data = obj.data
    for _ in range(50):
        fixable = [v for v in evaluate(data) if v.code in WORKLOAD_CODES and v.fix]
        if not fixable:
            break
        data = apply_patch(data, fixable[0].fix or [])
    left = sorted({v.code for v in evaluate(data) if v.code in WORKLOAD_CODES})
    # resources, probes and digests need a human decision; nothing else is left
    assert left == ["K024", "K025", "K026", "K032", "K033"]


def test_no_fix_without_a_safe_patch() -> None:
    # a securityContext that is not a mapping (the API server rejects it): no patch is safe
    text = edit(
        BASE,
        (
            "      securityContext:\n        allowPrivilegeEscalation: false\n",
            "      securityContext: []\n",
        ),
        (CTR_SC_AT, ""),
        ('        capabilities:\n          drop: ["ALL"]\n', ""),
    )
    (obj,) = objects(text)
    got = sorted((v.code, v.pointer, v.fix) for v in evaluate(obj.data) if v.code in WORKLOAD_CODES)
    ptr = "/spec/containers/0/securityContext"
    assert got == [("K002", ptr, None), ("K006", ptr, None), ("K007", ptr, None)]


def test_every_workload_rule_is_registered() -> None:
    rules = all_rules()
    assert sorted(c for c in rules if c in WORKLOAD_CODES) == sorted(WORKLOAD_CODES)
    assert RULES is rules
