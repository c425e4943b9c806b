"""Cluster configuration checks (codes A001–A099): shared helpers and the Namespace rules.

The control plane is configured by files that are Kubernetes-style YAML: the static pod
manifests kubeadm writes (``kube-apiserver``, ``kube-controller-manager``, ``kube-scheduler``,
``etcd``), ``EncryptionConfiguration``, the audit ``Policy`` and ``KubeletConfiguration``.
They reach the checks through the Kubernetes front end like any manifest. The rules live in
``cluster_controlplane``, ``cluster_kubelet``, ``cluster_encryption`` and ``cluster_audit``;
this module holds what they share (rule helper, command-line flag parsing) and the rules on
Namespace objects (Pod Security Admission labels).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hardhull.formats.yamlpos import escape
from hardhull.model import Severity, Violation
from hardhull.models.workload import (
    Container,
    Workload,
    api_group,
    as_dict,
    as_list,
    object_namespace,
)
from hardhull.registry import Target, check
from hardhull.rulekit import RuleFamily
from hardhull.rules.kubernetes.pod_security import ENFORCE

CIS = "CIS Kubernetes Benchmark v1.9 "
NSA = "NSA/CISA Kubernetes Hardening Guide v1.2, "
APISERVER_DOC = "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"
KCM_DOC = (
    "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/"
)
SCHED_DOC = "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-scheduler/"
ETCD_DOC = "https://etcd.io/docs/v3.5/op-guide/security/"
KUBELET_DOC = "https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"
PSA_DOC = "https://kubernetes.io/docs/concepts/security/pod-security-admission/"


cluster_rule = RuleFamily("control-plane", refs=(APISERVER_DOC,), cis_prefix=CIS, nsa_prefix=NSA)


def is_kind(obj: dict[str, Any], kind: str, group: str) -> bool:
    """``obj`` is ``kind`` of API group ``group`` (any version)."""
    av = obj.get("apiVersion")
    return obj.get("kind") == kind and isinstance(av, str) and "/" in av and api_group(av) == group


def parse_bool(text: str | None) -> bool | None:
    """Go's ``strconv.ParseBool`` (flags and env vars); a bare ``--flag`` is true."""
    if text is None:
        return True
    t = text.strip()
    if t in ("1", "t", "T", "true", "TRUE", "True"):
        return True
    if t in ("0", "f", "F", "false", "FALSE", "False"):
        return False
    return None


# --------------------------------------------------------------------------- flags

#: boolean flags: a bare ``--flag`` never takes the next item as its value (pflag semantics)
BOOL_FLAGS = frozenset(
    {"anonymous-auth", "profiling", "service-account-lookup", "client-cert-auth", "auto-tls",
     "peer-client-cert-auth", "peer-auto-tls", "use-service-account-credentials",
     "allow-privileged", "enable-bootstrap-token-auth", "kubelet-https", "contention-profiling",
     "enable-aggregator-routing", "enable-garbage-collector", "leader-elect", "enable-v2",
     "strict-reconfig-check", "enable-pprof", "enable-priority-and-fairness", "logtostderr",
     "alsologtostderr", "debug", "experimental-initial-corrupt-check", "force-new-cluster"}
)  # fmt: skip


@dataclass(frozen=True)
class Flag:
    name: str
    value: str | None  # None: a bare ``--flag``
    pointer: str  # the list item holding the flag (its line)
    #: a bare boolean flag followed by a separate item (``--anonymous-auth``, ``"false"``):
    #: that item is a stray argument, not the flag's value (pflag), and the flag is true
    stray: str = ""


