"""Control-plane static pod checks (A001–A033) on kubeadm-shaped manifests: exact findings."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.cluster import cluster_findings, line

#: kubeadm v1.30's /etc/kubernetes/manifests/kube-apiserver.yaml (volumes and probes trimmed)
KUBEADM_APISERVER = """\
apiVersion: v1
kind: Pod
metadata:
  annotations:
    kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint: 192.168.0.10:6443
  creationTimestamp: null
  labels:
    component: kube-apiserver
    tier: control-plane
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - command:
    - kube-apiserver
    - --advertise-address=192.168.0.10
    - --allow-privileged=true
    - --authorization-mode=Node,RBAC
    - --client-ca-file=/etc/kubernetes/pki/ca.crt
    - --enable-admission-plugins=NodeRestriction
    - --enable-bootstrap-token-auth=true
    - --etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt
    - --etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt
    - --etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key
    - --etcd-servers=https://127.0.0.1:2379
    - --kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt
    - --kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key
    - --kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname
    - --proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt
    - --proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key
    - --requestheader-allowed-names=front-proxy-client
    - --requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt
    - --requestheader-extra-headers-prefix=X-Remote-Extra-
    - --requestheader-group-headers=X-Remote-Group
    - --requestheader-username-headers=X-Remote-User
    - --secure-port=6443
    - --service-account-issuer=https://kubernetes.default.svc.cluster.local
    - --service-account-key-file=/etc/kubernetes/pki/sa.pub
    - --service-account-signing-key-file=/etc/kubernetes/pki/sa.key
    - --service-cluster-ip-range=10.96.0.0/12
    - --tls-cert-file=/etc/kubernetes/pki/apiserver.crt
    - --tls-private-key-file=/etc/kubernetes/pki/apiserver.key
    image: registry.k8s.io/kube-apiserver:v1.30.0
    imagePullPolicy: IfNotPresent
    name: kube-apiserver
  hostNetwork: true
  priorityClassName: system-node-critical
status: {}
"""
#: the flags CIS section 1.2 adds to kubeadm's defaults
HARDENING = """\
    - --anonymous-auth=false
    - --audit-log-maxage=30
    - --audit-log-maxbackup=10
    - --audit-log-maxsize=100
    - --audit-log-path=/var/log/kubernetes/audit/audit.log
    - --audit-policy-file=/etc/kubernetes/audit/policy.yaml
    - --encryption-provider-config=/etc/kubernetes/enc/enc.yaml
    - --kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt
    - --profiling=false
    - --enable-admission-plugins=AlwaysPullImages
"""
LAST_FLAG = "    - --tls-private-key-file=/etc/kubernetes/pki/apiserver.key\n"
A = 'kube-apiserver (container "kube-apiserver")'


def apiserver(extra: str = "", *, drop: tuple[str, ...] = ()) -> str:
    """kubeadm's manifest with some flags removed and flags appended after the last one."""
    text = KUBEADM_APISERVER
    for flag in drop:
        lines = [ln for ln in text.splitlines(keepends=True) if f"- --{flag}=" not in ln]
        text = "".join(lines)
    return text.replace(LAST_FLAG, LAST_FLAG + extra)


def hardened(extra: str = "", *, drop: tuple[str, ...] = ()) -> str:
    hardening = "".join(
        ln for ln in HARDENING.splitlines(keepends=True) if not any(f"--{d}=" in ln for d in drop)
    )
    return apiserver(hardening + extra, drop=drop)


CMD = 14  # the line of `- command:` in KUBEADM_APISERVER: missing flags are reported there


def test_kubeadm_default_apiserver(tmp_path: Path) -> None:
    plugins = line(KUBEADM_APISERVER, "--enable-admission-plugins=")
    assert cluster_findings(tmp_path, KUBEADM_APISERVER) == [
        ("A001", CMD, 5, f"{A} does not set --anonymous-auth=false: unauthenticated requests "
         "are served", "medium"),
        ("A007", plugins, 7, f"{A} does not enable the AlwaysPullImages admission plugin", "low"),
        ("A009", CMD, 5, f"{A} does not set --profiling=false", "low"),
        ("A011", CMD, 5, f"{A} sets no --audit-policy-file: no audit events are recorded",
         "medium"),
        ("A013", CMD, 5, f"{A} sets no --encryption-provider-config: Secrets are stored "
         "unencrypted in etcd", "medium"),
        ("A014", CMD, 5, f"{A} sets no --kubelet-certificate-authority", "medium"),
    ]  # fmt: skip


