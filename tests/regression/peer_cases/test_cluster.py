"""Control-plane rules (A0xx) on the peers' test cases and on traps of our own.

Peer cases restate the facts of Checkov's ``tests/kubernetes/checks/example_ApiServer*``,
``example_Etcd*`` and ``example_ControllerManager*`` manifests and of kube-bench's cis-1.9
flag tests (``cfg/cis-1.9/master.yaml``, ``etcd.yaml``), written here: each starts from a
control plane hardened to every benchmark item and changes the one flag the peer's case is
about, so the expected findings are exactly that item's. Rows: (code, line, pointer, severity).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from hardhull.engine import ScanOptions, scan
from hardhull.rules import all_rules

Row = tuple[str, int, str, str]

APISERVER = [
    "--anonymous-auth=false",
    "--authorization-mode=Node,RBAC",
    "--enable-admission-plugins=NodeRestriction,AlwaysPullImages",
    "--profiling=false",
    "--audit-policy-file=/etc/kubernetes/audit.yaml",
    "--audit-log-path=/var/log/kubernetes/audit.log",
    "--audit-log-maxage=30",
    "--audit-log-maxbackup=10",
    "--audit-log-maxsize=100",
    "--encryption-provider-config=/etc/kubernetes/enc.yaml",
    "--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt",
    "--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt",
    "--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
    "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
    "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
    "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key",
    "--tls-min-version=VersionTLS12",
    "--service-account-lookup=true",
]
ETCD = [
    "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
    "--key-file=/etc/kubernetes/pki/etcd/server.key",
    "--client-cert-auth=true",
    "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
    "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt",
    "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
    "--peer-client-cert-auth=true",
    "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
]
KCM = [
    "--profiling=false",
    "--bind-address=127.0.0.1",
    "--use-service-account-credentials=true",
    "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
    "--root-ca-file=/etc/kubernetes/pki/ca.crt",
    "--feature-gates=RotateKubeletServerCertificate=true",
]
IMAGES = {
    "kube-apiserver": "registry.k8s.io/kube-apiserver:v1.30.0",
    "etcd": "registry.k8s.io/etcd:3.5.12-0",
    "kube-controller-manager": "registry.k8s.io/kube-controller-manager:v1.30.0",
}
BASE = {"kube-apiserver": APISERVER, "etcd": ETCD, "kube-controller-manager": KCM}
HEAD = 11  # the line of "command:" (or "args:"); the binary is on line 12


def pod(
    component: str,
    drop: tuple[str, ...] = (),
    add: tuple[str, ...] = (),
    *,
    command: list[str] | None = None,
    args: list[str] | None = None,
) -> str:
    """A kubeadm-style static pod; flags starting with a name in ``drop`` are left out.

    ``command``/``args`` given: used as written instead of the binary and flags."""
    flags = [f for f in BASE[component] if not f.lstrip("-").startswith(drop)] + list(add)
    head = f"""apiVersion: v1
kind: Pod
metadata:
  name: {component}
  namespace: kube-system
  labels: {{component: {component}, tier: control-plane}}
spec:
  containers:
  - name: {component}
    image: {IMAGES[component]}
