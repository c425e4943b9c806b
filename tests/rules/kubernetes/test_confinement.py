"""The workload rules of ``hardhull/rules/kubernetes/confinement.py``:
K010, K011, K012, K013, K021, positive and negative, with the exact findings.

Each case is a small YAML text parsed by the real loader and checked through the real engine
(``evaluate`` + ``findings_for``); the assertion is the complete list of
(code, pointer, line:column, message, severity) of the object. Cases start from ``BASE``, a
pod that passes every rule, and change one thing.
"""

from __future__ import annotations

import pytest

from tests.helpers.kubernetes import (
    APP,
    BASE,
    C0,
    CTR_SC,
    HARDENED_INIT,
    META_AT,
    NO_POD_SECCOMP,
    check,
    ctr_sc,
    drop,
    edit,
    insert,
    pod_sc,
    scan_text,
    spec,
    violations,
)


def test_k010_missing() -> None:
    text = drop(BASE, *NO_POD_SECCOMP)
    check(
        text,
        ("K010", f"{C0}/securityContext", CTR_SC,
         f"{APP} has no seccomp profile (set seccompProfile.type: RuntimeDefault)", "medium"),
    )  # fmt: skip
    (v,) = violations(text)
    assert v.fix == [
        {"op": "add", "path": "/spec/securityContext/seccompProfile",
         "value": {"type": "RuntimeDefault"}}
    ]  # fmt: skip


def test_k010_container_profile_while_pod_unset() -> None:
    text = ctr_sc("seccompProfile: {type: RuntimeDefault}", drop(BASE, *NO_POD_SECCOMP))
    assert scan_text(text) == []
    text = ctr_sc("seccompProfile: {type: Localhost, localhostProfile: p.json}",
                  drop(BASE, *NO_POD_SECCOMP))  # fmt: skip
    assert scan_text(text) == []


@pytest.mark.parametrize("value", ["runtime/default", "docker/default", "localhost/prof.json"])
def test_k010_legacy_pod_annotation_counts(value: str) -> None:
    text = insert(
        drop(BASE, *NO_POD_SECCOMP),
        META_AT,
        f"annotations: {{seccomp.security.alpha.kubernetes.io/pod: {value}}}",
    )
    assert scan_text(text) == []


def test_k011_container_unconfined_overrides_pod_default() -> None:
    text = ctr_sc("seccompProfile: {type: Unconfined}")
    check(
        text,
        ("K011", f"{C0}/securityContext/seccompProfile/type", "type: Unconfined",
         f"{APP} runs with seccomp Unconfined", "high"),
    )  # fmt: skip


def test_k011_container_default_overrides_pod_unconfined() -> None:
    text = ctr_sc(
        "seccompProfile: {type: RuntimeDefault}",
        edit(BASE, ("type: RuntimeDefault", "type: Unconfined")),
    )
    assert scan_text(text) == []


def test_k011_pod_unconfined_is_one_finding() -> None:
    text = spec(HARDENED_INIT, edit(BASE, ("type: RuntimeDefault", "type: Unconfined")))
    check(
        text,
        ("K011", "/spec/securityContext/seccompProfile/type", "type: Unconfined",
         f'init container "init", {APP} run with seccomp Unconfined', "high"),
    )  # fmt: skip


def test_k011_legacy_annotations() -> None:
    pod = insert(
        drop(BASE, *NO_POD_SECCOMP),
        META_AT,
        "annotations: {seccomp.security.alpha.kubernetes.io/pod: unconfined}",
    )
    check(
        pod,
        ("K011", "/metadata/annotations/seccomp.security.alpha.kubernetes.io~1pod",
         "seccomp.security", f"{APP} runs with seccomp Unconfined", "high"),
    )  # fmt: skip
    # a container annotation beats the pod field (the API server copies it into the
    # container's field at creation)
    ctr_ann = insert(
        BASE,
        META_AT,
        "annotations: {container.seccomp.security.alpha.kubernetes.io/app: unconfined}",
    )
    check(
        ctr_ann,
        ("K011", "/metadata/annotations/container.seccomp.security.alpha.kubernetes.io~1app",
         "container.seccomp", f"{APP} runs with seccomp Unconfined", "high"),
    )  # fmt: skip
    # ... and the container field beats the pod annotation
    fixed = ctr_sc("seccompProfile: {type: RuntimeDefault}", pod)
    assert scan_text(fixed) == []


def test_k012_apparmor() -> None:
    text = ctr_sc("appArmorProfile: {type: Unconfined}")
    check(
        text,
        ("K012", f"{C0}/securityContext/appArmorProfile/type", "type: Unconfined",
         f"{APP} runs with AppArmor unconfined", "high"),
    )  # fmt: skip
    ann = insert(
        BASE,
        META_AT,
        "annotations: {container.apparmor.security.beta.kubernetes.io/app: unconfined}",
    )
    check(
        ann,
        ("K012", "/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1app",
         "container.apparmor", f"{APP} runs with AppArmor unconfined", "high"),
    )  # fmt: skip


def test_k012_negative() -> None:
    pod_unconfined = pod_sc("appArmorProfile: {type: Unconfined}")
    assert scan_text(ctr_sc("appArmorProfile: {type: RuntimeDefault}", pod_unconfined)) == []
    # the container annotation overrides the pod field
    ann = "annotations: {container.apparmor.security.beta.kubernetes.io/app: runtime/default}"
    assert scan_text(insert(pod_unconfined, META_AT, ann)) == []
    assert scan_text(pod_sc("appArmorProfile: {type: RuntimeDefault}")) == []


def test_k013_selinux() -> None:
    text = ctr_sc(
        "seLinuxOptions: {user: system_u, role: sysadm_r}", pod_sc("seLinuxOptions: {type: spc_t}")
    )
    check(
        text,
        ("K013", "/spec/securityContext/seLinuxOptions/type", "type: spc_t",
         "pod sets SELinux type 'spc_t'", "medium"),
        ("K013", f"{C0}/securityContext/seLinuxOptions/user", "user: system_u",
         f"{APP} sets SELinux user 'system_u'", "medium"),
        ("K013", f"{C0}/securityContext/seLinuxOptions/role", "role: sysadm_r",
         f"{APP} sets SELinux role 'sysadm_r'", "medium"),
    )  # fmt: skip


def test_k013_allowed_types_and_level() -> None:
    text = pod_sc('seLinuxOptions: {type: container_t, level: "s0:c1,c2"}')
    assert scan_text(ctr_sc("seLinuxOptions: {type: container_init_t}", text)) == []


def test_k021_proc_mount() -> None:
    text = ctr_sc("procMount: Unmasked")
    check(text, ("K021", f"{C0}/securityContext/procMount", "procMount",
                 f"{APP} sets procMount: Unmasked", "high"))  # fmt: skip
    assert scan_text(ctr_sc("procMount: Default")) == []


def test_k013_container_type_alone() -> None:
    text = ctr_sc("seLinuxOptions: {type: spc_t}")
    check(
        text,
        ("K013", f"{C0}/securityContext/seLinuxOptions/type", "type: spc_t",
         f"{APP} sets SELinux type 'spc_t'", "medium"),
    )  # fmt: skip


def test_k021_init_container() -> None:
    ro = "      readOnlyRootFilesystem: true\n"
    init = HARDENED_INIT.replace(ro, ro + "      procMount: Unmasked\n")
    check(
        spec(init),
        ("K021", "/spec/initContainers/0/securityContext/procMount", "procMount",
         'init container "init" sets procMount: Unmasked', "high"),
    )  # fmt: skip
