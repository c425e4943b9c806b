"""Dockerfile rules about downloads whose verification is switched off: TLS certificate
checks (D023) and package signature checks (D024)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from hardhull.model import Severity, Violation
from hardhull.models.dockerfile_facts import DockerfileFacts, env_pairs, unquote
from hardhull.models.package_managers import APT, PIP_PROGRAM, program
from hardhull.registry import Target, check
from hardhull.rules.dockerfile import dockerfile_rule

TLS_OFF = dockerfile_rule(
    "D023",
    "tls-verification-disabled",
    "TLS certificate verification switched off",
    Severity.HIGH,
    what="A download or a package manager is told not to verify the server's certificate: "
    "`curl -k`/`--insecure`, `wget --no-check-certificate`, `pip --trusted-host`, "
    "`npm`/`yarn config set strict-ssl false`, `git -c http.sslVerify=false` or "
    "`git config http.sslVerify false`, `yum`/`dnf --setopt=sslverify=0`; or an `ENV`, `ARG` "
    "or shell variable that does the same for every later command: `GIT_SSL_NO_VERIFY`, "
    "`NODE_TLS_REJECT_UNAUTHORIZED=0`, `NPM_CONFIG_STRICT_SSL=false`, `PIP_TRUSTED_HOST`, "
    "`PYTHONHTTPSVERIFY=0`, `GOINSECURE`, `GOSUMDB=off`, `GOFLAGS=-insecure`. Every stage "
    "is judged (`ONBUILD RUN` triggers too): what a builder downloads ends up in the image.",
    why="Without certificate verification anyone on the network path (a proxy, a compromised "
    "Wi-Fi or CI network, DNS spoofing) can serve their own packages or scripts to the build, "
    "and nothing in the image shows it. An `ENV` also switches verification off at run time "
    "for the application itself (Node.js, Python, git, npm inside the container).",
    fix="Remove the switch. If a private registry or proxy uses its own certificate authority, "
    "add that CA to the trust store (`COPY corp-ca.crt /usr/local/share/ca-certificates/` and "
    "`update-ca-certificates`, or `pip --cert`, `npm config set cafile`, "
    "`NODE_EXTRA_CA_CERTS`) instead of disabling verification.",
    example="""
COPY corp-root-ca.crt /usr/local/share/ca-certificates/corp-root-ca.crt
RUN update-ca-certificates \\
 && curl -fsSLo /tmp/tool.tgz https://artifacts.corp.example/tool-1.4.2.tgz