@dataclass
class Flags:
    """The command-line flags of one control-plane container, in order, with pointers."""

    component: str
    container: Container
    items: list[Flag] = field(default_factory=list)
    #: where a missing flag is reported: the container's ``command`` (or ``args``)
    anchor: str = ""
    env: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (value, pointer)

    def last(self, name: str) -> Flag | None:
        """The flag that takes effect (scalar flags: the last occurrence wins)."""
        for f in reversed(self.items):
            if f.name == name:
                return f
        return None

    def has(self, name: str) -> bool:
        return self.last(name) is not None

    def values(self, name: str) -> list[tuple[str, Flag]]:
        """Every value of a list flag: occurrences accumulate, commas separate."""
        out: list[tuple[str, Flag]] = []
        for f in self.items:
            if f.name == name and f.value is not None:
                out.extend((v.strip(), f) for v in f.value.split(",") if v.strip())
        return out

    def gates(self) -> dict[str, tuple[bool | None, Flag]]:
        """``--feature-gates`` merged over every occurrence (later keys win)."""
        out: dict[str, tuple[bool | None, Flag]] = {}
        for v, f in self.values("feature-gates"):
            k, _, b = v.partition("=")
            out[k.strip()] = (parse_bool(b), f)
        return out

    def boolean(self, name: str, env: str = "") -> tuple[bool | None, str]:
        """Effective value of a boolean flag (None: unset) and where it is set ("" unset).

        etcd also reads ``ETCD_*`` environment variables; a command-line flag wins over them.
        """
        f = self.last(name)
        if f is not None:
            return parse_bool(f.value), f.pointer
        if env and env in self.env:
            value, ptr = self.env[env]
            return parse_bool(value), ptr
        return None, ""

    def scalar(self, name: str, env: str = "") -> tuple[str | None, str]:
        f = self.last(name)
        if f is not None:
            return (f.value if f.value is not None else ""), f.pointer
        if env and env in self.env:
            return self.env[env]
        return None, ""

    def label(self) -> str:
        return f"{self.component} ({self.container.label})"


COMPONENTS = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd")
_HYPERKUBE = {
    "apiserver": "kube-apiserver",
    "kube-apiserver": "kube-apiserver",
    "controller-manager": "kube-controller-manager",
    "kube-controller-manager": "kube-controller-manager",
    "scheduler": "kube-scheduler",
    "kube-scheduler": "kube-scheduler",
}


def _image_component(image: Any) -> str:
    if not isinstance(image, str):
        return ""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1].split(":", 1)[0]
    for comp in COMPONENTS:
        if last in (comp, f"{comp}-amd64", f"{comp}-arm64"):
            return comp
    return ""


def _etcd_is_control_plane(w: Workload, obj: dict[str, Any], tokens: list[str]) -> bool:
    """An ``etcd`` container is the cluster's etcd (not an application's own etcd)."""
    labels = as_dict(w.meta.get("labels"))
    if labels.get("component") == "etcd" or labels.get("tier") == "control-plane":
        return True
    if object_namespace(obj) == "kube-system":
        return True
    return any("/etc/kubernetes/pki" in t for t in tokens)


def control_plane_flags(obj: dict[str, Any]) -> list[Flags]:
    return list(_control_plane_flags(obj))


def _control_plane_flags(obj: dict[str, Any]) -> Iterator[Flags]:
    """The flags of every control-plane container of a pod-bearing object.

    A container is a control-plane component when its command is the component's binary
    (``kube-apiserver``, ``/usr/local/bin/kube-apiserver``, ``hyperkube apiserver``) or, with
    no command, when its image is the component's image and its ``args`` hold the flags.
    """
    w = Workload.of(obj)
    if w is None:
        return
    for c in w.containers:
        if c.kind == "ephemeralContainers":
            continue
        command = as_list(c.data.get("command"))
        args = as_list(c.data.get("args"))
        tokens: list[tuple[str, str]] = [
            (f"{c.pointer}/command/{i}", t) for i, t in enumerate(command) if isinstance(t, str)
        ]
        tokens += [(f"{c.pointer}/args/{i}", t) for i, t in enumerate(args) if isinstance(t, str)]
        component = ""
        start = 0
        script = _shell_script(command, c.pointer)
        if script is not None:
            tokens = script  # ``sh -c "exec etcd --flag …"``: the words of the script
            command = [t for _, t in script]
        if command and isinstance(command[0], str):
            binary = posixpath.basename(command[0].strip())
            if binary in COMPONENTS:
                component, start = binary, 1
            elif binary == "hyperkube" and len(tokens) > 1:
                component, start = _HYPERKUBE.get(tokens[1][1].strip(), ""), 2
        elif not command:
            component = _image_component(c.data.get("image"))
        if not component:
            continue
        if component == "etcd" and not _etcd_is_control_plane(w, obj, [t for _, t in tokens]):
            continue
        anchor = f"{c.pointer}/command" if command else f"{c.pointer}/args"
        if not command and not args:
            anchor = c.pointer
        flags = Flags(component, c, anchor=anchor)
        flags.items = _parse(tokens[start:], component == "etcd")
        for i, e in enumerate(as_list(c.data.get("env"))):
            if isinstance(e, dict) and isinstance(e.get("name"), str):
                value = e.get("value")
                if isinstance(value, str):
                    flags.env[e["name"]] = (value, f"{c.pointer}/env/{i}/value")
        yield flags