def test_hardened_apiserver_is_clean(tmp_path: Path) -> None:
    assert cluster_findings(tmp_path, hardened()) == []


def test_flag_forms_equals_space_and_last_wins(tmp_path: Path) -> None:
    # "--flag value" takes the next item; a later occurrence of a scalar flag wins
    text = hardened("    - --profiling\n    - false\n")
    assert cluster_findings(tmp_path, text) == [
        # a bare boolean flag is true: "false" is a stray positional argument (pflag)
        ("A009", line(text, "- --profiling", 2), 7, f"{A} sets --profiling=true", "low"),
    ]
    text = hardened("    - --audit-log-maxage\n    - '7'\n")
    assert cluster_findings(tmp_path, text) == [
        ("A012", line(text, "- --audit-log-maxage", 2), 7,
         f"{A} sets --audit-log-maxage=7 (below 30)", "low"),
    ]  # fmt: skip
    assert cluster_findings(tmp_path, hardened("    - --anonymous-auth=False\n")) == []
    text = hardened("    - --anonymous-auth=true\n")
    assert cluster_findings(tmp_path, text) == [
        ("A001", line(text, "--anonymous-auth=true"), 7,
         f"{A} sets --anonymous-auth=true: unauthenticated requests are served", "medium"),
    ]  # fmt: skip


def test_slice_flags_accumulate(tmp_path: Path) -> None:
    text = hardened("    - --authorization-mode=Webhook\n", drop=("authorization-mode",))
    assert cluster_findings(tmp_path, text) == [
        ("A004", line(text, "--authorization-mode=Webhook"), 7,
         f"{A} --authorization-mode lacks Node and RBAC", "medium"),
    ]  # fmt: skip
    # pflag string slices append: Node then RBAC given separately is Node,RBAC
    text = hardened(
        "    - --authorization-mode=Node\n    - --authorization-mode=RBAC\n",
        drop=("authorization-mode",),
    )
    assert cluster_findings(tmp_path, text) == []


def test_authorization_always_allow(tmp_path: Path) -> None:
    text = hardened("    - --authorization-mode=RBAC,AlwaysAllow\n", drop=("authorization-mode",))
    assert cluster_findings(tmp_path, text) == [
        ("A003", line(text, "AlwaysAllow"), 7,
         f"{A} authorizes with AlwaysAllow: every authenticated request is allowed", "critical"),
    ]  # fmt: skip
    text = hardened(drop=("authorization-mode",))
    assert cluster_findings(tmp_path, text) == [
        ("A003", CMD, 5, f"{A} sets no --authorization-mode: it defaults to AlwaysAllow",
         "critical"),
    ]  # fmt: skip
    text = hardened("    - --authorization-config=/etc/kubernetes/authz.yaml\n",
                    drop=("authorization-mode",))  # fmt: skip
    assert cluster_findings(tmp_path, text) == []


def test_admission_plugins(tmp_path: Path) -> None:
    text = hardened(
        "    - --enable-admission-plugins=AlwaysAdmit\n"
        "    - --disable-admission-plugins=ServiceAccount,NamespaceLifecycle\n",
        drop=("enable-admission-plugins",),
    )
    enable = line(text, "--enable-admission-plugins=AlwaysAdmit")
    disable = line(text, "--disable-admission-plugins=")
    # NodeRestriction and AlwaysPullImages went with the dropped flags
    assert cluster_findings(tmp_path, text) == [
        ("A005", enable, 7, f"{A} enables the AlwaysAdmit admission plugin", "high"),
        ("A006", enable, 7, f"{A} does not enable the NodeRestriction admission plugin", "medium"),
        ("A007", enable, 7, f"{A} does not enable the AlwaysPullImages admission plugin", "low"),
        ("A008", disable, 7, f"{A} disables the ServiceAccount and NamespaceLifecycle admission "
         "plugins", "medium"),
    ]  # fmt: skip


