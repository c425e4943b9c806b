"""The admission policy: what the webhook does with each rule's violations, and for whom.

A YAML file with the rule codes and configuration names of ``.hardhull.yaml`` (``disable``,
``severity``, ``pss-level``, ``pss-version``) plus the admission keys below. Validated at load:
every error names the file and the line. docs/admission.md is the reference.

Mode of a violation, first match wins: ``rules: {CODE: mode}``; ``disable: [CODE]`` (off);
``severity-modes: {severity: mode}`` by the violation's severity (after ``severity``
overrides); ``default-mode``. Keys a file leaves out keep the built-in default
(:func:`default_policy`), and the entries of ``rules`` and ``severity-modes`` are merged over
the default ones (``K100: enforce``; ``critical``/``high``: enforce).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hardhull.admission.signatures import (
    RULE_MODES,
    ImageRule,
    KeyLoadError,
    TrustedKey,
    VerifySettings,
    load_public_key,
    parse_duration,
)
from hardhull.model import Severity
from hardhull.pss.levels import LATEST_MINOR, LevelError, LevelVersion, parse_level_version

ENFORCE, WARN, AUDIT, OFF = "enforce", "warn", "audit", "off"
MODES = (ENFORCE, WARN, AUDIT, OFF)
UPDATES_ALL, UPDATES_NEW = "all", "new-violations-only"
ON_ERROR = ("allow", "deny")

#: the fixes applied by ``mutate: [safe]``: none of them can stop a well-behaved image
SAFE_MUTATIONS = ("K002", "K010")
#: applied by ``safe`` only where the pod runs as the namespace's ``default`` service account
#: (whose token the application does not use in a cluster that grants it nothing)
SAFE_GUARDED_MUTATIONS = ("K030",)
SAFE = "safe"

#: codes an object may waive only where ``allow-object-exemptions`` names them (``true`` does
#: not): image signatures (K042), which whoever writes the object must not switch off
EXPLICIT_EXEMPTIONS = frozenset({"K042"})

DEFAULT_EXEMPT_NAMESPACES = ("kube-system",)
#: ``Policy.source`` of the built-in policy
DEFAULT_SOURCE = "<default policy>"
#: 8 MiB: an AdmissionReview carries object and oldObject, each up to etcd's 1.5 MiB limit,
#: plus JSON escaping; anything larger did not come from the API server
DEFAULT_MAX_BODY = 8 * 1024 * 1024
#: well below the 3 s webhook timeout that `hardhull admission manifests` sets
DEFAULT_TIMEOUT_MS = 2000
MAX_TIMEOUT_MS = 29_000  # the API server's own limit is 30 s

KEYS = (
    "default-mode", "severity-modes", "rules", "disable", "severity", "pss-level",
    "pss-version", "updates", "exempt-namespaces", "exempt-users", "exempt-groups",
    "allow-object-exemptions", "mutate", "on-error", "max-body-bytes", "timeout-ms",
    "verify-images", "verify-images-cache", "verify-images-concurrency",
    "verify-images-insecure-registries",
)  # fmt: skip
#: the keys of one ``verify-images`` rule, and of ``verify-images-cache``
RULE_KEYS = ("images", "keys", "annotations", "mode", "mutate-digest")
CACHE_KEYS = ("ttl", "tag-ttl", "size")
ALIASES = {"onError": "on-error"}
#: keys that look useful but cannot be evaluated correctly here: say where they belong
NOT_HERE = {
    "namespace-selector": "the AdmissionReview does not carry namespace labels: put a "
    "namespaceSelector on the Validating/MutatingWebhookConfiguration instead",
    "namespaceSelector": "the AdmissionReview does not carry namespace labels: put a "
    "namespaceSelector on the Validating/MutatingWebhookConfiguration instead",
    "fail-on": "use severity-modes (e.g. {high: enforce, critical: enforce})",
}


class PolicyError(Exception):
    """A policy file that cannot be used: the message names the file and line."""


@dataclass(frozen=True)
class Policy:
    default_mode: str = WARN
    severity_modes: Mapping[Severity, str] = field(default_factory=dict)
    rules: Mapping[str, str] = field(default_factory=dict)
    disable: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    pss: LevelVersion = field(default_factory=lambda: LevelVersion("restricted", LATEST_MINOR))
    #: the file names ``pss-level`` or ``pss-version`` (K100 then says the policy set the level)
    pss_set: bool = field(default=False, compare=False)
    updates: str = UPDATES_ALL
    exempt_namespaces: frozenset[str] = frozenset(DEFAULT_EXEMPT_NAMESPACES)
    exempt_users: frozenset[str] = frozenset()
    exempt_groups: frozenset[str] = frozenset()
    #: rule codes an object may exempt itself from with ``hardhull.dev/ignore`` ("*": all)
    object_exemptions: frozenset[str] = frozenset()
    mutate: frozenset[str] = frozenset()
    #: mutations applied only where the pod uses the ``default`` service account
    mutate_guarded: frozenset[str] = frozenset()
    on_error: str = "deny"
    max_body_bytes: int = DEFAULT_MAX_BODY
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    #: ``verify-images``: the images that must be signed (K042, checked by the webhook)
    verify_images: tuple[ImageRule, ...] = ()
    verify_settings: VerifySettings = field(default_factory=VerifySettings)
    source: str = DEFAULT_SOURCE

    @property
    def is_default(self) -> bool:
        """The built-in policy (no policy file)."""
        return self.source == DEFAULT_SOURCE

    def mode(self, code: str, severity: Severity) -> str:
        """What to do with a violation of ``code`` at ``severity`` (after overrides)."""
        m = self.rules.get(code)
        if m is not None:
            return m
        if code in self.disable:
            return OFF
        return self.severity_modes.get(severity, self.default_mode)

    @property
    def off_codes(self) -> frozenset[str]:
        """Codes named off (or disabled): checks the webhook need not even run.

        A rule whose mode comes from its severity is never skipped: checks may raise a
        violation's severity above the rule's own.
        """
        named = {c for c, m in self.rules.items() if m == OFF}
        return frozenset(named | {c for c in self.disable if c not in self.rules})

    def allows_object_exemption(self, code: str) -> bool:
        if code in EXPLICIT_EXEMPTIONS:
            return code in self.object_exemptions
        return "*" in self.object_exemptions or code in self.object_exemptions


def default_policy(namespace: str | None = None) -> Policy:
    """Without ``--config``: restricted Pod Security enforced (K100), high and critical
    findings denied, the rest warned; kube-system and the webhook's namespace exempt."""
    return Policy(
        default_mode=WARN,
        severity_modes={Severity.CRITICAL: ENFORCE, Severity.HIGH: ENFORCE},
        rules={"K100": ENFORCE},
        exempt_namespaces=_with_own(DEFAULT_EXEMPT_NAMESPACES, namespace),
    )


