"""Credentials recognisable by their format alone: private keys, provider tokens (AWS, GitHub,
GitLab, Slack, Stripe, Google, npm, PyPI, Docker Hub, Anthropic/OpenAI, SendGrid, Vault), JWTs,
URLs and connection strings with a password. :func:`iter_format_matches` finds them in a text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from hardhull.secrets.encoding import b64_text, b64url_json
from hardhull.secrets.values import FILLER, is_known_public, is_placeholder, is_reference

__all__ = [
    "FORMATS",
    "FORMAT_DETECTORS",
    "Format",
    "is_aws_secret_value",
    "iter_format_matches",
]


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
        if FILLER.fullmatch(body) or "EXAMPLE" in body.upper() or "X" * 8 in body.upper():
            return None
        return m.span()

    return check


_PEM_BODY = re.compile(r"[A-Za-z0-9+/]{32,}")
_PEM_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")


def _pem(text: str, m: re.Match[str]) -> tuple[int, int] | None:
    window = text[m.end() : m.end() + 600].replace("\\n", "\n").replace("\\r", "\n")
    body = _PEM_BODY.search(window)
    if body is None or FILLER.fullmatch(body.group()):
        return None
    end = _PEM_END.search(text, m.end(), m.end() + 20000)
    return (m.start(), end.end() if end else m.end())


def _b64_pem(_text: str, m: re.Match[str]) -> tuple[int, int] | None:
    """base64 of a PEM private key (Secret data, kubeconfig ``client-key-data``)."""
    chunk = m.group()
    if len(chunk) < 64:
        return None
    decoded = b64_text(chunk[: len(chunk) - len(chunk) % 4], strict=False)
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
    return m.span("s") if is_aws_secret_value(secret) else None


def _stripe(text: str, m: re.Match[str]) -> tuple[int, int] | None:
    """``sk_live_`` / ``rk_live_`` (the match starts at ``k_live_``)."""
    start = m.start() - 1
    if start < 0 or text[start] not in "sr":
        return None
    if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
        return None
    return None if FILLER.fullmatch(m.group("b")) else (start, m.end())


def _sk(_text: str, m: re.Match[str]) -> tuple[int, int] | None:
    body = m.group("b") or m.group("o")
    return None if FILLER.fullmatch(body) or "X" * 8 in body.upper() else m.span()


def is_aws_secret_value(secret: str) -> bool:
    """A 40-character AWS secret access key: mixed case with digits or ``/+``, no example."""
    return (
        len(secret) == 40
        and "EXAMPLE" not in secret
        and any(c.isdigit() or c in "/+" for c in secret)
        and any(c.islower() for c in secret)
        and any(c.isupper() for c in secret)
    )


def _azure(_text: str, m: re.Match[str]) -> tuple[int, int] | None:
    key = m.group("k")
    if is_known_public(key) or FILLER.fullmatch(key):
        return None
    return m.span("k")


def _slack_webhook(_text: str, m: re.Match[str]) -> tuple[int, int] | None:
    path = m.group("p")
    if "XXXX" in path.upper() or "00000000" in path or "…" in path:
        return None
    return m.span()


_JWT_EXAMPLE_SUB = "1234567890"


def _jwt(_text: str, m: re.Match[str]) -> tuple[int, int] | None:
    header = b64url_json("eyJ" + m.group("h"))
    if not isinstance(header, dict) or "alg" not in header:
        return None
    if header.get("alg") != "none" and not m.group("s"):
        return None  # a signed JWT without its signature cannot be replayed
    payload = b64url_json(m.group("p"))
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

# the formats that share a regex with another (kind, description)
_OPENAI = ("openai-api-key", "OpenAI API key")
_AZURE_SAS = ("azure-shared-access-key", "Azure shared access key")

#: (kind, description) of every format detector, each variant of a shared regex too
FORMAT_DETECTORS: tuple[tuple[str, str], ...] = tuple(
    dict.fromkeys([*((f.kind, f.description) for f in FORMATS), _OPENAI, _AZURE_SAS])
)

_LEADS: tuple[tuple[Format, str], ...] = tuple((f, f.lead) for f in FORMATS)
if not all(lead for _f, lead in _LEADS):  # the fast pass needs a literal at each regex's start
    raise RuntimeError("a secret format's regex does not start with a literal")


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
        return Format(*_OPENAI, fmt.regex, fmt.validate, fmt.boundary)
    if fmt.kind == "azure-storage-key" and len(m.group("k")) == 44:
        return Format(*_AZURE_SAS, fmt.regex, fmt.validate, False)
    return fmt