def test_static_credentials_insecure_port_and_tls(tmp_path: Path) -> None:
    text = hardened(
        "    - --token-auth-file=/etc/kubernetes/tokens.csv\n"
        "    - --basic-auth-file=/etc/kubernetes/passwords.csv\n"
        "    - --insecure-port=8080\n"
        "    - --service-account-lookup=false\n"
        "    - --tls-min-version=VersionTLS11\n"
        "    - --tls-cipher-suites=TLS_AES_128_GCM_SHA256,TLS_RSA_WITH_RC4_128_SHA\n",
        drop=("etcd-cafile",),
    )
    assert cluster_findings(tmp_path, text) == [
        ("A002", line(text, "--token-auth-file"), 7,
         f"{A} sets --token-auth-file: static, never-expiring credentials", "high"),
        ("A002", line(text, "--basic-auth-file"), 7,
         f"{A} sets --basic-auth-file: static, never-expiring credentials", "high"),
        ("A015", line(text, "--tls-min-version"), 7, f"{A} accepts VersionTLS11", "low"),
        ("A015", line(text, "--tls-cipher-suites"), 7,
         f"{A} allows insecure cipher suites: TLS_RSA_WITH_RC4_128_SHA", "low"),
        ("A016", line(text, "--service-account-lookup"), 7, f"{A} sets "
         "--service-account-lookup=false: deleted service accounts' tokens stay valid", "medium"),
        ("A017", line(text, "--insecure-port"), 7,
         f"{A} serves unauthenticated, unauthorized HTTP on port 8080", "critical"),
        ("A018", CMD, 5, f"{A} sets no --etcd-cafile", "high"),
    ]  # fmt: skip
    assert cluster_findings(tmp_path, hardened("    - --insecure-port=0\n")) == []


def test_etcd_over_plain_http(tmp_path: Path) -> None:
    text = hardened(
        "    - --etcd-servers=http://10.0.0.5:2379,https://10.0.0.6:2379\n", drop=("etcd-servers",)
    )
    assert cluster_findings(tmp_path, text) == [
        ("A018", line(text, "--etcd-servers="), 7,
         f"{A} connects to etcd without TLS: http://10.0.0.5:2379", "high"),
    ]  # fmt: skip


def test_audit_retention(tmp_path: Path) -> None:
    text = hardened(
        "    - --audit-log-maxage=7\n",
        drop=("audit-log-maxbackup", "audit-log-maxsize", "audit-log-maxage"),
    )
    assert cluster_findings(tmp_path, text) == [
        ("A012", CMD, 5, f"{A} sets no --audit-log-maxbackup, --audit-log-maxsize for its audit "
         "log", "low"),
        ("A012", line(text, "--audit-log-maxage=7"), 7, f"{A} sets --audit-log-maxage=7 (below "
         "30)", "low"),
    ]  # fmt: skip
    # the log goes to stdout (the container log): rotation is the runtime's business
    text = hardened("    - --audit-log-path=-\n", drop=("audit-log-path", "audit-log-maxage"))
    assert cluster_findings(tmp_path, text) == []
    # a policy but nowhere to write
    text = hardened(drop=("audit-log-path",))
    assert cluster_findings(tmp_path, text) == [
        ("A011", CMD, 5, f"{A} sets neither --audit-log-path nor --audit-webhook-config-file: "
         "audit events go nowhere", "medium"),
    ]  # fmt: skip


def test_authentication_config_replaces_anonymous_flag(tmp_path: Path) -> None:
    text = hardened("    - --authentication-config=/etc/kubernetes/authn.yaml\n",
                    drop=("anonymous-auth",))  # fmt: skip
    assert cluster_findings(tmp_path, text) == []


ARGS_ONLY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: vcluster-api
  namespace: tenant-a