""",
    cis="4.11 Ensure only verified packages are installed",
)  # fmt: skip


#: (variable, predicate on its value, what it switches off)
_TLS_VARIABLES: dict[str, tuple[Callable[[str], bool], str]] = {
    "GIT_SSL_NO_VERIFY": (lambda v: v != "", "git's certificate verification"),
    "NODE_TLS_REJECT_UNAUTHORIZED": (lambda v: v == "0", "Node.js certificate verification"),
    "NPM_CONFIG_STRICT_SSL": (lambda v: v.lower() == "false", "npm's certificate verification"),
    "PIP_TRUSTED_HOST": (lambda v: v != "", "pip's certificate verification for those hosts"),
    "PYTHONHTTPSVERIFY": (lambda v: v == "0", "Python's certificate verification"),
    "GOINSECURE": (lambda v: v != "", "HTTPS and checksum checks of those Go modules"),
    "GOSUMDB": (lambda v: v.lower() == "off", "Go's module checksum database"),
    "GOFLAGS": (lambda v: "-insecure" in v, "HTTPS for go get"),
}


def _tls_variable(name: str, value: str | None) -> str | None:
    if value is None or "$" in value:
        return None
    entry = _TLS_VARIABLES.get(name) or _TLS_VARIABLES.get(name.upper())
    if entry is None or (name != name.upper() and name.upper() != "NPM_CONFIG_STRICT_SSL"):
        return None
    test, what = entry
    return what if test(unquote(value).strip()) else None


_FALSE = ("false", "0", "no", "off")


#: RUN text worth splitting for D023 (cheap first look; matched against the lower-cased text)
_TLS_TEXT = re.compile(
    r"--insecure|\s-[a-z]*k|no-check-certificate|trusted-host|strict-ssl|sslverify|"
    r"ssl_no_verify|tls_reject|strict_ssl|trusted_host|httpsverify|goinsecure|gosumdb|goflags"
)


def _tls_off_in(argv: Sequence[str]) -> str | None:
    """What a command switches certificate verification off with, or None."""
    name, i = program(argv)
    args = list(argv[i + 1 :])
    low = [a.lower() for a in args]
    if name == "curl":
        for a in args:
            if a == "--insecure" or re.fullmatch(r"-[a-zA-Z]*k[a-zA-Z]*", a):
                return f"curl {a}"
    elif name == "wget":
        if "--no-check-certificate" in args:
            return "wget --no-check-certificate"
    elif PIP_PROGRAM.match(name) or (re.match(r"python[\d.]*$", name) and "pip" in args[:3]):
        for a in args:
            if a.startswith("--trusted-host") or a == "global.trusted-host":
                return f"pip {a.split('=', 1)[0]}"
    elif name in ("npm", "yarn", "pnpm"):
        for n, a in enumerate(low):
            if a in ("--strict-ssl=false", "--no-strict-ssl"):
                return f"{name} {args[n]}"
            if a.strip("\"'") in ("strict-ssl", "strict-ssl=false"):
                val = a.partition("=")[2] or (low[n + 1] if n + 1 < len(low) else "")
                if val.strip("\"'") == "false":
                    return f"{name} strict-ssl false"
    elif name == "git":
        for n, a in enumerate(low):
            if "sslverify" in a:
                val = a.partition("=")[2] or (low[n + 1] if n + 1 < len(low) else "")
                if val.strip("\"'") in _FALSE:
                    return "git http.sslVerify false"
    elif name in ("yum", "dnf", "tdnf", "microdnf", "yum-config-manager", "dnf-config-manager"):
        for a in low:
            if re.search(r"sslverify['\"]?=['\"]?(0|false|no)\b", a):
                return f"{name} sslverify=0"
    return None


# D023
@check(TLS_OFF, on=Target.DOCKERFILE)
def tls_verification_disabled(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.df.stages:
        for j, ins in enumerate(st.instructions):
            if ins.keyword not in ("ENV", "ARG"):
                continue
            for k, name, value in env_pairs(ins):
                what = _tls_variable(name, value)
                if what is not None:
                    yield Violation(
                        "D023",
                        f"/stages/{st.index}/instructions/{j}/args/{k}",
                        f"{ins.keyword} {name}={unquote(value or '')} switches off {what}",
                    )
    seen: set[tuple[int, int, int]] = set()
    for rc in f.runs_matching(_TLS_TEXT, onbuild=True):
        argv = rc.cmd.argv
        found = _tls_off_in(argv)
        if found is None:
            pairs = [a.partition("=") for a in rc.cmd.assignments]
            if argv[:1] == ["export"]:
                pairs += [a.partition("=") for a in argv[1:] if "=" in a]
            for name, _, value in pairs:
                what = _tls_variable(name, value)
                if what is not None:
                    found = f"{name}={value} (switches off {what})"
                    break
        if found is not None and (rc.stage, rc.index, rc.k) not in seen:
            seen.add((rc.stage, rc.index, rc.k))
            yield Violation(
                "D023",
                rc.pointer,
                f"{found}: downloads are not checked against the server's certificate"
                f"{rc.onbuild_note}",
            )


UNSIGNED_PACKAGES = dockerfile_rule(
    "D024",
    "package-signature-check-disabled",
    "Package signature verification switched off",
    Severity.HIGH,
    what="A package manager installs packages whose signatures it does not check: "
    "`apt-get --allow-unauthenticated`, `--force-yes`, "
    "`-o APT::Get::AllowUnauthenticated=true`, a `[trusted=yes]` APT source, "
    "`apt-get update --allow-insecure-repositories`, `apk add --allow-untrusted`, "
    "`yum`/`dnf`/`tdnf`/`microdnf --nogpgcheck` or `gpgcheck=0` in a repository definition, "
    "`rpm --nosignature`/`--nodigest`/`--noverify`/`--nofiledigest`. Every stage is "
    "judged.",
    why="Package signatures are what ties a package to its publisher: with the check off, a "
    "mirror, proxy or anyone on the network path can substitute a package, and the build "
    "installs it as root without a trace.",
    fix="Remove the option and install the repository's signing key instead (`signed-by=` for "
    "APT sources, `rpm --import`, the key in `/etc/apk/keys`); for a local package built in "
    "an earlier stage, sign it or copy its files instead of installing an unsigned package.",
    example="""
