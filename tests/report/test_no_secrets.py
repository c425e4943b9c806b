"""No report shows a secret: canary credentials of every detector of the secrets library,
planted wherever hardhull detects credentials, never appear in any report format, excerpts
included, nor on stderr, in a baseline, in the webhook's answers or in `hardhull pss`.

A canary is the credential (what a detector finds) and its secret part (what must never be
shown: the credential without its public prefix). A report may show the masked form of a
value (``ghp_…(40 chars)``: at most 4 characters); the test asserts that no 8-character run
of any canary's secret part, nor of its base64 form, appears anywhere.
"""

from __future__ import annotations

import base64
import json
import random
import string
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hardhull.report import FORMATS
from hardhull.secrets import DETECTORS, detect_value
from hardhull.secrets.text import scan_text

RNG = random.Random(20261205)
ALNUM = string.ascii_letters + string.digits
B64 = ALNUM + "+/"


def rand(n: int, alphabet: str = ALNUM) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@dataclass(frozen=True)
class Canary:
    name: str  # the field or variable that holds it
    value: str  # the credential as a value of `name`
    secret: str  # what must never be shown
    text: str = ""  # the credential as a line of a file (format detectors); "" = value

    @property
    def line(self) -> str:
        """As free text: by format, or else after its name (``DB_PASSWORD=…``)."""
        if self.text:
            return self.text
        return self.value if detect_value(self.value) else f"{self.name}={self.value}"


def _pem(kind: str = "RSA PRIVATE KEY") -> tuple[str, str]:
    body = "\n".join(rand(64, B64) for _ in range(4))
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----", body


