"""Flags of several control-plane components (A009, A010, A015): the profiling endpoint, the
address the controller manager and the scheduler listen on, weak TLS versions and cipher
suites."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.context import ObjectContext
from hardhull.model import Severity, Violation
from hardhull.models.control_plane import INSECURE_CIPHERS, OLD_TLS
from hardhull.registry import Target, check
from hardhull.rules.cluster import APISERVER_DOC, GO_TLS_DOC, KCM_DOC, SCHED_DOC, cluster_rule
from hardhull.rules.cluster.flags import LOOPBACK, BooleanFlag, component_flags, flag_rule

#: the components with the Kubernetes flag set (``--profiling``, ``--tls-*``): not etcd
KUBE_COMPONENTS = ("kube-apiserver", "kube-controller-manager", "kube-scheduler")

PROFILING = cluster_rule(
    "A009",
    "control-plane-profiling",
    "Control-plane profiling endpoint enabled",
    Severity.LOW,
    what="kube-apiserver, kube-controller-manager or kube-scheduler runs without "
    "`--profiling=false` (the default is true).",
    why="`/debug/pprof` exposes detailed runtime data (goroutines, heap, command line) and lets "
    "a caller trigger expensive CPU profiles: an information leak and a denial-of-service "
    "lever for anyone granted the `/debug/*` non-resource URL.",
    fix="Set `--profiling=false` on each component.",
    example="""
    - --profiling=false
""",
    cis="1.2.15, 1.3.2, 1.4.1",
    refs=(APISERVER_DOC, KCM_DOC, SCHED_DOC),
)

# A009
flag_rule(PROFILING, KUBE_COMPONENTS, BooleanFlag("profiling", want=False, unset=True))


BIND_ADDRESS = cluster_rule(
    "A010",
    "control-plane-bind-address",
    "Controller manager or scheduler listens on all interfaces",
    Severity.LOW,
    what="kube-controller-manager or kube-scheduler does not set `--bind-address=127.0.0.1` "
    "(the default, 0.0.0.0, listens on every interface).",
    why="Their secure ports (10257, 10259) serve health, metrics and debug endpoints. Neither "
    "component needs to be reached from the network; listening everywhere only widens what "
    "an attacker on the node network can probe.",
    fix="Set `--bind-address=127.0.0.1` (kubeadm does) and scrape metrics through a local proxy.",
    example="""
    - --bind-address=127.0.0.1
""",
    cis="1.3.7, 1.4.2",
    refs=(KCM_DOC, SCHED_DOC),
)


# A010
@check(BIND_ADDRESS, on=Target.OBJECT, context=True)
def control_plane_bind_address(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in component_flags(ctx, "kube-controller-manager", "kube-scheduler"):
        value, ptr = f.scalar("bind-address")
        if value is not None and value.strip() in LOOPBACK:
            continue
        if not value:
            msg = "sets no --bind-address: it listens on all interfaces (default 0.0.0.0)"
        else:
            msg = f"binds to {value.strip()}, not 127.0.0.1"
        yield Violation("A010", ptr or f.anchor, f"{f.label()} {msg}")


WEAK_TLS = cluster_rule(
    "A015",
    "control-plane-weak-tls",
    "Control-plane component allows weak TLS",
    Severity.LOW,
    what="kube-apiserver, kube-controller-manager or kube-scheduler (`--tls-min-version`, "
    "`--tls-cipher-suites`) or etcd (`--cipher-suites`) allows TLS 1.0/1.1 or a cipher suite "
    "Go classifies as insecure (RC4, 3DES, CBC with SHA-256). A047 checks the kubelet.",
    why="These protocol versions and suites have practical attacks (BEAST, Sweet32, Lucky13) and "
    "let a network attacker downgrade connections to the API server or kubelet.",
    fix="Set the minimum version to TLS 1.2 (or 1.3) and list only AEAD suites (AES-GCM, "
    "ChaCha20-Poly1305), or leave the suites unset to use Go's secure defaults.",
    example="""
  - --tls-min-version=VersionTLS12
  # and either no --tls-cipher-suites (Go's defaults) or only AEAD suites:
  - --tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
""",
    cis="1.2.29",
    refs=(APISERVER_DOC, GO_TLS_DOC),
)


# A015
@check(WEAK_TLS, on=Target.OBJECT, context=True)
def control_plane_weak_tls(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    for f in component_flags(ctx, *KUBE_COMPONENTS):
        version, ptr = f.scalar("tls-min-version")
        if version is not None and version.strip() in OLD_TLS:
            yield Violation("A015", ptr, f"{f.label()} accepts {version.strip()}")
        weak: dict[str, list[str]] = {}
        for suite, flag in f.values("tls-cipher-suites"):
            if suite in INSECURE_CIPHERS:
                weak.setdefault(flag.pointer, []).append(suite)
        for p, suites in weak.items():
            yield Violation(
                "A015", p, f"{f.label()} allows insecure cipher suites: " + ", ".join(suites)
            )
    for f in component_flags(ctx, "etcd"):
        text, where = f.scalar("cipher-suites", "ETCD_CIPHER_SUITES")
        if text:
            bad = [s.strip() for s in text.split(",") if s.strip() in INSECURE_CIPHERS]
            if bad:
                yield Violation(
                    "A015",
                    where,
                    f"{f.label()} allows insecure cipher suites: " + ", ".join(bad),
                )
