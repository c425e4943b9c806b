"""Dockerfile rules about credentials in the image: in ``ENV``/``ARG`` (D005), in files
copied in (D006), and account passwords set by a ``RUN`` (D025)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from hardhull.formats.dockerfile.model import Instruction
from hardhull.model import Severity, Violation
from hardhull.models.dockerfile_facts import (
    DockerfileFacts,
    copy_sources,
    env_pairs,
    stage_label,
    unquote,
)
from hardhull.models.package_managers import program
from hardhull.registry import Target, check
from hardhull.rules.dockerfile import DOCKER_REF, SECRETS_DOC, dockerfile_rule
from hardhull.secrets.detect import detect_value, is_credential_name

SECRET_ENV = dockerfile_rule(
    "D005",
    "secret-in-env-or-arg",
    "Credential in ENV or ARG",
    Severity.HIGH,
    what="An `ENV` or `ARG` holds a credential: a value that is recognisably a secret (private "
    "key, cloud access key, token, password in a URL), or a literal value for a name that "
    "means a credential (`DB_PASSWORD`, `API_TOKEN`, …). Also reported: `ENV` copying a "
    "credential build argument into the image (`ENV NPM_TOKEN=$NPM_TOKEN`) and a credential "
    "build argument used by a `RUN` of the final stage. Empty values, references to files "
    "(`*_FILE`, `/run/secrets/…`) and build arguments consumed only through "
    "`RUN --mount=type=secret` are fine. Severity follows the detector: high for values "
    "whose format proves a secret (tokens, keys, URLs with passwords), medium for "
    "random-looking literals in credential-named variables, low for well-known default "
    "passwords.",
    why="`ENV` values are stored in the image configuration and `ARG` values used by `RUN` in "
    "its history: anyone who can pull the image reads them with `docker inspect` or "
    "`docker history`, for ever, and a literal value also sits in the repository.",
    fix="Remove the value, revoke and rotate the credential, and pass it at build time as a "
    "BuildKit secret (`RUN --mount=type=secret,id=…`), or at run time from the orchestrator's "
    "secret store.",
    example="""
# syntax=docker/dockerfile:1
FROM node:22-bookworm-slim
RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
""",
    cis="4.10 Ensure secrets are not stored in Dockerfiles",
    trivy=("DS031",),
    refs=(SECRETS_DOC, DOCKER_REF + "#env"),
    reports_secrets=True,
    hadolint=("DL3064",),
)


def _literal_secret(key: str, value: str) -> tuple[str, Severity] | None:
    """Why ``key=value`` is a credential (message, severity), or None."""
    match = detect_value(value, key)
    if match is not None:
        return f"a credential: {match.description} ({match.masked})", match.severity
    return None


_VAR = re.compile(r"\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)")


def _only_var(raw: str) -> bool:
    return bool(re.fullmatch(r"\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)", raw))


def _secret_mount_envs(ins: Instruction) -> set[str]:
    out: set[str] = set()
    for m in ins.mounts:
        if m.type == "secret":
            out.add(m.env or (m.id or posixpath.basename(m.target)).upper())
            out.add(m.id)
    return out


# D005
@check(SECRET_ENV, on=Target.DOCKERFILE)
def secret_in_env_or_arg(f: DockerfileFacts) -> Iterator[Violation]:
    for gi, ins in enumerate(f.df.instructions):
        if ins.stage_index >= 0:
            continue
        for k, name, value in env_pairs(ins):
            if value:
                found = _literal_secret(name, unquote(value))
                if found is not None:
                    msg, sev = found
                    yield Violation(
                        "D005",
                        f"/instructions/{gi}/args/{k}",
                        f"ARG {name} holds {msg}",
                        None,
                        sev,
                        secrets=(unquote(value),),
                    )
    for st in f.df.stages:
        cred_args: dict[str, int] = {}
        args: set[str] = set()
        for j, ins in enumerate(st.instructions):
            base = f"/stages/{st.index}/instructions/{j}"
            if ins.keyword in ("ENV", "ARG"):
                for k, name, value in env_pairs(ins):
                    if ins.keyword == "ARG":
                        args.add(name)
                    if value is None:
                        if ins.keyword == "ARG" and is_credential_name(name):
                            cred_args[name] = j
                        continue
                    raw = unquote(value)
                    refs = {m.strip("{}").split(":", 1)[0] for m in _VAR.findall(raw)}
                    if refs:
                        from_args = sorted(refs & args)
                        if (
                            ins.keyword == "ENV"
                            and from_args
                            and (
                                refs & set(cred_args)
                                or (is_credential_name(name) and _only_var(raw))
                            )
                        ):
                            src = sorted(refs & set(cred_args)) or from_args
                            yield Violation(
                                "D005",
                                f"{base}/args/{k}",
                                f"ENV {name} stores build argument ${src[0]} in the image "
                                "configuration",
                                None,
                                Severity.HIGH,
                            )
                        continue
                    found = _literal_secret(name, raw)
                    if found is not None:
                        msg, sev = found
                        yield Violation(
                            "D005",
                            f"{base}/args/{k}",
                            f"{ins.keyword} {name} holds {msg}",
                            None,
                            sev,
                            secrets=(raw,),
                        )
                    elif ins.keyword == "ARG" and is_credential_name(name):
                        cred_args[name] = j
            elif ins.keyword == "RUN" and cred_args and st.index in f.final_chain:
                mounted = _secret_mount_envs(ins)
                text = ins.args_raw + "".join(h.body for h in ins.heredocs)
                used = sorted(
                    n
                    for n in cred_args
                    if n not in mounted and re.search(r"\$\{?" + re.escape(n) + r"\b", text)
                )
                for n in used:
                    yield Violation(
                        "D005",
                        f"{base}",
                        f"RUN uses credential build argument ${n}: its value is recorded in "
                        "the image history",
                        None,
                        Severity.MEDIUM,
                    )
                    del cred_args[n]


SECRET_FILE = dockerfile_rule(
    "D006",
    "secret-file-copied",
    "Credential file copied into the image",
    Severity.HIGH,
    what="A `COPY` or `ADD` copies a file that normally holds credentials: SSH private keys "
    "(`id_rsa`, `id_ed25519`, …), private keys (`*.key`, `*-key.pem`, `*.p12`, `*.pfx`), "
    "`.env` files, `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`, `credentials.json`, "
    "`.aws/credentials`, kubeconfig files and `.docker/config.json`. Certificates, public "
    "keys, repository signing keys and `.env.example`-style templates are not reported. In a "
    "stage that is not part of the final image the finding is medium (the file stays in "
    "the build cache and in the builder image).",
    why="Every layer of an image is readable by anyone who can pull it; deleting the file in a "
    "later layer does not remove it from the earlier one.",
    fix="Mount the file only for the `RUN` that needs it with "
    "`RUN --mount=type=secret,id=…,target=…`, or provide it at run time (orchestrator "
    "secret, volume); exclude it from the build context with `.dockerignore`.",
    example="""
