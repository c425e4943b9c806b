"""The command line of a control-plane static pod: which component a container runs
(``kube-apiserver``, ``kube-controller-manager``, ``kube-scheduler``, ``etcd``) and the flags it
passes, parsed as the components' flag libraries parse them, with the JSON pointer of each.

The cluster-configuration rules (:mod:`hardhull.rules.cluster`) read :func:`control_plane_flags`
once per object through its context. The TLS versions and cipher suites Go classifies as weak
(:data:`OLD_TLS`, :data:`INSECURE_CIPHERS`) are here too: the control-plane and the kubelet
rules share them.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hardhull.models.workload import Container, Workload, as_dict, as_list, object_namespace


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
    {
        "anonymous-auth",
        "profiling",
        "service-account-lookup",
        "client-cert-auth",
        "auto-tls",
        "peer-client-cert-auth",
        "peer-auto-tls",
        "use-service-account-credentials",
        "allow-privileged",
        "enable-bootstrap-token-auth",
        "kubelet-https",
        "contention-profiling",
        "enable-aggregator-routing",
        "enable-garbage-collector",
        "leader-elect",
        "enable-v2",
        "strict-reconfig-check",
        "enable-pprof",
        "enable-priority-and-fairness",
        "logtostderr",
        "alsologtostderr",
        "debug",
        "experimental-initial-corrupt-check",
        "force-new-cluster",
    }
)


@dataclass(frozen=True)
class Flag:
    """One flag occurrence on a component's command line."""

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
    """The flags of every control-plane container of a pod-bearing object (none: no such
    container, or not a pod-bearing object).

    A container is a control-plane component when its command is the component's binary
    (``kube-apiserver``, ``/usr/local/bin/kube-apiserver``, ``hyperkube apiserver``, also
    started by ``sh -c``) or, with no command, when its image is the component's image and its
    ``args`` hold the flags. An ``etcd`` container counts only when it is the cluster's etcd.
    """
    return list(_each_component(obj))


def _each_component(obj: dict[str, Any]) -> Iterator[Flags]:
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
    """The flags among a command line's words (pflag rules; Go's flag rules for etcd, which
    also accepts ``-flag``); positional arguments are skipped."""
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


# --------------------------------------------------------------------------- TLS

#: Go's crypto/tls InsecureCipherSuites (RC4, 3DES, CBC with SHA-256)
INSECURE_CIPHERS = frozenset(
    {
        "TLS_RSA_WITH_RC4_128_SHA",
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        "TLS_RSA_WITH_AES_128_CBC_SHA256",
        "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
        "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
        "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    }
)
OLD_TLS = frozenset({"VersionTLS10", "VersionTLS11"})