spec:
  selector:
    matchLabels: {app: vcluster-api}
  template:
    metadata:
      labels: {app: vcluster-api}
    spec:
      containers:
        - name: api
          image: registry.k8s.io/kube-apiserver:v1.30.0
          args:
            - --authorization-mode
            - AlwaysAllow
            - --anonymous-auth=false
            - --profiling=false
            - --audit-policy-file=/etc/audit/policy.yaml
            - --audit-webhook-config-file=/etc/audit/webhook.yaml
            - --encryption-provider-config=/etc/enc/enc.yaml
            - --enable-admission-plugins=NodeRestriction,AlwaysPullImages
            - --kubelet-certificate-authority=/pki/ca.crt
            - --kubelet-client-certificate=/pki/kc.crt
            - --kubelet-client-key=/pki/kc.key
"""
API = 'kube-apiserver (container "api")'


def test_args_only_container_recognised_by_image(tmp_path: Path) -> None:
    # a hosted control plane in a Deployment: no command, the image's binary takes the args
    assert cluster_findings(tmp_path, ARGS_ONLY) == [
        ("A003", 17, 15, f"{API} authorizes with AlwaysAllow: every authenticated request is "
         "allowed", "critical"),
    ]  # fmt: skip


def test_hyperkube_and_full_paths(tmp_path: Path) -> None:
    for command in ('["/hyperkube", "apiserver", "--profiling=true"]',
                    '["/usr/local/bin/kube-apiserver", "--profiling=true"]'):  # fmt: skip
        text = f"""\
apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
    - name: kube-apiserver
      image: example.com/k8s:v1.18
      command: {command}
"""
        codes = {row[0] for row in cluster_findings(tmp_path, text)}
        assert "A009" in codes and "A003" in codes


def test_unrelated_containers_are_not_control_plane(tmp_path: Path) -> None:
    text = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: etcd
  namespace: apps
spec:
  serviceName: etcd
  selector:
    matchLabels: {app: etcd}
  template:
    metadata:
      labels: {app: etcd}
    spec:
      containers:
        - name: etcd
          image: quay.io/coreos/etcd:v3.5.12
          command: ["etcd", "--listen-client-urls=http://0.0.0.0:2379"]
        - name: tools
          image: bitnami/kubectl:1.30
          command: ["kubectl", "get", "pods", "--profiling=true"]
"""
    # an application's own etcd is not the cluster's (no control-plane label or namespace) and
    # kubectl is not a component; a shell wrapper (sh -c "exec kube-apiserver …") is parsed:
    # see tests/regression/peer_cases/test_cluster.py
    assert cluster_findings(tmp_path, text) == []


KUBEADM_KCM = """\
apiVersion: v1
kind: Pod
metadata:
  labels:
    component: kube-controller-manager
    tier: control-plane
  name: kube-controller-manager
  namespace: kube-system
spec:
  containers:
  - command:
    - kube-controller-manager
    - --allocate-node-cidrs=true
    - --authentication-kubeconfig=/etc/kubernetes/controller-manager.conf
    - --authorization-kubeconfig=/etc/kubernetes/controller-manager.conf
    - --bind-address=127.0.0.1
    - --client-ca-file=/etc/kubernetes/pki/ca.crt
    - --cluster-cidr=10.244.0.0/16
    - --cluster-name=kubernetes
    - --cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt
    - --cluster-signing-key-file=/etc/kubernetes/pki/ca.key
    - --controllers=*,bootstrapsigner,tokencleaner
    - --kubeconfig=/etc/kubernetes/controller-manager.conf
    - --leader-elect=true
    - --requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt
    - --root-ca-file=/etc/kubernetes/pki/ca.crt
    - --service-account-private-key-file=/etc/kubernetes/pki/sa.key
    - --service-cluster-ip-range=10.96.0.0/12
    - --use-service-account-credentials=true
    image: registry.k8s.io/kube-controller-manager:v1.30.0
    name: kube-controller-manager
  hostNetwork: true
"""
KCM = 'kube-controller-manager (container "kube-controller-manager")'


