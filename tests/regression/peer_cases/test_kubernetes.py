"""The peers' own Kubernetes test cases, restated as hardhull cases, and traps of our own.

``PEER_CASES`` restates, in our own YAML, the facts of representative test cases of Checkov
(``tests/kubernetes/checks/example_*``), Trivy (``checks/kubernetes/**/*_test.rego``) and
kube-linter (``tests/checks/*.yml``) for every peer ID a hardhull rule claims. Each case names
its source, the peer's verdict, the hardhull codes that are the equivalent (``focus``) and the
exact findings of those codes. Where hardhull deliberately judges otherwise the case says why
(``differ``), and docs/peer-cases.md lists it: the tests check both.

``TRAPS`` are hand-written bait for careless implementations (YAML 1.1 booleans, quoted
booleans, lower-case and ``CAP_`` capabilities, sockets at unusual paths, ``hostPort: 0``, …),
each with the complete list of workload and secret findings, located by line.

Every case is parsed by the real loader and scanned by the real engine.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from hardhull.engine import ScanOptions, scan
from hardhull.frontends.kubernetes import parse_text
from hardhull.models.workload import pod_spec_problem
from hardhull.rules.kubernetes.pod_settings import (
    service_accounts_without_token,
    token_decided_by_service_account,
)
from tests.conftest import ROOT

DOC = ROOT / "docs" / "peer-cases.md"
DIGEST = "sha256:" + "0123456789abcdef" * 4

#: the domains under test: workload and Service rules (K001–K040) and secrets (S…) rules; the
#: Pod Security summary (K100), RBAC and network policy findings of the same objects are not
#: compared here
_CODE = re.compile(r"^(K0[0-3]\d|K040|S\d{3})$")

Expected = tuple[str, str, str]  # code, pointer, severity


def _scan(tmp_path: Path, text: str) -> list[tuple[str, str, str, int]]:
    path = tmp_path / "case.yaml"
    path.write_text(text)
    result = scan([str(path)], ScanOptions(jobs=1))
    assert result.errors == [], result.errors
    return sorted(
        (f.code, f.pointer, f.severity.label, f.location.line)
        for f in result.findings
        if _CODE.match(f.code)
    )


# --------------------------------------------------------------------------- peer cases


@dataclass(frozen=True)
class Case:
    peer: str  # checkov | trivy | kube-linter
    check: str  # the peer's check ID
    source: str  # the peer's test case (file, test name or fixture object)
    verdict: str  # the peer's verdict: "fail" | "pass"
    focus: tuple[str, ...]  # the hardhull codes equivalent to the peer's check
    text: str
    expected: tuple[Expected, ...] = ()
    differ: str = ""  # why hardhull deliberately judges otherwise ("": we agree)

    @property
    def id(self) -> str:
        return f"{self.peer}:{self.check}:{self.source}"


def pod(spec: str, name: str = "p") -> str:
    """A Pod with the given spec body (YAML, dedented)."""
    body = textwrap.indent(textwrap.dedent(spec).strip("\n"), "  ")
    return f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: ns\nspec:\n{body}\n"


def deploy(spec: str, meta: str = "", api: str = "apps/v1") -> str:
    """A Deployment with the given pod template spec body (and template metadata)."""
    body = textwrap.indent(textwrap.dedent(spec).strip("\n"), "      ")
    tmeta = ""
    if meta:
        tmeta = "    metadata:\n" + textwrap.indent(textwrap.dedent(meta).strip("\n"), "      ")
        tmeta += "\n"
    return (
        f"apiVersion: {api}\nkind: Deployment\nmetadata:\n  name: d\n  namespace: ns\n"
        f"spec:\n  template:\n{tmeta}    spec:\n{body}\n"
    )


#: a plain ClusterIP Service (the Service cases add to its spec)
SERVICE = (
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: ns\nspec:\n"
    "  selector: {app: web}\n  ports: [{name: http, port: 80, protocol: TCP, targetPort: 9376}]\n"
)
C0 = "/spec/containers/0"
T0 = "/spec/template/spec/containers/0"
ROOT_CODES = ("K003", "K004")
SECCOMP = ("K010", "K011")
CAPS = ("K007", "K008", "K009")
TAG = ("K027", "K028")

CHECKOV = [
    Case(
        "checkov",
        "CKV_K8S_23",
        "rootContainersFAILED.yaml#pod1",
        "fail",
        ROOT_CODES,
        pod("containers: [{name: main, image: alpine}]"),
        (("K003", C0, "medium"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_23",
        "rootContainersFAILED.yaml#pod2",
        "fail",
        ROOT_CODES,
        pod("""
             securityContext: {runAsNonRoot: true}
             containers:
               - {name: main, image: alpine, securityContext: {runAsNonRoot: false}}
             """),
        (("K003", f"{C0}/securityContext/runAsNonRoot", "medium"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_23",
        "rootContainersFAILED.yaml#pod3",
        "fail",
        ROOT_CODES,
        pod("""
             securityContext: {runAsUser: 0}
             containers: [{name: main, image: alpine}]
             """),
        (("K004", "/spec/securityContext/runAsUser", "high"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_23",
        "rootContainersFAILED.yaml#pod4",
        "fail",
        ROOT_CODES,
        pod("""
             securityContext: {runAsUser: 1000}
             containers:
               - {name: main, image: alpine}
               - {name: main2, image: alpine, securityContext: {runAsUser: 0}}
             """),
        (("K004", "/spec/containers/1/securityContext/runAsUser", "high"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_23",
        "rootContainersFAILED_2.yaml",
        "fail",
        ROOT_CODES,
        # the securityContext is written `runAsUser:65534` (no space): one plain string
        deploy("""
                containers: [{name: external-dns, image: "k8s.gcr.io/external-dns:v0.8.0"}]
                securityContext:
                  runAsUser:65534
                  fsGroup:65534
                """),
        (("K003", T0, "medium"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_23",
        "rootContainersFAILED-malformed-spec.yaml",
        "fail",
        ROOT_CODES,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
        "  - containers:\n  - name: main\n    image: alpine\n",
        differ="spec is a list: the API server rejects the Pod, no workload check can run "
        "(kube.pod_spec_problem names it for the skipped report)",
    ),
    Case(
        "checkov",
        "CKV_K8S_23",
        "rootContainersPASSED.yaml#pod1",
        "pass",
        ROOT_CODES,
        pod("""
             securityContext: {runAsNonRoot: true}
             containers: [{name: main, image: alpine}]
             """),
    ),
    Case(
        "checkov",
        "CKV_K8S_23",
        "rootContainersPASSED.yaml#pod3",
        "pass",
        ROOT_CODES,
        pod("""
             securityContext: {runAsNonRoot: false}
             containers:
               - {name: main, image: alpine, securityContext: {runAsNonRoot: true}}
             """),
    ),
    Case(
        "checkov",
        "CKV_K8S_23",
        "rootContainersPASSED.yaml#pod5",
        "pass",
        ROOT_CODES,
        pod("""
             containers:
               - {name: main, image: alpine, securityContext: {runAsUser: 1000}}
               - {name: main2, image: alpine, securityContext: {runAsUser: 1000}}
             """),
    ),
    Case(
        "checkov",
        "CKV_K8S_20",
        "pod-to-node-FAILED.yaml",
        "fail",
        ("K002",),
        pod("""
             hostPID: true
             containers:
               - name: attacker
                 image: ubuntu
                 securityContext: {privileged: true, allowPrivilegeEscalation: true}
             """),
        (("K002", f"{C0}/securityContext/allowPrivilegeEscalation", "medium"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_20",
        "rootDeployment-PASSED.yaml",
        "pass",
        ("K002",),
        deploy(
            """
                containers:
                  - name: hello
                    image: k8s.gcr.io/echoserver:1.4
                    securityContext: {allowPrivilegeEscalation: false, runAsUser: 0}
                """,
            api="extensions/v1beta1",
        ),
    ),
    Case(
        "checkov",
        "CKV_K8S_31",
        "pod-seccomp-FAILED3.yaml",
        "fail",
        SECCOMP,
        pod("""
             containers:
               - {name: c1, image: i, securityContext: {seccompProfile: {type: RuntimeDefault}}}
               - {name: c2, image: i2}
             """),
        (("K010", "/spec/containers/1", "medium"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_31",
        "cronjob-seccomp-PASSED2.yaml",
        "pass",
        SECCOMP,
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n"
        "  schedule: '0 2 * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"
        "          securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}"
        "\n          containers: [{name: image, image: ubuntu}]\n",
    ),
    Case(
        "checkov",
        "CKV_K8S_31",
        "pod-seccomp annotation docker/default",
        "pass",
        SECCOMP,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
        "    seccomp.security.alpha.kubernetes.io/pod: docker/default\n"
        "spec:\n  containers: [{name: c, image: i}]\n",
    ),
    Case(
        "checkov",
        "CKV_K8S_31",
        "seccomp type Localhost (only RuntimeDefault passes)",
        "fail",
        SECCOMP,
        pod("""
             securityContext: {seccompProfile: {type: Localhost, localhostProfile: app.json}}
             containers: [{name: c, image: i}]
             """),
        differ="a Localhost profile is a seccomp profile (the restricted Pod Security "
        "Standard allows it); only its absence (K010) or Unconfined (K011) is reported",
    ),
    Case(
        "checkov",
        "CKV_K8S_14",
        "ephemeralContainer-ImageTagLatest-FAILED.yaml",
        "fail",
        TAG,
        pod(f"""
             containers: [{{name: c, image: "nginx:1.27@{DIGEST}"}}]
             ephemeralContainers: [{{name: dbg, image: "busybox:latest"}}]
             """),
        (("K027", "/spec/ephemeralContainers/0/image", "medium"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_14",
        "imageWithDigest-PASSED.yaml",
        "pass",
        TAG,
        pod(f'containers: [{{name: kafka, image: "gcr.io/google_containers/kafka@{DIGEST}"}}]'),
    ),
    Case(
        "checkov",
        "CKV_K8S_14",
        "container without image",
        "fail",
        TAG,
        deploy("containers: [{name: app}]"),
        differ="no image to judge: a template without image is completed by a tool "
        "(kustomize images:, a controller); the API server rejects a Pod without one",
    ),
    Case(
        "checkov",
        "CKV_K8S_43",
        "job-ImageTagLatest-FAILED.yaml",
        "fail",
        TAG,
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n"
        "    spec:\n      restartPolicy: Never\n"
        "      containers: [{name: pi, image: 'perl:latest'}]\n",
        (("K027", "/spec/template/spec/containers/0/image", "medium"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_43",
        "imageWithTagAndDigest-PASSED.yaml",
        "pass",
        TAG,
        pod(f'containers: [{{name: k, image: "gcr.io/kafka:1.0@{DIGEST}"}}]'),
    ),
    Case(
        "checkov",
        "CKV_K8S_15",
        "tag without imagePullPolicy (defaults IfNotPresent)",
        "fail",
        ("K029",),
        pod('containers: [{name: c, image: "nginx:1.27"}]'),
        differ="K029 reports an explicit IfNotPresent/Never; the defaulted policy of a "
        "mutable tag is reported once, as the tag itself (K028), whose fix also fixes this",
    ),
    Case(
        "checkov",
        "CKV_K8S_15",
        "explicit IfNotPresent with a tag",
        "fail",
        ("K029",),
        pod('containers: [{name: c, image: "nginx:1.27", imagePullPolicy: IfNotPresent}]'),
        (("K029", f"{C0}/imagePullPolicy", "low"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_15",
        "latest without imagePullPolicy (defaults Always)",
        "pass",
        ("K029",),
        pod('containers: [{name: c, image: "nginx:latest"}]'),
    ),
    Case(
        "checkov",
        "CKV_K8S_28",
        "pod-drop-NET_RAW-capabilities-PASSED.yaml",
        "pass",
        CAPS,
        pod("""
             containers:
               - {name: c, image: i, securityContext: {capabilities: {drop: [NET_RAW]}}}
             """),
        (("K007", f"{C0}/securityContext/capabilities/drop", "medium"),),
        differ="K007 asks for drop ALL (the restricted standard, CKV_K8S_37): dropping only "
        "NET_RAW leaves a dozen default capabilities",
    ),
    Case(
        "checkov",
        "CKV_K8S_37",
        "pod-drop-all-capabilities-PASSED2.yaml",
        "pass",
        CAPS,
        pod("""
             containers:
               - {name: main, image: fedora, securityContext: {capabilities: {drop: [all]}}}
             """),
    ),
    Case(
        "checkov",
        "CKV_K8S_37",
        "pod-drop-none-FAILED.yaml",
        "fail",
        CAPS,
        pod("containers: [{name: main, image: fedora}]"),
        (("K007", C0, "medium"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_39",
        "AllowedCapabilitiesSysAdmin pod-FAILED.yaml",
        "fail",
        CAPS,
        pod("""
             containers:
               - name: c
                 image: i
                 securityContext: {capabilities: {drop: [ALL], add: [SYS_ADMIN]}}
             """),
        (("K008", f"{C0}/securityContext/capabilities/add/0", "critical"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_27",
        "scope-2PASSED-1FAILED.yaml#docker-socket",
        "fail",
        ("K018", "K019"),
        pod("""
             containers: [{name: c, image: i}]
             volumes: [{name: docker, hostPath: {path: /var/run/docker.sock}}]
             """),
        (("K019", "/spec/volumes/0/hostPath/path", "critical"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_27",
        "CronJob-pass.yaml",
        "pass",
        ("K018", "K019"),
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n"
        "  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n"
        "        spec:\n          containers: [{name: c, image: i}]\n"
        "          volumes: [{name: tmp, emptyDir: {}}]\n",
    ),
    Case(
        "checkov",
        "CKV_K8S_38",
        "ServiceAccountTokensPASSED.yaml",
        "pass",
        ("K030",),
        pod("""
             automountServiceAccountToken: false
             containers: [{name: c, image: i}]
             """),
    ),
    Case(
        "checkov",
        "CKV_K8S_38",
        "ServiceAccountTokensFAILED.yaml",
        "fail",
        ("K030",),
        pod("containers: [{name: c, image: i}]"),
        (("K030", "/spec", "low"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_40",
        "pod runAsUser 1000",
        "fail",
        ("K005",),
        pod("""
             securityContext: {runAsUser: 1000}
             containers: [{name: c, image: i}]
             """),
        (("K005", "/spec/securityContext/runAsUser", "low"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_40",
        "pod 10001 overridden to 1000 in a container",
        "fail",
        ("K005",),
        pod("""
             securityContext: {runAsUser: 10001}
             containers:
               - {name: a, image: i}
               - {name: b, image: i, securityContext: {runAsUser: 1000}}
             """),
        (("K005", "/spec/containers/1/securityContext/runAsUser", "low"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_40",
        "no runAsUser anywhere",
        "fail",
        ("K005",),
        pod("containers: [{name: c, image: i}]"),
        differ="without any runAsUser the image's USER decides: that is K003 (may run as "
        "root), not a low uid",
    ),
    Case(
        "checkov",
        "CKV_K8S_21",
        "nginx-statefulset-FAILED.yaml",
        "fail",
        ("K031",),
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web, namespace: default}\n"
        "spec:\n  template:\n    spec:\n      containers: [{name: nginx, image: nginx}]\n",
        (("K031", "/metadata/namespace", "low"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_21",
        "no metadata.namespace",
        "fail",
        ("K031",),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
        "spec:\n  containers: [{name: c, image: i}]\n",
        differ="a manifest without a namespace lands where it is applied (kubectl -n, helm "
        "--namespace, kustomize namespace:): only an explicit default is reported",
    ),
    Case(
        "checkov",
        "CKV_K8S_16",
        "privileged init container",
        "fail",
        ("K001",),
        pod("""
             initContainers: [{name: init, image: i, securityContext: {privileged: true}}]
             containers: [{name: c, image: i}]
             """),
        (("K001", "/spec/initContainers/0/securityContext/privileged", "critical"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_26",
        "hostPort 8080",
        "fail",
        ("K020",),
        pod("containers: [{name: c, image: i, ports: [{containerPort: 80, hostPort: 8080}]}]"),
        (("K020", f"{C0}/ports/0/hostPort", "medium"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_13",
        "memory request without limit",
        "fail",
        ("K024",),
        pod("containers: [{name: c, image: i, resources: {requests: {memory: 64Mi}}}]"),
        (("K024", f"{C0}/resources", "medium"),),
    ),
    Case(
        "checkov",
        "CKV_K8S_10",
        "CPU limit without request",
        "fail",
        ("K026",),
        pod("containers: [{name: c, image: i, resources: {limits: {cpu: 500m, memory: 1Gi}}}]"),
        differ="a container with a limit and no request gets the limit as its request (API "
        "defaulting): it is not unbounded for the scheduler",
    ),
]

TRIVY = [
    Case(
        "trivy",
        "KSV012",
        "test_run_as_non_root_not_set_to_true_denied",
        "fail",
        ROOT_CODES,
        pod("containers: [{name: hello, image: busybox}]"),
        (("K003", C0, "medium"),),
    ),
    Case(
        "trivy",
        "KSV012",
        "test_run_as_non_root_not_set_to_true_for_all_containers_denied",
        "fail",
        ROOT_CODES,
        pod("""
             containers:
               - {name: hello, image: busybox, securityContext: {runAsNonRoot: true}}
               - {name: hello2, image: busybox}
             """),
        (("K003", "/spec/containers/1", "medium"),),
    ),
    Case(
        "trivy",
        "KSV012",
        "test_run_as_non_root_set_to_true_for_pod_allowed",
        "pass",
        ROOT_CODES,
        pod("""
             securityContext: {runAsNonRoot: true}
             containers: [{name: hello, image: busybox}]
             """),
    ),
    Case(
        "trivy",
        "KSV105",
        "test_run_as_user_set_to_zero_for_pod_denied",
        "fail",
        ("K004",),
        pod("""
             securityContext: {runAsUser: 0}
             containers: [{name: hello, image: busybox}]
             """),
        (("K004", "/spec/securityContext/runAsUser", "high"),),
    ),
    Case(
        "trivy",
        "KSV105",
        "test_run_as_user_set_to_non_zero_for_pod_allowed",
        "pass",
        ("K004",),
        pod("""
             securityContext: {runAsUser: 1337}
             containers: [{name: hello, image: busybox}]
             """),
    ),
    Case(
        "trivy",
        "KSV105",
        "test_run_as_group_not_defined_allowed",
        "pass",
        ("K004",),
        pod("containers: [{name: hello, image: busybox}]"),
    ),
    Case(
        "trivy",
        "KSV030",
        "test_both_undefined_type_denied",
        "fail",
        SECCOMP,
        pod("""
             securityContext: {seccompProfile: {}}
             containers: [{name: hello, image: busybox}]
             """),
        (("K010", C0, "medium"),),
    ),
    Case(
        "trivy",
        "KSV030",
        "test_pod_context_custom_profile_denied",
        "fail",
        SECCOMP,
        pod("""
             securityContext: {seccompProfile: {type: custom}}
             containers: [{name: hello, image: busybox}]
             """),
        differ="type custom is not a seccomp profile type: the API server rejects the pod "
        '(invalid values are not reported, as for a quoted "true")',
    ),
    Case(
        "trivy",
        "KSV030",
        "test_annotation_allowed",
        "pass",
        SECCOMP,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
        "    seccomp.security.alpha.kubernetes.io/pod: runtime/default\n"
        "spec:\n  containers: [{name: hello, image: busybox}]\n",
    ),
    Case(
        "trivy",
        "KSV030",
        "test_container_context_runtime_default_allowed",
        "pass",
        SECCOMP,
        pod("""
             containers:
               - {name: h, image: b, securityContext: {seccompProfile: {type: RuntimeDefault}}}
             """),
    ),
    Case(
        "trivy",
        "KSV104",
        "test_container_seccomp_profile_unconfined_denied",
        "fail",
        SECCOMP,
        pod("""
             containers:
               - {name: hello, image: b, securityContext: {seccompProfile: {type: Unconfined}}}
             """),
        (("K011", f"{C0}/securityContext/seccompProfile/type", "high"),),
    ),
    Case(
        "trivy",
        "KSV104",
        "test_container_empty_seccomp_profile_unconfined_denied",
        "fail",
        SECCOMP,
        pod("containers: [{name: hello, image: busybox}]"),
        (("K010", C0, "medium"),),
    ),
    Case(
        "trivy",
        "KSV104",
        "test_deployment_override_seccomp_profile_unconfined_allowed",
        "pass",
        SECCOMP,
        deploy("""
                securityContext: {seccompProfile: {type: Unconfined}}
                containers:
                  - name: container
                    image: node:8-alpine
                    securityContext: {seccompProfile: {type: RuntimeDefault}}
                """),
    ),
    Case(
        "trivy",
        "KSV104",
        "test_deployment_override_seccomp_profile_unconfined_deny",
        "fail",
        SECCOMP,
        deploy("""
                securityContext: {seccompProfile: {type: RuntimeDefault}}
                containers:
                  - {name: container, image: node:8-alpine}
                  - name: container2
                    image: node:8-alpine
                    securityContext: {seccompProfile: {type: Unconfined}}
                """),
        (("K011", "/spec/template/spec/containers/1/securityContext/seccompProfile/type", "high"),),
    ),
    Case(
        "trivy",
        "KSV104",
        "test_deployment_annotations_seccomp_profile_unconfined_allowed",
        "pass",
        SECCOMP,
        deploy(
            """
                securityContext: {seccompProfile: {type: RuntimeDefault}}
                containers: [{name: test-container, image: node:8-alpine}]
                """,
            meta="""
                     annotations:
                       container.seccomp.security.alpha.kubernetes.io/test-container: unconfined
                     """,
        ),
        (
            (
                "K011",
                "/spec/template/metadata/annotations/"
                "container.seccomp.security.alpha.kubernetes.io~1test-container",
                "high",
            ),
        ),
        differ="the API server copies a container's seccomp annotation into that container's "
        "unset seccompProfile, and a container's profile overrides the pod's: it runs "
        "Unconfined",
    ),
    Case(
        "trivy",
        "KSV104",
        "test_cronjob_seccomp_profile_unconfined_denied",
        "fail",
        SECCOMP,
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n"
        "  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n"
        "        spec:\n          containers:\n            - name: t\n              image: n\n"
        "              securityContext: {seccompProfile: {type: Unconfined}}\n",
        (
            (
                "K011",
                "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/"
                "seccompProfile/type",
                "high",
            ),
        ),
    ),
    Case(
        "trivy",
        "KSV106",
        "test_drop_all_add_net_bind_service_allowed",
        "pass",
        CAPS,
        pod("""
             containers:
               - name: hello
                 image: busybox
                 securityContext: {capabilities: {drop: [all], add: [NET_BIND_SERVICE]}}
             """),
    ),
    Case(
        "trivy",
        "KSV106",
        "test_drop_all_and_more_allowed",
        "pass",
        CAPS,
        pod("""
             containers:
               - name: hello
                 image: busybox
                 securityContext: {capabilities: {drop: [something, ALL, other]}}
             """),
    ),
    Case(
        "trivy",
        "KSV106",
        "test_drop_other_denied",
        "fail",
        CAPS,
        pod("""
             containers:
               - {name: hello, image: busybox, securityContext: {capabilities: {drop: [OTHER]}}}
             """),
        (("K007", f"{C0}/securityContext/capabilities/drop", "medium"),),
    ),
    Case(
        "trivy",
        "KSV106",
        "test_drop_all_add_other_denied",
        "fail",
        CAPS,
        pod("""
             containers:
               - name: hello
                 image: busybox
                 securityContext: {capabilities: {drop: [ALL], add: [SOMETHING]}}
             """),
        (("K009", f"{C0}/securityContext/capabilities/add/0", "medium"),),
    ),
    # KSV119 and KSV121 ship no test of their own: the cases follow their rego
    # (checks/kubernetes: NET_RAW in capabilities.add; hostPath.path equal to one of nine)
    Case(
        "trivy",
        "KSV119",
        "KSV119 rego: NET_RAW in capabilities.add",
        "fail",
        CAPS,
        pod("""
             containers:
               - name: hello
                 image: busybox
                 securityContext: {capabilities: {drop: [ALL], add: [NET_RAW]}}
             """),
        (("K008", f"{C0}/securityContext/capabilities/add/0", "medium"),),
    ),
    Case(
        "trivy",
        "KSV119",
        "KSV119 rego: CAP_NET_RAW in capabilities.add",
        "pass",
        CAPS,
        pod("""
             containers:
               - name: hello
                 image: busybox
                 securityContext: {capabilities: {drop: [ALL], add: [CAP_NET_RAW]}}
             """),
        (("K008", f"{C0}/securityContext/capabilities/add/0", "medium"),),
        differ="the runtimes accept the CAP_ prefix: CAP_NET_RAW is NET_RAW; trivy compares the "
        "name as written",
    ),
    Case(
        "trivy",
        "KSV121",
        "KSV121 rego: hostPath /etc",
        "fail",
        ("K018",),
        pod("""
             containers: [{name: hello, image: busybox}]
             volumes: [{name: h, hostPath: {path: /etc}}]
             """),
        (("K018", "/spec/volumes/0/hostPath/path", "critical"),),
    ),
    Case(
        "trivy",
        "KSV121",
        "KSV121 rego: hostPath /etc/ (trailing slash)",
        "pass",
        ("K018",),
        pod("""
             containers: [{name: hello, image: busybox}]
             volumes: [{name: h, hostPath: {path: /etc/}}]
             """),
        (("K018", "/spec/volumes/0/hostPath/path", "critical"),),
        differ="/etc/ mounts the same directory as /etc; trivy compares the path string exactly",
    ),
    Case(
        "trivy",
        "KSV026",
        "test_sysctls_restricted_property_denied",
        "fail",
        ("K022",),
        pod("""
             securityContext:
               sysctls:
                 - {name: net.core.somaxconn, value: "1024"}
                 - {name: kernel.msgmax, value: "65536"}
             containers: [{name: hello, image: busybox}]
             """),
        (
            ("K022", "/spec/securityContext/sysctls/0/name", "medium"),
            ("K022", "/spec/securityContext/sysctls/1/name", "medium"),
        ),
    ),
    Case(
        "trivy",
        "KSV026",
        "test_sysctls_not_restricted_property_allowed",
        "pass",
        ("K022",),
        pod("""
             securityContext: {sysctls: [{name: kernel.shm_rmid_forced, value: "0"}]}
             containers: [{name: hello, image: busybox}]
             """),
    ),
    Case(
        "trivy",
        "KSV024",
        "test_host_ports_defined_denied",
        "fail",
        ("K020",),
        pod("containers: [{name: hello, image: busybox, ports: [{hostPort: 8080}]}]"),
        (("K020", f"{C0}/ports/0/hostPort", "medium"),),
    ),
    Case(
        "trivy",
        "KSV024",
        "test_no_host_ports_defined_allowed",
        "pass",
        ("K020",),
        pod("containers: [{name: hello, image: busybox, ports: [{containerPort: 80}]}]"),
    ),
    Case(
        "trivy",
        "KSV027",
        "test_proc_mount_is_set_denied",
        "fail",
        ("K021",),
        pod("""
             containers:
               - {name: hello, image: busybox, securityContext: {procMount: Unmasked}}
             """),
        (("K021", f"{C0}/securityContext/procMount", "high"),),
    ),
    Case(
        "trivy",
        "KSV027",
        "test_proc_mount_is_not_set_allowed",
        "pass",
        ("K021",),
        pod("containers: [{name: hello, image: busybox, securityContext: {}}]"),
    ),
    Case(
        "trivy",
        "KSV028",
        "test_disallowed_volume_type_used_denied",
        "fail",
        ("K035",),
        pod("""
             containers: [{name: hello, image: busybox}]
             volumes: [{name: volume-a, scaleIO: {gateway: "https://localhost:443/api",
                        system: scaleio, secretRef: {name: sio-secret}}}]
             """),
        (("K035", "/spec/volumes/0/scaleIO", "low"),),
    ),
    Case(
        "trivy",
        "KSV028",
        "test_no_volume_type_used_allowed",
        "pass",
        ("K035",),
        pod("""
             containers: [{name: hello, image: busybox}]
             volumes: [{name: volume-a}]
             """),
    ),
    Case(
        "trivy",
        "KSV036",
        "automountServiceAccountToken: true",
        "fail",
        ("K030",),
        pod("""
             automountServiceAccountToken: true
             containers: [{name: c, image: i}]
             """),
        (("K030", "/spec/automountServiceAccountToken", "low"),),
    ),
    Case(
        "trivy",
        "KSV036",
        "automountServiceAccountToken unset, no token mount",
        "pass",
        ("K030",),
        pod("containers: [{name: c, image: i}]"),
        (("K030", "/spec", "low"),),
        differ="an unset automountServiceAccountToken mounts the token (unless the pod's "
        "ServiceAccount disables it): reported, at low severity",
    ),
    Case(
        "trivy",
        "KSV017",
        "test_privileged_is_true_denied",
        "fail",
        ("K001",),
        pod("containers: [{name: hello, image: busybox, securityContext: {privileged: true}}]"),
        (("K001", f"{C0}/securityContext/privileged", "critical"),),
    ),
    Case(
        "trivy",
        "KSV017",
        "test_privileged_is_undefined_allowed",
        "pass",
        ("K001",),
        pod("containers: [{name: hello, image: busybox}]"),
    ),
    Case(
        "trivy",
        "KSV006",
        "docker.sock hostPath",
        "fail",
        ("K018", "K019"),
        pod("""
             containers: [{name: c, image: i}]
             volumes: [{name: s, hostPath: {path: /var/run/docker.sock}}]
             """),
        (("K019", "/spec/volumes/0/hostPath/path", "critical"),),
    ),
    Case(
        "trivy",
        "KSV108",
        "test_service_with_externalip_denied",
        "fail",
        ("K038",),
        SERVICE + "  externalIPs: [192.168.0.106]\n",
        (("K038", "/spec/externalIPs", "medium"),),
    ),
    Case(
        "trivy",
        "KSV108",
        "test_service_with_externalip_allowed",
        "pass",
        ("K038",),
        SERVICE,
    ),
    Case(
        "trivy",
        "KSV116",
        "pod runAsGroup 0 (trivy 0.59.1: root primary or supplementary GID)",
        "fail",
        ("K034",),
        pod("""
             securityContext: {runAsGroup: 0}
             containers: [{name: c, image: i}]
             """),
        (("K034", "/spec/securityContext/runAsGroup", "low"),),
    ),
    Case(
        "trivy",
        "KSV109",
        "ConfigMap with a password value (trivy 0.59.1 reports it as AVD-KSV-0109)",
        "fail",
        ("S003",),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: ns\n"
        "data:\n  DB_PASSWORD: Zx81Spectrum\n",
        (("S003", "/data/DB_PASSWORD", "medium"),),
    ),
]

# KSV013's table of images: (image, denied)
KSV013_IMAGES = [
    ("busybox", True),
    ("busybox:latest", True),
    ("busybox:1.33.1", False),
    (f"busybox@{DIGEST}", False),
    (f"busybox:latest@{DIGEST}", False),
    (f"busybox:1.33.1@{DIGEST}", False),
    ("127.0.0.1:5000/busybox:1.33.1", False),
    ("127.0.0.1:5000/busybox", True),
    ("gcr.io/google-containers/pause", True),
]
TRIVY += [
    Case(
        "trivy",
        "KSV013",
        f"test_image_tagging_cases[{image}]",
        "fail" if denied else "pass",
        ("K027",),
        pod(f'containers: [{{name: hello, image: "{image}"}}]'),
        (("K027", f"{C0}/image", "medium"),) if denied else (),
    )
    for image, denied in KSV013_IMAGES
]

KUBE_LINTER = [
    Case(
        "kube-linter",
        "run-as-non-root",
        "run-as-non-root.yml#dont-fire",
        "pass",
        ROOT_CODES,
        # runAsUser written beside securityContext, not in it: an unknown field, ignored
        deploy("""
                containers:
                  - {name: app, image: i, runAsUser: 1001, securityContext: {runAsNonRoot: true}}
                """),
    ),
    Case(
        "kube-linter",
        "run-as-non-root",
        "run-as-non-root.yml#app1",
        "fail",
        ROOT_CODES,
        deploy("containers: [{name: app, image: i, runAsUser: 0}]"),
        (("K003", T0, "medium"),),
    ),
    Case(
        "kube-linter",
        "drop-net-raw-capability",
        "drop-net-raw-capability.yml#dont-fire",
        "pass",
        CAPS,
        deploy("""
                containers:
                  - name: app
                    image: i
                    securityContext:
                      capabilities:
                """),
        (("K007", f"{T0}/securityContext/capabilities", "medium"),),
        differ="capabilities: null drops nothing: the runtime's default set, NET_RAW "
        "included, stays",
    ),
    Case(
        "kube-linter",
        "drop-net-raw-capability",
        "drop-net-raw-capability.yml#app",
        "fail",
        CAPS,
        deploy("""
                containers:
                  - name: app
                    image: i
                    securityContext: {capabilities: {add: [NET_RAW]}}
                """),
        (
            ("K007", f"{T0}/securityContext/capabilities", "medium"),
            ("K008", f"{T0}/securityContext/capabilities/add/0", "medium"),
        ),
    ),
    Case(
        "kube-linter",
        "docker-sock",
        "container-runtime-sock.yml#dont-fire",
        "pass",
        ("K019",),
        deploy("""
                containers: [{name: app, image: i}]
                volumes: [{name: thingsock, hostPath: {path: /var/run/thing.sock}}]
                """),
    ),
    Case(
        "kube-linter",
        "docker-sock",
        "container-runtime-sock.yml#appcontainerd",
        "fail",
        ("K019",),
        deploy("""
                containers: [{name: app, image: i}]
                volumes: [{name: s, hostPath: {path: /var/run/containerd.sock}}]
                """),
        (("K019", "/spec/template/spec/volumes/0/hostPath/path", "critical"),),
    ),
    Case(
        "kube-linter",
        "docker-sock",
        "container-runtime-sock.yml#appcrio",
        "fail",
        ("K019",),
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: appcrio}\nspec:\n"
        "  serviceName: appcrio\n  template:\n    spec:\n"
        "      containers: [{name: appcrio, image: i}]\n"
        "      volumes: [{name: criosock, hostPath: {path: /var/run/crio.sock}}]\n",
        (("K019", "/spec/template/spec/volumes/0/hostPath/path", "critical"),),
    ),
    Case(
        "kube-linter",
        "sensitive-host-mounts",
        "sensitive-host-mounts.yml#app1",
        "fail",
        ("K018",),
        deploy("""
                containers:
                  - {name: app, image: i, volumeMounts: [{name: config, mountPath: /etc}]}
                volumes: [{name: config, hostPath: {path: /etc}}]
                """),
        (("K018", "/spec/template/spec/volumes/0/hostPath/path", "critical"),),
    ),
    Case(
        "kube-linter",
        "latest-tag",
        "latest-tag.yml#dont-fire",
        "pass",
        ("K027",),
        deploy("containers: [{name: app, image: 'app:v1'}]"),
    ),
    Case(
        "kube-linter",
        "latest-tag",
        "latest-tag.yml#app",
        "fail",
        ("K027",),
        deploy("containers: [{name: app, image: 'app:latest'}]"),
        (("K027", f"{T0}/image", "medium"),),
    ),
    Case(
        "kube-linter",
        "env-var-secret",
        "env-var-secret.yml#dont-fire",
        "pass",
        ("S002",),
        deploy("containers: [{name: app, image: i, env: [{name: BLAH, value: squirrels}]}]"),
    ),
    Case(
        "kube-linter",
        "env-var-secret",
        "env-var-secret.yml#app",
        "fail",
        ("S002",),
        deploy("""
                containers:
                  - {name: app, image: i, env: [{name: SECRET_BLAH, value: secretsquirrels}]}
                """),
        differ="a credential name alone is not a credential: a lower-case value made of "
        "generic words (a Secret's name, a dummy) is not reported; a real-looking value is",
    ),
    Case(
        "kube-linter",
        "env-var-secret",
        "SECRET_ variable with a real-looking value",
        "fail",
        ("S002",),
        deploy("""
                containers:
                  - {name: app, image: i, env: [{name: SECRET_BLAH, value: "Xk9#mP2vLq8!"}]}
                """),
        (("S002", f"{T0}/env/0/value", "medium"),),
    ),
    Case(
        "kube-linter",
        "privilege-escalation-container",
        "privileged implies escalation",
        "fail",
        ("K002",),
        deploy("containers: [{name: app, image: i, securityContext: {privileged: true}}]"),
        (("K002", f"{T0}/securityContext", "medium"),),
    ),
    Case(
        "kube-linter",
        "host-network",
        "host-network.yml#app",
        "fail",
        ("K014",),
        deploy("""
                hostNetwork: true
                containers: [{name: app, image: i}]
                """),
        (("K014", "/spec/template/spec/hostNetwork", "high"),),
    ),
    Case(
        "kube-linter",
        "host-pid",
        "host-pid.yml#dont-fire",
        "pass",
        ("K015",),
        deploy("""
                hostPID: false
                containers: [{name: app, image: i}]
                """),
    ),
    Case(
        "kube-linter",
        "exposed-services",
        "exposed-services.yml#app",
        "fail",
        ("K040",),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: app\nspec:\n  type: NodePort\n",
        (("K040", "/spec/type", "low"),),
    ),
    Case(
        "kube-linter",
        "exposed-services",
        "exposed-services.yml#dont-fire",
        "pass",
        ("K040",),
        SERVICE,
    ),
    Case(
        "kube-linter",
        "exposed-services",
        "forbiddenServiceTypes includes LoadBalancer",
        "fail",
        ("K040",),
        SERVICE.replace("spec:\n", "spec:\n  type: LoadBalancer\n"),
        differ="a LoadBalancer's exposure is the intended one; K040 reports NodePort only",
    ),
]

PEER_CASES = CHECKOV + TRIVY + KUBE_LINTER


@pytest.mark.parametrize("case", PEER_CASES, ids=lambda c: c.id)
def test_peer_case(case: Case, tmp_path: Path) -> None:
    got = [
        (code, ptr, sev)
        for code, ptr, sev, line in _scan(tmp_path, case.text)
        if code in case.focus
    ]
    assert got == sorted(case.expected)


@pytest.mark.parametrize("case", PEER_CASES, ids=lambda c: c.id)
def test_peer_case_agreement_is_stated(case: Case) -> None:
    ours = "fail" if case.expected else "pass"
    assert (ours == case.verdict) == (not case.differ), (
        f"{case.id}: peer {case.verdict}, hardhull {ours}: "
        + ("explain the difference" if not case.differ else "no longer differs")
    )


def test_every_difference_is_documented() -> None:
    doc = DOC.read_text()
    missing = [c.id for c in PEER_CASES if c.differ and f"`{c.source}`" not in doc]
    assert missing == []


def test_every_claimed_peer_id_has_a_case() -> None:
    """Each Checkov / Trivy / kube-linter ID our workload and secret rules claim is exercised
    by at least one case (IDs whose peer tests we restate elsewhere are listed)."""
    from hardhull.rules import all_rules

    claimed: set[tuple[str, str]] = set()
    for rule in all_rules().values():
        if _CODE.match(rule.code):
            claimed |= {("checkov", x) for x in rule.checkov}
            # trivy 0.59.1 reports some checks under their AVD ID (AVD-KSV-0108 is KSV108)
            claimed |= {("trivy", re.sub(r"^AVD-KSV-0*(\d{3})$", r"KSV\1", x)) for x in rule.trivy}
            claimed |= {("kube-linter", x) for x in rule.kube_linter}
    covered = {(c.peer, c.check) for c in PEER_CASES}
    # claimed IDs whose cases are the same facts as a covered sibling ID (documented there)
    siblings = {
        ("checkov", "CKV_K8S_8"), ("checkov", "CKV_K8S_9"), ("checkov", "CKV_K8S_11"),
        ("checkov", "CKV_K8S_12"), ("checkov", "CKV_K8S_17"), ("checkov", "CKV_K8S_18"),
        ("checkov", "CKV_K8S_19"), ("checkov", "CKV_K8S_22"), ("checkov", "CKV_K8S_25"),
        ("trivy", "KSV001"), ("trivy", "KSV002"), ("trivy", "KSV003"), ("trivy", "KSV005"),
        ("trivy", "KSV008"), ("trivy", "KSV009"), ("trivy", "KSV010"), ("trivy", "KSV011"),
        ("trivy", "KSV014"), ("trivy", "KSV015"), ("trivy", "KSV016"), ("trivy", "KSV018"),
        ("trivy", "KSV020"), ("trivy", "KSV022"), ("trivy", "KSV023"), ("trivy", "KSV025"),
        ("trivy", "KSV029"), ("trivy", "KSV103"), ("trivy", "KSV110"),
        ("kube-linter", "privileged-container"), ("kube-linter", "no-read-only-root-fs"),
        ("kube-linter", "host-ipc"), ("kube-linter", "host-port"),
        ("kube-linter", "unset-cpu-requirements"), ("kube-linter", "unset-memory-requirements"),
        ("kube-linter", "no-liveness-probe"), ("kube-linter", "no-readiness-probe"),
    }  # fmt: skip
    assert claimed - covered - siblings == set()


# --------------------------------------------------------------------------- traps

HARDENED_POD_SC = """\
runAsNonRoot: true
runAsUser: 10001
seccompProfile: {type: RuntimeDefault}"""
HARDENED_CTR_SC = """\
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities: {drop: [ALL]}"""
IMAGE = f"registry.example.com/app:1.4.2@{DIGEST}"


def hardened(
    spec: str = "",
    ctr: str = "",
    ctr_sc: str = HARDENED_CTR_SC,
    pod_sc: str = HARDENED_POD_SC,
    image: str = IMAGE,
    meta: str = "",
) -> str:
    """A Pod that passes every workload rule, changed by the given fragments.

    Lines: 1 apiVersion … 6 spec:, 7 automount, 8 securityContext (9–11 the pod's), then the
    spec fragment, then ``containers:`` and the container (name, image, securityContext …).
    """

    def block(text: str, n: int) -> str:
        text = textwrap.dedent(text).strip("\n")
        return textwrap.indent(text, " " * n) + "\n" if text else ""

    out = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\n"
    out += block(meta, 2)
    out += "spec:\n  automountServiceAccountToken: false\n"
    out += "  securityContext:\n" + block(pod_sc, 4) if pod_sc else ""
    out += block(spec, 2)
    out += f"  containers:\n    - name: app\n      image: {image!r}\n"
    out += "      securityContext:\n" + block(ctr_sc, 8) if ctr_sc else ""
    out += "      resources: {limits: {cpu: 500m, memory: 128Mi}}\n"
    out += "      livenessProbe: {httpGet: {path: /h, port: 8080}}\n"
    out += "      readinessProbe: {httpGet: {path: /r, port: 8080}}\n"
    out += block(ctr, 6)
    return out


Row = tuple[str, str, str, int]  # code, pointer, severity, line

SECCOMP_ON_DEPLOYMENT = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  namespace: shop
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: runtime/default
spec:
  replicas: 0
  template:
    spec:
      automountServiceAccountToken: false
      securityContext: {{runAsNonRoot: true, runAsUser: 10001}}
      containers:
        - name: app
          image: {IMAGE!r}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {{drop: [ALL]}}
          resources: {{limits: {{cpu: 500m, memory: 128Mi}}}}
          livenessProbe: {{httpGet: {{path: /h, port: 8080}}}}
          readinessProbe: {{httpGet: {{path: /r, port: 8080}}}}
"""

TRAPS: list[tuple[str, str, list[Row]]] = [
    ("hardened base is clean", hardened(), []),
    # YAML 1.1 booleans are what kubectl sends: yes/True/on are true
    (
        "privileged: yes (YAML 1.1 true)",
        hardened(ctr_sc=HARDENED_CTR_SC + "\nprivileged: yes"),
        [("K001", f"{C0}/securityContext/privileged", "critical", 19)],
    ),
    (
        "privileged: True",
        hardened(ctr_sc=HARDENED_CTR_SC + "\nprivileged: True"),
        [("K001", f"{C0}/securityContext/privileged", "critical", 19)],
    ),
    (
        'privileged: "true" (a string: the API server rejects the pod)',
        hardened(ctr_sc=HARDENED_CTR_SC + '\nprivileged: "true"'),
        [],
    ),
    (
        "hostNetwork: on",
        hardened(spec="hostNetwork: on"),
        [("K014", "/spec/hostNetwork", "high", 12)],
    ),
    (
        "allowPrivilegeEscalation: no (YAML 1.1 false)",
        hardened(
            ctr_sc="allowPrivilegeEscalation: no\nreadOnlyRootFilesystem: yes\n"
            "capabilities: {drop: [ALL]}"
        ),
        [],
    ),
    (
        "capabilities in lower case and with CAP_",
        hardened(
            ctr_sc="allowPrivilegeEscalation: false\nreadOnlyRootFilesystem: true\n"
            "capabilities: {drop: [all], add: [cap_sys_admin, net_bind_service, Cap_Chown]}"
        ),
        [
            ("K008", f"{C0}/securityContext/capabilities/add/0", "critical", 18),
            ("K009", f"{C0}/securityContext/capabilities/add/2", "low", 18),
        ],
    ),
    (
        "drop CAP_ALL is no drop ALL (runtimes add the prefix themselves)",
        hardened(
            ctr_sc="allowPrivilegeEscalation: false\nreadOnlyRootFilesystem: true\n"
            "capabilities: {drop: [CAP_ALL]}"
        ),
        [("K007", f"{C0}/securityContext/capabilities/drop", "medium", 18)],
    ),
    (
        "containerd socket under /run/containerd",
        hardened(
            spec="volumes: [{name: s, hostPath: "
            "{path: /run/containerd/containerd.sock, type: Socket}}]"
        ),
        [("K019", "/spec/volumes/0/hostPath/path", "critical", 12)],
    ),
    (
        "CRI-O socket under /var/run/crio",
        hardened(spec="volumes: [{name: s, hostPath: {path: /var/run/crio/crio.sock}}]"),
        [("K019", "/spec/volumes/0/hostPath/path", "critical", 12)],
    ),
    (
        "k3s containerd socket",
        hardened(
            spec="volumes: [{name: s, hostPath: {path: /run/k3s/containerd/containerd.sock}}]"
        ),
        [("K019", "/spec/volumes/0/hostPath/path", "critical", 12)],
    ),
    (
        "a host socket at an unusual path is at least high",
        hardened(spec="volumes: [{name: s, hostPath: {path: /srv/agent/api.sock, type: Socket}}]"),
        [("K018", "/spec/volumes/0/hostPath/path", "high", 12)],
    ),
    (
        "a host character device is at least high",
        hardened(spec="volumes: [{name: d, hostPath: {path: /opt/fuse0, type: CharDevice}}]"),
        [("K018", "/spec/volumes/0/hostPath/path", "high", 12)],
    ),
    (
        "the syslog socket stays benign",
        hardened(spec="volumes: [{name: l, hostPath: {path: /dev/log, type: Socket}}]"),
        [("K018", "/spec/volumes/0/hostPath/path", "medium", 12)],
    ),
    (
        "hostPort: 0 means no host port",
        hardened(ctr="ports: [{containerPort: 80, hostPort: 0}]"),
        [],
    ),
    (
        'hostPort: "8080" (a string: rejected)',
        hardened(ctr='ports: [{containerPort: 80, hostPort: "8080"}]'),
        [],
    ),
    ("procMount: Default", hardened(ctr_sc=HARDENED_CTR_SC + "\nprocMount: Default"), []),
    (
        "safe sysctl and namespaced unsafe sysctl",
        hardened(
            pod_sc=HARDENED_POD_SC + "\nsysctls:\n"
            "  - {name: net.ipv4.ip_local_port_range, value: '1024 65000'}\n"
            "  - {name: net.core.somaxconn, value: '1024'}\n"
            "  - {name: vm.max_map_count, value: '262144'}"
        ),
        [
            ("K022", "/spec/securityContext/sysctls/1/name", "medium", 14),
            ("K022", "/spec/securityContext/sysctls/2/name", "high", 15),
        ],
    ),
    (
        "registry with a port and no tag",
        hardened(image="registry:5000/app"),
        [("K027", f"{C0}/image", "medium", 14)],
    ),
    (
        "registry with a port and a tag",
        hardened(image="registry:5000/app:1.2"),
        [("K028", f"{C0}/image", "low", 14)],
    ),
    ("digest without a tag", hardened(image=f"app@{DIGEST}"), []),
    ("latest pinned by digest", hardened(image=f"app:latest@{DIGEST}"), []),
    (
        "latest is reported once (K027, not K028 too)",
        hardened(image="app:latest"),
        [("K027", f"{C0}/image", "medium", 14)],
    ),
    (
        "imagePullPolicy unset with latest (defaults to Always)",
        hardened(image="app:latest"),
        [("K027", f"{C0}/image", "medium", 14)],
    ),
    (
        "imagePullPolicy IfNotPresent with a digest",
        hardened(ctr="imagePullPolicy: IfNotPresent"),
        [],
    ),
    (
        "emptyDir medium Memory",
        hardened(spec="volumes: [{name: t, emptyDir: {medium: Memory}}]"),
        [],
    ),
    (
        "a volume with only a name (defaulted to emptyDir)",
        hardened(spec="volumes: [{name: t}]"),
        [],
    ),
    (
        "Windows pod: Linux-only fields do not apply",
        hardened(
            spec="os: {name: windows}",
            ctr_sc="",
            pod_sc="windowsOptions: {runAsUserName: ContainerUser}",
        ),
        [],
    ),
    (
        "pod securityContext: null",
        hardened(pod_sc="").replace(
            "automountServiceAccountToken: false\n",
            "automountServiceAccountToken: false\n  securityContext: null\n",
        ),
        [
            ("K003", f"{C0}/securityContext", "medium", 12),
            ("K010", f"{C0}/securityContext", "medium", 12),
        ],
    ),
    (
        "runAsUser above 0 with runAsNonRoot: false runs as that uid",
        hardened(
            pod_sc="runAsNonRoot: false\nrunAsUser: 10001\nseccompProfile: {type: RuntimeDefault}"
        ),
        [],
    ),
    (
        "runAsNonRoot: true with runAsUser: 0 (the kubelet refuses to start it)",
        hardened(pod_sc="runAsNonRoot: true\nrunAsUser: 0\nseccompProfile: {type: RuntimeDefault}"),
        [("K004", "/spec/securityContext/runAsUser", "high", 10)],
    ),
    # the annotation of the Deployment itself applies to no pod; replicas: 0 still deploys
    # the template when scaled
    (
        "seccomp annotation on the Deployment, not on its pod template",
        SECCOMP_ON_DEPLOYMENT,
        [("K010", "/spec/template/spec/containers/0/securityContext", "medium", 17)],
    ),
    # privileged always allows escalation (the API server rejects it together with
    # allowPrivilegeEscalation: false), so K002 stands beside K001, without a fix
    (
        "privileged init container and ephemeral container",
        hardened(
            spec=f"""
         initContainers:
           - name: init
             image: {IMAGE!r}
             securityContext: {{privileged: true, readOnlyRootFilesystem: true,
                                capabilities: {{drop: [ALL]}}}}
             resources: {{limits: {{cpu: 100m, memory: 64Mi}}}}
         ephemeralContainers:
           - name: dbg
             image: {IMAGE!r}
             securityContext: {{privileged: true, readOnlyRootFilesystem: true,
                                capabilities: {{drop: [ALL]}}}}
         """
        ),
        [
            ("K001", "/spec/initContainers/0/securityContext/privileged", "critical", 15),
            ("K001", "/spec/ephemeralContainers/0/securityContext/privileged", "critical", 21),
            ("K002", "/spec/ephemeralContainers/0/securityContext", "medium", 21),
            ("K002", "/spec/initContainers/0/securityContext", "medium", 15),
        ],
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), TRAPS, ids=[t[0] for t in TRAPS])
def test_trap(name: str, text: str, expected: list[Row], tmp_path: Path) -> None:
    assert _scan(tmp_path, text) == sorted(expected)


def test_list_items_are_judged_like_objects(tmp_path: Path) -> None:
    item = textwrap.indent(hardened(ctr_sc=HARDENED_CTR_SC + "\nprivileged: yes"), "    ")
    text = "apiVersion: v1\nkind: List\nitems:\n  -" + item[3:]
    assert _scan(tmp_path, text) == [
        ("K001", "/spec/containers/0/securityContext/privileged", "critical", 22)
    ]


# --------------------------------------------------------------------------- shapes


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\n"
            "spec: {schedule: '@daily'}\n",
            "CronJob has no spec.jobTemplate: no workload check ran",
        ),
        (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
            "spec:\n  template:\n    metadata: {labels: {a: b}}\n",
            "Deployment has no spec.template.spec: no workload check ran",
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  - containers: []\n",
            "Pod spec is a list, not a mapping: no workload check ran",
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: null\n",
            "Pod has no spec: no workload check ran",
        ),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n", None),
        ("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n", None),
        ("apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata: {name: j}\n", None),
    ],
)
def test_pod_spec_problem(text: str, reason: str | None, tmp_path: Path) -> None:
    (obj,) = parse_text("w.yaml", text).objects
    assert pod_spec_problem(obj.data) == reason
    if reason is not None:
        assert _scan(tmp_path, text) == []  # nothing to judge, nothing reported


