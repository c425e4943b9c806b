"""Hand-written pods at the version boundaries of the Pod Security Standards: exact failures."""

from __future__ import annotations

from typing import Any

import pytest

from hardhull.pss.evaluate import PSSFailure, checks_for, evaluate_pss
from hardhull.pss.levels import LATEST_MINOR, LevelVersion, parse_level_version

RESTRICTED_SC = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
}


def pod(spec: dict[str, Any], annotations: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "p"}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


def good_spec(**extra: Any) -> dict[str, Any]:
    """A pod that passes restricted at every version."""
    spec: dict[str, Any] = {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "app", "image": "x", "securityContext": dict(RESTRICTED_SC)}],
    }
    spec.update(extra)
    return spec


def run(
    obj: dict[str, Any], level: str, minor: int
) -> list[tuple[str, str, str, str, tuple[str, ...]]]:
    return [
        (f.code, f.check_id, f.reason, f.detail, f.pointers)
        for f in evaluate_pss(obj, LevelVersion(level, minor))
    ]


def brief(obj: dict[str, Any], level: str, minor: int) -> list[tuple[str, str]]:
    return [(f.control, f.check_id) for f in evaluate_pss(obj, LevelVersion(level, minor))]


@pytest.mark.parametrize("minor", range(LATEST_MINOR + 1))
@pytest.mark.parametrize("level", ["baseline", "restricted"])
def test_good_pod_passes_everywhere(level: str, minor: int) -> None:
    assert evaluate_pss(pod(good_spec()), LevelVersion(level, minor)) == []


def test_privileged_level_and_objects_without_pods() -> None:
    bad = pod({"hostPID": True, "containers": [{"name": "a"}]})
    assert evaluate_pss(bad, LevelVersion("privileged", 37)) == []
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}}
    assert evaluate_pss(cm, LevelVersion("restricted", 37)) == []
    crd = {"apiVersion": "example.com/v1", "kind": "Deployment", "spec": {"template": {}}}
    assert evaluate_pss(crd, LevelVersion("restricted", 37)) == []


def test_latest_and_newer_versions_evaluate_as_v1_37() -> None:
    assert parse_level_version("baseline", "latest") == LevelVersion("baseline", 37)
    assert checks_for(LevelVersion("restricted", 99)) == checks_for(LevelVersion("restricted", 37))
    obj = pod({"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_notsent_lowat"}]}})
    assert evaluate_pss(obj, parse_level_version("baseline", "latest")) == []
    assert evaluate_pss(obj, parse_level_version("baseline", "v1.40")) == []


def test_run_as_user_starts_at_v1_23() -> None:
    obj = pod(good_spec(securityContext={**good_spec()["securityContext"], "runAsUser": 0}))
    assert run(obj, "restricted", 22) == []
    assert run(obj, "restricted", 23) == [
        ("P016", "runAsUser", "runAsUser=0", "pod must not set runAsUser=0",
         ("/spec/securityContext/runAsUser",)),
    ]  # fmt: skip
    assert run(obj, "baseline", 37) == []


def test_run_as_user_and_non_root_relaxed_for_user_namespaces_from_v1_35() -> None:
    spec = good_spec(hostUsers=False)
    spec["securityContext"] = {"runAsUser": 0, "seccompProfile": {"type": "RuntimeDefault"}}
    obj = pod(spec)
    assert brief(obj, "restricted", 34) == [
        ("Running as Non-root", "runAsNonRoot"),
        ("Running as Non-root user", "runAsUser"),
    ]
    assert run(obj, "restricted", 35) == []


def test_seccomp_annotations_before_v1_19_fields_after() -> None:
    spec = {
        "containers": [{"name": "a", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}]
    }
    obj = pod(spec, {"container.seccomp.security.alpha.kubernetes.io/a": "unconfined"})
    assert run(obj, "baseline", 18) == [
        ("P009", "seccompProfile_baseline", "seccompProfile",
         'forbidden annotation container.seccomp.security.alpha.kubernetes.io/a="unconfined"',
         ("/metadata/annotations/container.seccomp.security.alpha.kubernetes.io~1a",)),
    ]  # fmt: skip
    assert run(obj, "baseline", 19) == [
        ("P009", "seccompProfile_baseline", "seccompProfile",
         'container "a" must not set securityContext.seccompProfile.type to "Unconfined"',
         ("/spec/containers/0/securityContext/seccompProfile/type",)),
    ]  # fmt: skip
    # docker/default was a valid annotation value; an empty one is not
    ok = pod({"containers": [{"name": "a"}]}, {"seccomp.security.alpha.kubernetes.io/pod": ""})
    assert brief(ok, "baseline", 0) == [("Seccomp", "seccompProfile_baseline")]