# syntax=docker/dockerfile:1
FROM node:22-bookworm-slim
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
""",
    cis="4.10 Ensure secrets are not stored in Dockerfiles",
    refs=(SECRETS_DOC,),
)


_SECRET_NAMES = frozenset(
    {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk", ".npmrc",
     ".pypirc", ".netrc", "_netrc", ".git-credentials", "credentials.json", "kubeconfig",
     ".htpasswd", "secrets.json", "secrets.yaml", "secrets.yml", "service-account.json",
     "service_account.json", "client_secret.json", ".vault-token", ".boto", ".s3cfg"}
)  # fmt: skip


_ENV_TEMPLATE = re.compile(r"\.(example|sample|template|dist|defaults?|tpl|schema)$|\.(test|ci)$")


_PUBLIC_KEYISH = re.compile(r"gpg|pgp|\.asc$|pub|apt|repo|release|signing|archive|keyring|\.pub")


def secret_file_kind(src: str) -> str | None:
    """Why a COPY/ADD source path is a credential file, or None."""
    path = src.rstrip("/")
    base = posixpath.basename(path).lower()
    low = path.lower()
    if not base or any(c in base for c in "*?[$"):
        return None
    if base in _SECRET_NAMES:
        return f"credential file {base}"
    if base == ".env" or (base.startswith(".env.") and not _ENV_TEMPLATE.search(base)):
        return f"environment file {base}"
    if low.endswith((".aws/credentials", ".kube/config", ".docker/config.json")):
        return f"credential file {low.rsplit('/', 2)[-2]}/{base}"
    if base.endswith((".p12", ".pfx", ".jks", ".keystore")) and "trust" not in base:
        return f"key store {base}"
    if base.endswith(".key") and not _PUBLIC_KEYISH.search(base):
        return f"private key {base}"
    if (
        base.endswith(".pem")
        and re.search(r"key|priv|secret|id_", base)
        and not _PUBLIC_KEYISH.search(base.replace("key", ""))
    ):
        return f"private key {base}"
    return None


# D006
@check(SECRET_FILE, on=Target.DOCKERFILE)
def secret_file_copied(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.df.stages:
        in_final = st.index in f.final_chain
        for j, ins in enumerate(st.instructions):
            if ins.keyword not in ("COPY", "ADD"):
                continue
            for k, src in copy_sources(ins):
                kind = secret_file_kind(src)
                if kind is None:
                    continue
                where = "into the image" if in_final else f"into build {stage_label(st)}"
                yield Violation(
                    "D006",
                    f"/stages/{st.index}/instructions/{j}/args/{k}",
                    f"{ins.keyword} copies {kind} {where}; use RUN --mount=type=secret",
                    None,
                    None if in_final else Severity.MEDIUM,
                )


PASSWORD_SET = dockerfile_rule(
    "D025",
    "password-set-in-image",
    "Password set for an account in the image",
    Severity.MEDIUM,
    what="A `RUN` of a stage of the final image sets an account password: `chpasswd`, "
    "`passwd --stdin`, `usermod -p`/`--password` or `useradd -p`/`--password`.",
    why="The password (or its hash) is in the image's `/etc/shadow` for anyone who pulls the "
    "image to read and crack, the same for every container, and usually also in the "
    "Dockerfile and the image history in clear. A password login is only useful for a "
    "remote login (SSH), which a container should not offer.",
    fix="Do not give accounts a password: create users without one (`useradd --no-create-home` "
    "leaves it locked) and use `docker exec`/`kubectl exec` for access; if a service needs "
    "a credential, pass it at run time from a secret store.",
    example="""
RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin app
USER 10001
""",
    cis="4.10 Ensure secrets are not stored in Dockerfiles",
)


# D025
@check(PASSWORD_SET, on=Target.DOCKERFILE)
def password_set_in_image(f: DockerfileFacts) -> Iterator[Violation]:
    for rc in f.runs(f.final_stages):
        name, i = program(rc.cmd.argv)
        args = rc.cmd.argv[i + 1 :]
        how = ""
        if name == "chpasswd":
            how = "chpasswd"
        elif name == "passwd" and "--stdin" in args:
            how = "passwd --stdin"
        elif name in ("usermod", "useradd", "adduser") and any(
            a in ("-p", "--password") or a.startswith("--password=") for a in args
        ):
            how = f"{name} --password"
        if how:
            yield Violation(
                "D025",
                rc.pointer,
                f"{how} sets an account password in the image: it ships in /etc/shadow",
            )