def default_policy_yaml(namespace: str | None = None) -> str:
    """The default policy as a policy file (what `admission manifests` puts in its ConfigMap)."""
    ns = ", ".join(_with_own(DEFAULT_EXEMPT_NAMESPACES, namespace))
    return f"""\
# hardhull admission policy: the built-in default (docs/admission.md is the reference).
# Restricted Pod Security Standard enforced (K100), high and critical findings denied,
# everything else allowed with a warning.
default-mode: warn
severity-modes:
  critical: enforce
  high: enforce
rules:
  K100: enforce
pss-level: restricted
pss-version: latest
updates: all
exempt-namespaces: [{ns}]
allow-object-exemptions: false
mutate: []
on-error: deny
timeout-ms: {DEFAULT_TIMEOUT_MS}
max-body-bytes: {DEFAULT_MAX_BODY}
"""


def _with_own(names: Iterable[str], own: str | None) -> frozenset[str]:
    out = set(names)
    if own:
        out.add(own)
    return frozenset(out)


def own_namespace(explicit: str | None = None) -> str | None:
    """The webhook's own namespace: ``--namespace``, else ``POD_NAMESPACE`` (downward API)."""
    return explicit or os.environ.get("POD_NAMESPACE") or None


# --------------------------------------------------------------------------- loading