def test_restricted_seccomp_replaces_baseline_from_v1_19() -> None:
    spec = good_spec()
    spec["securityContext"] = {"runAsNonRoot": True}
    obj = pod(spec)
    assert run(obj, "restricted", 18) == []
    assert run(obj, "restricted", 19) == [
        ("P017", "seccompProfile_restricted", "seccompProfile",
         'pod or container "app" must set securityContext.seccompProfile.type to '
         '"RuntimeDefault" or "Localhost"',
         ("/spec/containers/0/securityContext",)),
    ]  # fmt: skip
    unconfined = pod(good_spec(securityContext={"runAsNonRoot": True, "seccompProfile": {}}))
    assert [(c, r, d) for c, _, r, d, _ in run(unconfined, "restricted", 37)] == [
        ("P017", "seccompProfile", 'pod must not set securityContext.seccompProfile.type to ""'),
    ]


def test_capabilities_restricted_from_v1_22_overrides_baseline() -> None:
    spec = good_spec()
    spec["containers"][0]["securityContext"] = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"add": ["SYS_ADMIN", "NET_BIND_SERVICE"]},
    }
    obj = pod(spec)
    assert run(obj, "restricted", 21) == [
        ("P003", "capabilities_baseline", "non-default capabilities",
         'container "app" must not include "SYS_ADMIN" in securityContext.capabilities.add',
         ("/spec/containers/0/securityContext/capabilities/add/0",)),
    ]  # fmt: skip
    assert run(obj, "restricted", 22) == [
        ("P018", "capabilities_restricted", "unrestricted capabilities",
         'container "app" must set securityContext.capabilities.drop=["ALL"]; '
         'container "app" must not include "SYS_ADMIN" in securityContext.capabilities.add',
         ("/spec/containers/0/securityContext/capabilities",
          "/spec/containers/0/securityContext/capabilities/add/0")),
    ]  # fmt: skip


def test_windows_pods_exempt_from_three_restricted_controls_from_v1_25() -> None:
    spec: dict[str, Any] = {
        "os": {"name": "windows"},
        "securityContext": {"runAsNonRoot": True},
        "containers": [{"name": "w", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}],
    }
    obj = pod(spec)
    assert brief(obj, "restricted", 24) == [
        ("Privilege Escalation", "allowPrivilegeEscalation"),
        ("Capabilities", "capabilities_restricted"),
        ("Seccomp", "seccompProfile_restricted"),
    ]
    # the restricted capabilities check replaces the baseline one, so the windows exemption
    # exempts the added capability too (upstream: the API rejects capabilities on Windows)
    assert run(obj, "restricted", 25) == []
    assert brief(obj, "baseline", 25) == [("Capabilities", "capabilities_baseline")]
    spec["os"] = {"name": "linux"}
    assert len(run(pod(spec), "restricted", 25)) == 3


def test_allow_privilege_escalation_from_v1_8() -> None:
    spec = good_spec()
    del spec["containers"][0]["securityContext"]["allowPrivilegeEscalation"]
    obj = pod(spec)
    assert run(obj, "restricted", 7) == []
    assert run(obj, "restricted", 8) == [
        ("P014", "allowPrivilegeEscalation", "allowPrivilegeEscalation != false",
         'container "app" must set securityContext.allowPrivilegeEscalation=false',
         ("/spec/containers/0/securityContext",)),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("kernel.shm_rmid_forced", 0),
        ("net.ipv4.ip_local_reserved_ports", 27),
        ("net.ipv4.tcp_keepalive_time", 29),
        ("net.ipv4.tcp_fin_timeout", 29),
        ("net.ipv4.tcp_rmem", 32),
        ("net.ipv4.tcp_wmem", 32),
        ("net.ipv4.tcp_slow_start_after_idle", 37),
        ("net.ipv4.tcp_notsent_lowat", 37),
    ],
)
def test_sysctl_allow_list_grows(name: str, first: int) -> None:
    obj = pod({"securityContext": {"sysctls": [{"name": name, "value": "1"}]}, "containers": []})
    if first:
        assert run(obj, "baseline", first - 1) == [
            (
                "P010",
                "sysctls",
                "forbidden sysctls",
                name,
                ("/spec/securityContext/sysctls/0/name",),
            )
        ]
    assert run(obj, "baseline", first) == []
    assert run(obj, "baseline", 37) == []


