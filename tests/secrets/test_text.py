"""scan_text: format-recognised secrets in any text, with exact line and column."""

from __future__ import annotations

import base64
import hashlib

import pytest

from hardhull.model import Severity
from hardhull.secrets.text import scan_text

ALNUM = "q7Xk2LmP9vRt4ZbN8wYc3HdJ6sGf1TaE5uKo0iQyWnVxBlCrMzSeUgDhFjIpAO"


def body(n: int) -> str:
    return (ALNUM * (n // len(ALNUM) + 1))[:n]


KEY_B64 = base64.b64encode(hashlib.sha512(b"t").digest() * 4).decode()
GH = "ghp_" + body(36)
AKIA = "AKIA" + "Q3EGRTYUOPLKJHGF"


def test_helm_values_file() -> None:
    text = (
        "# values.yaml\n"
        "image:\n"
        "  repository: nginx\n"
        "github:\n"
        f"  token: {GH}\n"
        "aws:\n"
        f'  accessKeyId: "{AKIA}"\n'
        "tls:\n"
        "  key: |\n"
        "    -----BEGIN EC PRIVATE KEY-----\n"
        f"    {KEY_B64[:64]}\n"
        f"    {KEY_B64[64:128]}\n"
        "    -----END EC PRIVATE KEY-----\n"
        "db:\n"
        "  url: postgres://app:" + "Tr0ub4dor3x" + "@db:5432/app\n"
        "  password: S3cr3t!pass\n"  # name-based: not reported by scan_text
    )
    found = [(line, col, m.kind, m.severity, m.masked) for line, col, m in scan_text(text)]
    assert found == [
        (5, 10, "github-token", Severity.HIGH, "ghp_…(40 chars)"),
        (7, 17, "aws-access-key-id", Severity.HIGH, "AKI…(20 chars)"),
        (10, 5, "private-key", Severity.HIGH, "----…(201 chars)"),
        (15, 8, "connection-string-password", Severity.HIGH, "post…(26 chars)"),
    ]


def test_ci_config_and_escaped_json() -> None:
    sa_key = "-----BEGIN PRIVATE KEY-----\\n" + KEY_B64[:64] + "\\n-----END PRIVATE KEY-----\\n"
    text = (
        "jobs:\n"
        "  deploy:\n"
        "    env:\n"
        '      GCP_KEY: \'{"type": "service_account", "private_key": "' + sa_key + "\"}'\n"
        "      SLACK: https://hooks.slack.com/services/" + "T0ABCDEF1/B0ABCDEF2/" + body(24) + "\n"
        "      NPM: npm_" + body(36) + "\n"
    )
    found = [(line, col, m.kind) for line, col, m in scan_text(text)]
    assert found == [
        (4, 61, "private-key"),
        (5, 14, "slack-webhook"),
        (6, 12, "npm-token"),
    ]


def test_two_secrets_on_one_line_and_columns_after_unicode() -> None:
    text = f"é: x\nboth: {GH} {AKIA}\n"
    assert [(line, col, m.kind) for line, col, m in scan_text(text)] == [
        (2, 7, "github-token"),
        (2, 48, "aws-access-key-id"),
    ]


def test_base64_pem_in_kubeconfig() -> None:
    pem = f"-----BEGIN RSA PRIVATE KEY-----\n{KEY_B64[:64]}\n-----END RSA PRIVATE KEY-----\n"
    text = (
        "users:\n- name: admin\n  user:\n    client-key-data: "
        + base64.b64encode(pem.encode()).decode()
    )
    [(line, col, m)] = scan_text(text)
    assert (line, col, m.kind, m.description) == (
        4,
        22,
        "private-key",
        "private key (base64-encoded PEM)",
    )


def test_aws_credentials_file() -> None:
    text = (
        "[default]\n"
        f"aws_access_key_id = {AKIA}\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "Zq3xTk9pLm\n"
    )
    assert [(line, col, m.kind, m.masked) for line, col, m in scan_text(text)] == [
        (2, 21, "aws-access-key-id", "AKI…(20 chars)"),
        (3, 25, "aws-secret-access-key", "wJal…(40 chars)"),
    ]


def test_dotnet_connection_string() -> None:
    text = (
        "ConnectionStrings__Default: "
        '"Server=db;Database=app;User Id=sa;Password=' + 'Tr0ub4dor3x;"\n'
        'Other: "Server=db;Password=${DB_PASSWORD}"\n'
        "Note: a;password=not-a-connection-string\n"
    )
    assert [(line, col, m.kind) for line, col, m in scan_text(text)] == [
        (1, 30, "connection-string-password"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "apiVersion: v1\nkind: ConfigMap\n",
        "password: S3cr3t!pass\nAPI_KEY: " + body(32) + "\n",  # name-based only
        "cert: |\n  -----BEGIN CERTIFICATE-----\n  " + KEY_B64[:64] + "\n",
        "key: ssh-rsa AAAAB3NzaC1yc2E" + body(100) + "\n",
        "url: postgres://app:${DB_PASSWORD}@db/app\nurl2: https://user@host/x\n",
        "url: mongodb://<user>:<password>@host\n",
        "token: ghp_" + "x" * 36 + "\n",
        "id: AKIA" + "IOSFODNN7EXAMPLE\n",
        "image: nginx@sha256:" + hashlib.sha256(b"n").hexdigest() + "\n",
        "k: -----BEGIN RSA PRIVATE KEY-----\n  ...\n  -----END RSA PRIVATE KEY-----\n",
    ],
)
def test_no_findings(text: str) -> None:
    assert scan_text(text) == []


def test_masks_never_hold_the_secret() -> None:
    text = f"a: {GH}\nb: {AKIA}\n"
    for _line, _col, m in scan_text(text):
        assert body(36)[:5] not in m.masked and "Q3EG" not in m.masked
