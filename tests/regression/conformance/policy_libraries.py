"""The test resources of two public policy libraries, judged by the hardhull rules that express
the same intent as each library policy.

``../shared/conformance`` holds gatekeeper-library (``library/**/suite.yaml``: per case an
object and whether the constraint must report it) and kyverno-policies
(``**/.kyverno-test/kyverno-test.yaml``: the resources each policy rule must pass or fail).
:data:`MAPPING` names, per library policy (its folder's name), the hardhull codes that express
the same intent. A resource a policy must fail is **met** when hardhull reports at least one
of those codes on it; a resource it must pass is a **false alarm** when hardhull reports one of
those codes on it at an error level (high or critical).

Only policies listed in :data:`MAPPING` count; policies that enforce a site's own choice
(allowed registries, required labels, parameters such as user ranges) express no hardhull rule
and are left out. Mutating and generating policies are left out, and so are gatekeeper cases
that wrap the object in an AdmissionReview (they test gatekeeper's exemption of updates, not a
property of the object).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hardhull.context import ScanFacts
from hardhull.engine import evaluate_object
from hardhull.frontends.kubernetes import parse_text
from hardhull.model import Severity
from hardhull.registry import RULES

#: library → policy folder name → the hardhull codes that express its intent. A folder name
#: stands for every variant of the policy (kyverno's ``*-cel``, ``*-vpol`` folders hold the
#: same policy written otherwise, with their own tests).
MAPPING: dict[str, dict[str, tuple[str, ...]]] = {
    "gatekeeper": {
        # pod-security-policy/
        "allow-privilege-escalation": ("K002",),
        "apparmor": ("K012",),
        "capabilities": ("K007", "K008", "K009"),
        "flexvolume-drivers": ("K035",),
        "forbidden-sysctls": ("K022", "K039"),
        "host-filesystem": ("K018", "K019"),
        "host-namespaces": ("K015", "K016"),
        "host-network-ports": ("K014", "K020"),
        "host-probes-lifecycle": ("K036",),
        "host-process": ("K023",),
        "privileged-containers": ("K001",),
        "proc-mount": ("K021",),
        "read-only-root-filesystem": ("K006",),
        "seccomp": ("K010", "K011"),
        "seccompv2": ("K010", "K011"),
        "selinux": ("K013",),
        "users": ("K003", "K004", "K005", "K034"),
        "volumes": ("K018", "K019", "K035"),
        # general/
        "automount-serviceaccount-token": ("K030",),
        "block-nodeport-services": ("K040",),
        "containerresources": ("K024", "K025", "K026"),
        "disallowedtags": ("K027",),
        "externalip": ("K038",),
        "imagedigests": ("K028",),
        "requiredprobes": ("K032", "K033"),
    },
    "kyverno": {
        # pod-security/baseline
        "disallow-capabilities": ("K008", "K009"),
        "disallow-host-namespaces": ("K014", "K015", "K016"),
        "disallow-host-path": ("K018", "K019"),
        "disallow-host-ports": ("K020",),
        "disallow-host-ports-range": ("K020",),
        "disallow-host-process": ("K023",),
        "disallow-privileged-containers": ("K001",),
        "disallow-proc-mount": ("K021",),
        "disallow-selinux": ("K013",),
        "restrict-apparmor-profiles": ("K012",),
        "restrict-seccomp": ("K011",),
        "restrict-sysctls": ("K022", "K039"),
        # pod-security/restricted
        "disallow-capabilities-strict": ("K007", "K008", "K009"),
        "disallow-privilege-escalation": ("K002",),
        "require-run-as-non-root-user": ("K004",),
        "require-run-as-nonroot": ("K003", "K004"),
        "restrict-seccomp-strict": ("K010", "K011"),
        "restrict-volume-types": ("K018", "K019", "K035"),
        # best-practices/
        "disallow-cri-sock-mount": ("K019",),
        "disallow-default-namespace": ("K031",),
        "disallow-latest-tag": ("K027",),
        "require-drop-all": ("K007",),
        "require-drop-cap-net-raw": ("K007",),
        "require-pod-requests-limits": ("K024", "K026"),
        "require-probes": ("K032", "K033"),
        "require-ro-rootfs": ("K006",),
        "restrict-node-port": ("K040",),
        "restrict-service-external-ips": ("K038",),
        # other/
        "limit-hostpath-type-pv": ("K037",),
        "prevent-cr8escape": ("K039",),
        "restrict-automount-sa-token": ("K030",),
    },
}

#: where hardhull judges otherwise, by design: the expectation's source → why. Misses are
#: resources the policy fails that hardhull does not report; alarms are error-level findings
#: on resources the policy passes. The test keeps this list exact.
DIFFERENCES: dict[str, str] = {
    **{
        f"library/pod-security-policy/forbidden-sysctls:{t}/example-disallowed": (
            "the constraint forbids every sysctl; the pod sets only sysctls of the Pod Security "
            "Standards' safe set, which K022 allows"
        )
        for t in ("forbidden-sysctls-wildcard", "forbidden-sysctls4-empty-allowedSysctls")
    },
    "library/pod-security-policy/seccomp:default-seccomp-required/"
    "example-disallowed-container-localhost-profile": (
        "the constraint allows only runtime/default; a Localhost profile is a seccomp profile "
        "and the restricted Pod Security Standard allows it (docs/peer-cases.md, CKV_K8S_31)"
    ),
    **{
        f"best-practices{v}/disallow-default-namespace:Deployment/baddeployment01": (
            "no metadata.namespace: the manifest lands where it is applied; only an explicit "
            "`namespace: default` is K031 (docs/peer-cases.md, CKV_K8S_21)"
        )
        for v in ("", "-cel", "-vpol")
    },
    **{
        f"library/pod-security-policy/{case}": (
            "the constraint exempts this image or allows this setting by parameter; "
            "hardhull judges the object, not a site's exemptions"
        )
        for case in (
            "host-network-ports:port-range-with-host-network-allowed/no-ports-specified",
            "host-network-ports:port-range-with-host-network-allowed/port-violation-exempted",
            "privileged-containers:privileged-containers-disallowed/exempted-image",
            "proc-mount:default-proc-mount-required/image-exempt-prefix-match",
            "seccomp:default-seccomp-required/example-allowed-container-exempt-image",
            "seccompv2:seccomp-baseline/example-allowed-exempt-image",
            "seccompv2:seccomp-restricted/example-allowed-exempt-image",
        )
    },
}


@dataclass(frozen=True)
class Expectation:
    library: str
    policy: str  # the policy's folder name (the key of MAPPING)
    source: str  # test file and resource, for messages
    obj: dict[str, Any]
    verdict: str  # "fail" | "pass"


@dataclass
class Measure:
    """What hardhull did on the expectations of the mapped policies."""

    fail: int = 0
    met: int = 0
    passing: int = 0
    missed: list[str] = field(default_factory=list)
    #: error-level findings of the mapped codes on resources the policy passes
    false_alarms: list[str] = field(default_factory=list)
    #: lower-level findings of the mapped codes on resources the policy passes
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return 100.0 * self.met / self.fail if self.fail else 100.0


def _objects(path: Path) -> list[dict[str, Any]]:
    parsed = parse_text(str(path), path.read_text(encoding="utf-8"))
    return [o.data for o in parsed.objects]


def _yes(violations: Any) -> bool | None:
    """gator's assertion: ``yes``/``no`` (YAML booleans), a count, or absent."""
    if isinstance(violations, bool):
        return violations
    if isinstance(violations, int):
        return violations > 0
    if isinstance(violations, str):
        return {"yes": True, "no": False}.get(violations.lower())
    return None


