"""`hardhull scan` and the webhook agree: for every workload object, the scan's findings (code,
message, severity) are exactly the webhook's decision content under the same policy, and the
object is denied exactly when a finding's rule is enforced.

Same policy: the webhook's policy judges every rule (nothing off), honours the object's
``hardhull.dev/ignore`` annotation as the scan does, and uses the scan's default Pod Security
level; the scan leaves out the set checks (N…, R…), which need the other objects of the scan
and do not run on one workload in admission, and K041, which needs the manifest's text
(docs/admission.md). Objects whose namespace has a
Pod Security label in the same file are skipped: the scan then judges K100 by that label, which
an AdmissionReview does not carry (the API server's own Pod Security admission does that).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from hardhull.admission import review
from hardhull.admission.policy import ENFORCE, Policy, parse_policy
from hardhull.engine import ScanOptions, scan
from hardhull.frontends.kubernetes import parse_text
from hardhull.model import Severity
from hardhull.models.workload import Workload, object_name, object_namespace
from hardhull.pss.namespaces import ENFORCE as PSS_ENFORCE
from hardhull.registry import Target
from hardhull.rules import checks
from tests.conftest import ROOT
from tests.helpers.admission import review_body

POLICY_TEXT = """\
default-mode: warn
severity-modes: {critical: enforce, high: enforce}
rules: {K100: enforce}
exempt-namespaces: []
allow-object-exemptions: true
"""

Key = tuple[str, str, str]


def _compare_file(path: Path, policy: Policy) -> tuple[int, int, list[str]]:
    """(objects compared, objects denied, mismatches) for one manifest file."""
    # set checks need the other objects; K041 (a key set twice) needs the text, which the
    # webhook never sees: the API server hands it the decoded object
    set_codes = frozenset(c.code for c in checks(Target.SET)) | {"K041"}
    text = path.read_text(encoding="utf-8", errors="replace")
    parsed = parse_text(str(path), text)
    if parsed.errors or not parsed.objects:
        return 0, 0, []
    labelled = {
        o.data.get("metadata", {}).get("name")
        for o in parsed.objects
        if o.data.get("kind") == "Namespace"
        and PSS_ENFORCE in (o.data.get("metadata", {}).get("labels") or {})
    }
    result = scan([str(path)], ScanOptions(jobs=1, disabled=set_codes, pss_default=policy.pss))
    if result.errors:
        return 0, 0, []
    by_resource: dict[Key, Counter[tuple[str, str, int]]] = {}
    for f in result.findings:
        key = (f.resource.kind, f.resource.namespace, f.resource.name)
        by_resource.setdefault(key, Counter())[(f.code, f.message, int(f.severity))] += 1
    identities = Counter(
        (o.data.get("kind"), object_namespace(o.data), object_name(o.data)) for o in parsed.objects
    )
    compared = denied = 0
    mismatches: list[str] = []
    for o in parsed.objects:
        obj: dict[str, Any] = o.data
        w = Workload.of(obj)
        if w is None:
            continue
        group = obj["apiVersion"].rpartition("/")[0]
        if (group, obj["kind"]) not in review.WORKLOAD_KINDS:
            continue
        key = (obj["kind"], object_namespace(obj), object_name(obj))
        if identities[key] > 1 or key[1] in labelled:
            continue
        d = review.validate(review.parse_review(review_body(obj, namespace=key[1])), policy)
        got = Counter((i.code, i.message, int(i.severity)) for i in d.items if not i.exempted)
        want = by_resource.get(key, Counter())
        if got != want:
            mismatches.append(f"{path}: {key}: webhook-only {got - want}, scan-only {want - got}")
        should_deny = any(policy.mode(c, Severity(s)) == ENFORCE for c, _, s in want)
        if d.allowed == should_deny:
            mismatches.append(f"{path}: {key}: allowed={d.allowed} but scan enforce={should_deny}")
        compared += 1
        denied += not d.allowed
    return compared, denied, mismatches


def _files(root: Path) -> list[Path]:
    return sorted(
        p for p in root.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file()
    )


def test_examples_scan_equals_webhook() -> None:
    policy = parse_policy(POLICY_TEXT)
    total = denied = 0
    mismatches: list[str] = []
    for path in _files(ROOT / "examples"):
        c, d, m = _compare_file(path, policy)
        total, denied = total + c, denied + d
        mismatches += m
    assert mismatches == []
    assert total >= 3 and denied >= 1


def test_corpus_scan_equals_webhook(shared: Path) -> None:
    policy = parse_policy(POLICY_TEXT)
    total = denied = 0
    mismatches: list[str] = []
    for path in _files(shared / "corpus" / "k8s"):
        c, d, m = _compare_file(path, policy)
        total, denied = total + c, denied + d
        mismatches += m
    assert mismatches[:10] == []
    assert total >= 200  # the corpus has hundreds of workloads
    assert 0 < denied < total