"""
    if command is None and args is None:
        command = [component, *flags]
    out = head
    for key, items in (("command", command), ("args", args)):
        if items is not None:
            out += f"    {key}:\n" + "".join(f"    - {_q(i)}\n" for i in items)
    return out


def _q(item: str) -> str:
    return '"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rows(text: str) -> list[Row]:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "static-pod.yaml"
        path.write_text(text, encoding="utf-8")
        all_rules()
        result = scan([str(path)], ScanOptions(jobs=1))
    assert result.errors == []
    return [
        (f.rule.code, f.location.line, f.pointer, f.severity.label)
        for f in result.findings
        if f.rule.code.startswith("A")
    ]


def messages(text: str) -> list[str]:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "static-pod.yaml"
        path.write_text(text, encoding="utf-8")
        all_rules()
        result = scan([str(path)], ScanOptions(jobs=1))
    return [f.message for f in result.findings if f.rule.code.startswith("A")]


C = "/spec/containers/0/command"
LAST_API = HEAD + 1 + len(APISERVER)  # the line of a flag added after the baseline ones

CASES: dict[str, tuple[str, list[Row]]] = {
    # the hardened baseline of every component: nothing to report
    "baseline_apiserver": (pod("kube-apiserver"), []),
    "baseline_etcd": (pod("etcd"), []),
    "baseline_controller_manager": (pod("kube-controller-manager"), []),
    # Checkov ApiServer-AnonymousAuth-True-FAILED (CKV_K8S_68), kube-bench 1.2.1
    "checkov_ckv68_anonymous_true": (
        pod("kube-apiserver", ("anonymous-auth",), ("--anonymous-auth=true",)),
        [("A001", LAST_API, f"{C}/{len(APISERVER)}", "medium")],
    ),
    # Checkov example_ApiServerAuthorizationModeNode FAILED (CKV_K8S_75): RBAC without Node;
    # kube-bench 1.2.8
    "checkov_ckv75_rbac_without_node": (
        pod("kube-apiserver", ("authorization-mode",), ("--authorization-mode=RBAC",)),
        [("A004", LAST_API, f"{C}/{len(APISERVER)}", "medium")],
    ),
    # Checkov example_ApiServerAuthorizationModeNotAlwaysAllow FAILED-2 (CKV_K8S_74):
    # RBAC,AlwaysAllow: AlwaysAllow answers every request RBAC does not allow (kube-bench 1.2.7)
    "checkov_ckv74_rbac_always_allow": (
        pod("kube-apiserver", ("authorization-mode",), ("--authorization-mode=RBAC,AlwaysAllow",)),
        [
            # one finding: A004 (Node missing) is not added when A003 already holds
            ("A003", LAST_API, f"{C}/{len(APISERVER)}", "critical"),
        ],
    ),
    # Checkov ApiServerAdmissionControlAlwaysAdmit FAILED (CKV_K8S_79), kube-bench 1.2.10
    "checkov_ckv79_always_admit": (
        pod(
            "kube-apiserver",
            ("enable-admission-plugins",),
            ("--enable-admission-plugins=NodeRestriction,AlwaysPullImages,AlwaysAdmit",),
        ),
        [("A005", LAST_API, f"{C}/{len(APISERVER)}", "high")],
    ),
    # Checkov example_ApiServerProfiling FAILED (CKV_K8S_90): no --profiling=false
    "checkov_ckv90_profiling": (
        pod("kube-apiserver", ("profiling",)),
        [("A009", HEAD, C, "low")],
    ),
    # Checkov example_EtcdClientCertAuth Etcd-FAILED (CKV_K8S_117), kube-bench 2.2
    "checkov_ckv117_client_cert_auth_false": (
        pod("etcd", ("client-cert-auth",), ("--client-cert-auth=false",)),
        [("A030", HEAD + 1 + len(ETCD), f"{C}/{len(ETCD)}", "high")],
    ),
    # Checkov example_EtcdAutoTls FAILED (CKV_K8S_118), kube-bench 2.3
    "checkov_ckv118_auto_tls": (
        pod("etcd", add=("--auto-tls=true",)),
        [("A031", HEAD + 2 + len(ETCD), f"{C}/{len(ETCD) + 1}", "medium")],
    ),
    # Checkov ControllerManagerBindAddress FAILED (CKV_K8S_113), kube-bench 1.3.7
    "checkov_ckv113_kcm_bind_all": (
        pod("kube-controller-manager", ("bind-address",), ("--bind-address=0.0.0.0",)),
        [("A010", HEAD + 1 + len(KCM), f"{C}/{len(KCM)}", "low")],
    ),
    # Checkov KubeControllerManagerServiceAccountCredentials FAILED (CKV_K8S_108), 1.3.3
    "checkov_ckv108_shared_credentials": (
        pod(
            "kube-controller-manager",
            ("use-service-account-credentials",),
            ("--use-service-account-credentials=false",),
        ),
        [("A020", HEAD + 1 + len(KCM), f"{C}/{len(KCM)}", "medium")],
    ),
    # ------------------------------------------------------------------ traps
    # --enable-admission-plugins twice: the values accumulate (pflag string slice), so both
    # plugins are on: no finding
    "admission_plugins_twice": (
        pod(
            "kube-apiserver",
            ("enable-admission-plugins",),
            (
                "--enable-admission-plugins=NodeRestriction",
                "--enable-admission-plugins=AlwaysPullImages",
            ),
        ),
        [],
    ),
    # "--anonymous-auth", "false" as two items: a bare boolean flag is true, and "false" is a
    # stray argument (pflag does not take the next item as a bool's value)
    "anonymous_auth_split_items": (
        pod("kube-apiserver", ("anonymous-auth",), ("--anonymous-auth", "false")),
        [("A001", LAST_API, f"{C}/{len(APISERVER)}", "medium")],
    ),
    # kubeadm style with the flags in args and no command: the image names the component
    "flags_in_args_no_command": (
        pod("kube-apiserver", args=[f for f in APISERVER if "profiling" not in f]),
        [("A009", HEAD, "/spec/containers/0/args", "low")],
    ),
    # command is the binary, args the flags
    "command_binary_args_flags": (
        pod(
            "kube-apiserver",
            command=["kube-apiserver"],
            args=[*APISERVER[1:], "--anonymous-auth=true"],
        ),
        [
            (
                "A001",
                HEAD + 3 + len(APISERVER) - 1,  # command: line, binary, args: line, the items
                f"/spec/containers/0/args/{len(APISERVER) - 1}",
                "medium",
            )
        ],
    ),
    # etcd started through a shell: the script's command line is parsed
    "etcd_through_shell": (
        pod(
            "etcd",
            command=[
                "sh",
                "-c",
                "exec etcd "
                + " ".join(f for f in ETCD if "client-cert-auth=true" not in f or "peer" in f)
                + " --client-cert-auth=false",
            ],
        ),
        [("A030", HEAD + 3, f"{C}/2", "high")],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_control_plane_case(case: str) -> None:
    text, expected = CASES[case]
    assert rows(text) == expected


def test_checkov_default_command_is_the_component_without_flags() -> None:
    # Checkov ApiServerAlwaysPullImagesPlugin-default-command-PASSED (deliberate difference):
    # an empty command and no args run the image's kube-apiserver with no flags, whose
    # authorization mode defaults to AlwaysAllow; missing flags are reported on the container
    text = pod("kube-apiserver", command=[])  # "command:" with no items: null
    found = rows(text)
    assert ("A003", 9, "/spec/containers/0", "critical") in found
    assert {r[0] for r in found} == {
        "A001",
        "A003",
        "A006",
        "A007",
        "A009",
        "A011",
        "A013",
        "A014",
    }


def test_anonymous_auth_split_message() -> None:
    text = pod("kube-apiserver", ("anonymous-auth",), ("--anonymous-auth", "false"))
    assert messages(text) == [
        'kube-apiserver (container "kube-apiserver") sets a bare --anonymous-auth, which means '
        'true ("false" in the next item is a separate argument, not its value; write '
        "--anonymous-auth=false): unauthenticated requests are served"
    ]


def test_apiserver_wrapped_in_shell_outside_kube_system() -> None:
    # an API server is an API server wherever it runs: `sh -ec "exec kube-apiserver …"`
    text = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: vcluster, namespace: tenants}
spec:
  serviceName: vcluster
  selector: {matchLabels: {app: vcluster}}
  template:
    metadata: {labels: {app: vcluster}}
    spec:
      containers:
        - name: wrapper
          image: registry.k8s.io/kube-apiserver:v1.30.0
          command: ["/bin/sh", "-ec", "exec kube-apiserver --authorization-mode=AlwaysAllow"]
"""
    found = rows(text)
    assert ("A003", 13, "/spec/template/spec/containers/0/command/2", "critical") in found


def test_shell_without_component_is_not_control_plane() -> None:
    # a shell running something else (a probe, a backup of etcd with etcdctl) is not parsed
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: backup, namespace: kube-system, labels: {component: etcd}}
spec:
  containers:
    - name: backup
      image: registry.k8s.io/etcd:3.5.12-0
      command: ["sh", "-c", "ETCDCTL_API=3 etcdctl snapshot save /backup/db && sleep 3600"]
"""
    assert rows(text) == []