# --------------------------------------------------------------------------- K030 and SAs

SA_OFF = """\
apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: shop}
automountServiceAccountToken: false
"""


def _objects(text: str) -> list[dict[str, object]]:
    return [o.data for o in parse_text("w.yaml", text).objects]


def test_service_account_without_token_covers_its_pods() -> None:
    default_off = SA_OFF.replace("name: app", "name: default")
    pods = [
        pod("serviceAccountName: app\ncontainers: [{name: c, image: i}]").replace("ns", "shop"),
        pod("containers: [{name: c, image: i}]").replace("ns", "shop"),
        pod(
            "serviceAccountName: app\nautomountServiceAccountToken: true\n"
            "containers: [{name: c, image: i}]"
        ).replace("ns", "shop"),
        pod("serviceAccountName: app\ncontainers: [{name: c, image: i}]").replace("ns", "other"),
    ]
    objs = _objects("---\n".join([SA_OFF, default_off, *pods]))
    sas = service_accounts_without_token(objs)
    assert sas == {("shop", "app"), ("shop", "default")}
    assert [token_decided_by_service_account(o, sas) for o in objs[2:]] == [
        True,  # its ServiceAccount turns the mount off
        True,  # no serviceAccountName: the namespace's default ServiceAccount, also off
        False,  # the pod's own true overrides the ServiceAccount
        False,  # another namespace's ServiceAccount of the same name
    ]
    assert service_accounts_without_token(_objects(SA_OFF.replace("false", "true"))) == set()
