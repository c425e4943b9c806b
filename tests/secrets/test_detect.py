"""The credential detectors: every format claimed, both ways, and every not-a-finding case.

Tokens are built by concatenation at run time so this repository holds no string that trips a
secret scanner; they have the real formats (prefixes, lengths, alphabets).
"""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from hardhull.model import Severity
from hardhull.secrets import SecretMatch, detect_value, is_credential_name, mask
from hardhull.secrets.match import shannon_entropy
from hardhull.secrets.values import is_placeholder, is_reference

# 62 characters of a realistic-looking random alphabet, reused to build bodies of any length
ALNUM = "q7Xk2LmP9vRt4ZbN8wYc3HdJ6sGf1TaE5uKo0iQyWnVxBlCrMzSeUgDhFjIpAO"


def body(n: int, start: int = 0) -> str:
    return (ALNUM[start:] + ALNUM * (n // len(ALNUM) + 2))[:n]


def pem(kind: str = "RSA ", escaped: bool = False) -> str:
    raw = base64.b64encode(hashlib.sha512(b"k").digest() * 5).decode()
    lines = [raw[i : i + 64] for i in range(0, len(raw), 64)]
    text = [f"-----BEGIN {kind}PRIVATE KEY-----", *lines, f"-----END {kind}PRIVATE KEY-----"]
    return ("\\n" if escaped else "\n").join(text) + ("\\n" if escaped else "\n")


def b64url(obj: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def jwt(header: object, payload: object, signature: str = "") -> str:
    return f"{b64url(header)}.{b64url(payload)}.{signature}"


SIG = body(43, 5).replace("q", "_")

# (kind, value) that must be found with no key at all, severity high
FORMAT_POSITIVES: list[tuple[str, str]] = [
    ("private-key", pem("RSA ")),
    ("private-key", pem("EC ")),
    ("private-key", pem("DSA ")),
    ("private-key", pem("OPENSSH ")),
    ("private-key", pem("")),  # PKCS#8
    ("private-key", pem("ENCRYPTED ")),
    ("private-key", pem("PGP ").replace("KEY-----", "KEY BLOCK-----")),
    ("private-key", base64.b64encode(pem("RSA ").encode()).decode()),  # Secret data
    ("aws-access-key-id", "AKIA" + "Q3EGRTYUOPLKJHGF"),
    ("aws-access-key-id", "ASIA" + "Z7WXQ2PLMN4KJHGT"),
    (
        "azure-storage-key",
        "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey="
        + body(86)
        + "==;EndpointSuffix=core.windows.net",
    ),
    (
        "azure-shared-access-key",
        "Endpoint=sb://ns.servicebus.windows.net/;"
        "SharedAccessKeyName=send;SharedAccessKey=" + body(43) + "=",
    ),
    ("github-token", "ghp_" + body(36)),
    ("github-token", "gho_" + body(36, 3)),
    ("github-token", "ghu_" + body(36, 4)),
    ("github-token", "ghs_" + body(36, 5)),
    ("github-token", "ghr_" + body(36, 6)),
    ("github-token", "github_pat_" + body(22) + "_" + body(59, 7)),
    ("gitlab-token", "glpat-" + body(20)),
    ("slack-token", "xoxb-" + "123456789012-1234567890123-" + body(24)),
    ("slack-token", "xoxp-" + "1234567890-1234567890-1234567890-" + body(32).lower()),
    ("slack-webhook", "https://hooks.slack.com/services/" + "T0ABCDEF1/B0ABCDEF2/" + body(24)),
    ("stripe-live-key", "sk_" + "live_" + body(24)),
    ("stripe-live-key", "rk_" + "live_" + body(24, 9)),
    ("google-api-key", "AIza" + body(35).replace("q", "-")),
    ("npm-token", "npm_" + body(36)),
    ("pypi-token", "pypi-" + "AgEIcHlwaS5vcmc" + body(60)),
    ("dockerhub-token", "dckr_" + "pat_" + body(27)),
    ("openai-api-key", "sk-proj-" + body(20) + "T3Blbk" + "FJ" + body(20, 2)),
    ("anthropic-api-key", "sk-ant-" + "api03-" + body(93)),
    ("sendgrid-api-key", "SG." + body(22) + "." + body(43, 1)),
    ("vault-token", "hvs." + body(95)),
    ("jwt", jwt({"alg": "RS256", "kid": "k1"}, {"sub": "system:serviceaccount:a:b"}, SIG)),
    ("jwt", "Bearer " + jwt({"alg": "HS256", "typ": "JWT"}, {"sub": "42"}, SIG)),
    ("jwt", jwt({"alg": "none"}, {"sub": "42", "admin": True})),
    ("connection-string-password", "postgres://app:" + "Tr0ub4dor3x" + "@db:5432/app"),
    ("connection-string-password", "postgresql://app:" + "Tr0ub4dor3x" + "@db/app?ssl=1"),
    ("connection-string-password", "mongodb+srv://svc:" + "pQ9xL2vM" + "@cluster0.ab.net/db"),
    ("connection-string-password", "redis://:" + "hunter2hunter" + "@redis:6379/0"),
    ("connection-string-password", "amqp://svc:" + "w8Lk3Pz" + "@rabbit:5672/vhost"),
    ("connection-string-password", "mysql://root:" + "Zx81Spectrum" + "@mysql:3306/app"),
    ("connection-string-password", "https://deploy:" + "gH7kP2xQ" + "@git.corp.example/r.git"),
    (
        "connection-string-password",
        "jdbc:mysql://db:3306/app?user=app&password=" + "Tr0ub4dor3x",
    ),
    (
        "connection-string-password",
        "Server=tcp:db.corp,1433;Database=app;User Id=app;Password=" + "Tr0ub4dor3x;",
    ),
]


@pytest.mark.parametrize(("kind", "value"), FORMAT_POSITIVES)
def test_format_positive(kind: str, value: str) -> None:
    found = detect_value(value)
    assert found is not None, value
    assert found.kind == kind
    assert found.severity is Severity.HIGH
    assert found.description
    _assert_masked(found, value)


def _assert_masked(found: SecretMatch, value: str) -> None:
    """The mask keeps at most 4 leading characters and never the secret itself."""
    prefix, _, rest = found.masked.partition("…")
    assert len(prefix) <= 4
    assert rest.endswith(" chars)")
    secret_part = value.strip()[8:]
    assert secret_part[:8] not in found.masked


FORMAT_NEGATIVES: list[str] = [
    # placeholders in token formats
    "ghp_" + "x" * 36,
    "ghp_" + "X" * 36,
    "ghp_" + body(30),  # too short
    "glpat-" + "x" * 20,
    "glpat-" + "short",
    "xoxb-your-token-here",
    "https://hooks.slack.com/services/" + "T00000000/B00000000/" + "X" * 24,
    "sk_" + "test_" + body(24),  # a test-mode key, not a live one
    "AKIA" + "IOSFODNN7EXAMPLE",  # AWS's documented example
    "AKIA" + "Q3EGRTYUOPLKJHG",  # 19 characters
    "AIDA" + "Q3EGRTYUOPLKJHGF",  # an IAM user's unique ID, not a key
    "NOTAKIA" + "Q3EGRTYUOPLKJHGF",  # inside a longer word
    # PEM headers without a key, public material
    "-----BEGIN RSA PRIVATE KEY-----\n<your key here>\n-----END RSA PRIVATE KEY-----",
    "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
    "-----BEGIN CERTIFICATE-----\n" + body(64) + "\n-----END CERTIFICATE-----",
    "-----BEGIN PUBLIC KEY-----\n" + body(64) + "\n-----END PUBLIC KEY-----",
    "ssh-rsa AAAAB3NzaC1yc2E" + body(200) + " user@host",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5" + body(43) + " me@laptop",
    base64.b64encode(b"-----BEGIN CERTIFICATE-----\n" + body(64).encode()).decode(),
    # JWT look-alikes
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."  # jwt.io's documented sample token
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    jwt({"alg": "RS256"}, {"sub": "x"}),  # signed JWT without its signature
    jwt({"typ": "JWT"}, {"sub": "x"}, SIG),  # header without "alg"
    "eyJub3QganNvbg.eyJzdWIiOiJ4In0.abc",  # header is not JSON
    # URLs without a real password
    "postgres://app:${DB_PASSWORD}@db:5432/app",
    "postgres://app:$(DB_PASSWORD)@db:5432/app",
    "postgres://{{ .Values.user }}:{{ .Values.password }}@db/app",
    "postgres://user:password@localhost/db",
    "postgres://user:changeme@localhost/db",
    "mongodb://<user>:<password>@host/db",
    "postgresql://%s:%s@%s/%s",
    "https://user@git.corp/repo.git",
    "http://localhost:8080/path?next=a@b",
    "redis://redis:6379/0",
    "jdbc:mysql://db:3306/app?user=app&password=${DB_PASSWORD}",
    # digests and checksums are public
    "nginx@sha256:" + hashlib.sha256(b"x").hexdigest(),
    "sha256:" + hashlib.sha256(b"y").hexdigest(),
    hashlib.sha256(b"z").hexdigest(),
    "123e4567-e89b-12d3-a456-426614174000",
]


@pytest.mark.parametrize("value", FORMAT_NEGATIVES)
def test_format_negative(value: str) -> None:
    assert detect_value(value) is None


def test_gcp_service_account_json() -> None:
    sa = {
        "type": "service_account",
        "project_id": "p",
        "private_key_id": hashlib.sha1(b"k").hexdigest(),
        "private_key": pem(""),
        "client_email": "sa@p.iam.gserviceaccount.com",
    }
    text = json.dumps(sa, indent=2)
    found = detect_value(text)
    assert found is not None
    assert found.kind == "gcp-service-account"
    assert found.severity is Severity.HIGH
    assert found.description == "Google Cloud service account key (JSON)"
    assert "MII" not in found.masked and "BEGIN" not in found.masked
    encoded = detect_value(base64.b64encode(text.encode()).decode())
    assert encoded is not None and encoded.kind == "gcp-service-account"
    assert encoded.description.endswith("(base64-encoded)")
    # the same JSON with a placeholder key is not a credential
    sa["private_key"] = "-----BEGIN PRIVATE KEY-----\\n<paste here>\\n-----END PRIVATE KEY-----"
    assert detect_value(json.dumps(sa)) is None


def test_escaped_pem_inside_json_string() -> None:
    found = detect_value(json.dumps({"key": pem("EC ", escaped=True)}))
    assert found is not None and found.kind == "private-key"


def test_azurite_development_key_is_not_reported() -> None:
    # the documented Azurite / storage-emulator key is public: it grants nothing
    dev = (
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/"
        + "KBHBeksoGMGw=="
    )
    value = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + dev
    assert detect_value(value) is None
    assert detect_value(dev, "STORAGE_ACCOUNT_KEY") is None


# --------------------------------------------------------------------------------------------
# AWS secret access keys: a 40-character base64 value is only a key next to an AWS-ish name

AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "Zq3xTk9pLm"


@pytest.mark.parametrize(
    "key",
    ["AWS_SECRET_ACCESS_KEY", "aws_secret_access_key", "awsSecretAccessKey", "SECRET_ACCESS_KEY"],
)
def test_aws_secret_key_by_name(key: str) -> None:
    found = detect_value(AWS_SECRET, key)
    assert found == SecretMatch(
        "aws-secret-access-key", Severity.HIGH, "wJal…(40 chars)", "AWS secret access key"
    )


def test_aws_secret_key_in_text_form() -> None:
    found = detect_value("aws_secret_access_key = " + AWS_SECRET)
    assert found is not None and found.kind == "aws-secret-access-key"
    assert found.masked == "wJal…(40 chars)"


def test_aws_secret_key_shape_without_aws_name_is_not_high() -> None:
    assert detect_value(AWS_SECRET) is None
    assert detect_value(AWS_SECRET, "IMAGE_DIGEST") is None
    # a credential-named field still gets the name-based (medium) finding
    found = detect_value(AWS_SECRET, "SECRET_KEY")
    assert found is not None and found.severity is Severity.MEDIUM


def test_aws_documented_examples_are_not_reported() -> None:
    assert detect_value("AKIA" + "IOSFODNN7EXAMPLE", "AWS_ACCESS_KEY_ID") is None
    example = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY"
    assert detect_value(example, "AWS_SECRET_ACCESS_KEY") is None


# --------------------------------------------------------------------------------------------
# credential names

CREDENTIAL_NAMES = [
    "PASSWORD", "password", "DB_PASS", "DB_PASSWORD", "MYSQL_ROOT_PASSWORD", "dbPassword",
    "API_KEY", "apiKey", "APIKey", "api-key", "SECRET", "SECRET_KEY", "SECRET_KEY_BASE",
    "TOKEN", "AUTH_TOKEN", "GITHUB_TOKEN", "ACCESS_KEY", "AWS_ACCESS_KEY_ID", "PRIVATE_KEY",
    "CLIENT_SECRET", "OAUTH2_PROXY_COOKIE_SECRET", "AUTH", "CREDENTIALS", "SIGNING_KEY",
    "ENCRYPTION_KEY", "APP_KEY", "spring.datasource.password", "DB_PASSWORD_PROD",
    "REDIS_PASSWD", "htpasswd", "passphrase", "JWT_SECRET", "SESSION_SECRET",
]  # fmt: skip
NOT_CREDENTIAL_NAMES = [
    "PASSWORD_MIN_LENGTH", "TOKEN_TTL", "SECRET_NAME", "API_KEY_FILE", "PASSWORD_FILE",
    "TLS_KEY_PATH", "SECRET_PATH", "AUTH_ENABLED", "PASSWORD_POLICY", "AUTH_HEADER",
    "TOKEN_URL", "AUTH_URL", "CLIENT_ID", "SECRET_ID", "TOKEN_ID", "KEY", "GPG_KEY",
    "PUBLIC_KEY", "SSH_AUTH_SOCK", "NODE_SHA256", "PASSWORD_SHA256", "TOKEN_CHECKSUM",
    "secretKeyRef", "secretName", "passwordFile", "AUTHOR", "TOKENIZERS_PARALLELISM",
    "PASSENGER_APP_ENV", "BYPASS", "COMPASS_URL", "AUTH_TYPE", "POSTGRES_HOST_AUTH_METHOD",
    "PASSWORD_REQUIRED", "TOKEN_AUDIENCE", "DB_USER", "HOSTNAME", "",
]  # fmt: skip


@pytest.mark.parametrize("key", CREDENTIAL_NAMES)
def test_credential_names(key: str) -> None:
    assert is_credential_name(key)


@pytest.mark.parametrize("key", NOT_CREDENTIAL_NAMES)
def test_not_credential_names(key: str) -> None:
    assert not is_credential_name(key)


def test_name_based_real_password_is_medium() -> None:
    found = detect_value("S3cr3t!pass", "DB_PASSWORD")
    assert found == SecretMatch(
        "credential-name-literal",
        Severity.MEDIUM,
        "S…(11 chars)",
        "literal value in a credential-named field",
    )
    assert detect_value("S3cr3t!pass") is None  # without the name: no evidence
    assert detect_value("S3cr3t!pass", "DB_HOST") is None


def test_name_based_high_entropy_is_medium() -> None:
    value = body(32, 11)
    assert shannon_entropy(value) > 3.5
    found = detect_value(value, "API_KEY")
    assert found is not None
    assert (found.kind, found.severity) == ("credential-name-high-entropy", Severity.MEDIUM)
    assert found.masked == value[:4] + "…(32 chars)"
    hexkey = hashlib.sha256(b"django").hexdigest()
    found = detect_value(hexkey, "SECRET_KEY")
    assert found is not None and found.kind == "credential-name-high-entropy"
    # high entropy in a field that is not credential-named is not a finding
    assert detect_value(value, "BUILD_ID") is None
    assert detect_value(value) is None


@pytest.mark.parametrize("value", ["postgres", "admin", "root", "guest", "minioadmin", "123456"])
def test_default_passwords_are_low(value: str) -> None:
    found = detect_value(value, "POSTGRES_PASSWORD")
    assert found is not None
    assert (found.kind, found.severity) == ("credential-name-default", Severity.LOW)


def test_password_equal_to_a_word_of_its_name_is_low() -> None:
    found = detect_value("grafana", "GF_SECURITY_ADMIN_PASSWORD")
    assert found is not None and found.severity is Severity.LOW


PLACEHOLDERS = [
    "changeme", "CHANGEME", "change_me", "password", "secret", "xxx", "XXXXXXXX", "****",
    "<password>", "<your-api-key>", "${DB_PASSWORD}", "$(DB_PASSWORD)", "$DB_PASSWORD",
    "{{ .Values.db.password }}", "{{ secrets.TOKEN }}", "%(password)s", "#{password}",
    "REPLACE_ME", "replace-me", "example", "my-example-token", "your-token-here",
    "your_api_key", "dummy", "redacted", "__DB_PASSWORD__", "%DB_PASSWORD%", "@db.password@",
    "my-db-secret", "supersecret", "mysecretpassword", "TODO", "none", "null", "",
    "   ", "secret-here",
]  # fmt: skip


@pytest.mark.parametrize("value", PLACEHOLDERS)
def test_placeholders_are_not_findings(value: str) -> None:
    assert detect_value(value, "DB_PASSWORD") is None


def test_placeholder_and_reference_helpers() -> None:
    assert is_placeholder("<password>") and is_placeholder("changeme")
    assert not is_placeholder("S3cr3t!pass") and not is_placeholder(body(20))
    assert is_reference("${X}") and is_reference("vault:secret/data/db#password")
    assert is_reference("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db")
    assert not is_reference("S3cr3t!pass")


NOT_SECRETS: list[tuple[str, str]] = [
    # references and indirections
    ("API_KEY", "/run/secrets/api_key"),
    ("API_KEY_FILE", "/run/secrets/api_key"),
    ("DB_PASSWORD", "./secrets/db.txt"),
    ("DB_PASSWORD", "vault:secret/data/db#password"),
    ("DB_PASSWORD", "ref+vault://secret/db#/password"),
    ("DB_PASSWORD", "op://prod/db/password"),
    ("DB_PASSWORD", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"),
    ("TOKEN", "projects/p/secrets/token/versions/latest"),
    # lengths, policies, booleans, numbers, durations
    ("PASSWORD_MIN_LENGTH", "12"),
    ("TOKEN_TTL", "3600"),
    ("PASSWORD_REQUIRED", "true"),
    ("AUTH", "false"),
    ("TOKEN", "3600"),
    ("TOKEN", "24h"),
    ("TOKEN", "1h30m"),
    ("AUTH", "disabled"),
    # auth methods, URLs without credentials, e-mail addresses, prose
    ("AUTH_TYPE", "basic"),
    ("AUTH", "https://auth.corp.internal/oauth2"),
    ("TOKEN", "http://metadata.google.internal/computeMetadata/v1/token"),
    ("SECRET", "Set this in the deployment pipeline please"),
    # hashes public by nature
    ("IMAGE", "nginx@sha256:" + hashlib.sha256(b"n").hexdigest()),
    ("NODE_SHA256", hashlib.sha256(b"n").hexdigest()),
    ("TOKEN_CHECKSUM", hashlib.sha256(b"n").hexdigest()),
    ("TOKEN", "sha256:" + hashlib.sha256(b"n").hexdigest()),
    # UUIDs in ID-named fields
    ("CLIENT_ID", "123e4567-e89b-12d3-a456-426614174000"),
    ("TENANT_ID", "123e4567-e89b-12d3-a456-426614174000"),
    # public keys and certificates
    ("PUBLIC_KEY", "ssh-rsa AAAAB3NzaC1yc2E" + body(100)),
    ("SSH_KEY", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5" + body(43) + " me@laptop"),
    ("PRIVATE_KEY", "-----BEGIN CERTIFICATE-----\n" + body(64) + "\n-----END CERTIFICATE-----"),
    ("TLS_CERT", "-----BEGIN CERTIFICATE-----\n" + body(64) + "\n-----END CERTIFICATE-----"),
    # too short to mean anything
    ("PASSWORD", "abc"),
]


@pytest.mark.parametrize(("key", "value"), NOT_SECRETS)
def test_not_secrets(key: str, value: str) -> None:
    assert detect_value(value, key) is None


def test_multiline_value_is_not_one_password() -> None:
    # a whole config file in a credential-named key is judged by its lines, not as one value
    assert detect_value("a=1\nb=2\n", "SECRETS") is None


def test_non_string_values() -> None:
    assert detect_value(3600, "TOKEN_TTL") is None  # type: ignore[arg-type]
    assert detect_value(None, "PASSWORD") is None  # type: ignore[arg-type]


def test_jwt_sample_in_credential_named_field_is_not_reported() -> None:
    sample = (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
        "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    )
    assert detect_value(sample, "TOKEN") is None


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("", "…(0 chars)"),
        ("abc", "…(3 chars)"),
        ("abcdef", "a…(6 chars)"),
        ("S3cr3t!pass", "S…(11 chars)"),
        ("0123456789ab", "01…(12 chars)"),
        ("ghp_" + body(36), "ghp_…(40 chars)"),
        ("  padded-value-1234  ", "pa…(17 chars)"),
        ("\n\tab" + "c" * 30, "abcc…(32 chars)"),
    ],
)
def test_mask(value: str, masked: str) -> None:
    assert mask(value) == masked


def test_every_positive_mask_hides_the_secret() -> None:
    for _kind, value in FORMAT_POSITIVES:
        found = detect_value(value)
        assert found is not None
        secret = value.strip()
        # no 5-character window of the value appears in the mask
        assert not any(secret[i : i + 5] in found.masked for i in range(len(secret) - 4))


def test_long_file_paths_in_credential_fields_are_not_secrets() -> None:
    # kubeadm's API server flag: a path to the key, not the key
    path = "/etc/kubernetes/pki/apiserver-kubelet-client.key"
    assert detect_value(path, "kubelet-client-key") is None
    assert detect_value("/run/secrets/database-password-for-service", "DB_PASSWORD") is None
    # a base64 key that happens to start with "/" is still judged as a value
    key = "/" + "Xk9qT2vLm8Rz4Wp7Ab3Cd6Ef1Gh5Jk0" + "Nq"
    assert detect_value(key, "DB_PASSWORD") is not None
