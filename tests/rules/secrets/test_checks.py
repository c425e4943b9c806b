"""Secrets checks S001–S004 on real YAML through the real loader and engine, both ways.

Each assertion is the complete list of (code, pointer, line:column, message, severity) of the
S findings of the text. Credentials are built by concatenation at run time.
"""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from hardhull.engine import ScanOptions, ScanResult, evaluate, findings_for
from hardhull.frontends.kubernetes import parse_text

ALNUM = "q7Xk2LmP9vRt4ZbN8wYc3HdJ6sGf1TaE5uKo0iQyWnVxBlCrMzSeUgDhFjIpAO"
GH = "ghp_" + ALNUM[:36]
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    + base64.b64encode(hashlib.sha512(b"c").digest()).decode()
    + "\n-----END RSA PRIVATE KEY-----\n"
)
Row = tuple[str, str, str, str, str]


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def rows(text: str) -> list[Row]:
    parsed = parse_text("s.yaml", text)
    assert parsed.errors == [] and parsed.skipped == [], (parsed.errors, parsed.skipped)
    result = ScanResult()
    for obj in parsed.objects:
        vs = [v for v in evaluate(obj.data) if v.code.startswith("S")]
        findings_for(obj, vs, ScanOptions(jobs=1), result)
    return sorted(
        (
            f.code,
            f.pointer,
            f"{f.location.line}:{f.location.column}",
            f.message,
            f.severity.label,
        )
        for f in result.findings
    )


def at(text: str, needle: str) -> str:
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    pos = text.index(needle)
    return f"{text.count(chr(10), 0, pos) + 1}:{pos - (text.rfind(chr(10), 0, pos) + 1) + 1}"


KEEP = "keep it out of git (External Secrets, Sealed Secrets, SOPS) and rotate it"

# --------------------------------------------------------------------------- S001


def secret(body: str, stype: str = "Opaque") -> str:
    return f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: {stype}\n{body}"


def test_s001_secret_with_data() -> None:
    text = secret(f"data:\n  username: {b64('app')}\n  password: {b64('S3cr3t!pass')}\n")
    assert rows(text) == [
        (
            "S001",
            "/data/password",
            at(text, "password:"),
            f'Secret "db" commits 1 secret value: password; {KEEP}',
            "high",
        )
    ]


def test_s001_string_data_with_token() -> None:
    text = secret(f"stringData:\n  token: {GH}\n")
    assert rows(text) == [
        (
            "S001",
            "/stringData/token",
            at(text, "token:"),
            f'Secret "db" commits 1 secret value (GitHub token in token): token; {KEEP}',
            "high",
        )
    ]


def test_s001_tls_secret_with_private_key() -> None:
    text = secret(
        f"data:\n  tls.crt: {b64('-----BEGIN CERTIFICATE-----')}\n  tls.key: {b64(PEM)}\n",
        "kubernetes.io/tls",
    )
    assert rows(text) == [
        (
            "S001",
            "/data/tls.key",
            at(text, "tls.key:"),
            f'Secret "db" commits 1 secret value (TLS private key): tls.key; {KEEP}',
            "high",
        )
    ]


@pytest.mark.parametrize(
    "body",
    [
        "",
        "data: {}\n",
        "data:\n  password: ''\n",
        "stringData:\n  password: ''\n  username: ''\n",
        f"data:\n  username: {b64('app')}\n  host: {b64('db.internal')}\n",
    ],
)
def test_s001_no_finding(body: str) -> None:
    assert rows(secret(body)) == []


def test_s001_service_account_token_without_data() -> None:
    text = secret(
        "metadata:\n  annotations: {kubernetes.io/service-account.name: app}\n",
        "kubernetes.io/service-account-token",
    ).replace("metadata:\n  name: db\n", "", 1)
    assert rows(text) == []


@pytest.mark.parametrize("kind", ["SealedSecret", "ExternalSecret"])
def test_s001_sealed_and_external_secrets_are_fine(kind: str) -> None:
    text = (
        f"apiVersion: example.io/v1\nkind: {kind}\nmetadata: {{name: db}}\n"
        f"spec:\n  encryptedData:\n    password: {ALNUM * 2}\n"
    )
    assert rows(text) == []


def test_s001_placeholders_only_is_low() -> None:
    text = secret("stringData:\n  password: changeme\n  token: ${TOKEN}\n")
    assert rows(text) == [
        (
            "S001",
            "/stringData/password",
            at(text, "password:"),
            'Secret "db" holds only placeholder values (password, token): fill it from a '
            "secret manager rather than editing real values into this file",
            "low",
        )
    ]