_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "busybox"})
_SHELL_OPS = frozenset({"&&", "||", ";", "|", "&", "(", ")", ";;"})


def _shell_script(command: list[Any], pointer: str) -> list[tuple[str, str]] | None:
    """The words of the component's command line when a shell starts it (``sh -c "…"``).

    The script is split like a POSIX shell (quotes, ``&&``/``;``); the first simple command
    whose program is a control-plane binary is taken, after ``exec``, ``env`` and ``VAR=value``
    prefixes. Every word points at the script's list item. None: not a shell, or no component
    in the script."""
    if len(command) < 2 or not all(isinstance(t, str) for t in command):
        return None
    words = [str(t) for t in command]
    start = 1
    if posixpath.basename(words[0].strip()) == "busybox":
        start = 2  # busybox sh -c
    if posixpath.basename(words[start - 1].strip()) not in _SHELLS:
        return None
    at = next(
        (
            i
            for i in range(start, len(words))
            if words[i].startswith("-") and not words[i].startswith("--") and "c" in words[i]
        ),
        -1,
    )  # -c, or combined options such as -ec / -xc
    if at < 0:
        return None
    if at + 1 >= len(words):
        return None
    import shlex

    lexer = shlex.shlex(words[at + 1], posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        parts = list(lexer)
    except ValueError:
        return None  # unbalanced quotes: the shell would fail too
    ptr = f"{pointer}/command/{at + 1}"
    segment: list[str] = []
    for part in [*parts, ";"]:
        if part not in _SHELL_OPS:
            segment.append(part)
            continue
        while segment and (segment[0] in ("exec", "env", "command") or "=" in segment[0]):
            segment.pop(0)
        if segment and posixpath.basename(segment[0]) in (*COMPONENTS, "hyperkube"):
            return [(ptr, w) for w in segment]
        segment = []
    return None


def _parse(tokens: list[tuple[str, str]], single_dash: bool) -> list[Flag]:
    out: list[Flag] = []
    i = 0
    while i < len(tokens):
        ptr, raw = tokens[i]
        tok = raw.strip()
        i += 1
        if tok.startswith("--") and len(tok) > 2:
            body = tok[2:]
        elif single_dash and tok.startswith("-") and len(tok) > 1 and not tok.startswith("--"):
            body = tok[1:]  # etcd parses flags with Go's flag package: -flag works too
        else:
            continue  # a positional argument
        name, eq, value = body.partition("=")
        if eq:
            out.append(Flag(name, value, ptr))
        elif name not in BOOL_FLAGS and i < len(tokens) and not tokens[i][1].startswith("-"):
            out.append(Flag(name, tokens[i][1].strip(), ptr))
            i += 1
        else:
            stray = ""
            if name in BOOL_FLAGS and i < len(tokens) and not tokens[i][1].startswith("-"):
                stray = tokens[i][1].strip()
            out.append(Flag(name, None, ptr, stray))
    return out


# --------------------------------------------------------------------------- namespaces

#: namespaces that Kubernetes itself creates and that run node-level system pods
SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease"})
_WARN = "pod-security.kubernetes.io/warn"
_AUDIT = "pod-security.kubernetes.io/audit"

NS_NO_PSA = cluster_rule(
    "A070",
    "namespace-without-pod-security",
    "Namespace does not enforce a Pod Security Standard",
    Severity.MEDIUM,
    "A Namespace has no `pod-security.kubernetes.io/enforce` label. The Kubernetes system "
    "namespaces (kube-system, kube-public, kube-node-lease) are not reported.",
    "Pod Security Admission then applies the cluster's default level, which is `privileged` "
    "unless the API server's AdmissionConfiguration says otherwise: any pod, including "
    "privileged pods with host mounts, is admitted into the namespace. `warn` and `audit` "
    "labels only report violations; they do not stop them.",
    "Label the namespace with the strictest level its workloads pass (`restricted`, else "
    "`baseline`) and pin the version you tested against. `hardhull pss DIR` tells which level "
    "the namespace's workloads pass.",
    """
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: v1.30
    pod-security.kubernetes.io/warn: restricted
""",
    category="cluster-config",
    cis="5.2.1",
    nsa="Pod security: Pod Security Admission",
    refs=(
        PSA_DOC,
        "https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/",
    ),
)

NS_PRIVILEGED = cluster_rule(
    "A071",
    "namespace-privileged-pod-security",
    "Namespace enforces the privileged Pod Security Standard",
    Severity.MEDIUM,
    "A Namespace other than the Kubernetes system namespaces sets "
    "`pod-security.kubernetes.io/enforce: privileged`.",
    "The privileged level allows everything: host namespaces, host paths, privileged "
    "containers. Any workload in the namespace (or anyone who can create pods there) can take "
    "over the node. The label is an explicit opt-out of Pod Security Admission.",
    "Use `baseline` or `restricted`. Keep `privileged` only for a dedicated namespace of "
    "node agents (CNI, CSI, log collectors) that need host access, restrict who can create "
    "pods there, and suppress this finding on that namespace with a reason.",
    """
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/warn: restricted
""",
    category="cluster-config",
    cis="5.2.1",
    nsa="Pod security: Pod Security Admission",
    refs=(PSA_DOC, "https://kubernetes.io/docs/concepts/security/pod-security-standards/"),
)


def _namespace(obj: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    if obj.get("kind") != "Namespace" or obj.get("apiVersion") != "v1":
        return None
    meta = as_dict(obj.get("metadata"))
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        return None
    return name, as_dict(meta.get("labels"))


@check(NS_NO_PSA, on=Target.OBJECT)
def namespace_without_pod_security(obj: dict[str, Any]) -> Iterator[Violation]:
    ns = _namespace(obj)
    if ns is None:
        return
    name, labels = ns
    if name in SYSTEM_NAMESPACES or ENFORCE in labels:
        return
    soft = [k.rsplit("/", 1)[-1] for k in (_WARN, _AUDIT) if k in labels]
    extra = f" ({' and '.join(soft)} only report violations)" if soft else ""
    where = "/metadata/labels" if "labels" in as_dict(obj.get("metadata")) else "/metadata"
    yield Violation(
        "A070",
        where,
        f"namespace {name!r} has no pod-security.kubernetes.io/enforce label: the cluster "
        f"default (privileged unless configured) admits any pod{extra}",
    )


@check(NS_PRIVILEGED, on=Target.OBJECT)
def namespace_privileged(obj: dict[str, Any]) -> Iterator[Violation]:
    ns = _namespace(obj)
    if ns is None:
        return
    name, labels = ns
    level = labels.get(ENFORCE)
    if name in SYSTEM_NAMESPACES or not isinstance(level, str):
        return
    if level != "privileged":  # PSA accepts only the exact lower-case level names
        return
    yield Violation(
        "A071",
        f"/metadata/labels/{escape(ENFORCE)}",
        f"namespace {name!r} enforces the privileged Pod Security Standard: any pod, "
        "including privileged pods with host access, is admitted",
    )