def _canaries() -> dict[tuple[str, str], Canary]:
    pem, pem_body = _pem()
    pem_b64 = b64(pem)
    aws_secret = rand(18) + "/" + rand(10) + "+" + rand(10)
    assert len(aws_secret) == 40
    azure_key = rand(86, B64) + "=="
    azure_sas = rand(43, B64) + "="
    jwt_head = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip("=")
    jwt_body = base64.urlsafe_b64encode(
        json.dumps({"sub": rand(12), "iat": 1700000000}).encode()
    ).decode()
    jwt_body = jwt_body.rstrip("=")
    jwt_sig = rand(43, ALNUM + "-_")
    gcp_key, gcp_body = _pem("PRIVATE KEY")
    gcp = json.dumps(
        {"type": "service_account", "project_id": "p", "private_key": gcp_key}, indent=None
    )
    pw_url, pw_jdbc, pw_ado = rand(16), rand(16), rand(16)
    named = rand(24)
    return {
        ("private-key", "private key"): Canary("TLS_KEY", pem, pem_body),
        ("private-key", "private key (base64-encoded PEM)"): Canary(
            "tls_key_data", pem_b64, pem_b64[48:]
        ),
        ("aws-access-key-id", "AWS access key ID"): (
            lambda s: Canary("AWS_ACCESS_KEY_ID", "AKIA" + s, s)
        )(rand(16, string.ascii_uppercase + "234567")),
        ("aws-secret-access-key", "AWS secret access key"): Canary(
            "AWS_SECRET_ACCESS_KEY",
            aws_secret,
            aws_secret,
            f"aws_secret_access_key = {aws_secret}",
        ),
        ("azure-storage-key", "Azure storage account key"): Canary(
            "STORAGE_CONNECTION",
            f"DefaultEndpointsProtocol=https;AccountName=shop;AccountKey={azure_key};"
            "EndpointSuffix=core.windows.net",
            azure_key[:-2],
        ),
        ("azure-shared-access-key", "Azure shared access key"): Canary(
            "BUS_CONNECTION",
            "Endpoint=sb://shop.servicebus.windows.net/;SharedAccessKeyName=app;"
            f"SharedAccessKey={azure_sas}",
            azure_sas[:-1],
        ),
        ("github-token", "GitHub token"): (lambda s: Canary("GITHUB", "ghp_" + s, s))(rand(36)),
        ("github-token", "GitHub fine-grained personal access token"): (
            lambda s: Canary("GH_PAT", "github_pat_" + s, s)
        )(rand(22) + "_" + rand(59)),
        ("gitlab-token", "GitLab token"): (lambda s: Canary("GITLAB", "glpat-" + s, s))(rand(20)),
        ("slack-token", "Slack token"): (
            lambda s: Canary("SLACK", "xoxb-123456789012-1234567890123-" + s, s)
        )(rand(24)),
        ("slack-webhook", "Slack incoming webhook URL"): (
            lambda s: Canary(
                "SLACK_HOOK",
                f"https://hooks.slack.com/services/T0{s[:7]}/B0{s[7:15]}/{s[15:]}",
                f"{s[:7]}\n{s[7:15]}\n{s[15:]}",
            )
        )(rand(39)),
        ("stripe-live-key", "Stripe live secret key"): (
            lambda s: Canary("STRIPE", "sk_live_" + s, s)
        )(rand(32)),
        ("google-api-key", "Google API key"): (lambda s: Canary("GOOGLE", "AIza" + s, s))(
            rand(35, ALNUM + "_-")
        ),
        ("npm-token", "npm access token"): (lambda s: Canary("NPM", "npm_" + s, s))(rand(36)),
        ("pypi-token", "PyPI API token"): (lambda s: Canary("PYPI", "pypi-AgE" + s, s))(rand(60)),
        ("dockerhub-token", "Docker Hub personal access token"): (
            lambda s: Canary("HUB", "dckr_pat_" + s, s)
        )(rand(27)),
        ("anthropic-api-key", "Anthropic API key"): (
            lambda s: Canary("CLAUDE", "sk-ant-api03-" + s, s)
        )(rand(90)),
        ("openai-api-key", "OpenAI API key"): (
            lambda s, t: Canary("OPENAI", f"sk-proj-{s}T3BlbkFJ{t}", f"{s}\n{t}")
        )(rand(20), rand(20)),
        ("sendgrid-api-key", "SendGrid API key"): (
            lambda s, t: Canary("SENDGRID", f"SG.{s}.{t}", f"{s}\n{t}")
        )(rand(22), rand(43)),
        ("vault-token", "HashiCorp Vault token"): (lambda s: Canary("VAULT", "hvs." + s, s))(
            rand(95)
        ),
        ("jwt", "JSON Web Token"): Canary(
            "SESSION", f"{jwt_head}.{jwt_body}.{jwt_sig}", jwt_sig, ""
        ),
        ("connection-string-password", "URL with an embedded password"): Canary(
            "DATABASE_URL", f"postgres://shop:{pw_url}@db.internal:5432/shop", pw_url
        ),
        ("connection-string-password", "JDBC connection string with a password"): Canary(
            "JDBC_URL", f"jdbc:mysql://db.internal:3306/shop?user=shop&password={pw_jdbc}", pw_jdbc
        ),
        ("connection-string-password", "database connection string with a password"): Canary(
            "MSSQL", f"Server=db.internal;Database=shop;User Id=shop;Password={pw_ado};", pw_ado
        ),
        ("gcp-service-account", "Google Cloud service account key (JSON)"): Canary(
            "GCP_KEY", gcp, gcp_body
        ),
        (
            "credential-name-default",
            "well-known default password in a credential-named field",
        ): Canary("ADMIN_PASSWORD", "raspberry", "raspberry"),
        (
            "credential-name-high-entropy",
            "random-looking literal in a credential-named field",
        ): Canary("API_TOKEN", named, named),
        ("credential-name-literal", "literal value in a credential-named field"): Canary(
            "DB_PASSWORD", "Tr0ub4dor", "Tr0ub4dor"
        ),
    }


CANARIES = _canaries()


def test_every_detector_has_a_canary_it_detects() -> None:
    # a detector added to the secrets library fails here until the test plants its canary
    assert set(CANARIES) == set(DETECTORS)
    for (kind, description), c in CANARIES.items():
        found = detect_value(c.value, c.name)
        assert found is not None, (kind, c.value)
        assert (found.kind, found.description) == (kind, description)
        for part in c.secret.split("\n"):
            assert part in c.value and len(part) >= 7, (kind, part)


def _yaml(value: str, indent: int) -> str:
    """A YAML scalar: a block scalar for a multi-line value, else JSON's quoted string."""
    if "\n" not in value:
        return json.dumps(value)
    pad = " " * indent
    return "|-\n" + "\n".join(pad + line for line in value.splitlines())


def _flag(name: str) -> str:
    return "--" + name.lower().replace("_", "-")