RUN curl -fsSLo /usr/share/keyrings/vendor.gpg https://repo.vendor.example/key.gpg \\
 && echo "deb [signed-by=/usr/share/keyrings/vendor.gpg] https://repo.vendor.example stable main" \\
    > /etc/apt/sources.list.d/vendor.list \\
 && apt-get update && apt-get install -y --no-install-recommends vendor-tool=2.3.1-1 \\
 && rm -rf /var/lib/apt/lists/*
""",
    cis="4.11 Ensure only verified packages are installed",
)


#: RUN text worth splitting for D024 (cheap first look; matched against the lower-cased text)
_UNSIGNED_TEXT = re.compile(
    r"allow-?unauth|force-yes|allow-untrusted|allow-insecure|gpgcheck|--nosignature|"
    r"--nodigest|--noverify|--nofiledigest|trusted=yes"
)


_APT_UNSIGNED = re.compile(r"allowunauthenticated\s*=\s*['\"]?(true|1|yes)", re.I)


# `gpgcheck=0` in repository text (also after a printf `\n`)
_GPGCHECK_OFF = re.compile(r"(?:^|\\n|[^a-z_])(?:repo_)?gpgcheck\s*=\s*['\"]?(0|false|no)\b", re.I)


_SED_SUBST = re.compile(r"s(.)(.*?)(?<!\\)\1(.*?)(?<!\\)\1")


def _unsigned_in(argv: Sequence[str]) -> str | None:
    """What a command switches package signature checks off with, or None."""
    name, i = program(argv)
    args = list(argv[i + 1 :])
    if name in APT or name == "aptitude":
        for a in args:
            if a in ("--allow-unauthenticated", "--force-yes", "--allow-insecure-repositories"):
                return f"{name} {a}"
            if _APT_UNSIGNED.search(a):
                return f"{name} -o APT::Get::AllowUnauthenticated=true"
    elif name == "apk":
        if "--allow-untrusted" in args:
            return "apk --allow-untrusted"
    elif name in ("yum", "dnf", "tdnf", "microdnf", "yum-config-manager", "dnf-config-manager"):
        for a in args:
            if a == "--nogpgcheck":
                return f"{name} --nogpgcheck"
    elif name == "rpm":
        for a in args:
            if a in ("--nosignature", "--nodigest", "--noverify", "--nofiledigest"):
                return f"rpm {a}"
    # repository definitions written by echo/printf/tee/sed … (for a sed substitution only
    # what it writes counts: `s/gpgcheck=0/gpgcheck=1/` turns the check on)
    for a in args:
        sed = _SED_SUBST.match(a) if name == "sed" else None
        if sed is not None:
            a = sed.group(3)
        if re.search(r"\[[^\]]*\btrusted=yes", a):
            return "an APT source marked [trusted=yes]"
        if _GPGCHECK_OFF.search(a):
            return "a repository definition with gpgcheck=0"
    return None


# D024
@check(UNSIGNED_PACKAGES, on=Target.DOCKERFILE)
def package_signature_check_disabled(f: DockerfileFacts) -> Iterator[Violation]:
    for rc in f.runs_matching(_UNSIGNED_TEXT, onbuild=True):
        found = _unsigned_in(rc.cmd.argv)
        if found is not None:
            yield Violation(
                "D024",
                rc.pointer,
                f"{found}: packages are installed without checking their signatures"
                f"{rc.onbuild_note}",
            )
