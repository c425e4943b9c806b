"""S002: a credential as a literal in a container's env or command line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hardhull.model import Severity, Violation
from hardhull.models.workload import Workload, as_list
from hardhull.registry import Target, check
from hardhull.rules.secrets import SECRETS
from hardhull.secrets.detect import detect_value
from hardhull.secrets.match import SecretMatch

_FLAG = re.compile(r"^--?([A-Za-z][A-Za-z0-9_.-]*)(?:=(.*))?$", re.DOTALL)


def _arg_hits(args: list[Any]) -> Iterator[tuple[int, SecretMatch, str]]:
    """(index, match, flag or "") of credentials in a command/args list."""
    for i, arg in enumerate(args):
        if not isinstance(arg, str):
            continue
        m = _FLAG.match(arg)
        if m and m.group(2) is not None:
            found = detect_value(m.group(2), m.group(1))
            if found:
                yield i, found, m.group(1)
            continue
        if m and i + 1 < len(args) and isinstance(args[i + 1], str):
            nxt = args[i + 1]
            if not nxt.startswith("-"):
                found = detect_value(nxt, m.group(1))
                if found and found.kind.startswith("credential-name"):
                    yield i + 1, found, m.group(1)
                    continue
        found = detect_value(arg)  # formats anywhere, e.g. in a shell script argument
        if found:
            yield i, found, ""


def _arg_secret(arg: Any) -> tuple[str, ...]:
    """The credential of an argument: the value of ``--flag=value``, or the argument."""
    if not isinstance(arg, str):
        return ()
    m = _FLAG.match(arg)
    return (m.group(2),) if m and m.group(2) else (arg,)


ENV_CREDENTIAL = SECRETS(
    "S002",
    "credential-in-env",
    "Credential as a literal in a container's env or arguments",
    Severity.HIGH,
    what=(
        "A container (of any type: init, ephemeral too) sets an environment variable with `value:` "
        "to a credential, or passes one on its command line (`--password=…`, a token in `args`). "
        "Found by format (private keys, provider tokens, JWTs, URLs with a password: high) or by a "
        "credential name with a real-looking literal (`DB_PASSWORD: S3cr3t!pass`: medium; a "
        "well-known default such as `postgres`: low). References (`$(VAR)`, `${VAR}`), paths, "
        "booleans, numbers and placeholders are not reported; `valueFrom` and `envFrom` are the "
        "fix."
    ),
    why="The value sits in plain text in the manifest, in git, in every rendered copy, in the "
    "object as stored by the API server (readable by anyone who can `get` the workload, where "
    "Secrets would need their own permission) and in `kubectl describe` output. Command-line "
    "arguments are also visible to every process on the node through `/proc/*/cmdline`.",
    fix="Put the value in a Secret (created from a secret manager) and reference it with "
    "`valueFrom.secretKeyRef` or `envFrom.secretRef`, or mount it as a file; pass files, not "
    "values, on the command line (`--password-file=/run/secrets/db`).",
    example="""
env:
  - name: DB_PASSWORD
    valueFrom:
      secretKeyRef: {name: db, key: password}
""",
    nsa="Kubernetes Secrets: do not place credentials in pod specs",
    kube_linter=("env-var-secret",),
    reports_secrets=True,
)


# S002
@check(ENV_CREDENTIAL, on=Target.OBJECT)
def credential_in_env(obj: dict[str, Any]) -> Iterator[Violation]:
    w = Workload.of(obj)
    if w is None:
        return
    for c in w.containers:
        for i, env in enumerate(as_list(c.data.get("env"))):
            if not isinstance(env, dict) or "valueFrom" in env:
                continue
            name, value = env.get("name"), env.get("value")
            if not isinstance(value, str) or not isinstance(name, str):
                continue
            found = detect_value(value, name)
            if found is None:
                continue
            yield Violation(
                "S002",
                f"{c.pointer}/env/{i}/value",
                f"{c.label} sets {name} to a {found.description} ({found.masked}): "
                "use valueFrom.secretKeyRef",
                severity=found.severity,
                secrets=(value,),
            )
        for field in ("command", "args"):
            argv = as_list(c.data.get(field))
            for i, found, flag in _arg_hits(argv):
                what = f"{flag} " if flag else ""
                yield Violation(
                    "S002",
                    f"{c.pointer}/{field}/{i}",
                    f"{c.label} passes {what}a {found.description} in {field} "
                    f"({found.masked}): read it from a mounted Secret file instead",
                    severity=found.severity,
                    secrets=_arg_secret(argv[i]),
                )