def test_s001_default_passwords_are_low() -> None:
    text = secret(f"data:\n  password: {b64('admin')}\n")
    assert rows(text) == [
        (
            "S001",
            "/data/password",
            at(text, "password:"),
            f'Secret "db" commits 1 secret value (well-known default passwords): password; {KEEP}',
            "low",
        )
    ]


def test_s001_config_file_without_credentials_is_not_reported() -> None:
    config = "global:\n  resolve_timeout: 5m\nroute:\n  receiver: default\n"
    text = secret("stringData:\n  alertmanager.yaml: |\n" + "    " + config.replace("\n", "\n    "))
    assert rows(text) == []


# --------------------------------------------------------------------------- S002


def pod(env: str, extra: str = "") -> str:
    return (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
        "    - name: app\n      image: app:1\n" + env + extra
    )


def test_s002_env_literals() -> None:
    text = pod(
        "      env:\n"
        "        - name: DB_PASSWORD\n          value: S3cr3t!pass\n"
        f"        - name: GH\n          value: {GH}\n"
        "        - name: POSTGRES_PASSWORD\n          value: postgres\n"
        "        - name: DATABASE_URL\n          value: postgres://app:Tr0ub4dor3x@db/app\n"
    )
    assert rows(text) == [
        (
            "S002",
            "/spec/containers/0/env/0/value",
            at(text, "value: S3cr3t!pass"),
            'container "app" sets DB_PASSWORD to a literal value in a credential-named field '
            "(S…(11 chars)): use valueFrom.secretKeyRef",
            "medium",
        ),
        (
            "S002",
            "/spec/containers/0/env/1/value",
            at(text, f"value: {GH}"),
            'container "app" sets GH to a GitHub token (ghp_…(40 chars)): '
            "use valueFrom.secretKeyRef",
            "high",
        ),
        (
            "S002",
            "/spec/containers/0/env/2/value",
            at(text, "value: postgres\n"),
            'container "app" sets POSTGRES_PASSWORD to a well-known default password in a '
            "credential-named field (p…(8 chars)): use valueFrom.secretKeyRef",
            "low",
        ),
        (
            "S002",
            "/spec/containers/0/env/3/value",
            at(text, "value: postgres://"),
            'container "app" sets DATABASE_URL to a URL with an embedded password '
            "(post…(26 chars)): use valueFrom.secretKeyRef",
            "high",
        ),
    ]


def test_s002_every_container_type_and_args() -> None:
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
        "    spec:\n"
        "      initContainers:\n"
        "        - name: init\n          image: i:1\n"
        "          args: ['--db-password=Zx81Spectrum', '--token-ttl=3600']\n"
        "      containers:\n"
        "        - name: app\n          image: a:1\n"
        "          command: [run, --api-key, Zx81Spectrum9]\n"
    )
    assert rows(text) == [
        (
            "S002",
            "/spec/template/spec/containers/0/command/2",
            at(text, "Zx81Spectrum9"),
            'container "app" passes api-key a literal value in a credential-named field in '
            "command (Zx…(13 chars)): read it from a mounted Secret file instead",
            "medium",
        ),
        (
            "S002",
            "/spec/template/spec/initContainers/0/args/0",
            at(text, "'--db-password"),
            'init container "init" passes db-password a literal value in a credential-named '
            "field in args (Zx…(12 chars)): read it from a mounted Secret file instead",
            "medium",
        ),
    ]


def test_s002_not_findings() -> None:
    text = pod(
        "      env:\n"
        "        - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}\n"
        "        - {name: API_KEY_FILE, value: /run/secrets/api_key}\n"
        "        - {name: PASSWORD_MIN_LENGTH, value: '12'}\n"
        "        - {name: TOKEN_TTL, value: '3600'}\n"
        "        - {name: PASSWORD_REQUIRED, value: 'true'}\n"
        "        - {name: DB_PASSWORD2, value: $(DB_PASSWORD)}\n"
        "        - {name: CLIENT_ID, value: 123e4567-e89b-12d3-a456-426614174000}\n"
        "        - {name: HF_TOKEN, value: HF_TOKEN}\n"
        "        - {name: SECRET_NAME, value: db-credentials}\n"
        "      envFrom:\n"
        "        - secretRef: {name: db}\n"
        "      args: [--password-file=/run/secrets/db, --auth=false]\n"
    )
    assert rows(text) == []