def test_kubeadm_default_controller_manager(tmp_path: Path) -> None:
    # kubeadm sets everything CIS 1.3 asks for except --profiling=false
    assert cluster_findings(tmp_path, KUBEADM_KCM) == [
        ("A009", 11, 5, f"{KCM} does not set --profiling=false", "low"),
    ]
    text = KUBEADM_KCM.replace("    - --use-service-account-credentials=true\n", "")
    text = text.replace("--bind-address=127.0.0.1", "--bind-address=10.0.0.4")
    text = text.replace("    - --root-ca-file=/etc/kubernetes/pki/ca.crt\n", "")
    text = text.replace(
        "--leader-elect=true",
        "--leader-elect=true\n    - --profiling=false\n"
        "    - --feature-gates=RotateKubeletServerCertificate=false",
    )
    assert cluster_findings(tmp_path, text) == [
        ("A010", line(text, "--bind-address"), 7, f"{KCM} binds to 10.0.0.4, not 127.0.0.1",
         "low"),
        ("A020", 11, 5, f"{KCM} does not set --use-service-account-credentials=true", "medium"),
        ("A021", 11, 5, f"{KCM} sets no --root-ca-file", "medium"),
        ("A022", line(text, "--feature-gates"), 7,
         f"{KCM} disables the RotateKubeletServerCertificate feature gate", "low"),
    ]  # fmt: skip


KUBEADM_ETCD = """\
apiVersion: v1
kind: Pod
metadata:
  labels:
    component: etcd
    tier: control-plane
  name: etcd
  namespace: kube-system
spec:
  containers:
  - command:
    - etcd
    - --advertise-client-urls=https://192.168.0.10:2379
    - --cert-file=/etc/kubernetes/pki/etcd/server.crt
    - --client-cert-auth=true
    - --data-dir=/var/lib/etcd
    - --initial-advertise-peer-urls=https://192.168.0.10:2380
    - --initial-cluster=cp-1=https://192.168.0.10:2380
    - --key-file=/etc/kubernetes/pki/etcd/server.key
    - --listen-client-urls=https://127.0.0.1:2379,https://192.168.0.10:2379
    - --listen-metrics-urls=http://127.0.0.1:2381
    - --listen-peer-urls=https://192.168.0.10:2380
    - --name=cp-1
    - --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt
    - --peer-client-cert-auth=true
    - --peer-key-file=/etc/kubernetes/pki/etcd/peer.key
    - --peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    - --snapshot-count=10000
    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    image: registry.k8s.io/etcd:3.5.12-0
    name: etcd
  hostNetwork: true
"""
ETCD = 'etcd (container "etcd")'


def test_kubeadm_default_etcd_is_clean(tmp_path: Path) -> None:
    assert cluster_findings(tmp_path, KUBEADM_ETCD) == []


def test_etcd_flags_and_environment(tmp_path: Path) -> None:
    text = KUBEADM_ETCD.replace("    - --client-cert-auth=true\n", "")
    text = text.replace("--peer-client-cert-auth=true", "-peer-client-cert-auth=false")
    text = text.replace(
        "    image: registry.k8s.io/etcd",
        "    env:\n    - name: ETCD_AUTO_TLS\n      value: 'true'\n"
        "    - name: ETCD_PEER_AUTO_TLS\n      value: 'true'\n"
        "    image: registry.k8s.io/etcd",
    )
    text = text.replace("    - --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt\n", "")
    text = text.replace("    - --key-file=/etc/kubernetes/pki/etcd/server.key\n", "")
    # etcd's single-dash form counts; auto TLS stands in for missing peer files (A031 says so)
    assert cluster_findings(tmp_path, text) == [
        ("A030", 11, 5, f"{ETCD} does not set --client-cert-auth=true: any client can read and "
         "write the whole cluster state", "high"),
        ("A031", line(text, "'true'"), 7,
         f"{ETCD} enables auto-tls: self-signed, unverifiable certificates", "medium"),
        ("A031", line(text, "'true'", 2), 7,
         f"{ETCD} enables peer-auto-tls: self-signed, unverifiable certificates", "medium"),
        ("A032", line(text, "-peer-client-cert-auth=false"), 7,
         f"{ETCD} sets peer-client-cert-auth to false", "medium"),
    ]  # fmt: skip
    # without auto TLS, the missing key file is reported
    text2 = KUBEADM_ETCD.replace("    - --key-file=/etc/kubernetes/pki/etcd/server.key\n", "")
    assert cluster_findings(tmp_path, text2) == [
        ("A033", 11, 5, f"{ETCD} sets no --key-file", "high"),
    ]