def gatekeeper(root: Path, policies: set[str]) -> Iterator[Expectation]:
    for suite_path in sorted(root.glob("library/**/suite.yaml")):
        policy = suite_path.parent.name
        if policy not in policies:
            continue
        suite = yaml.safe_load(suite_path.read_text(encoding="utf-8"))
        for test in suite.get("tests") or []:
            for case in test.get("cases") or []:
                verdicts = {_yes(a.get("violations")) for a in case.get("assertions") or []}
                verdicts.discard(None)
                if len(verdicts) != 1 or "object" not in case:
                    continue
                objs = _objects(suite_path.parent / case["object"])
                if len(objs) != 1 or objs[0].get("kind") == "AdmissionReview":
                    continue
                yield Expectation(
                    "gatekeeper",
                    policy,
                    f"{suite_path.parent.relative_to(root)}:{test.get('name')}/{case.get('name')}",
                    objs[0],
                    "fail" if verdicts == {True} else "pass",
                )


def _named(objs: list[dict[str, Any]], kind: str, ref: str) -> dict[str, Any] | None:
    namespace, _, name = ref.rpartition("/")
    for o in objs:
        meta = o.get("metadata") if isinstance(o.get("metadata"), dict) else {}
        if o.get("kind") != kind or meta.get("name") != name:
            continue
        if namespace and meta.get("namespace", "default") != namespace:
            continue
        return o
    return None


def kyverno(root: Path, policies: set[str]) -> Iterator[Expectation]:
    for test_path in sorted(root.glob("**/.kyverno-test/kyverno-test.yaml")):
        policy = test_path.parent.parent.name
        if policy not in policies:
            continue
        test = yaml.safe_load(test_path.read_text(encoding="utf-8"))
        objs = [o for f in test.get("resources") or [] for o in _objects(test_path.parent / f)]
        verdicts: dict[tuple[str, str], set[str]] = {}
        for r in test.get("results") or []:
            if "patchedResources" in r or "generatedResource" in r:
                continue
            names = r.get("resources") or ([r["resource"]] if "resource" in r else [])
            for n in names:
                verdicts.setdefault((r.get("kind", ""), str(n)), set()).add(r.get("result", ""))
        for (kind, ref), results in sorted(verdicts.items()):
            obj = _named(objs, kind, ref)
            if obj is None:
                continue
            if "fail" in results:
                verdict = "fail"
            elif results == {"pass"}:
                verdict = "pass"
            else:
                continue  # skipped
            source = f"{test_path.parent.parent.relative_to(root)}:{kind}/{ref}"
            yield Expectation("kyverno", policy, source, obj, verdict)


def expectations(conformance: Path) -> list[Expectation]:
    return [
        *gatekeeper(conformance / "gatekeeper-library", set(MAPPING["gatekeeper"])),
        *kyverno(conformance / "kyverno-policies", set(MAPPING["kyverno"])),
    ]


def measure(found: list[Expectation], disabled: frozenset[str] = frozenset()) -> Measure:
    """Judge every expectation by its policy's codes (``disabled`` codes off)."""
    m = Measure()
    for e in found:
        codes = MAPPING[e.library][e.policy]
        violations, _ = evaluate_object(e.obj, ScanFacts(), disabled=disabled)
        hits = [v for v in violations if v.code in codes]
        if e.verdict == "fail":
            m.fail += 1
            if hits:
                m.met += 1
            else:
                m.missed.append(e.source)
            continue
        m.passing += 1
        for v in hits:
            rule_sev = v.severity if v.severity is not None else RULES[v.code].severity
            row = f"{e.source}: {v.code} {rule_sev.label} {v.message}"
            (m.false_alarms if rule_sev >= Severity.HIGH else m.notes).append(row)
    return m
