"""``hardhull netpol reach``: the scanned set loaded as a network, and its answers as text
and JSON (the command itself is :mod:`hardhull.cli.netpol`)."""

from __future__ import annotations

import argparse
import ipaddress
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hardhull.cli.common import load_manifests, nothing_checked, report_input_errors

if TYPE_CHECKING:
    from hardhull.frontends.kubernetes import K8sObject
    from hardhull.netpol import Decision, Endpoint, Network, Peer


PROTOCOLS = ("TCP", "UDP", "SCTP")
FORMATS = ("text", "json")


class UsageError(Exception):
    """Bad input from the user: reported on stderr, exit 2."""


@dataclass
class Loaded:
    objects: list[K8sObject]
    net: Network


def load(paths: Sequence[str], excludes: Sequence[str], stdin_text: str | None) -> Loaded:
    from hardhull.netpol import build  # start-up time: loaded when the command runs

    m = load_manifests(paths, excludes, stdin_text)
    report_input_errors(sorted(m.errors, key=lambda e: (e.path, e.line, e.column, e.message)))
    if m.files <= len({e.path for e in m.errors}):
        raise UsageError("nothing could be read")
    if not m.objects:
        raise UsageError(
            nothing_checked(m.files, len(m.skipped), m.ignored)
            .removeprefix("hardhull: error: ")
            .rstrip("\n")
        )
    return Loaded(m.objects, build([o.data for o in m.objects]))


def _where(loaded: Loaded, index: int, pointer: str) -> tuple[str, int, int]:
    from hardhull.report import display_path  # start-up time: loaded when the command runs

    obj = loaded.objects[index]
    line, col = obj.position(pointer)
    return display_path(obj.path), line, col


def notes(loaded: Loaded) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Invalid policies (not evaluated) and foreign policy kinds (not evaluated), located."""
    out: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], [])
    for bucket, probs in zip(out, (loaded.net.problems, loaded.net.ignored), strict=True):
        for prob in probs:
            path, line, col = _where(loaded, prob.index, prob.pointer)
            bucket.append(
                {
                    "path": path,
                    "line": line,
                    "column": col,
                    "resource": str(prob.resource),
                    "pointer": prob.pointer,
                    "message": prob.message,
                }
            )
    return out


def _label(ep: Peer, dup: set[str]) -> str:
    from hardhull.netpol.model import Endpoint  # start-up time: loaded when the command runs

    if isinstance(ep, Endpoint):
        return f"{ep.namespace}/{ep.kind}/{ep.name}" if ep.ref in dup else ep.ref
    return str(ep)


def resolve(net: Network, ref: str, flag: str) -> Peer:
    from hardhull.netpol.model import IPPeer  # start-up time: loaded when the command runs

    text = ref.strip()
    try:
        return IPPeer(ipaddress.ip_address(text))
    except ValueError:
        pass
    found = net.find(text)
    if not found and "/" not in text:
        found = [e for e in net.endpoints if e.name == text]
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(sorted(f"{e.namespace}/{e.kind}/{e.name}" for e in found))
        raise UsageError(f"{flag} {ref!r} is ambiguous: use one of {names}")
    known = sorted({e.ref for e in net.endpoints})
    hint = f"; workloads: {', '.join(known[:10])}" + (", ..." if len(known) > 10 else "")
    if not known:
        hint = "; the files define no workload"
    raise UsageError(f"{flag} {ref!r} matches no workload of the files{hint}")


def ports(dst: Peer, port: int | None, protocol: str | None) -> list[tuple[int, str]]:
    """The (port, protocol) pairs to check for a destination; [] when it declares none."""
    from hardhull.netpol.model import Endpoint  # start-up time: loaded when the command runs

    if port is not None:
        return [(port, protocol or "TCP")]
    if not isinstance(dst, Endpoint):
        return []
    seen: list[tuple[int, str]] = []
    for cp in dst.ports:
        key = (cp.port, cp.protocol)
        if key not in seen and (protocol is None or cp.protocol == protocol):
            seen.append(key)
    return seen


Results = dict[tuple[int, int], list[tuple[int, str, "Decision"]]]


def decide(
    net: Network,
    sources: Sequence[Peer],
    dests: Sequence[Peer],
    port: int | None,
    protocol: str | None,
) -> Results:
    """(source position, destination position) → [(port, protocol, decision)]."""
    groups: dict[tuple[int, str], list[int]] = {}
    for j, d in enumerate(dests):
        for key in ports(d, port, protocol):
            groups.setdefault(key, []).append(j)
    out: Results = {(i, j): [] for i in range(len(sources)) for j in range(len(dests))}
    # what does not depend on the port (policies, peers, names) is computed once
    reach = net.reach(sources, dests)
    for (p, proto), js in sorted(groups.items()):
        grid = reach.decisions(p, proto, [dests[j] for j in js])
        for i, s in enumerate(sources):
            for j in js:
                out[(i, j)].append((p, proto, grid[(s, dests[j])]))
    for v in out.values():
        v.sort(key=lambda t: (t[0], PROTOCOLS.index(t[1])))
    return out


def _sides(d: Decision) -> tuple[str, str]:
    """The egress and ingress halves of a decision's reason."""
    _, _, rest = d.reason.partition(": ")
    egress, _, ingress = rest.partition("; ingress: ")
    return egress.removeprefix("egress: "), ingress


# --------------------------------------------------------------------------- output


def _endpoint_json(ep: Endpoint, label: str) -> dict[str, Any]:
    return {
        "id": label,
        "namespace": ep.namespace,
        "name": ep.name,
        "kind": ep.kind,
        "labels": dict(sorted(ep.labels.items())),
        "ports": [
            {"name": p.name, "port": p.port, "protocol": p.protocol, "container": p.container}
            for p in ep.ports
        ],
        "host_network": ep.host_network,
    }