def load_policy(
    path: str,
    namespace: str | None = None,
    extra_codes: Iterable[str] = (),
    load_keys: bool = True,
) -> Policy:
    """Read and validate a policy file. ``extra_codes``: codes of I/O hooks (not registered).

    ``load_keys=False``: the key files of ``verify-images`` are not read (their rules get no
    keys): for ``scan --policy``, which does not verify signatures, and for ``admission
    manifests``, which ships a policy whose key paths exist only in the webhook's pod.
    Inline keys are still checked."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_policy(text, path, namespace, extra_codes, load_keys)


def parse_policy(
    text: str,
    path: str = "<policy>",
    namespace: str | None = None,
    extra_codes: Iterable[str] = (),
    load_keys: bool = True,
) -> Policy:
    from hardhull.formats.yamlpos import YamlError, load_all
    from hardhull.rules import all_rules

    try:
        docs = load_all(text)
    except YamlError as exc:
        where = f":{exc.line}" if exc.line else ""
        raise PolicyError(f"{path}{where}: invalid YAML: {exc.message}") from None
    if len(docs) > 1:
        raise PolicyError(f"{path}:{docs[1].line}: a policy file holds one YAML document")
    if not docs or docs[0].data is None:
        return _build({}, {}, path, namespace, frozenset(all_rules()) | set(extra_codes), load_keys)
    doc = docs[0]
    if not isinstance(doc.data, dict):
        raise PolicyError(f"{path}:{doc.line}: the policy must be a mapping of keys to values")
    known = frozenset(all_rules()) | {c.upper() for c in extra_codes}
    return _build(doc.data, doc.positions, path, namespace, known, load_keys)


class _Reader:
    def __init__(self, data: dict[str, Any], positions: Mapping[str, tuple[int, int]], path: str):
        self.data = data
        self.positions = positions
        self.path = path

    def fail(self, pointer: str, message: str) -> PolicyError:
        from hardhull.formats.yamlpos import locate

        (line, _), _ = locate(dict(self.positions), pointer)
        where = f":{line}" if line else ""
        return PolicyError(f"{self.path}{where}: {message}")

    def string(self, key: str, choices: Iterable[str] | None = None) -> str | None:
        v = self.data.get(key)
        if v is None:
            return None
        if not isinstance(v, str):
            raise self.fail(f"/{key}", f"'{key}' must be a string")
        if choices is not None:
            allowed = tuple(choices)
            if v not in allowed:
                raise self.fail(
                    f"/{key}", f"'{key}' is {v!r}; expected one of {', '.join(allowed)}"
                )
        return v

    def strlist(self, key: str) -> list[str] | None:
        v = self.data.get(key)
        if v is None:
            return None
        if isinstance(v, str):
            return [v]
        if not isinstance(v, list):
            raise self.fail(f"/{key}", f"'{key}' must be a list of strings")
        for i, x in enumerate(v):
            if not isinstance(x, str) or not x:
                raise self.fail(f"/{key}/{i}", f"'{key}' must be a list of non-empty strings")
        return list(v)

    def mapping(self, key: str) -> dict[str, Any]:
        v = self.data.get(key)
        if v is None:
            return {}
        if not isinstance(v, dict):
            raise self.fail(f"/{key}", f"'{key}' must be a mapping")
        return v

    def positive(self, key: str, default: int, maximum: int | None = None) -> int:
        v = self.data.get(key)
        if v is None:
            return default
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise self.fail(f"/{key}", f"'{key}' must be a positive integer")
        if maximum is not None and v > maximum:
            raise self.fail(f"/{key}", f"'{key}' must be at most {maximum}")
        return v

    def code(self, pointer: str, raw: str, known: frozenset[str]) -> str:
        code = raw.strip().upper()
        if code not in known:
            raise self.fail(pointer, f"unknown rule code {raw!r} (see: hardhull rules)")
        return code


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _build(
    data: dict[str, Any],
    positions: Mapping[str, tuple[int, int]],
    path: str,
    namespace: str | None,
    known: frozenset[str],
    load_keys: bool = True,
) -> Policy:
    for alias, canonical in ALIASES.items():
        if alias in data:
            if canonical in data:
                raise _Reader(data, positions, path).fail(
                    f"/{alias}", f"'{alias}' and '{canonical}' both given: keep '{canonical}'"
                )
            data = {(canonical if k == alias else k): v for k, v in data.items()}
            positions = {
                (f"/{canonical}" + p[len(alias) + 1 :] if p.startswith(f"/{alias}") else p): pos
                for p, pos in positions.items()
            }
    r = _Reader(data, positions, path)
    for key in data:
        if key in NOT_HERE:
            raise r.fail(f"/{_escape(str(key))}", f"'{key}' is not a policy key: {NOT_HERE[key]}")
        if key not in KEYS:
            raise r.fail(
                f"/{_escape(str(key))}",
                f"unknown key {key!r}; known: {', '.join(sorted(KEYS))}",
            )

    if data.get("default-mode") is False:  # YAML 1.1: a bare `off` is the boolean false
        data = {**data, "default-mode": OFF}
        r.data = data
    default_mode = r.string("default-mode", MODES) or WARN

    # keys a file leaves out keep the built-in default (entries of mappings too)
    base = default_policy()
    severity_modes: dict[Severity, str] = dict(base.severity_modes)
    for name, mode in r.mapping("severity-modes").items():
        ptr = f"/severity-modes/{_escape(name)}"
        try:
            sev = Severity.parse(str(name))
        except ValueError as exc:
            raise r.fail(ptr, str(exc)) from None
        if mode is False:
            mode = OFF
        if mode not in MODES:
            raise r.fail(ptr, f"mode of {name} is {mode!r}; expected one of {', '.join(MODES)}")
        severity_modes[sev] = mode

    rules: dict[str, str] = {}
    for raw, mode in r.mapping("rules").items():
        ptr = f"/rules/{_escape(raw)}"
        code = r.code(ptr, str(raw), known)
        if mode is False:  # YAML 1.1: a bare `off` is the boolean false
            mode = OFF
        if mode not in MODES:
            raise r.fail(ptr, f"mode of {code} is {mode!r}; expected one of {', '.join(MODES)}")
        rules[code] = mode

    disable: set[str] = set()
    for i, raw in enumerate(r.strlist("disable") or []):
        code = r.code(f"/disable/{i}", raw, known)
        if code in rules and rules[code] != OFF:
            raise r.fail(
                f"/disable/{i}", f"{code} is both disabled and set to {rules[code]} under 'rules'"
            )
        disable.add(code)
    rules = {
        **{c: m for c, m in base.rules.items() if c not in disable},
        **rules,
    }

    severity: dict[str, Severity] = {}
    for raw, sev in r.mapping("severity").items():
        ptr = f"/severity/{_escape(raw)}"
        code = r.code(ptr, str(raw), known)
        try:
            severity[code] = Severity.parse(str(sev))
        except ValueError as exc:
            raise r.fail(ptr, f"severity of {code}: {exc}") from None

    if data.get("pss-version") is not None and not isinstance(data.get("pss-version"), str):
        raise r.fail("/pss-version", "'pss-version' must be a string: quote it (\"v1.30\")")
    try:
        pss = parse_level_version(r.string("pss-level") or "restricted", r.string("pss-version"))
    except LevelError as exc:
        key = "pss-level" if "level" in str(exc) else "pss-version"
        raise r.fail(f"/{key}", str(exc)) from None

    updates = r.string("updates", (UPDATES_ALL, UPDATES_NEW)) or UPDATES_ALL
    ns_list = r.strlist("exempt-namespaces")
    exempt_ns = _with_own(DEFAULT_EXEMPT_NAMESPACES if ns_list is None else ns_list, namespace)

    oe = data.get("allow-object-exemptions", False)
    object_exemptions: frozenset[str]
    if oe is True:
        object_exemptions = frozenset({"*"})
    elif oe is False or oe is None:
        object_exemptions = frozenset()
    elif isinstance(oe, list):
        codes = set()
        for i, raw in enumerate(oe):
            if not isinstance(raw, str):
                raise r.fail(f"/allow-object-exemptions/{i}", "expected a rule code")
            codes.add(r.code(f"/allow-object-exemptions/{i}", raw, known))
        object_exemptions = frozenset(codes)
    else:
        raise r.fail(
            "/allow-object-exemptions",
            "'allow-object-exemptions' must be true, false or a list of rule codes",
        )

    mutate: set[str] = set()
    guarded: set[str] = set()
    from hardhull.rules import all_rules

    RULES = all_rules()

    for i, raw in enumerate(r.strlist("mutate") or []):
        if raw.strip().lower() == SAFE:
            mutate.update(SAFE_MUTATIONS)
            guarded.update(SAFE_GUARDED_MUTATIONS)
            continue
        code = r.code(f"/mutate/{i}", raw, known)
        if code not in MUTABLE and code in RULES:
            raise r.fail(
                f"/mutate/{i}",
                f"{code} has no automatic fix; rules with one: {', '.join(sorted(MUTABLE))}",
            )
        mutate.add(code)
    guarded -= mutate  # named explicitly: applied everywhere

    on_error = r.string("on-error", ON_ERROR) or "deny"
    return Policy(
        default_mode=default_mode,
        severity_modes=severity_modes,
        rules=rules,
        disable=frozenset(disable),
        severity=severity,
        pss=pss,
        pss_set=data.get("pss-level") is not None or data.get("pss-version") is not None,
        updates=updates,
        exempt_namespaces=exempt_ns,
        exempt_users=frozenset(r.strlist("exempt-users") or []),
        exempt_groups=frozenset(r.strlist("exempt-groups") or []),
        object_exemptions=object_exemptions,
        mutate=frozenset(mutate),
        mutate_guarded=frozenset(guarded),
        on_error=on_error,
        max_body_bytes=r.positive("max-body-bytes", DEFAULT_MAX_BODY),
        timeout_ms=r.positive("timeout-ms", DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS),
        verify_images=_verify_images(r, load_keys),
        verify_settings=_verify_settings(r),
        source=path,
    )


# --------------------------------------------------------------------------- verify-images


def _verify_images(r: _Reader, load_keys: bool) -> tuple[ImageRule, ...]:
    raw = r.data.get("verify-images")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise r.fail("/verify-images", "'verify-images' must be a list of rules")
    return tuple(_image_rule(r, i, entry, load_keys) for i, entry in enumerate(raw))


def _image_rule(r: _Reader, i: int, entry: Any, load_keys: bool) -> ImageRule:
    at = f"/verify-images/{i}"
    name = f"verify-images[{i}]"
    if not isinstance(entry, dict):
        raise r.fail(at, f"{name} must be a mapping with 'images' and 'keys'")
    for key in entry:
        if key not in RULE_KEYS:
            raise r.fail(
                f"{at}/{_escape(str(key))}",
                f"{name}: unknown key {key!r}; known: {', '.join(RULE_KEYS)}",
            )
    images = _strings(r, entry, "images", at, name)
    for j, pattern in enumerate(images):
        if any(c.isspace() for c in pattern):
            raise r.fail(f"{at}/images/{j}", f"{name}.images: {pattern!r} contains white space")
    annotations: dict[str, str] = {}
    raw_ann = entry.get("annotations")
    if raw_ann is not None:
        if not isinstance(raw_ann, dict):
            raise r.fail(f"{at}/annotations", f"{name}.annotations must be a mapping")
        for k, v in raw_ann.items():
            if not isinstance(v, str) or not isinstance(k, str):
                raise r.fail(
                    f"{at}/annotations/{_escape(str(k))}",
                    f"{name}.annotations: the value of {str(k)!r} must be a string (quote it)",
                )
            annotations[k] = v
    mode = entry.get("mode", RULE_MODES[0])
    if mode not in RULE_MODES:
        raise r.fail(
            f"{at}/mode",
            f"{name}.mode is {mode!r}; expected one of {', '.join(RULE_MODES)} "
            "(to stop verifying, disable K042)",
        )
    mutate_digest = entry.get("mutate-digest", False)
    if not isinstance(mutate_digest, bool):
        raise r.fail(f"{at}/mutate-digest", f"{name}.mutate-digest must be true or false")
    raw_keys = _strings(r, entry, "keys", at, name)
    keys: list[TrustedKey] = []
    for j, text in enumerate(raw_keys):
        inline = "-----BEGIN" in text
        if not inline and not load_keys:
            continue
        try:
            keys.append(_read_key(text, j, r.path, inline))
        except KeyLoadError as exc:
            raise r.fail(f"{at}/keys/{j}", f"{name}.keys[{j}]: {exc}") from None
    return ImageRule(i, tuple(images), tuple(keys), annotations, mode, mutate_digest)


def _strings(r: _Reader, entry: dict[str, Any], key: str, at: str, name: str) -> list[str]:
    v = entry.get(key)
    if v is None:
        raise r.fail(at, f"{name}: '{key}' is required")
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not v:
        raise r.fail(f"{at}/{key}", f"{name}.{key} must be a non-empty list of strings")
    for j, x in enumerate(v):
        if not isinstance(x, str) or not x.strip():
            raise r.fail(f"{at}/{key}/{j}", f"{name}.{key} must be a list of non-empty strings")
    return [x.strip() if key == "images" else x for x in v]


def _read_key(text: str, j: int, policy_path: str, inline: bool) -> TrustedKey:
    if inline:
        return load_public_key(text.encode(), f"inline key {j + 1}")
    path = os.path.expanduser(text.strip())
    if not os.path.isabs(path) and policy_path and not policy_path.startswith("<"):
        path = os.path.join(os.path.dirname(os.path.abspath(policy_path)), path)
    try:
        with open(path, "rb") as fh:
            pem = fh.read(64 * 1024)
    except OSError as exc:
        raise KeyLoadError(f"cannot read key file {text.strip()}: {exc.strerror or exc}") from None
    return load_public_key(pem, f"key file {text.strip()}")


def _verify_settings(r: _Reader) -> VerifySettings:
    cache = r.mapping("verify-images-cache")
    for key in cache:
        if key not in CACHE_KEYS:
            raise r.fail(
                f"/verify-images-cache/{_escape(str(key))}",
                f"verify-images-cache: unknown key {key!r}; known: {', '.join(CACHE_KEYS)}",
            )
    base = VerifySettings()
    ttl, tag_ttl = base.ttl, base.tag_ttl
    for key in ("ttl", "tag-ttl"):
        if key in cache:
            seconds = parse_duration(cache[key])
            if seconds is None:
                raise r.fail(
                    f"/verify-images-cache/{key}",
                    f"verify-images-cache.{key} must be a positive duration (300, 300s, 5m, 1h)",
                )
            if key == "ttl":
                ttl = seconds
            else:
                tag_ttl = seconds
    if tag_ttl > ttl:
        raise r.fail(
            "/verify-images-cache",
            f"verify-images-cache: tag-ttl ({tag_ttl:g}s) must not be longer than ttl ({ttl:g}s)",
        )
    size = cache.get("size", base.size)
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise r.fail(
            "/verify-images-cache/size", "verify-images-cache.size must be a positive integer"
        )
    per_registry = r.positive("verify-images-concurrency", base.per_registry, 256)
    insecure = _insecure_registries(r)
    return VerifySettings(
        ttl, tag_ttl, size, per_registry, max(base.max_calls, per_registry), insecure
    )


def _insecure_registries(r: _Reader) -> tuple[str, ...]:
    """``verify-images-insecure-registries``: loopback ``host:port`` only (plain HTTP to
    anything else would let the network forge the signatures' registry)."""
    from hardhull.oci.reference import is_loopback  # start-up time

    key = "verify-images-insecure-registries"
    value = r.data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise r.fail(f"/{key}", f"'{key}' must be a list of registry host:port names")
    for i, name in enumerate(value):
        if name.startswith("[") and "]" in name:
            host = name[1 : name.index("]")]
        else:
            host = name.rsplit(":", 1)[0] if name.count(":") == 1 else name
        if not is_loopback(host):
            raise r.fail(
                f"/{key}/{i}",
                f"{key}[{i}]: {name!r} is not on loopback (127.0.0.0/8, ::1, localhost): "
                "plain HTTP is allowed only there; use HTTPS",
            )
    return tuple(value)


#: rules whose violations carry a JSON-patch fix (the only ones `mutate` can name)
MUTABLE = frozenset(
    {"K001", "K002", "K003", "K006", "K007", "K010", "K014", "K015", "K016", "K030"}
)
