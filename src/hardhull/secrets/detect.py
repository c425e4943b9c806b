"""Credential detectors: by value format (keys, tokens, connection strings) and by field name.

Two kinds of evidence, kept apart on purpose:

- **Format**: the value itself proves it is a credential (a PEM private key, an ``AKIA…`` key
  ID, a ``ghp_…`` token, a JWT, ``postgres://user:pass@host``). Found anywhere, whatever the
  field is called; severity high.
- **Name**: the field is called like a credential (``DB_PASSWORD``, ``apiKey``) and holds a
  real-looking literal. Severity medium; never reported for references (``${VAR}``,
  ``/run/secrets/x``, ``{{ .Values.x }}``), placeholders (``changeme``, ``<password>``),
  booleans, small numbers, paths, public keys, certificates or digests; low for well-known
  default passwords (``postgres``, ``admin``).

Documented example credentials (AWS's ``…EXAMPLE`` keys, the Azurite development storage key,
jwt.io's sample token) are not reported at all: they are public and grant nothing.

Everything here is a pure function over strings, safe to call on every value of a scan.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from hardhull.model import Severity

__all__ = [
    "SecretMatch",
    "detect_value",
    "is_credential_name",
    "is_placeholder",
    "is_reference",
    "iter_format_matches",
    "mask",
    "shannon_entropy",
]


@dataclass(frozen=True)
class SecretMatch:
    """A credential found in a value. ``masked`` never contains the secret."""

    kind: str
    severity: Severity
    masked: str
    description: str


# --------------------------------------------------------------------------------------------
# masking and entropy


def mask(value: str) -> str:
    """``ghp_…(40 chars)``: at most the first 4 characters (fewer for short values), the length.

    Keeps ``len // 6`` characters, capped at 4: nothing of values under 6 characters, one of a
    6–11 character password, the (public) prefix of a long token.
    """
    v = value.strip()
    n = len(v)
    keep = min(4, n // 6)
    prefix = "".join(c if c.isprintable() and not c.isspace() else "?" for c in v[:keep])
    return f"{prefix}…({n} chars)"


def shannon_entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    n = len(value)
    counts: dict[str, int] = {}
    for c in value:
        counts[c] = counts.get(c, 0) + 1
    return -sum(k / n * math.log2(k / n) for k in counts.values())


_HEX = re.compile(r"[0-9a-fA-F]+")


def _high_entropy(value: str) -> bool:
    """Random-looking: ≥ 16 characters over 3.0 bits/char for hex, 3.5 for anything else."""
    if len(value) < 16:
        return False
    threshold = 3.0 if _HEX.fullmatch(value) else 3.5
    return shannon_entropy(value) >= threshold


# --------------------------------------------------------------------------------------------
# credential names


_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_SPLIT = re.compile(r"[^A-Za-z0-9]+")

#: words that by themselves name a credential
_CRED_WORDS = frozenset(
    {
        "password", "passwords", "passwd", "pass", "pwd", "pw", "passphrase", "passcode",
        "secret", "secrets", "token", "tokens", "credential", "credentials", "creds", "cred",
        "auth", "apikey", "apikeys", "apitoken", "authtoken", "accesstoken", "refreshtoken",
        "secretkey", "accesskey", "accesskeyid", "privatekey", "clientsecret", "htpasswd",
        "bearer", "dsn",
    }
)  # fmt: skip
#: words that make a following "key" a credential (API_KEY, signingKey, …)
_KEY_MAKERS = frozenset(
    {
        "api", "access", "secret", "private", "signing", "sign", "encryption", "encrypt",
        "crypt", "crypto", "master", "auth", "session", "license", "licence", "app", "hmac",
        "ssh", "service", "account", "storage", "shared", "deploy", "admin", "client",
        "webhook", "jwt", "cookie", "root", "subscription", "consumer", "partner", "sas",
        "aes", "cipher", "token", "write", "read", "ingest", "management", "server",
    }
)  # fmt: skip
#: a word after the credential word that makes the name metadata about a credential
_QUALIFIERS = frozenset(
    {
        "file", "files", "filename", "path", "paths", "dir", "directory", "folder",
        "location", "enabled", "enable", "disabled", "disable", "enforce", "enforced",
        "length", "len", "min", "max", "minimum", "maximum", "policy", "policies", "header",
        "headers", "url", "uri", "urls", "endpoint", "endpoints", "host", "hostname", "port",
        "id", "ids", "ttl", "expiry", "expires", "expire", "expiration", "lifetime", "timeout",
        "duration", "age", "interval", "period", "rotation", "name", "names", "type", "types",
        "kind", "mode", "method", "methods", "provider", "issuer", "audience", "aud", "scope",
        "scopes", "realm", "domain", "required", "require", "size", "count", "limit",
        "retries", "retry", "attempts", "ref", "refs", "reference", "mount", "mountpath",
        "env", "var", "variable", "algorithm", "alg", "format", "prefix", "suffix", "field",
        "template", "version", "label", "annotation", "source", "backend", "store", "namespace",
        "class", "strength", "complexity", "pattern", "regex", "validation", "check", "sha",
        "sha1", "sha256", "sha384", "sha512", "md5", "checksum", "digest", "fingerprint", "arn",
        "region", "bucket", "role", "user", "username", "email", "cache", "log", "logging",
        "debug", "level", "metrics", "rate", "generator", "lookup", "helper", "command", "cmd",
        "script", "plugin", "manager", "config", "configuration", "sock", "socket", "hint",
        "prompt", "key", "keys", "mapping", "map", "mapper", "selector", "exists", "present",
        "set", "ok", "valid", "status", "chars", "characters", "uppercase", "lowercase",
        "digits", "symbols", "special", "reuse", "history", "threshold",
    }
)  # fmt: skip


@lru_cache(maxsize=4096)
def _words(key: str) -> tuple[str, ...]:
    out: list[str] = []
    for part in _SPLIT.split(key):
        out.extend(w.lower() for w in _WORD.findall(part))
    return tuple(out)


@lru_cache(maxsize=4096)
def is_credential_name(key: str) -> bool:
    """Whether a field or variable name names a credential (``DB_PASSWORD``, ``apiKey``).

    Case-insensitive, over the name's words (``_ - .`` separators and camelCase). Names that
    describe a credential rather than hold one are not credential names: a qualifier word
    after the last credential word (``PASSWORD_MIN_LENGTH``, ``TOKEN_TTL``, ``SECRET_NAME``,
    ``API_KEY_FILE``, ``*_PATH``, ``*_URL``, ``*_ID``, ``*_SHA256`` …), except
    ``ACCESS_KEY_ID`` (half of an AWS-style key pair).
    """
    words = _words(key)
    last = -1
    for i, w in enumerate(words):
        if w in _CRED_WORDS or (w == "key" and i > 0 and words[i - 1] in _KEY_MAKERS):
            last = i
    if last < 0:
        return False
    rest = words[last + 1 :]
    if not rest:
        return True
    if rest == ("id",) and (
        words[last] == "accesskey" or (words[last] == "key" and words[last - 1] == "access")
    ):
        return True
    return not any(w in _QUALIFIERS for w in rest)


_AWS_SECRET_NAME_WORDS = ("secretaccesskey", "secretkey")


def _is_aws_secret_name(key: str) -> bool:
    words = _words(key)
    joined = "".join(words)
    return ("aws" in words or "secretaccesskey" in joined) and any(
        w in joined for w in _AWS_SECRET_NAME_WORDS
    )


# --------------------------------------------------------------------------------------------
# references, placeholders, values that cannot be secrets

_REFERENCE = re.compile(
    r"""
    \$\{ | \$\( | \{\{ | \}\} | %\( | \#\{ | \$\$\{     # ${VAR} $(VAR) {{ x }} %(x)s #{x}
    | ^\$[A-Za-z_][A-Za-z0-9_]*$                        # $VAR
    | ^%[A-Za-z_][A-Za-z0-9_]*%$                        # %VAR%
    | ^@[A-Za-z_][A-Za-z0-9_.]*@$                       # @var@ (maven filtering)
    | ^__[A-Za-z0-9_]+__$                               # __VAR__ (token replacement)
    | ^(?:arn:aws[a-z-]*:|vault:|ref\+|op://|sm://|ssm:|awssm:|gcpsm:|akv:|azkv:
         |secretsmanager:|keyvault:|projects/[^/\s]+/secrets/)
    """,
    re.VERBOSE,
)
_SUBST_ONLY = re.compile(r"%[sd]|\{\d*\}")  # printf / str.format slots


def is_reference(value: str) -> bool:
    """A reference or indirection, not a literal: ``${VAR}``, ``$(VAR)``, ``{{ .x }}``,
    ``%(x)s``, ``#{x}``, ``$VAR``, ``%VAR%``, secret-manager references (``arn:aws:…``,
    ``vault:…``, ``ref+…``, ``op://…``, ``projects/p/secrets/s``)."""
    v = value.strip()
    return bool(_REFERENCE.search(v)) or bool(_SUBST_ONLY.search(v))


_PLACEHOLDER_WORDS = frozenset(
    {
        "changeme", "changeit", "changethis", "password", "passwd", "pass", "pwd", "secret",
        "secrets", "token", "apikey", "key", "replaceme", "example", "placeholder", "todo",
        "tbd", "fixme", "dummy", "redacted", "hidden", "masked", "sample", "test", "testing",
        "foo", "bar", "baz", "foobar", "value", "empty", "default", "notset", "unset", "none",
        "null", "nil", "undefined", "mysecret", "mypassword", "mytoken", "secretpassword",
        "supersecret", "topsecret", "notsecret", "notasecret", "insecure", "dev", "local",
        "secretvalue", "tokenvalue", "string", "required", "optional", "tobechanged",
        "toreplace", "setme", "missing", "unknown", "na", "blank", "abc", "abcd", "abc123",
        "qwerty123", "xyz", "s3cr3t", "p4ssw0rd", "passw0rd",
    }
)  # fmt: skip
_PLACEHOLDER_PARTS = (
    "changeme", "change_me", "change-me", "change me", "replace", "example", "placeholder",
    "your", "dummy", "redacted", "insert", "xxxx", "****", "....", "…", "<", ">", "fixme",
    "todo", "notreal", "not-real", "not_real", "sample", "generated", "dontuse", "do-not-use",
    "donotuse", "secret-here", "token-here", "key-here", "_here", "-here",
)  # fmt: skip
#: "mypass", "yourpassword1", "the_secret", "dbpassword", "apitoken123"
_GENERIC_DUMMY = re.compile(
    r"(?:my|your|the|some|a|db|app|api|user|admin|test|dummy|default)?"
    r"(?:pass|password|passwd|pwd|secret|token|key|apikey|credential)s?\d{0,3}"
)
_FILLER = re.compile(r"[xX*.#_\-=0 ]+")
_GENERIC_LOWER = re.compile(r"[a-z][a-z0-9._-]*")
_GENERIC_WORDS = ("secret", "password", "passwd", "token", "apikey", "api-key", "api_key", "cred")


def is_placeholder(value: str) -> bool:
    """Placeholder or dummy text: ``changeme``, ``<password>``, ``xxx``, ``REPLACE_ME``,
    ``your-token-here``, ``example``, a single repeated character, or a lower-case name made of
    generic words (``my-db-secret``, ``supersecret``: the name of a Secret, or a dummy)."""
    v = value.strip()
    low = v.lower()
    if not v or _FILLER.fullmatch(v) or len(set(v)) == 1:
        return True
    squeezed = re.sub(r"[^a-z0-9]", "", low)
    if squeezed in _PLACEHOLDER_WORDS or _GENERIC_DUMMY.fullmatch(squeezed):
        return True
    if any(p in low for p in _PLACEHOLDER_PARTS):
        return True
    return bool(_GENERIC_LOWER.fullmatch(v)) and any(w in v for w in _GENERIC_WORDS)


_DEFAULT_PASSWORDS = frozenset(
    {
        "postgres", "postgresql", "root", "admin", "administrator", "guest", "mysql", "mariadb",
        "redis", "rabbitmq", "user", "1234", "12345", "123456", "1234567", "12345678",
        "123456789", "1234567890", "password1", "password123", "pass123", "admin123",
        "letmein", "qwerty", "welcome", "mongo", "mongodb", "elastic", "minio", "minioadmin",
        "minio123", "keycloak", "grafana", "airflow", "superset", "docker", "kibana", "sonar",
        "jenkins", "odoo", "wordpress", "nextcloud", "gitea", "couchdb", "neo4j", "oracle",
        "sa", "system", "manager", "tomcat", "demo", "prometheus", "vault", "consul", "nats",
        "kafka", "zookeeper", "memcached", "cassandra", "changeit", "openstack", "ubuntu",
        "debian", "centos", "alpine", "pi", "raspberry", "toor", "admin1", "secret123",
    }
)  # fmt: skip

_BOOLEAN = frozenset(
    {
        "true", "false", "yes", "no", "on", "off", "y", "n", "enabled", "disabled", "enable",
        "disable", "none", "null", "nil", "~", "required", "optional", "0", "1",
    }
)  # fmt: skip
_NUMBER = re.compile(
    r"[+-]?(?:\d{1,5}(?:\.\d+)?|\d+\.\d+)"
    r"(?:ms|s|m|h|d|w|y|min|mins|sec|secs|seconds|minutes|hours|days|k|ki|m|mi|g|gi|kb|mb|gb)?",
    re.IGNORECASE,
)
_DURATION = re.compile(r"(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d))+")
_PATH = re.compile(r"(?:/|\./|\.\./|~/|[A-Za-z]:\\|file://)[\w.@:/\\+~ -]*")
_URL_NO_CREDS = re.compile(r"[a-z][a-z0-9+.-]*://[^\s@]*", re.IGNORECASE)
_EMAIL = re.compile(r"[^@\s:/]+@[^@\s:/]+\.[A-Za-z]{2,}")
_DIGEST = re.compile(
    r"(?:sha1|sha224|sha256|sha384|sha512|md5):[0-9a-fA-F]{16,}|.*@sha256:[0-9a-f]{64}"
)
_PUBLIC_MATERIAL = re.compile(
    r"(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp\d+|sk-(?:ssh|ecdsa)-[\w@.-]+)\s+AAAA"
    r"|-----BEGIN (?!(?:[A-Z0-9]+ )*PRIVATE KEY)[A-Z0-9 ]+-----"
)
_EXPRESSION = re.compile(
    r"(?:[A-Za-z_][\w]*\.)+[A-Za-z_]\w*(?:\s*[(\[].*)?$|[A-Za-z_][\w.]*\s*\(.*\)$"
)
_PROSE = re.compile(r"[A-Za-z][A-Za-z,;'’-]*(?: [A-Za-z][A-Za-z,.;'’-]*){3,}")


_WORDY_SEGMENT = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)+")


def _not_a_secret(v: str) -> bool:
    """Values a credential-named field can hold without holding a credential."""
    low = v.lower()
    if low in _BOOLEAN or _NUMBER.fullmatch(v) or _DURATION.fullmatch(v):
        return True
    if _PATH.fullmatch(v) and all(
        len(seg) < 24 or _WORDY_SEGMENT.fullmatch(seg) for seg in re.split(r"[/\\]", v)
    ):
        # a path: short segments, or long ones made of lowercase words and separators
        # (`apiserver-kubelet-client.key`); a base64 key that starts with "/" is no path
        return True
    if _URL_NO_CREDS.fullmatch(v) or _EMAIL.fullmatch(v) or _DIGEST.fullmatch(v):
        return True
    if _PUBLIC_MATERIAL.match(v):
        return True
    if _EXPRESSION.match(v):
        return True  # code: os.environ["TOKEN"], get_secret("db"), self.token
    return bool(_PROSE.fullmatch(v))  # a sentence: a description, not a credential


# --------------------------------------------------------------------------------------------
# formats


@dataclass(frozen=True)
class Format:
    """A credential recognisable by its format alone."""

    kind: str
    description: str
    regex: re.Pattern[str]
    #: (text, match) -> (start, end) of the secret to report, or None when it is not one
    validate: Callable[[str, re.Match[str]], tuple[int, int] | None]
    #: the match must not continue a word (``xAKIA…`` is no key ID)
    boundary: bool = True

    @property
    def lead(self) -> str:
        """The literal every match starts with (a cheap substring test before the regex)."""
        return _lead(self.regex.pattern)


_META = frozenset("[(|?*+{^$")


def _lead(pattern: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(pattern) and pattern[i] not in _META:
        if i + 1 < len(pattern) and pattern[i + 1] in "?*{":
            break  # the character is optional
        if pattern[i] == "\\":
            if i + 1 >= len(pattern) or pattern[i + 1].isalnum():
                break
            i += 1
        out.append(pattern[i])
        i += 1
    return "".join(out)


def _no_filler(group: str | int = 0) -> Callable[[str, re.Match[str]], tuple[int, int] | None]:
    """Valid unless the variable part is filler (``xxxx``, ``0000``, ``****``) or an example."""

    def check(_text: str, m: re.Match[str]) -> tuple[int, int] | None:
        body = m.group(group)
        if _FILLER.fullmatch(body) or "EXAMPLE" in body.upper() or "X" * 8 in body.upper():
            return None
        return m.span()

    return check


_PEM_BODY = re.compile(r"[A-Za-z0-9+/]{32,}")
_PEM_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")


def _pem(text: str, m: re.Match[str]) -> tuple[int, int] | None:
    window = text[m.end() : m.end() + 600].replace("\\n", "\n").replace("\\r", "\n")
    body = _PEM_BODY.search(window)
    if body is None or _FILLER.fullmatch(body.group()):
        return None
    end = _PEM_END.search(text, m.end(), m.end() + 20000)
    return (m.start(), end.end() if end else m.end())


def _b64_pem(_text: str, m: re.Match[str]) -> tuple[int, int] | None:
    """base64 of a PEM private key (Secret data, kubeconfig ``client-key-data``)."""
    chunk = m.group()
    if len(chunk) < 64:
        return None
    decoded = _b64decode(chunk[: len(chunk) - len(chunk) % 4])
    if decoded is None or not _PEM_HEAD.match(decoded):
        return None
    return m.span()


def _aws_key_id(_text: str, m: re.Match[str]) -> tuple[int, int] | None:
    return None if m.group().endswith("EXAMPLE") else m.span()


_AWS_BEFORE = re.compile(r"aws[_-]?s$", re.IGNORECASE)


def _aws_secret(text: str, m: re.Match[str]) -> tuple[int, int] | None:
    """``aws_secret_access_key = …`` (the match starts at ``ecret``: ``aws_s`` precedes it)."""
    if not _AWS_BEFORE.search(text, max(0, m.start() - 5), m.start()):
        return None
    secret = m.group("s")
    return m.span("s") if _aws_secret_value(secret) else None


def _stripe(text: str, m: re.Match[str]) -> tuple[int, int] | None:
    """``sk_live_`` / ``rk_live_`` (the match starts at ``k_live_``)."""
    start = m.start() - 1
    if start < 0 or text[start] not in "sr":
        return None
    if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
        return None
    return None if _FILLER.fullmatch(m.group("b")) else (start, m.end())


def _sk(_text: str, m: re.Match[str]) -> tuple[int, int] | None:
    body = m.group("b") or m.group("o")
    return None if _FILLER.fullmatch(body) or "X" * 8 in body.upper() else m.span()


def _aws_secret_value(secret: str) -> bool:
    return (
        len(secret) == 40
        and "EXAMPLE" not in secret
        and any(c.isdigit() or c in "/+" for c in secret)
        and any(c.islower() for c in secret)
        and any(c.isupper() for c in secret)
    )


# sha256 of documented, public development keys that grant nothing (Azurite's storage key)
_KNOWN_PUBLIC = frozenset({"0011cc25eb4320717494d2703e8cba85743e71b500283c21c8b88147992f9059"})


def _azure(_text: str, m: re.Match[str]) -> tuple[int, int] | None:
    key = m.group("k")
    if hashlib.sha256(key.encode()).hexdigest() in _KNOWN_PUBLIC or _FILLER.fullmatch(key):
        return None
    return m.span("k")


def _slack_webhook(_text: str, m: re.Match[str]) -> tuple[int, int] | None:
    path = m.group("p")
    if "XXXX" in path.upper() or "00000000" in path or "…" in path:
        return None
    return m.span()


_JWT_EXAMPLE_SUB = "1234567890"


def _jwt(_text: str, m: re.Match[str]) -> tuple[int, int] | None:
    header = _b64url_json("eyJ" + m.group("h"))
    if not isinstance(header, dict) or "alg" not in header:
        return None
    if header.get("alg") != "none" and not m.group("s"):
        return None  # a signed JWT without its signature cannot be replayed
    payload = _b64url_json(m.group("p"))
    if isinstance(payload, dict) and (
        payload.get("sub") == _JWT_EXAMPLE_SUB and payload.get("name") == "John Doe"
    ):
        return None  # jwt.io's documented sample
    return m.span()


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,30}$")
_DB_SCHEMES = frozenset(
    {
        "postgres", "postgresql", "pgsql", "mysql", "mysqlx", "mariadb", "mongodb",
        "mongodb+srv", "redis", "rediss", "amqp", "amqps", "mssql", "sqlserver", "oracle",
        "clickhouse", "cockroachdb", "couchdb", "couchbase", "cassandra", "neo4j", "neo4j+s",
        "bolt", "nats", "mqtt", "mqtts", "kafka", "memcached", "elasticsearch", "influxdb",
        "db2", "sqlite", "snowflake", "postgresql+psycopg2", "postgresql+asyncpg",
        "mysql+pymysql", "mysql+mysqldb", "redshift", "vertica", "presto", "trino",
    }
)  # fmt: skip


def _url_password(text: str, m: re.Match[str]) -> tuple[int, int] | None:
    scheme = _SCHEME.search(text, max(0, m.start() - 31), m.start())
    if scheme is None:
        return None
    user, password = m.group("u"), m.group("pw")
    if is_reference(password) or is_reference(user) or is_placeholder(password):
        return None
    return (scheme.start(), m.end("pw"))


def _jdbc(_text: str, m: re.Match[str]) -> tuple[int, int] | None:
    password = m.group("pw")
    if is_reference(password) or is_placeholder(password):
        return None
    return m.span()


_ADO_SERVER = re.compile(
    r"(?:^|;)\s*(?:server|data source|host|address|addr|network address)\s*=", re.IGNORECASE
)


def _ado(text: str, m: re.Match[str]) -> tuple[int, int] | None:
    """``Server=…;User Id=…;Password=…``: only inside a ``;``-separated connection string
    that names a server (the match starts at the ``;`` before the password)."""
    stop = "\n\"'`"
    lo = max(text.rfind(c, 0, m.start()) for c in stop) + 1
    hi = min((i for i in (text.find(c, m.end()) for c in stop) if i >= 0), default=len(text))
    segment = text[lo:hi]
    if ";" not in segment or not _ADO_SERVER.search(segment):
        return None
    password = m.group("pw")
    if is_reference(password) or is_placeholder(password):
        return None
    start = lo + len(segment) - len(segment.lstrip())
    return (start, m.end())


_PEM_HEAD = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_NF = _no_filler("b")


def _f(
    kind: str,
    description: str,
    pattern: str,
    validate: Callable[[str, re.Match[str]], tuple[int, int] | None] = _NF,
    boundary: bool = True,
) -> Format:
    return Format(kind, description, re.compile(pattern), validate, boundary)


# Every regex starts with a literal of at least two characters: `re` then scans for it at
# memchr-like speed, so a format costs one fast pass over a text (a combined alternation of
# all formats cannot skip ahead and is several times slower).
FORMATS: tuple[Format, ...] = (
    _f("private-key", "private key", r"-----BEGIN " + _PEM_HEAD.pattern[11:], _pem, False),
    _f(
        "private-key",
        "private key (base64-encoded PEM)",
        r"LS0tLS1CRUdJTi[A-Za-z0-9+/]{20,}",
        _b64_pem,
    ),
    _f(
        "aws-access-key-id",
        "AWS access key ID",
        r"A(?:KIA|SIA)[A-Z2-7]{16}(?![A-Za-z0-9])",
        _aws_key_id,
    ),
    _f(
        "aws-secret-access-key",
        "AWS secret access key",
        r"ecret_?(?:[Aa]ccess_?)?[Kk]ey[\"']?\s*[:=]\s*[\"']?(?P<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])",
        _aws_secret,
        False,
    ),
    _f(
        "aws-secret-access-key",
        "AWS secret access key",
        r"ECRET_?(?:ACCESS_?)?KEY[\"']?\s*[:=]\s*[\"']?(?P<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])",
        _aws_secret,
        False,
    ),
    _f(
        "azure-storage-key",
        "Azure storage account key",
        r"Key=(?P<k>[A-Za-z0-9+/]{86}==|[A-Za-z0-9+/]{43}=)(?![A-Za-z0-9+/=])",
        _azure,
        False,
    ),
    _f("github-token", "GitHub token", r"gh[pousr]_(?P<b>[A-Za-z0-9]{36})(?![A-Za-z0-9])"),
    _f(
        "github-token",
        "GitHub fine-grained personal access token",
        r"github_pat_(?P<b>[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?![A-Za-z0-9])",
    ),
    _f("gitlab-token", "GitLab token", r"gl(?:pat|dt|rt|ptt|cbt|oas)-(?P<b>[A-Za-z0-9_-]{20,})"),
    _f(
        "slack-token",
        "Slack token",
        r"xox[abprs]-(?P<b>(?:[0-9]+-){1,3}[A-Za-z0-9]{8,})(?![A-Za-z0-9])",
    ),
    _f(
        "slack-webhook",
        "Slack incoming webhook URL",
        r"https://hooks\.slack\.com/(?:services|workflows|triggers)/(?P<p>[A-Za-z0-9_/-]{20,})",
        _slack_webhook,
        False,
    ),
    _f(
        "stripe-live-key",
        "Stripe live secret key",
        r"k_live_(?P<b>[A-Za-z0-9]{24,})",
        _stripe,
        False,
    ),
    _f("google-api-key", "Google API key", r"AIza(?P<b>[A-Za-z0-9_-]{35})(?![A-Za-z0-9_-])"),
    _f("npm-token", "npm access token", r"npm_(?P<b>[A-Za-z0-9]{36})(?![A-Za-z0-9])"),
    _f("pypi-token", "PyPI API token", r"pypi-AgE(?P<b>[A-Za-z0-9_-]{50,})"),
    _f(
        "dockerhub-token", "Docker Hub personal access token", r"dckr_pat_(?P<b>[A-Za-z0-9_-]{24,})"
    ),
    _f(
        "anthropic-api-key",
        "Anthropic API key",
        r"sk-(?:ant-(?:api|admin)\d\d-(?P<b>[A-Za-z0-9_-]{80,})"
        r"|(?:proj|svcacct|admin|None)-(?P<o>[A-Za-z0-9_-]{16,}T3BlbkFJ[A-Za-z0-9_-]{16,}))",
        _sk,
    ),
    _f(
        "sendgrid-api-key",
        "SendGrid API key",
        r"SG\.(?P<b>[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])",
    ),
    _f("vault-token", "HashiCorp Vault token", r"hv[sb]\.(?P<b>[A-Za-z0-9_-]{90,})"),
    _f(
        "jwt",
        "JSON Web Token",
        r"eyJ(?P<h>[A-Za-z0-9_-]{10,})\.(?P<p>eyJ[A-Za-z0-9_-]{4,}|[A-Za-z0-9_-]{10,})"
        r"\.(?P<s>[A-Za-z0-9_-]*)",
        _jwt,
    ),
    _f(
        "connection-string-password",
        "URL with an embedded password",
        r"://(?P<u>[^\s:/?#@'\"<>`]{0,256}):(?P<pw>[^\s@/'\"<>`]{1,256})@[\w\[.-]",
        _url_password,
        False,
    ),
    _f(
        "connection-string-password",
        "JDBC connection string with a password",
        r"jdbc:[A-Za-z0-9]+:[^\s'\"<>]*?[?;&](?i:password)=(?P<pw>[^&;\s'\"<>]+)",
        _jdbc,
        False,
    ),
    _f(
        "connection-string-password",
        "database connection string with a password",
        r";\s*(?:[Pp]assword|PASSWORD|[Pp]wd|PWD)\s*=\s*(?P<pw>[^;'\"\s<>]+)",
        _ado,
        False,
    ),
)

# descriptions of the formats that share one regex
_OPENAI = "OpenAI API key"


_LEADS: tuple[tuple[Format, str], ...] = tuple((f, f.lead) for f in FORMATS)
assert all(lead for _f, lead in _LEADS)


def iter_format_matches(text: str) -> Iterator[tuple[int, int, Format]]:
    """Every format-recognised credential in ``text``: (start, end, format), in text order.

    One fast literal-prefix pass per format; overlapping hits keep the earliest (and longest).
    """
    hits: list[tuple[int, int, Format]] = []
    short = len(text) < 4096  # a value: a substring test per format is cheaper than a pass
    for fmt, lead in _LEADS:
        if short and lead not in text:
            continue
        for m in fmt.regex.finditer(text):
            start = m.start()
            if fmt.boundary and start and (text[start - 1].isalnum() or text[start - 1] == "_"):
                continue
            span = fmt.validate(text, m)
            if span is not None:
                hits.append((span[0], span[1], _variant(fmt, m)))
    if len(hits) > 1:
        hits.sort(key=lambda h: (h[0], -h[1]))
        kept = [hits[0]]
        for h in hits[1:]:
            if h[0] >= kept[-1][1]:
                kept.append(h)
        hits = kept
    return iter(hits)


def _variant(fmt: Format, m: re.Match[str]) -> Format:
    """The format that matched, for regexes covering two (Anthropic/OpenAI, Azure keys)."""
    if fmt.kind == "anthropic-api-key" and m.group("o"):
        return Format("openai-api-key", _OPENAI, fmt.regex, fmt.validate, fmt.boundary)
    if fmt.kind == "azure-storage-key" and len(m.group("k")) == 44:
        return Format(
            "azure-shared-access-key", "Azure shared access key", fmt.regex, fmt.validate, False
        )
    return fmt


# --------------------------------------------------------------------------------------------
# helpers


def _b64decode(chunk: str) -> str | None:
    try:
        raw = base64.b64decode(chunk + "=" * (-len(chunk) % 4), validate=False)
    except (binascii.Error, ValueError):
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _printable(text: str) -> bool:
    return text.replace("\n", "").replace("\r", "").replace("\t", "").isprintable()


def _b64url_json(part: str) -> object:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


_GCP_TYPE = re.compile(r"\"type\"\s*:\s*\"service_account\"")
_GCP_KEY = re.compile(r"\"private_key\"\s*:\s*\"")
_B64_VALUE = re.compile(r"[A-Za-z0-9+/]{32,}={0,2}")


def _format_match(v: str) -> SecretMatch | None:
    if _GCP_TYPE.search(v) and _GCP_KEY.search(v):
        for _s, _e, fmt in iter_format_matches(v):
            if fmt.kind == "private-key":
                return SecretMatch(
                    "gcp-service-account",
                    Severity.HIGH,
                    mask(v),
                    "Google Cloud service account key (JSON)",
                )
    for start, end, fmt in iter_format_matches(v):
        return SecretMatch(fmt.kind, Severity.HIGH, mask(v[start:end]), fmt.description)
    return None


def _decoded_match(v: str) -> SecretMatch | None:
    """A format-recognised credential inside a base64-encoded value."""
    if len(v) > 1_000_000 or not _B64_VALUE.fullmatch(v):
        return None
    decoded = _b64decode(v)
    if decoded is None or not _printable(decoded):
        return None
    inner = _format_match(decoded)
    if inner is None:
        return None
    return SecretMatch(inner.kind, inner.severity, mask(v), inner.description + " (base64-encoded)")


# --------------------------------------------------------------------------------------------
# the entry point


def detect_value(value: str, key: str | None = None) -> SecretMatch | None:
    """Judge one value, optionally with the name of the field that holds it.

    Format detectors run whatever the name; a credential-named ``key`` adds the name-based
    detector (a real-looking literal: medium; a well-known default password: low). Returns the
    first credential found, or None.
    """
    if not isinstance(value, str):
        return None
    v = value.strip()
    if len(v) < 4:
        return None
    if key is not None and _is_aws_secret_name(key) and _aws_secret_value(v):
        return SecretMatch("aws-secret-access-key", Severity.HIGH, mask(v), "AWS secret access key")
    found = _format_match(v) or _decoded_match(v)
    if found is not None:
        return found
    if key is None or not is_credential_name(key):
        return None
    return _name_match(v, key)


_JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def _documented_example(v: str) -> bool:
    """Public sample credentials (jwt.io's token, Azurite's key): valid format, grant nothing.

    A JWT-shaped value the JWT detector rejected (a sample, or no signature) is one of them.
    """
    if hashlib.sha256(v.encode()).hexdigest() in _KNOWN_PUBLIC:
        return True
    return bool(_JWT_SHAPE.fullmatch(v))


def _name_match(v: str, key: str) -> SecretMatch | None:
    if "\n" in v:  # a multi-line value (a file) is judged by its lines, not as one password
        return None
    if is_reference(v) or _not_a_secret(v) or is_placeholder(v) or _documented_example(v):
        return None
    if re.sub(r"[^a-z0-9]", "", v.lower()) == re.sub(r"[^a-z0-9]", "", key.lower()):
        return None  # HF_TOKEN: "HF_TOKEN" names the value, it is not one
    low = v.lower()
    if low in _DEFAULT_PASSWORDS or low in _words(key):
        return SecretMatch(
            "credential-name-default",
            Severity.LOW,
            mask(v),
            "well-known default password in a credential-named field",
        )
    if _high_entropy(v):
        return SecretMatch(
            "credential-name-high-entropy",
            Severity.MEDIUM,
            mask(v),
            "random-looking literal in a credential-named field",
        )
    return SecretMatch(
        "credential-name-literal",
        Severity.MEDIUM,
        mask(v),
        "literal value in a credential-named field",
    )
