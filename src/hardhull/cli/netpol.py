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
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hardhull.cli.common import write_report
from hardhull.cli.netpol_reach import (
    UsageError,
    answer_text,
    decide,
    list_text,
    load,
    matrix_text,
    notes,
    ports,
    reach_json,
    resolve,
    sort_key,
)
from hardhull.exitcodes import EXIT_DENIED, EXIT_ERROR, EXIT_OK

if TYPE_CHECKING:
    from hardhull.netpol import Peer


PROTOCOLS = ("TCP", "UDP", "SCTP")
FORMATS = ("text", "json")


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
    loaded = load(
        list(args.paths),
        list(getattr(args, "exclude", None) or []),
        getattr(args, "stdin_text", None),
    )
    net = loaded.net
    problems, ignored = notes(loaded)
    for note in problems:
        sys.stderr.write(
            f"hardhull: warning: {note['path']}:{note['line']}: {note['resource']} is not "
            f"evaluated ({note['pointer'] or '/'}: {note['message']})\n"
        )
    for note in ignored:
        sys.stderr.write(f"hardhull: warning: {note['path']}:{note['line']}: {note['message']}\n")
    everyone = sorted(net.endpoints, key=sort_key)
    refs = [e.ref for e in everyone]
    dup = {r for r in refs if refs.count(r) > 1}
    src = None if args.source is None else resolve(net, args.source, "--from")
    dst = None if args.destination is None else resolve(net, args.destination, "--to")
    from hardhull.netpol.model import IPPeer  # start-up time: loaded when the command runs

    if isinstance(src, IPPeer) and isinstance(dst, IPPeer):
        raise UsageError("--from and --to are both addresses: at least one must be a workload")
    if isinstance(dst, IPPeer) and args.port is None:
        raise UsageError("--port is required when --to is an address")
    sources: list[Peer] = [src] if src is not None else list(everyone)
    dests: list[Peer] = [dst] if dst is not None else list(everyone)
    if src is not None and dst is not None and not ports(dst, args.port, args.protocol):
        which = f" {args.protocol}" if args.protocol else ""
        raise UsageError(f"--to {args.destination} declares no{which} container port: use --port")
    results = decide(net, sources, dests, args.port, args.protocol)
    verdict: bool | None = None
    if src is not None and dst is not None:
        verdict = all(d.allowed for _, _, d in results[(0, 0)])
    if fmt == "json":
        text = reach_json(loaded, args, sources, dests, results, dup, verdict)
    elif verdict is not None:
        assert src is not None and dst is not None
        text = answer_text(src, dst, results[(0, 0)], dup)
    elif src is None and dst is None:
        text = matrix_text(everyone, results, dup, args.port, args.protocol)
    else:
        text = list_text(sources, dests, results, dup)
    code = write_report(text, getattr(args, "output", None))
    if code:
        return code
    if verdict is False:
        return EXIT_DENIED
    return EXIT_OK