def reach_json(
    loaded: Loaded,
    args: argparse.Namespace,
    sources: Sequence[Peer],
    dests: Sequence[Peer],
    results: Results,
    dup: set[str],
    verdict: bool | None,
) -> str:
    from hardhull.netpol.model import Endpoint  # start-up time: loaded when the command runs

    problems, ignored = notes(loaded)
    eps = sorted(
        {id(e): e for e in [*sources, *dests] if isinstance(e, Endpoint)}.values(),
        key=sort_key,
    )
    decisions = []
    for (i, j), rows in sorted(results.items()):
        for p, proto, d in rows:
            decisions.append(
                {
                    "from": _label(sources[i], dup),
                    "to": _label(dests[j], dup),
                    "port": p,
                    "protocol": proto,
                    "allowed": d.allowed,
                    "egress_policies": d.egress_policies,
                    "ingress_policies": d.ingress_policies,
                    "reason": d.reason,
                }
            )
    doc: dict[str, Any] = {
        "query": {
            "from": args.source,
            "to": args.destination,
            "port": args.port,
            "protocol": args.protocol,
        },
        "endpoints": [_endpoint_json(e, _label(e, dup)) for e in eps],
        "decisions": decisions,
        "problems": problems,
        "ignored": ignored,
    }
    if verdict is not None:
        doc["allowed"] = verdict
    return json.dumps(doc, indent=2) + "\n"


def _cell(rows: list[tuple[int, str, Decision]]) -> str:
    if not rows:
        return "-"
    ok = sum(d.allowed for _, _, d in rows)
    return "Y" if ok == len(rows) else ("~" if ok else ".")


def _port_list(dst: Peer, port: int | None, protocol: str | None) -> str:
    return ", ".join(f"{p}/{proto}" for p, proto in ports(dst, port, protocol)) or "-"


def matrix_text(
    eps: Sequence[Peer], results: Results, dup: set[str], port: int | None, proto: str | None
) -> str:
    from hardhull.netpol.model import Endpoint  # start-up time: loaded when the command runs

    n = len(eps)
    if port is not None:
        on = f"on {port}/{proto or 'TCP'}"
    elif proto is not None:
        on = f"on each destination's declared {proto} ports"
    else:
        on = "on each destination's declared ports"
    lines = [
        f"Reachability {on} (rows: from, columns: to)",
        "Y allowed, ~ on some ports only, . denied, - no port (use --port)"
        if port is None
        else "Y allowed, . denied",
        "",
    ]
    if not n:
        return "\n".join([*lines, "No workloads in the files.", ""])
    width = len(str(n))
    labels = []
    for k, e in enumerate(eps, 1):
        host = " (host network)" if isinstance(e, Endpoint) and e.host_network else ""
        labels.append(f"{k:>{width}}  {_label(e, dup)}{host}")
    lw = max(len(label) for label in labels)
    head = " ".join(f"{k:>{width}}" for k in range(1, n + 1))
    tail = "   serves" if port is None else ""
    lines.append(f"  {'':<{lw}}  {head}{tail}".rstrip())
    allowed = partial = 0
    for i, label in enumerate(labels):
        cells = [_cell(results[(i, j)]) for j in range(n)]
        allowed += cells.count("Y")
        partial += cells.count("~")
        row = " ".join(f"{c:>{width}}" for c in cells)
        extra = f"   {_port_list(eps[i], port, proto)}" if port is None else ""
        lines.append(f"  {label:<{lw}}  {row}{extra}")
    none = sum(_cell(results[(i, j)]) == "-" for i in range(n) for j in range(n))
    parts = [f"{allowed} allowed"]
    if port is None:
        parts.append(f"{partial} on some ports")
    parts.append(f"{n * n - allowed - partial - none} denied")
    if none:
        parts.append(f"{none} without ports")
    lines += ["", f"{n} workload(s), {n * n} pair(s): {', '.join(parts)}"]
    return "\n".join(lines) + "\n"


def list_text(
    sources: Sequence[Peer], dests: Sequence[Peer], results: Results, dup: set[str]
) -> str:
    pairs = [
        (f"{_label(sources[i], dup)} -> {_label(dests[j], dup)}", rows)
        for (i, j), rows in sorted(results.items())
    ]
    if not pairs:
        return "No workloads in the files.\n"
    w = max(len(p) for p, _ in pairs)
    out = []
    for pair, rows in pairs:
        if rows:
            text = ", ".join(
                f"{p}/{proto} {'allowed' if d.allowed else 'denied'}" for p, proto, d in rows
            )
        else:
            text = "declares no port (use --port)"
        out.append(f"{pair:<{w}}  {text}")
    return "\n".join(out) + "\n"


def answer_text(src: Peer, dst: Peer, rows: list[tuple[int, str, Decision]], dup: set[str]) -> str:
    out = []
    for p, proto, d in rows:
        egress, ingress = _sides(d)
        verdict = "allowed" if d.allowed else "denied"
        out.append(f"{_label(src, dup)} -> {_label(dst, dup)} on {p}/{proto}: {verdict}")
        out.append(f"  egress:  {egress}")
        out.append(f"  ingress: {ingress}")
    return "\n".join(out) + "\n"


def sort_key(e: Peer) -> tuple[str, str, str]:
    from hardhull.netpol.model import Endpoint  # start-up time: loaded when the command runs

    if isinstance(e, Endpoint):
        return (e.namespace, e.name, e.kind)
    return ("", "", str(e))


# --------------------------------------------------------------------------- command
