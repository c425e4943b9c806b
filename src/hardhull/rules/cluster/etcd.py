"""etcd flags and ``ETCD_*`` variables (A030–A033): client and peer certificate
authentication, self-signed certificates, TLS at all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hardhull.context import ObjectContext
from hardhull.model import Severity, Violation
from hardhull.registry import Target, check
from hardhull.rules.cluster import ETCD_DOC, ETCD_K8S_DOC, cluster_rule
from hardhull.rules.cluster.flags import ETCD, BooleanFlag, component_flags, flag_list, flag_rule

ETCD_CLIENT_AUTH = cluster_rule(
    "A030",
    "etcd-client-cert-auth",
    "etcd does not require client certificates",
    Severity.HIGH,
    what="etcd runs without `--client-cert-auth=true` (or `ETCD_CLIENT_CERT_AUTH=true`); the "
    "default is false.",
    why="Any client that reaches etcd's client port can then read and write every key: all "
    "Secrets, all RBAC, everything the API server stores, without going through "
    "authentication, authorization, admission or audit.",
    fix="Set `--client-cert-auth=true` with `--trusted-ca-file` pointing to etcd's own CA.",
    example="""
    - --client-cert-auth=true
    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
""",
    cis="2.2",
    refs=(ETCD_DOC, ETCD_K8S_DOC),
)

# A030
flag_rule(
    ETCD_CLIENT_AUTH,
    ETCD,
    BooleanFlag(
        "client-cert-auth",
        want=True,
        unset=True,
        env="ETCD_CLIENT_CERT_AUTH",
        wrong="sets client-cert-auth to false",
        harm="any client can read and write the whole cluster state",
    ),
)


ETCD_AUTO_TLS = cluster_rule(
    "A031",
    "etcd-auto-tls",
    "etcd uses self-signed certificates",
    Severity.MEDIUM,
    what="etcd sets `--auto-tls=true` or `--peer-auto-tls=true` (or the `ETCD_AUTO_TLS` / "
    "`ETCD_PEER_AUTO_TLS` variables).",
    why="Auto TLS generates self-signed certificates that clients and peers cannot verify: the "
    "connection is encrypted but not authenticated, so a man in the middle can read the "
    "whole cluster state.",
    fix="Remove the flags and give etcd certificates signed by its own CA.",
    example="""
    - --cert-file=/etc/kubernetes/pki/etcd/server.crt
    - --key-file=/etc/kubernetes/pki/etcd/server.key
    - --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt
    - --peer-key-file=/etc/kubernetes/pki/etcd/peer.key
""",
    cis="2.3, 2.6",
    refs=(ETCD_DOC,),
)

# A031
flag_rule(
    ETCD_AUTO_TLS,
    ETCD,
    BooleanFlag(
        "auto-tls",
        want=False,
        unset=False,
        env="ETCD_AUTO_TLS",
        wrong="enables auto-tls",
        harm="self-signed, unverifiable certificates",
    ),
    BooleanFlag(
        "peer-auto-tls",
        want=False,
        unset=False,
        env="ETCD_PEER_AUTO_TLS",
        wrong="enables peer-auto-tls",
        harm="self-signed, unverifiable certificates",
    ),
)


ETCD_PEER_AUTH = cluster_rule(
    "A032",
    "etcd-peer-client-cert-auth",
    "etcd does not authenticate its peers",
    Severity.MEDIUM,
    what="etcd runs without `--peer-client-cert-auth=true` (or `ETCD_PEER_CLIENT_CERT_AUTH`); the "
    "default is false.",
    why="Anyone who reaches the peer port (2380) can then join or talk to the cluster as a member "
    "and replicate its data.",
    fix="Set `--peer-client-cert-auth=true` with `--peer-trusted-ca-file`.",
    example="""
    - --peer-client-cert-auth=true
    - --peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
""",
    cis="2.5",
    refs=(ETCD_DOC,),
)

# A032
flag_rule(
    ETCD_PEER_AUTH,
    ETCD,
    BooleanFlag(
        "peer-client-cert-auth",
        want=True,
        unset=True,
        env="ETCD_PEER_CLIENT_CERT_AUTH",
        wrong="sets peer-client-cert-auth to false",
    ),
)


ETCD_TLS = cluster_rule(
    "A033",
    "etcd-without-tls",
    "etcd serves without TLS certificates",
    Severity.HIGH,
    what="etcd has no `--cert-file`/`--key-file` (client TLS) or no "
    "`--peer-cert-file`/`--peer-key-file` (peer TLS), also looking at the `ETCD_*` "
    "variables, and does not use auto TLS for it either (A031 reports that).",
    why="Without TLS the cluster's whole state, Secrets included, crosses the network in clear "
    "text and client certificate authentication is impossible.",
    fix="Give etcd server and peer certificates signed by its own CA.",
    example="""
    - --cert-file=/etc/kubernetes/pki/etcd/server.crt
    - --key-file=/etc/kubernetes/pki/etcd/server.key
    - --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt
    - --peer-key-file=/etc/kubernetes/pki/etcd/peer.key
""",
    cis="2.1, 2.4",
    refs=(ETCD_DOC,),
)


# A033
@check(ETCD_TLS, on=Target.OBJECT, context=True)
def etcd_without_tls(obj: dict[str, Any], ctx: ObjectContext) -> Iterator[Violation]:
    pairs = (
        ("auto-tls", "ETCD_AUTO_TLS", ("cert-file", "key-file")),
        ("peer-auto-tls", "ETCD_PEER_AUTO_TLS", ("peer-cert-file", "peer-key-file")),
    )
    for f in component_flags(ctx, "etcd"):
        missing: list[str] = []
        for auto, auto_env, names in pairs:
            if f.boolean(auto, auto_env)[0] is True:
                continue
            for n in names:
                if not f.scalar(n, "ETCD_" + n.upper().replace("-", "_"))[0]:
                    missing.append(n)
        if missing:
            yield Violation("A033", f.anchor, f"{f.label()} sets no {flag_list(missing)}")
