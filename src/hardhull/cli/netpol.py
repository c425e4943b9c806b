"""``hardhull netpol reach``: who may connect to whom, as the NetworkPolicies of a scan say.

    hardhull netpol reach PATH... [--from REF] [--to REF] [--port P] [--protocol TCP|UDP|SCTP]

REF is ``NS/NAME``, ``NS/KIND/NAME``, ``NAME`` (namespace ``default``, else the only workload
of that name) or an IP address (traffic from or to outside the set). Without ``--port`` each
destination is checked on the container ports it declares.

- neither ``--from`` nor ``--to``: the matrix of every workload to every workload;
- one of them: one line per pair, from that source or to that destination;
- both: the answer, per port, with the policies that decide it.

Exit codes: 0 the report was produced (with ``--from`` and ``--to``: the connection is allowed
on every port asked); 1 with ``--from`` and ``--to``, the connection is denied on some port;
2 bad flags, an unknown or ambiguous workload, or nothing could be read.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hardhull.cli.common import load_manifests, report_input_errors, write_report
from hardhull.exitcodes import EXIT_DENIED, EXIT_ERROR, EXIT_OK

if TYPE_CHECKING:
    from hardhull.frontends.kubernetes import K8sObject
    from hardhull.netpol import Decision, Endpoint, Network, Peer


PROTOCOLS = ("TCP", "UDP", "SCTP")
FORMATS = ("text", "json")


class UsageError(Exception):
    """Bad input from the user: reported on stderr, exit 2."""


def _port(text: str) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        value = 0
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: use a number from 1 to 65535")
    return value


def _protocol(text: str) -> str:
    proto = text.strip().upper()
    if proto not in PROTOCOLS:
        raise argparse.ArgumentTypeError(f"invalid protocol {text!r}: use {', '.join(PROTOCOLS)}")
    return proto


def add_netpol_parser(
    sub: Any, add_report_options: Callable[[argparse.ArgumentParser], None]
) -> argparse.ArgumentParser:
    """Register ``netpol`` (with its ``reach`` subcommand) on ``sub``, a subparsers action."""
    p: argparse.ArgumentParser = sub.add_parser(
        "netpol",
        help="NetworkPolicy analysis: which workloads may connect to which",
        description="Evaluate the networking.k8s.io/v1 NetworkPolicies of manifests offline.",
    )
    nsub = p.add_subparsers(dest="netpol_command", metavar="COMMAND")
    r: argparse.ArgumentParser = nsub.add_parser(
        "reach",
        help="reachability matrix, or whether one workload may connect to another",
        description="Print who may open connections to whom: the matrix of every workload "
        "of the files (rows: sources, columns: destinations), the pairs from or to one "
        "workload, or, with --from and --to, the answer and the policies that decide it "
        "(exit 0 allowed, 1 denied).",
    )
    r.add_argument("paths", nargs="+", metavar="PATH", help="files, directories, or - (stdin)")
    r.add_argument(
        "--from",
        dest="source",
        metavar="REF",
        help="source: NS/NAME, NS/KIND/NAME, NAME or an IP address",
    )
    r.add_argument(
        "--to",
        dest="destination",
        metavar="REF",
        help="destination: NS/NAME, NS/KIND/NAME, NAME or an IP address",
    )
    r.add_argument(
        "--port",
        type=_port,
        default=None,
        help="destination port (default: each destination's declared container ports)",
    )
    r.add_argument(
        "--protocol",
        type=_protocol,
        default=None,
        metavar="TCP|UDP|SCTP",
        help="protocol of --port (default TCP), or the declared ports to check",
    )
    r.add_argument("--exclude", action="append", default=[], metavar="GLOB")
    # not the scan's report options: reach writes text or json only, and its exit code is the
    # verdict (no --fail-on); the values are checked in _reach, with a message that says so
    del add_report_options
    r.add_argument("--format", "-f", default=None, metavar="{text,json}", help="report format")
    r.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    r.add_argument("--fail-on", default=None, help=argparse.SUPPRESS)
    r.add_argument("--color", default="auto", help=argparse.SUPPRESS)
    return p


# --------------------------------------------------------------------------- the work


@dataclass
class _Loaded:
    objects: list[K8sObject]
    net: Network


def _load(paths: Sequence[str], excludes: Sequence[str], stdin_text: str | None) -> _Loaded:
    from hardhull.netpol import build  # start-up time: loaded when the command runs

    m = load_manifests(paths, excludes, stdin_text)
    report_input_errors(sorted(m.errors, key=lambda e: (e.path, e.line, e.column, e.message)))
    if m.files <= len({e.path for e in m.errors}):
        raise UsageError("nothing could be read")
    return _Loaded(m.objects, build([o.data for o in m.objects]))


def _where(loaded: _Loaded, index: int, pointer: str) -> tuple[str, int, int]:
    from hardhull.report import display_path  # start-up time: loaded when the command runs

    obj = loaded.objects[index]
    line, col = obj.position(pointer)
    return display_path(obj.path), line, col


def _notes(loaded: _Loaded) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
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


def _resolve(net: Network, ref: str, flag: str) -> Peer:
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


def _ports(dst: Peer, port: int | None, protocol: str | None) -> list[tuple[int, str]]:
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


def _decide(
    net: Network,
    sources: Sequence[Peer],
    dests: Sequence[Peer],
    port: int | None,
    protocol: str | None,
) -> Results:
    """(source position, destination position) → [(port, protocol, decision)]."""
    groups: dict[tuple[int, str], list[int]] = {}
    for j, d in enumerate(dests):
        for key in _ports(d, port, protocol):
            groups.setdefault(key, []).append(j)
    out: Results = {(i, j): [] for i in range(len(sources)) for j in range(len(dests))}
    for (p, proto), js in sorted(groups.items()):
        if len(sources) * len(js) <= 64:
            for i, s in enumerate(sources):
                for j in js:
                    out[(i, j)].append((p, proto, net.allowed(s, dests[j], p, proto)))
            continue
        peers: list[Peer] = list(sources)
        pos = {id(x): k for k, x in enumerate(peers)}
        for j in js:
            if id(dests[j]) not in pos:
                pos[id(dests[j])] = len(peers)
                peers.append(dests[j])
        grid = net.matrix(peers, p, proto)
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


def _json(
    loaded: _Loaded,
    args: argparse.Namespace,
    sources: Sequence[Peer],
    dests: Sequence[Peer],
    results: Results,
    dup: set[str],
    verdict: bool | None,
) -> str:
    from hardhull.netpol.model import Endpoint  # start-up time: loaded when the command runs

    problems, ignored = _notes(loaded)
    eps = sorted(
        {id(e): e for e in [*sources, *dests] if isinstance(e, Endpoint)}.values(),
        key=_sort_key,
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
    return ", ".join(f"{p}/{proto}" for p, proto in _ports(dst, port, protocol)) or "-"


def _matrix_text(
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


def _list_text(
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


def _answer_text(src: Peer, dst: Peer, rows: list[tuple[int, str, Decision]], dup: set[str]) -> str:
    out = []
    for p, proto, d in rows:
        egress, ingress = _sides(d)
        verdict = "allowed" if d.allowed else "denied"
        out.append(f"{_label(src, dup)} -> {_label(dst, dup)} on {p}/{proto}: {verdict}")
        out.append(f"  egress:  {egress}")
        out.append(f"  ingress: {ingress}")
    return "\n".join(out) + "\n"


def _sort_key(e: Peer) -> tuple[str, str, str]:
    from hardhull.netpol.model import Endpoint  # start-up time: loaded when the command runs

    if isinstance(e, Endpoint):
        return (e.namespace, e.name, e.kind)
    return ("", "", str(e))


# --------------------------------------------------------------------------- command


def cmd_netpol(args: argparse.Namespace) -> int:
    sub = getattr(args, "netpol_command", None)
    if sub != "reach":
        sys.stderr.write("hardhull: error: netpol needs a command: reach\n")
        return EXIT_ERROR
    try:
        return _reach(args)
    except UsageError as exc:
        sys.stderr.write(f"hardhull: error: {exc}\n")
        return EXIT_ERROR


def _reach(args: argparse.Namespace) -> int:

    fmt = getattr(args, "format", None) or "text"
    if fmt not in FORMATS:
        raise UsageError(f"netpol reach writes text or json, not {fmt}")
    if getattr(args, "fail_on", None) is not None:
        raise UsageError("--fail-on does not apply to netpol reach (exit 1 means denied)")
    for name, conv in (("port", _port), ("protocol", _protocol)):
        value = getattr(args, name, None)
        if value is not None:
            try:
                setattr(args, name, conv(str(value)))
            except argparse.ArgumentTypeError as exc:
                raise UsageError(str(exc)) from None
        else:
            setattr(args, name, None)
    for name in ("source", "destination"):
        setattr(args, name, getattr(args, name, None))
    loaded = _load(
        list(args.paths),
        list(getattr(args, "exclude", None) or []),
        getattr(args, "stdin_text", None),
    )
    net = loaded.net
    problems, ignored = _notes(loaded)
    for note in problems:
        sys.stderr.write(
            f"hardhull: warning: {note['path']}:{note['line']}: {note['resource']} is not "
            f"evaluated ({note['pointer'] or '/'}: {note['message']})\n"
        )
    for note in ignored:
        sys.stderr.write(f"hardhull: warning: {note['path']}:{note['line']}: {note['message']}\n")
    everyone = sorted(net.endpoints, key=_sort_key)
    refs = [e.ref for e in everyone]
    dup = {r for r in refs if refs.count(r) > 1}
    src = None if args.source is None else _resolve(net, args.source, "--from")
    dst = None if args.destination is None else _resolve(net, args.destination, "--to")
    from hardhull.netpol.model import IPPeer  # start-up time: loaded when the command runs

    if isinstance(src, IPPeer) and isinstance(dst, IPPeer):
        raise UsageError("--from and --to are both addresses: at least one must be a workload")
    if isinstance(dst, IPPeer) and args.port is None:
        raise UsageError("--port is required when --to is an address")
    sources: list[Peer] = [src] if src is not None else list(everyone)
    dests: list[Peer] = [dst] if dst is not None else list(everyone)
    if src is not None and dst is not None and not _ports(dst, args.port, args.protocol):
        which = f" {args.protocol}" if args.protocol else ""
        raise UsageError(f"--to {args.destination} declares no{which} container port: use --port")
    results = _decide(net, sources, dests, args.port, args.protocol)
    verdict: bool | None = None
    if src is not None and dst is not None:
        verdict = all(d.allowed for _, _, d in results[(0, 0)])
    if fmt == "json":
        text = _json(loaded, args, sources, dests, results, dup, verdict)
    elif verdict is not None:
        assert src is not None and dst is not None
        text = _answer_text(src, dst, results[(0, 0)], dup)
    elif src is None and dst is None:
        text = _matrix_text(everyone, results, dup, args.port, args.protocol)
    else:
        text = _list_text(sources, dests, results, dup)
    code = write_report(text, getattr(args, "output", None))
    if code:
        return code
    if verdict is False:
        return EXIT_DENIED
    return EXIT_OK
