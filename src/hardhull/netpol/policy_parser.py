"""Parsing and validating one ``networking.k8s.io/v1`` NetworkPolicy the way the API server
does (``apis/networking/validation`` and v1 defaulting): :class:`PolicyParser`."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from hardhull.formats.yamlpos import escape
from hardhull.netpol.model import (
    PROTOCOLS,
    Direction,
    IPBlock,
    IPNetwork,
    Policy,
    PolicyPeer,
    PolicyPort,
    PolicyRule,
    Problem,
    resource_of,
)
from hardhull.netpol.selectors import Selector, SelectorError, parse_selector

_IANA_SVC_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")

_SPEC_FIELDS = frozenset({"podSelector", "policyTypes", "ingress", "egress"})
_PEER_FIELDS = frozenset({"podSelector", "namespaceSelector", "ipBlock"})
_PORT_FIELDS = frozenset({"protocol", "port", "endPort"})
_IPBLOCK_FIELDS = frozenset({"cidr", "except"})


class PolicyParser:
    """Parse and validate one NetworkPolicy (apis/networking/validation, v1 defaulting)."""

    def __init__(self, obj: dict[str, Any], index: int, default_namespace: str) -> None:
        self.obj = obj
        self.index = index
        self.res = resource_of(obj, default_namespace)
        self.found: list[Problem] = []

    def problem(self, pointer: str, message: str) -> None:
        self.found.append(Problem(self.index, self.res, pointer, message))

    def unknown(self, value: dict[str, Any], allowed: frozenset[str], pointer: str) -> None:
        for k in value:
            if k not in allowed:
                self.problem(f"{pointer}/{escape(str(k))}", f"unknown field {k!r}")

    def selector(self, value: Any, pointer: str) -> Selector | None:
        try:
            return parse_selector(value, pointer, absent="everything")
        except SelectorError as exc:
            for p in exc.problems:
                self.problem(p.pointer, p.message)
            return None

    def parse(self, problems: list[Problem]) -> Policy | None:
        if not self.res.name:
            self.problem("/metadata/name", "metadata.name is required")
        spec = self.obj.get("spec")
        if spec is None:
            spec = {}  # an absent spec is the zero value: selects all pods, denies ingress
        if not isinstance(spec, dict):
            self.problem("/spec", "spec must be a mapping")
            spec = {}
        self.unknown(spec, _SPEC_FIELDS, "/spec")
        pod_selector = self.selector(spec.get("podSelector"), "/spec/podSelector")
        ingress = self.rules(spec.get("ingress"), "ingress")
        egress = self.rules(spec.get("egress"), "egress")
        types, defaulted = self.policy_types(spec.get("policyTypes"), bool(egress))
        problems.extend(self.found)
        if self.found or pod_selector is None:
            return None
        return Policy(
            self.res.namespace,
            self.res.name,
            pod_selector,
            types,
            tuple(ingress),
            tuple(egress),
            self.index,
            defaulted,
        )

    def policy_types(self, raw: Any, has_egress: bool) -> tuple[frozenset[str], bool]:
        ptr = "/spec/policyTypes"
        if raw is None or raw == []:
            # SetDefaults_NetworkPolicy: Ingress always, Egress when there are egress rules
            return frozenset({"Ingress", "Egress"} if has_egress else {"Ingress"}), True
        if not isinstance(raw, list):
            self.problem(ptr, "policyTypes must be a list")
            return frozenset(), False
        seen: set[str] = set()
        for i, t in enumerate(raw):
            if t not in ("Ingress", "Egress"):
                self.problem(f"{ptr}/{i}", f"{t!r} is not a policy type (Ingress or Egress)")
            elif t in seen:
                self.problem(f"{ptr}/{i}", f"duplicate policy type {t!r}")
            else:
                seen.add(t)
        return frozenset(seen), False

    def rules(self, raw: Any, direction: Direction) -> list[PolicyRule]:
        ptr = f"/spec/{direction}"
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problem(ptr, f"{direction} must be a list of rules")
            return []
        peers_field = "from" if direction == "ingress" else "to"
        out: list[PolicyRule] = []
        for i, rule in enumerate(raw):
            rptr = f"{ptr}/{i}"
            if rule is None:
                rule = {}  # a null element decodes to the zero rule: all peers, all ports
            if not isinstance(rule, dict):
                self.problem(rptr, "a rule must be a mapping")
                continue
            self.unknown(rule, frozenset({peers_field, "ports"}), rptr)
            peers = self.peers(rule.get(peers_field), f"{rptr}/{peers_field}")
            ports = self.ports(rule.get("ports"), f"{rptr}/ports")
            out.append(PolicyRule(direction, peers, ports, rptr))
        return out

    def peers(self, raw: Any, ptr: str) -> tuple[PolicyPeer, ...] | None:
        if raw is None or raw == []:
            return None
        if not isinstance(raw, list):
            self.problem(ptr, "must be a list of peers")
            return None
        out: list[PolicyPeer] = []
        for i, peer in enumerate(raw):
            pptr = f"{ptr}/{i}"
            if peer is None:
                peer = {}
            if not isinstance(peer, dict):
                self.problem(pptr, "a peer must be a mapping")
                continue
            self.unknown(peer, _PEER_FIELDS, pptr)
            pod_raw = peer.get("podSelector")
            ns_raw = peer.get("namespaceSelector")
            ip_raw = peer.get("ipBlock")
            present = [x is not None for x in (pod_raw, ns_raw, ip_raw)]
            if not any(present):
                self.problem(
                    pptr, "must specify a peer (podSelector, namespaceSelector or ipBlock)"
                )
                continue
            if ip_raw is not None and sum(present) > 1:
                self.problem(pptr, "may not specify both ipBlock and another peer")
                continue
            if ip_raw is not None:
                block = self.ip_block(ip_raw, f"{pptr}/ipBlock")
                if block is not None:
                    out.append(PolicyPeer(None, None, block, pptr))
                continue
            pod = None if pod_raw is None else self.selector(pod_raw, f"{pptr}/podSelector")
            ns = None if ns_raw is None else self.selector(ns_raw, f"{pptr}/namespaceSelector")
            out.append(PolicyPeer(pod, ns, None, pptr))
        return tuple(out)

    def ip_block(self, raw: Any, ptr: str) -> IPBlock | None:
        if not isinstance(raw, dict):
            self.problem(ptr, "ipBlock must be a mapping")
            return None
        self.unknown(raw, _IPBLOCK_FIELDS, ptr)
        cidr = self.cidr(raw.get("cidr"), f"{ptr}/cidr")
        if cidr is None:
            return None
        excepts: list[IPNetwork] = []
        exc_raw = raw.get("except")
        if exc_raw is not None and not isinstance(exc_raw, list):
            self.problem(f"{ptr}/except", "except must be a list of CIDRs")
            return None
        for i, e in enumerate(exc_raw or []):
            net = self.cidr(e, f"{ptr}/except/{i}")
            if net is None:
                continue
            if (
                net.version != cidr.version
                or not net.subnet_of(cidr)  # type: ignore[arg-type]
                or net.prefixlen <= cidr.prefixlen
            ):
                self.problem(f"{ptr}/except/{i}", f"{e!r} must be a strict subset of cidr {cidr}")
                continue
            excepts.append(net)
        return IPBlock(cidr, tuple(excepts))

    def cidr(self, raw: Any, ptr: str) -> IPNetwork | None:
        if not isinstance(raw, str) or not raw:
            self.problem(ptr, "a CIDR is required (e.g. 10.0.0.0/8)")
            return None
        if "/" not in raw:
            self.problem(ptr, f"{raw!r} is not a CIDR: the prefix length (/N) is required")
            return None
        try:
            return ipaddress.ip_network(raw, strict=False)
        except ValueError:
            self.problem(ptr, f"{raw!r} is not a valid CIDR")
            return None

    def ports(self, raw: Any, ptr: str) -> tuple[PolicyPort, ...] | None:
        if raw is None or raw == []:
            return None
        if not isinstance(raw, list):
            self.problem(ptr, "ports must be a list")
            return None
        out: list[PolicyPort] = []
        for i, p in enumerate(raw):
            pptr = f"{ptr}/{i}"
            if p is None:
                p = {}
            if not isinstance(p, dict):
                self.problem(pptr, "a port must be a mapping")
                continue
            self.unknown(p, _PORT_FIELDS, pptr)
            proto = p.get("protocol")
            if proto is None:
                proto = "TCP"
            if proto not in PROTOCOLS:
                self.problem(f"{pptr}/protocol", f"{proto!r} is not TCP, UDP or SCTP")
                continue
            port = p.get("port")
            end = p.get("endPort")
            before = len(self.found)
            if port is None:
                pass
            elif isinstance(port, bool) or not isinstance(port, int | str):
                self.problem(f"{pptr}/port", f"{port!r} is not a port number or name")
            elif isinstance(port, int):
                if not 1 <= port <= 65535:
                    self.problem(f"{pptr}/port", f"{port} is not between 1 and 65535")
            elif not _valid_port_name(port):
                self.problem(
                    f"{pptr}/port",
                    f"{port!r} is not a valid port name (IANA_SVC_NAME: at most 15 lowercase "
                    "alphanumerics or '-', with a letter, no leading, trailing or double '-')",
                )
            if end is not None:
                if isinstance(end, bool) or not isinstance(end, int):
                    self.problem(f"{pptr}/endPort", "endPort must be an integer")
                elif port is None:
                    self.problem(f"{pptr}/endPort", "endPort may not be set without port")
                elif not isinstance(port, int):
                    self.problem(f"{pptr}/endPort", "endPort may not be set with a named port")
                elif not port <= end <= 65535:
                    self.problem(
                        f"{pptr}/endPort", f"endPort {end} must be between port {port} and 65535"
                    )
            if len(self.found) > before:
                continue
            out.append(PolicyPort(proto, port, end, pptr))
        return tuple(out)


def _valid_port_name(name: str) -> bool:
    return (
        0 < len(name) <= 15
        and _IANA_SVC_NAME.match(name) is not None
        and "--" not in name
        and any(c.isalpha() for c in name)
    )
