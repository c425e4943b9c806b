"""``hardhull rbac``: ask the permission graph of a set of manifests, without a cluster.

    hardhull rbac who-can VERB RESOURCE [-n NS] [--name NAME] PATH...
    hardhull rbac subject KIND/NAME [--group GROUP] PATH...

``who-can`` lists every subject a binding in the set lets do VERB on RESOURCE, with the
binding, the role and the rule (file:line) that allow it; without ``-n`` it asks in every
namespace the set knows and cluster-wide. ``subject`` lists what one subject may do
(``kubectl auth can-i --list``), each rule with the binding that grants it.

Both read the set like ``hardhull scan`` (files, directories, ``-`` for stdin), add the
built-in ``cluster-admin`` role and its ``system:masters`` binding, and say which bindings
name built-in roles whose rules the set does not hold (``admin``, ``edit``, ``view``...).

Exit codes: 0 with an answer, also when nobody may (it is a question, not a policy check);
2 on bad flags or arguments, or when no input could be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hardhull.cli.common import (
    load_manifests,
    nothing_checked,
    report_input_errors,
    write_report,
)
from hardhull.exitcodes import EXIT_ERROR

if TYPE_CHECKING:
    from hardhull.frontends.kubernetes import K8sObject
    from hardhull.rbac import Binding, Grant, Graph, ObjectRef, PolicyRule, Subject


def add_rbac_parser(
    sub: Any, add_report_options: Callable[[argparse.ArgumentParser], None] | None = None
) -> argparse.ArgumentParser:
    """Register ``rbac who-can`` and ``rbac subject`` on ``sub`` (an argparse subparsers action).

    The answers are tables, not findings: the commands take ``--format text|json`` and
    ``--output`` of their own rather than the scan report options (``add_report_options`` is
    accepted for a uniform signature and not used)."""
    del add_report_options
    p: argparse.ArgumentParser = sub.add_parser(
        "rbac",
        help="who can do what: the RBAC permission graph of manifests, offline",
        description="Answer RBAC questions from the Roles, bindings and service accounts of "
        "the given manifests, the way the API server's RBAC authorizer would.",
    )
    cmds = p.add_subparsers(dest="rbac_command", metavar="COMMAND", required=True)

    w = cmds.add_parser(
        "who-can",
        help="subjects allowed VERB on RESOURCE, with the binding and rule that allow it",
        description="List every subject that a binding in the set allows VERB on RESOURCE "
        "(TYPE[.GROUP][/SUBRESOURCE], e.g. secrets, pods/exec, deployments.apps, or a "
        "non-resource URL such as /metrics).",
    )
    w.add_argument("verb", metavar="VERB")
    w.add_argument("resource", metavar="RESOURCE")
    w.add_argument("paths", nargs="+", metavar="PATH", help="files, directories, or - (stdin)")
    w.add_argument(
        "--namespace",
        "-n",
        default=None,
        metavar="NS",
        help="ask in this namespace (default: every namespace of the set, and cluster-wide)",
    )
    w.add_argument("--name", default="", metavar="NAME", help="the object's name (resourceNames)")
    _common(w)

    s = cmds.add_parser(
        "subject",
        help="what a subject may do, with the binding that grants each rule",
        description="List the rules a subject holds (like kubectl auth can-i --list): "
        "User/NAME, Group/NAME or ServiceAccount/NAMESPACE/NAME.",
    )
    s.add_argument("subject", metavar="KIND/NAME")
    s.add_argument("paths", nargs="+", metavar="PATH", help="files, directories, or - (stdin)")
    s.add_argument(
        "--group",
        action="append",
        default=[],
        metavar="GROUP",
        help="a group the authenticator gives the user (repeatable)",
    )
    _common(s)
    return p


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", "-f", choices=("text", "json"), default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write the answer to FILE")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB")


# --------------------------------------------------------------------------- loading


@dataclass
class Loaded:
    objects: list[K8sObject]
    graph: Graph
    read: int  # files read without an error


def load(
    paths: Sequence[str], excludes: Sequence[str] = (), stdin_text: str | None = None
) -> Loaded | None:
    """Read and parse the inputs, report input errors on stderr; None when nothing was read."""
    from hardhull.rbac import build  # start-up time: loaded when the command runs

    m = load_manifests(paths, excludes, stdin_text)
    report_input_errors(m.errors)
    if not m.files or (m.clean_files == 0 and not m.objects):
        sys.stderr.write("hardhull: error: nothing could be read\n")
        return None
    if not m.objects:
        sys.stderr.write(nothing_checked(m.files, len(m.skipped), m.ignored))
        return None
    graph = build([o.data for o in m.objects], bootstrap=True)
    return Loaded(m.objects, graph, m.clean_files)


def _location(objects: Sequence[K8sObject], rule: PolicyRule) -> tuple[str, int]:
    """(file, line) of a rule; ("", 0) for a built-in role."""
    from hardhull.report import display_path  # start-up time: loaded when the command runs

    idx = rule.source.index
    if not 0 <= idx < len(objects):
        return "", 0
    obj = objects[idx]
    return display_path(obj.path), obj.position(rule.pointer)[0]


def _where(objects: Sequence[K8sObject], rule: PolicyRule) -> str:
    path, line = _location(objects, rule)
    if not path:
        return f"built-in {rule.source}"
    return f"{path}:{line}" if line else path


def _ref_json(ref: ObjectRef) -> dict[str, str]:
    out = {"kind": ref.kind, "name": ref.name}
    if ref.namespace:
        out["namespace"] = ref.namespace
    return out


def _rule_json(objects: Sequence[K8sObject], rule: PolicyRule) -> dict[str, Any]:
    path, line = _location(objects, rule)
    return {
        "source": _ref_json(rule.source),
        "pointer": rule.pointer,
        "path": path or None,
        "line": line or None,
        "verbs": list(rule.verbs),
        "apiGroups": list(rule.api_groups),
        "resources": list(rule.resources),
        "resourceNames": list(rule.resource_names),
        "nonResourceURLs": list(rule.non_resource_urls),
    }


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in (header, *rows)
    ]
    return "\n".join(lines) + "\n"


def _builtin_note(b: Binding) -> str:
    where = "cluster-wide" if b.scope is None else f"in namespace {b.scope}"
    return f"{b.ref} binds built-in {b.role_ref} {where}: its rules are not in the set"


def _emit(text: str, output: str | None) -> int:
    return write_report(text, output)


# --------------------------------------------------------------------------- who-can


def who_can(
    loaded: Loaded, verb: str, resource: str, namespace: str | None, name: str = ""
) -> tuple[list[tuple[Subject, Grant]], list[str], dict[str, Any]]:
    """The answer: (subject, grant) pairs, notes, and the request as asked (for JSON)."""
    g = loaded.graph
    notes: list[str] = []
    if resource.startswith("/"):
        request: dict[str, Any] = {"verb": verb, "nonResourceURL": resource}
        if namespace:
            notes.append("a non-resource URL has no namespace: -n is ignored")
        return g.who_can(verb, resource), notes, {**request, "namespace": None}
    arg = g.parse_resource(resource)
    if not arg.known:
        notes.append(
            f"{arg.resource!r} is neither a built-in resource nor a CRD of the set: "
            "matched as written, in the core group"
        )
    rtype = g.resolver.lookup(arg.resource, arg.api_group) if arg.known else None
    cluster_scoped = rtype is not None and not rtype.namespaced
    if cluster_scoped and namespace:
        notes.append(f"{arg.resource} is cluster-scoped: -n is ignored")
        namespace = None
    if namespace:
        scopes: list[str | None] = [namespace]
    elif cluster_scoped:
        scopes = [None]
    else:
        scopes = [None, *sorted(g.role_bindings)]
    pairs: list[tuple[Subject, Grant]] = []
    seen: set[tuple[Subject, ObjectRef]] = set()
    for ns in scopes:
        for subject, grant in g.who_can(verb, arg, namespace=ns, name=name):
            if (subject, grant.binding) not in seen:
                seen.add((subject, grant.binding))
                pairs.append((subject, grant))
    # bindings whose rules hardhull cannot see, in the scopes asked about
    for b in g.bindings:
        hidden = b.role is None and b.builtin_role and b.ref.index >= 0 and bool(b.subjects)
        in_scope = b.scope is None or (not cluster_scoped and namespace in (None, b.scope))
        if hidden and in_scope:
            notes.append(_builtin_note(b))
    request = {
        "verb": verb,
        "resource": arg.resource,
        "apiGroup": arg.api_group,
        "subresource": arg.subresource,
        "name": name or None,
        "namespace": namespace,
    }
    return pairs, notes, request


def _who_text(
    objects: Sequence[K8sObject], pairs: Sequence[tuple[Subject, Grant]], what: str
) -> str:
    if not pairs:
        return f"nobody in the scanned set can {what}\n"
    rows = [
        (s.kind, s.name, s.namespace or "-", str(g.binding), str(g.role), _where(objects, g.rule))
        for s, g in pairs
    ]
    return _table(("KIND", "NAME", "NAMESPACE", "BINDING", "ROLE", "RULE"), rows)


def cmd_who_can(args: argparse.Namespace) -> int:
    loaded = load(args.paths, args.exclude, getattr(args, "stdin_text", None))
    if loaded is None:
        return EXIT_ERROR
    verb, resource = args.verb.strip(), args.resource.strip()
    if not verb or not resource:
        sys.stderr.write("hardhull: error: VERB and RESOURCE must not be empty\n")
        return EXIT_ERROR
    pairs, notes, request = who_can(loaded, verb, resource, args.namespace or None, args.name)
    if args.format == "json":
        doc = {
            "request": request,
            "subjects": [
                {
                    "kind": s.kind,
                    "name": s.name,
                    "namespace": s.namespace or None,
                    "binding": _ref_json(g.binding),
                    "role": _ref_json(g.role),
                    "scope": g.scope,
                    "rule": _rule_json(loaded.objects, g.rule),
                }
                for s, g in pairs
            ],
            "notes": notes,
        }
        return _emit(json.dumps(doc, indent=2) + "\n", args.output)
    where = f" in namespace {args.namespace}" if args.namespace else ""
    text = _who_text(loaded.objects, pairs, f"{verb} {resource}{where}")
    text += "".join(f"note: {n}\n" for n in notes)
    return _emit(text, args.output)


# --------------------------------------------------------------------------- subject


def _resources_text(rule: PolicyRule) -> str:
    if not rule.resources:
        return "-"
    out = []
    for g in rule.api_groups or ("",):
        for r in rule.resources:
            out.append(f"{r}.{g}" if g else r)
    return ", ".join(out)


def cmd_subject(args: argparse.Namespace) -> int:
    from hardhull.rbac import Identity, Subject  # start-up time: loaded when the command runs

    try:
        subject = Subject.parse(args.subject)
    except ValueError as exc:
        sys.stderr.write(f"hardhull: error: {exc}\n")
        return EXIT_ERROR
    loaded = load(args.paths, args.exclude, getattr(args, "stdin_text", None))
    if loaded is None:
        return EXIT_ERROR
    groups = [g for g in args.group if g]
    g = loaded.graph
    grants = g.effective(subject, groups)
    identity = Identity.of(subject, groups)
    notes = [
        _builtin_note(b)
        for b, _ in g.bindings_for(subject, groups)
        if b.role is None and b.builtin_role and b.ref.index >= 0
    ]
    if args.format == "json":
        doc = {
            "subject": {
                "kind": subject.kind,
                "name": subject.name,
                "namespace": subject.namespace or None,
            },
            "user": identity.user or None,
            "groups": sorted(identity.groups),
            "rules": [
                {
                    "scope": gr.scope,
                    "binding": _ref_json(gr.binding),
                    "role": _ref_json(gr.role),
                    "rule": _rule_json(loaded.objects, gr.rule),
                }
                for gr in grants
            ],
            "notes": notes,
        }
        return _emit(json.dumps(doc, indent=2) + "\n", args.output)
    text = f"{subject} (groups: {', '.join(sorted(identity.groups))})\n"
    if not grants:
        text += "no permissions in the scanned set\n"
    else:
        rows = [
            (
                "cluster-wide" if gr.scope is None else gr.scope,
                _resources_text(gr.rule),
                ", ".join(gr.rule.non_resource_urls) or "-",
                ", ".join(gr.rule.resource_names) or "-",
                ", ".join(gr.rule.verbs) or "-",
                str(gr.binding),
                _where(loaded.objects, gr.rule),
            )
            for gr in grants
        ]
        text += _table(
            (
                "SCOPE",
                "RESOURCES",
                "NON-RESOURCE URLS",
                "RESOURCE NAMES",
                "VERBS",
                "BINDING",
                "RULE",
            ),
            rows,
        )
    text += "".join(f"note: {n}\n" for n in notes)
    return _emit(text, args.output)


def cmd_rbac(args: argparse.Namespace) -> int:
    command = getattr(args, "rbac_command", None)
    if command == "who-can":
        return cmd_who_can(args)
    if command == "subject":
        return cmd_subject(args)
    sys.stderr.write("hardhull: error: rbac needs a command: who-can or subject\n")
    return EXIT_ERROR
