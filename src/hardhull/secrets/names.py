"""Credential names: whether a field or variable name names a credential (``DB_PASSWORD``,
``apiKey``), rather than holding metadata about one (``PASSWORD_MIN_LENGTH``, ``TOKEN_TTL``)."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["is_aws_secret_name", "is_credential_name", "name_words"]


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
def name_words(key: str) -> tuple[str, ...]:
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
    words = name_words(key)
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


def is_aws_secret_name(key: str) -> bool:
    words = name_words(key)
    joined = "".join(words)
    return ("aws" in words or "secretaccesskey" in joined) and any(
        w in joined for w in _AWS_SECRET_NAME_WORDS
    )
