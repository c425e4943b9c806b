"""Values that are no credential whatever their field is called: references (``${VAR}``,
``vault:…``), placeholders (``changeme``, ``<password>``), well-known default passwords, and
values a credential-named field holds without holding a secret (booleans, numbers, paths, URLs
without credentials, public keys, digests, code, prose)."""

from __future__ import annotations

import hashlib
import re

__all__ = [
    "DEFAULT_PASSWORDS",
    "FILLER",
    "KNOWN_PUBLIC",
    "cannot_be_secret",
    "is_known_public",
    "is_placeholder",
    "is_reference",
]


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
#: filler characters only: ``xxxx``, ``****``, ``0000``, ``----``
FILLER = re.compile(r"[xX*.#_\-=0 ]+")
_GENERIC_LOWER = re.compile(r"[a-z][a-z0-9._-]*")
_GENERIC_WORDS = ("secret", "password", "passwd", "token", "apikey", "api-key", "api_key", "cred")


def is_placeholder(value: str) -> bool:
    """Placeholder or dummy text: ``changeme``, ``<password>``, ``xxx``, ``REPLACE_ME``,
    ``your-token-here``, ``example``, a single repeated character, or a lower-case name made of
    generic words (``my-db-secret``, ``supersecret``: the name of a Secret, or a dummy)."""
    v = value.strip()
    low = v.lower()
    if not v or FILLER.fullmatch(v) or len(set(v)) == 1:
        return True
    squeezed = re.sub(r"[^a-z0-9]", "", low)
    if squeezed in _PLACEHOLDER_WORDS or _GENERIC_DUMMY.fullmatch(squeezed):
        return True
    if any(p in low for p in _PLACEHOLDER_PARTS):
        return True
    return bool(_GENERIC_LOWER.fullmatch(v)) and any(w in v for w in _GENERIC_WORDS)


DEFAULT_PASSWORDS = frozenset(
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


def cannot_be_secret(v: str) -> bool:
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


# sha256 of documented, public development keys that grant nothing (Azurite's storage key)
KNOWN_PUBLIC = frozenset({"0011cc25eb4320717494d2703e8cba85743e71b500283c21c8b88147992f9059"})


def is_known_public(value: str) -> bool:
    """A documented, public development key (by its sha256): valid format, grants nothing."""
    return hashlib.sha256(value.encode()).hexdigest() in KNOWN_PUBLIC