def test_selinux_container_engine_t_from_v1_31() -> None:
    spec = {
        "containers": [
            {"name": "a", "securityContext": {"seLinuxOptions": {"type": "container_engine_t"}}}
        ]
    }
    assert run(pod(spec), "baseline", 30) == [
        ("P007", "seLinuxOptions", "seLinuxOptions",
         'container "a" set forbidden securityContext.seLinuxOptions: type "container_engine_t"',
         ("/spec/containers/0/securityContext/seLinuxOptions/type",)),
    ]  # fmt: skip
    assert run(pod(spec), "baseline", 31) == []
    role = pod(
        {"securityContext": {"seLinuxOptions": {"role": "r", "level": "s0"}}, "containers": []}
    )
    assert run(role, "baseline", 37) == [
        ("P007", "seLinuxOptions", "seLinuxOptions",
         "pod set forbidden securityContext.seLinuxOptions: role may not be set",
         ("/spec/securityContext/seLinuxOptions/role",)),
    ]  # fmt: skip


def test_probe_and_lifecycle_host_from_v1_34() -> None:
    spec = {
        "containers": [
            {"name": "b", "readinessProbe": {"tcpSocket": {"host": "8.8.8.8", "port": 53}}},
            {"name": "a", "lifecycle": {"preStop": {"httpGet": {"host": "::1", "port": 80}}},
             "livenessProbe": {"httpGet": {"port": 80, "host": ""}}},
        ]
    }  # fmt: skip
    assert run(pod(spec), "baseline", 33) == []
    assert run(pod(spec), "baseline", 34) == [
        ("P012", "hostProbesAndHostLifecycle", "probe or lifecycle host",
         'containers "a", "b" use probe or lifecycle hosts "8.8.8.8", "::1"',
         ("/spec/containers/0/readinessProbe/tcpSocket/host",
          "/spec/containers/1/lifecycle/preStop/httpGet/host")),
    ]  # fmt: skip


def test_proc_mount_user_namespace_relaxation_baseline_only() -> None:
    spec = {
        "hostUsers": False,
        "containers": [{"name": "a", "securityContext": {"procMount": "Unmasked"}}],
    }
    detail = 'container "a" must not set securityContext.procMount to "Unmasked"'
    ptr = ("/spec/containers/0/securityContext/procMount",)
    assert run(pod(spec), "baseline", 34) == [("P008", "procMount", "procMount", detail, ptr)]
    assert run(pod(spec), "baseline", 35) == []
    full = good_spec(hostUsers=False)
    full["containers"][0]["securityContext"]["procMount"] = "Unmasked"
    assert run(pod(full), "restricted", 34) == [
        (
            "P008",
            "procMount",
            "procMount",
            'container "app" must not set securityContext.procMount to "Unmasked"',
            ptr,
        )
    ]
    assert run(pod(full), "restricted", 35) == [
        ("P019", "procMount_restricted", "procMount",
         'container "app" must not set securityContext.procMount to "Unmasked"', ptr),
    ]  # fmt: skip


def test_restricted_volumes_replace_host_path_and_follow_api_defaulting() -> None:
    spec = good_spec(
        volumes=[
            {"name": "none"},  # defaulted to emptyDir
            {"name": "img", "image": {"reference": "registry.example/data:1"}},
            {"name": "cfg", "configMap": {"name": "c"}},
            {"name": "host", "hostPath": {"path": "/var/run"}},
            {"name": "git", "gitRepo": {"repository": "r"}},
            {"name": "nul", "nfs": None, "emptyDir": None},  # null sources: still an emptyDir
        ]
    )
    assert run(pod(spec), "restricted", 37) == [
        ("P013", "restrictedVolumes", "restricted volume types",
         'volumes "host", "git" use restricted volume types "gitRepo", "hostPath"',
         ("/spec/volumes/3/hostPath", "/spec/volumes/4/gitRepo")),
    ]  # fmt: skip
    assert run(pod(spec), "baseline", 37) == [
        ("P004", "hostPathVolumes", "hostPath volumes", 'volume "host"',
         ("/spec/volumes/3/hostPath",)),
    ]  # fmt: skip