def _one_line(value: str) -> str:
    """A multi-line value on one line (escaped line breaks, as in a Dockerfile or .env)."""
    return value.replace("\n", "\\n")


def _dockerfile(name: str, value: str) -> str:
    quoted = f"'{value}'" if '"' in value else f'"{value}"'
    out = f"FROM alpine:3.20\nARG {name}={quoted}\nENV {name}={quoted}\n"
    if not any(c.isspace() or c in "\"'" for c in value):
        out += f"ENV OLD_{name} {value}\n"
    return out + "USER 10001\n"


def _places(c: Canary) -> dict[str, tuple[str, str]]:
    """(file name, content) of every place the canary is planted, by place."""
    n, v = c.name, c.value
    key = n.lower()
    return {
        "secret-stringdata": (
            "secret-string.yaml",
            f"apiVersion: v1\nkind: Secret\nmetadata: {{name: s, namespace: shop}}\n"
            f"stringData:\n  {key}: {_yaml(v, 4)}\n",
        ),
        "secret-data": (
            "secret-data.yaml",
            f"apiVersion: v1\nkind: Secret\nmetadata: {{name: s, namespace: shop}}\n"
            f"data:\n  {key}: {b64(v)}\n",
        ),
        "configmap": (
            "configmap.yaml",
            f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c, namespace: shop}}\n"
            f"data:\n  {key}: {_yaml(v, 4)}\n",
        ),
        "workload": (
            "deployment.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n"
            f"  annotations:\n    note: {_yaml(c.line, 6)}\n"
            "spec:\n  selector: {matchLabels: {app: web}}\n  template:\n"
            "    metadata: {labels: {app: web}}\n    spec:\n      containers:\n"
            "        - name: app\n          image: nginx:1.27\n"
            f"          env:\n            - name: {n}\n              value: {_yaml(v, 16)}\n"
            f"          args: [{json.dumps(_flag(n) + '=' + _one_line(v))}]\n",
        ),
        "minified": (
            "list.json",
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "List",
                    "items": [
                        {
                            "apiVersion": "v1",
                            "kind": "Secret",
                            "metadata": {"name": "s", "namespace": "shop"},
                            "data": {key: b64(v), "other": b64(v)},
                        },
                        {
                            "apiVersion": "v1",
                            "kind": "Pod",
                            "metadata": {
                                "name": "p",
                                "namespace": "shop",
                                "annotations": {"note": c.line},
                            },
                            "spec": {
                                "containers": [
                                    {
                                        "name": "app",
                                        "image": "nginx:1.27",
                                        "env": [{"name": n, "value": v}],
                                    }
                                ]
                            },
                        },
                        {
                            "apiVersion": "v1",
                            "kind": "ConfigMap",
                            "metadata": {"name": "c", "namespace": "shop"},
                            "data": {key: v},
                        },
                    ],
                },
                separators=(",", ":"),
            ),
        ),
        "dockerfile": ("Dockerfile", _dockerfile(n, _one_line(v))),
        "compose": (
            "compose.yaml",
            f"services:\n  app:\n    image: nginx:1.27\n    environment:\n"
            f"      {n}: {_yaml(v, 8)}\n"
            f"  other:\n    image: nginx:1.27\n    environment:\n"
            f"      - {json.dumps(n + '=' + _one_line(v))}\n",
        ),
        "daemon": ("daemon.json", json.dumps({"labels": [f"note={_one_line(c.line)}"]})),
        "values": ("values.yaml", f"app:\n  {key}: {_yaml(c.line, 4)}\n"),
        "env-file": ("config.json", json.dumps({"env": [_one_line(c.line)]}, indent=2)),
        # a syntax error whose message quotes the input (a word: the line without spaces)
        "dockerfile-error": (
            "Dockerfile.broken",
            f"FROM alpine:3.20\nENV A=1 {_one_line(c.line)}\n"
            if not any(ch.isspace() for ch in c.line)
            else "FROM alpine:3.20\n",
        ),
    }


#: the rule that must report the canary in each place (when its detector applies there)
EXPECTED = {
    "secret-stringdata": "S001",
    "secret-data": "S001",
    "configmap": "S003",
    "workload": "S002",
    "minified": "S001",
    "dockerfile": "D005",
    "compose": "C021",
    "daemon": "S005",
    "values": "S005",
    "env-file": "S005",
}


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("canaries")
    for i, c in enumerate(CANARIES.values()):
        for place, (name, content) in _places(c).items():
            d = root / f"c{i:02d}" / place
            d.mkdir(parents=True)
            (d / name).write_text(content)
    return root