# --------------------------------------------------------------------------- S003


def configmap(data: str) -> str:
    return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n" + data


def test_s003_env_style_key_and_embedded_properties() -> None:
    text = configmap(
        "  DB_PASSWORD: S3cr3t!pass\n"
        "  LOG_LEVEL: debug\n"
        "  application.properties: |\n"
        "    spring.datasource.url=jdbc:postgresql://db:5432/app\n"
        "    spring.datasource.username=app\n"
        "    spring.datasource.password=Zx81Spectrum\n"
        "  id_rsa: |\n" + "".join(f"    {line}\n" for line in PEM.splitlines())
    )
    assert rows(text) == [
        (
            "S003",
            "/data/DB_PASSWORD",
            at(text, "DB_PASSWORD:"),
            'ConfigMap key "DB_PASSWORD" holds a literal value in a credential-named field '
            "(S…(11 chars)): move it to a Secret",
            "medium",
        ),
        (
            "S003",
            "/data/application.properties",
            at(text, "application.properties:"),
            'ConfigMap key "application.properties" line 3: spring.datasource.password holds '
            "a literal value in a credential-named field (Zx…(12 chars)): move it to a Secret",
            "medium",
        ),
        (
            "S003",
            "/data/id_rsa",
            at(text, "id_rsa:"),
            'ConfigMap key "id_rsa" line 1 holds a private key (----…(150 chars)): '
            "move it to a Secret",
            "high",
        ),
    ]


def test_s003_json_and_env_files() -> None:
    conf = json.dumps({"db": {"host": "db", "password": "Zx81Spectrum"}}, indent=2)
    text = configmap(
        "  config.json: |\n"
        + "".join(f"    {line}\n" for line in conf.splitlines())
        + "  app.env: |\n    export API_TOKEN=${API_TOKEN}\n    MODE=prod\n"
    )
    assert rows(text) == [
        (
            "S003",
            "/data/config.json",
            at(text, "config.json:"),
            'ConfigMap key "config.json" line 4: password holds a literal value in a '
            "credential-named field (Zx…(12 chars)): move it to a Secret",
            "medium",
        )
    ]


def test_s003_not_findings() -> None:
    text = configmap(
        "  PASSWORD_MIN_LENGTH: '12'\n"
        "  TOKEN_URL: https://auth.example.com/token\n"
        "  NODE_SHA256: " + hashlib.sha256(b"n").hexdigest() + "\n"
        "  ca.crt: |\n    -----BEGIN CERTIFICATE-----\n    " + ALNUM + "\n"
        "  app.py: |\n    token = os.environ['TOKEN']\n"
        "  nginx.conf: |\n    auth_basic_user_file /etc/nginx/htpasswd;\n"
    )
    assert rows(text) == []


# --------------------------------------------------------------------------- S004


def test_s004_last_applied_secret_and_token_annotation() -> None:
    applied = json.dumps(
        {"apiVersion": "v1", "kind": "Secret", "data": {"password": b64("S3cr3t!pass")}}
    )
    text = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  annotations:\n"
        f"    kubectl.kubernetes.io/last-applied-configuration: '{applied}'\n"
        "type: Opaque\n"
        "---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
        "    metadata:\n      annotations:\n"
        f"        ci.example.com/token: {GH}\n"
        "    spec:\n      containers: [{name: app, image: a:1}]\n"
    )
    assert rows(text) == [
        (
            "S004",
            "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration",
            at(text, "kubectl.kubernetes.io/last-applied-configuration:"),
            "annotation kubectl.kubernetes.io/last-applied-configuration keeps a copy of the "
            "Secret's values (password): remove it and rotate it",
            "high",
        ),
        (
            "S004",
            "/spec/template/metadata/annotations/ci.example.com~1token",
            at(text, "ci.example.com/token:"),
            "annotation ci.example.com/token holds a GitHub token (ghp_…(40 chars)): "
            "remove it and rotate it",
            "high",
        ),
    ]


def test_s004_not_findings() -> None:
    applied = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b"}})
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n"
        f"    kubectl.kubernetes.io/last-applied-configuration: '{applied}'\n"
        "    vault.hashicorp.com/agent-inject-secret-db: database/creds/app\n"
        "    example.com/api-key: S3cr3t!pass\n"  # name-based is not applied to annotations
    )
    assert rows(text) == []