def test_host_network_pod_gets_host_ports_by_defaulting_templates_do_not() -> None:
    spec = {"hostNetwork": True, "containers": [{"name": "a", "ports": [{"containerPort": 8080}]}]}
    assert run(pod(spec), "baseline", 37) == [
        ("P001", "hostNamespaces", "host namespaces", "hostNetwork", ("/spec/hostNetwork",)),
        ("P005", "hostPorts", "hostPort", 'container "a" uses hostPort 8080',
         ("/spec/containers/0/ports/0/containerPort",)),
    ]  # fmt: skip
    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {"template": {"metadata": {}, "spec": spec}},
    }
    ptr = "/spec/template/spec/hostNetwork"
    assert run(deploy, "baseline", 37) == [
        ("P001", "hostNamespaces", "host namespaces", "hostNetwork", (ptr,)),
    ]


def test_apparmor_fields_and_annotations_together() -> None:
    spec = {
        "securityContext": {"appArmorProfile": {"type": "Unconfined"}},
        "containers": [
            {
                "name": "a",
                "securityContext": {
                    "appArmorProfile": {"type": "Localhost", "localhostProfile": "p"}
                },
            }
        ],
    }
    ann = {"container.apparmor.security.beta.kubernetes.io/a": "unconfined"}
    assert run(pod(spec, ann), "baseline", 0) == [
        ("P006", "appArmorProfile", "forbidden AppArmor profiles",
         'pod and annotation must not set AppArmor profile type to "Unconfined", '
         '"container.apparmor.security.beta.kubernetes.io/a="unconfined""',
         ("/spec/securityContext/appArmorProfile/type",
          "/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1a")),
    ]  # fmt: skip
    fine = {"container.apparmor.security.beta.kubernetes.io/a": "localhost/prof"}
    assert run(pod({"containers": [{"name": "a"}]}, fine), "baseline", 37) == []


def test_run_as_non_root_explicit_false_wins_over_missing() -> None:
    spec = {
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "initContainers": [{"name": "i", "securityContext": dict(RESTRICTED_SC)}],
        "containers": [
            {"name": "a", "securityContext": {**RESTRICTED_SC, "runAsNonRoot": False}},
            {"name": "b", "securityContext": {**RESTRICTED_SC, "runAsNonRoot": False}},
        ],
    }
    assert run(pod(spec), "restricted", 37) == [
        ("P015", "runAsNonRoot", "runAsNonRoot != true",
         'containers "a", "b" must not set securityContext.runAsNonRoot=false',
         ("/spec/containers/0/securityContext/runAsNonRoot",
          "/spec/containers/1/securityContext/runAsNonRoot")),
    ]  # fmt: skip


def test_ephemeral_and_init_containers_are_visited_in_upstream_order() -> None:
    spec = {
        "ephemeralContainers": [{"name": "e", "securityContext": {"privileged": True}}],
        "containers": [{"name": "c", "securityContext": {"privileged": True}}],
        "initContainers": [{"name": "i", "securityContext": {"privileged": True}}],
    }
    assert evaluate_pss(pod(spec), LevelVersion("baseline", 37)) == [
        PSSFailure(
            control="Privileged Containers",
            check_id="privileged",
            reason="privileged",
            detail='containers "i", "c", "e" must not set securityContext.privileged=true',
            pointers=(
                "/spec/initContainers/0/securityContext/privileged",
                "/spec/containers/0/securityContext/privileged",
                "/spec/ephemeralContainers/0/securityContext/privileged",
            ),
            code="P002",
        )
    ]


def test_cronjob_template_pointers() -> None:
    cron = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "c"},
        "spec": {
            "jobTemplate": {"spec": {"template": {"spec": {"hostIPC": True, "containers": []}}}}
        },
    }
    assert run(cron, "baseline", 37) == [
        ("P001", "hostNamespaces", "host namespaces", "hostIPC",
         ("/spec/jobTemplate/spec/template/spec/hostIPC",)),
    ]  # fmt: skip


def test_each_control_rule_names_its_upstream_check() -> None:
    from hardhull.pss.controls import CHECKS
    from hardhull.rules.pss.catalog import BY_CODE

    assert sorted(BY_CODE) == sorted(c.code for c in CHECKS)
    for c in CHECKS:
        rule = BY_CODE[c.code]
        assert rule.what.endswith(f" Upstream check `{c.check_id}` ({c.level})."), c.code
        assert rule.references[1].lower().endswith(f"/check_{c.check_id.lower()}.go") or (
            c.check_id == "procMount" and rule.references[1].endswith("_baseline.go")
        ), c.code