def _detected_there(c: Canary, place: str) -> bool:
    """Whether the place's detector applies: S005 knows formats only."""
    if EXPECTED[place] == "S005":
        return bool(scan_text(_places(c)[place][1]))
    return True


def _leaks(text: str) -> list[str]:
    """The canaries ``text`` shows: any 8-character run of a secret part or its base64."""
    out = []
    for (kind, description), c in CANARIES.items():
        for secret in (c.secret, b64(c.value), b64(c.secret)):
            for part in secret.split("\n"):
                if any(part[i : i + 8] in text for i in range(max(1, len(part) - 7))):
                    out.append(f"{kind} ({description}): {part[:12]}…")
                    break
    return out


def hardhull(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_every_place_detects_its_canary(planted: Path) -> None:
    proc = hardhull("scan", ".", "--format", "json", "--fail-on", "never", cwd=planted)
    report = json.loads(proc.stdout)
    by_dir: dict[str, set[str]] = {}
    for f in report["findings"]:
        parts = f["location"]["path"].removeprefix("./").split("/")
        by_dir.setdefault(f"{parts[0]}/{parts[1]}", set()).add(f["code"])
    missed = []
    for i, c in enumerate(CANARIES.values()):
        for place, code in EXPECTED.items():
            if _detected_there(c, place) and code not in by_dir.get(f"c{i:02d}/{place}", set()):
                missed.append(f"c{i:02d}/{place}: {code} ({c.name})")
    assert not missed


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_report_format_shows_a_canary(planted: Path, fmt: str) -> None:
    proc = hardhull("scan", ".", "--format", fmt, "--fail-on", "never", cwd=planted)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout) > 1000
    assert _leaks(proc.stdout) == []
    assert _leaks(proc.stderr) == []
    out = planted.parent / f"report-{fmt}"
    proc = hardhull("scan", ".", "-f", fmt, "-o", str(out), "--color", "always", cwd=planted)
    assert _leaks(out.read_text()) == [] and _leaks(proc.stdout + proc.stderr) == []


def test_text_excerpts_show_the_masked_value(planted: Path) -> None:
    github = list(CANARIES).index(("github-token", "GitHub token"))
    proc = hardhull("scan", f"c{github:02d}", "--fail-on", "never", cwd=planted)
    excerpts = [line for line in proc.stdout.splitlines() if line.lstrip().startswith("| ")]
    assert excerpts
    assert '| github: "ghp_…(40 chars)"' in proc.stdout
    assert '| value: "ghp_…(40 chars)"' in proc.stdout
    assert '| ENV GITHUB="ghp_…(40 chars)"' in proc.stdout


def test_baseline_and_pss_show_no_canary(planted: Path) -> None:
    base = planted.parent / "baseline.json"
    proc = hardhull("scan", ".", "--write-baseline", str(base), cwd=planted)
    assert _leaks(base.read_text()) == [] and _leaks(proc.stdout + proc.stderr) == []
    for fmt in FORMATS:
        proc = hardhull("pss", ".", "--format", fmt, cwd=planted)
        assert _leaks(proc.stdout + proc.stderr) == []


def test_webhook_answers_show_no_canary(planted: Path) -> None:
    pytest.importorskip("cryptography", reason="the admission extra is not installed")
    from hardhull.admission import review
    from hardhull.admission.policy import default_policy
    from hardhull.frontends.kubernetes import parse_text
    from tests.helpers.admission import review_body

    answers: list[Any] = []
    for path in sorted(planted.rglob("*.yaml")) + sorted(planted.rglob("list.json")):
        if path.name in ("compose.yaml", "values.yaml"):
            continue
        parsed = parse_text(str(path), path.read_text())
        for obj in parsed.objects:
            items = obj.data.get("items") if obj.data.get("kind") == "List" else [obj.data]
            for item in items or []:
                body = review_body(item, namespace="shop")
                answers.append(
                    review.response(review.validate(review.parse_review(body), default_policy()))
                )
    denied = [a for a in answers if not a["response"]["allowed"]]
    assert denied
    assert _leaks(json.dumps(answers)) == []
