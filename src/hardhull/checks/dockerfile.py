"""Dockerfile checks (codes D001–D099): base images, user, secrets, downloads, ADD, permissions,
package-manager hygiene, exposed ports, HEALTHCHECK, build tools and the build context.

A check is a pure function over a :class:`DockerfileFacts` (the parsed Dockerfile plus what
the front end learned about its surroundings: the ``as_of`` date for end-of-life decisions and
whether a ``.dockerignore`` is next to the file). Facts precompute what several checks need:
the shell analysis of every ``RUN``, the stages that end up in the final image, the effective
``USER`` of each stage and the variables in scope.

Pointers locate findings: ``/stages/<i>`` is the ``FROM`` of stage *i*, ``/stages/<i>/image``
its image reference, ``/stages/<i>/instructions/<j>`` the *j*-th instruction after it,
optionally followed by ``/args/<n>`` (one argument) or ``/commands/<k>`` (the *k*-th simple
command of a ``RUN``) and ``/commands/<k>/argv/<m>`` (one word of it); ``/instructions/<k>`` is
an instruction before the first ``FROM``.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any

from hardhull.checks import register
from hardhull.dockerfile.model import Dockerfile, Instruction, Stage
from hardhull.dockerfile.shell import SHELLS, WRAPPERS, Command, analyse
from hardhull.dockerfile.variables import expand, global_arg_values
from hardhull.model import Rule, Severity, Violation
from hardhull.rulekit import RuleFamily

DOCKER_REF = "https://docs.docker.com/reference/dockerfile/"
BEST = "https://docs.docker.com/build/building/best-practices/"
SECRETS_DOC = "https://docs.docker.com/build/building/secrets/"
CIS = "CIS Docker Benchmark v1.6.0, "


@dataclass(frozen=True)
class DockerContext:
    """What a Dockerfile check may know beyond the file: the date end-of-life is judged at and
    whether a ``.dockerignore`` sits next to the Dockerfile (None: unknown, e.g. stdin)."""

    as_of: date
    dockerignore: bool | None = None


DockerfileCheck = Callable[["DockerfileFacts"], Iterable[Violation]]
#: the Dockerfile checks, in registration order
DOCKERFILE_CHECKS: list[tuple[Rule, DockerfileCheck]] = []


def dockerfile_check(rule: Rule) -> Callable[[DockerfileCheck], DockerfileCheck]:
    register(rule)

    def deco(fn: DockerfileCheck) -> DockerfileCheck:
        DOCKERFILE_CHECKS.append((rule, fn))
        return fn

    return deco


_rule = RuleFamily("dockerfile", refs=(DOCKER_REF,), cis_prefix=CIS)


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class RunCommand:
    """One simple command of a ``RUN`` with where it is."""

    stage: int
    index: int  # instruction index in the stage
    k: int  # command index in the RUN's analysis
    ins: Instruction
    cmd: Command

    @property
    def pointer(self) -> str:
        return f"/stages/{self.stage}/instructions/{self.index}/commands/{self.k}"

    def argv_pointer(self, m: int) -> str:
        return f"{self.pointer}/argv/{m}"


@dataclass
class DockerfileFacts:
    """The parsed Dockerfile, its context, and indexes the checks share (computed lazily)."""

    df: Dockerfile
    ctx: DockerContext
    #: the comment lines of the file (for markers such as "probed by Kubernetes")
    comment_lines: list[str] = field(default_factory=list)
    _commands: dict[int, list[Command]] = field(default_factory=dict, repr=False)
    _users: dict[int, tuple[str | None, int, int]] = field(default_factory=dict, repr=False)

    # ---- stages

    @functools.cached_property
    def final(self) -> Stage:
        return self.df.stages[-1]

    def parent(self, st: Stage) -> Stage | None:
        """The earlier stage this stage is built ``FROM``, if it is one."""
        if st.unresolved and not st.base_image:
            return None
        ref = self.df.stage(st.base_image)
        if ref is not None and ref.index < st.index:
            return ref
        return None

    def chain(self, st: Stage) -> list[Stage]:
        """The stage and the stages it is built on, nearest first."""
        out = [st]
        seen = {st.index}
        cur = self.parent(st)
        while cur is not None and cur.index not in seen:
            out.append(cur)
            seen.add(cur.index)
            cur = self.parent(cur)
        return out

    @functools.cached_property
    def final_chain(self) -> frozenset[int]:
        """Indexes of the stages whose layers make up the final image."""
        return frozenset(s.index for s in self.chain(self.final))

    def root_stage(self, st: Stage) -> Stage:
        return self.chain(st)[-1]

    @functools.cached_property
    def globals(self) -> dict[str, str | None]:
        return global_arg_values(self.df)

    # ---- RUN commands

    def shell_of(self, st: Stage, upto: int) -> list[str] | None:
        shell: list[str] | None = None
        for j, ins in enumerate(st.instructions):
            if j >= upto:
                break
            if ins.keyword == "SHELL" and ins.json_form:
                shell = list(ins.json_form)
        if shell is None:
            parent = self.parent(st)
            if parent is not None:
                return self.shell_of(parent, len(parent.instructions))
        return shell

    def commands(self, st: Stage, index: int) -> list[Command]:
        """The simple commands of ``RUN`` ``index`` of ``st``; empty for a RUN no check can
        act on (no keyword any check looks for: analysing shell is the costly part)."""
        ins = st.instructions[index]
        key = id(ins)
        cached = self._commands.get(key)
        if cached is None:
            if st.index not in self.final_chain:
                wanted = _BUILD_STAGE_WORDS
            elif len(self.df.stages) == 1:
                wanted = _SINGLE_STAGE_WORDS
            else:
                wanted = _FINAL_WORDS
            text = ins.args_raw if not ins.heredocs else _run_text(ins)
            if ins.json_form is not None:
                text = " ".join(ins.json_form)
            if wanted.search(text.lower()) is None:
                cached = []
            else:
                # an ONBUILD trigger runs in the derived image's build, with its SHELL
                shell = None if ins.keyword == "ONBUILD" else self.shell_of(st, index)
                cached = list(analyse(ins, shell).commands)
            self._commands[key] = cached
        return cached

    def runs(
        self, stages: Iterable[Stage] | None = None, onbuild: bool = False
    ) -> Iterator[RunCommand]:
        """Every simple command of every ``RUN`` of the given stages (default: all); with
        ``onbuild``, also of the ``ONBUILD RUN`` triggers (they run in the builds of images
        built ``FROM`` this one)."""
        for st in self.df.stages if stages is None else stages:
            for j, ins in enumerate(st.instructions):
                if ins.keyword != "RUN" and not (
                    onbuild
                    and ins.keyword == "ONBUILD"
                    and ins.onbuild is not None
                    and ins.onbuild.keyword == "RUN"
                ):
                    continue
                for k, cmd in enumerate(self.commands(st, j)):
                    yield RunCommand(st.index, j, k, ins, cmd)

    def runs_matching(
        self, pattern: re.Pattern[str], onbuild: bool = False
    ) -> Iterator[RunCommand]:
        """:meth:`runs` of every stage, only for the ``RUN`` (and, with ``onbuild``,
        ``ONBUILD RUN``) instructions whose lower-cased text ``pattern`` finds something in."""
        for st in self.df.stages:
            for j, ins in enumerate(st.instructions):
                if ins.keyword != "RUN" and not (
                    onbuild
                    and ins.keyword == "ONBUILD"
                    and ins.onbuild is not None
                    and ins.onbuild.keyword == "RUN"
                ):
                    continue
                text = ins.original + "".join(h.body for h in ins.heredocs)
                if pattern.search(text.lower()) is None:
                    continue
                for k, cmd in enumerate(self.commands(st, j)):
                    yield RunCommand(st.index, j, k, ins, cmd)

    @functools.cached_property
    def final_stages(self) -> list[Stage]:
        return [s for s in self.df.stages if s.index in self.final_chain]

    # ---- users

    def user_of(self, st: Stage) -> tuple[str | None, int, int]:
        """(effective USER at the end of the stage or None if never set in its chain, stage
        index and instruction index of the USER instruction, or -1)."""
        cached = self._users.get(st.index)
        if cached is not None:
            return cached
        result: tuple[str | None, int, int] = (None, st.index, -1)
        parent = self.parent(st)
        if parent is not None:
            result = self.user_of(parent)
        for j, ins in enumerate(st.instructions):
            if ins.keyword == "USER" and ins.args:
                result = (self.expand_in(st, j, ins.args[0]), st.index, j)
        self._users[st.index] = result
        return result

    def variables(self, st: Stage, index: int) -> dict[str, str | None]:
        """Variables in scope at instruction ``index`` of ``st`` (ARG defaults and ENV)."""
        values: dict[str, str | None] = {}
        parent = self.parent(st)
        if parent is not None:
            values.update(self.env_of(parent))
        args: dict[str, str | None] = {}
        for j, ins in enumerate(st.instructions):
            if j >= index:
                break
            if ins.keyword == "ARG":
                for word in ins.args:
                    name, eq, default = word.partition("=")
                    if eq:
                        args[name] = self._expand({**values, **args}, default)
                    else:
                        args[name] = self.globals.get(name)
            elif ins.keyword == "ENV":
                for k in range(0, len(ins.args) - 1, 2):
                    values[ins.args[k]] = self._expand({**values, **args}, ins.args[k + 1])
        return {**args, **values}

    def env_of(self, st: Stage) -> dict[str, str | None]:
        """The ENV of the image a stage produces (inherited through earlier stages)."""
        return {
            k: v
            for k, v in self.variables(st, len(st.instructions)).items()
            if any(k in self._env_names(s) for s in self.chain(st))
        }

    def _env_names(self, st: Stage) -> set[str]:
        names: set[str] = set()
        for ins in st.instructions:
            if ins.keyword == "ENV":
                names.update(ins.args[k] for k in range(0, len(ins.args) - 1, 2))
        return names

    def _expand(self, env: dict[str, str | None], text: str) -> str | None:
        try:
            exp = expand(text, env, self.df.escape)
        except Exception:
            return None
        return None if exp.unresolved else exp.value

    def expand_in(self, st: Stage, index: int, text: str) -> str | None:
        """``text`` with the variables in scope substituted; None if one has no known value."""
        if "$" not in text:
            return self._expand({}, text)
        return self._expand(self.variables(st, index), text)

    # ---- comments and labels

    @functools.cached_property
    def labels(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for st in self.df.stages:
            for ins in st.instructions:
                if ins.keyword == "LABEL":
                    for k in range(0, len(ins.args) - 1, 2):
                        key = _unquote(ins.args[k])
                        out[key] = _unquote(ins.args[k + 1])
        return out


# what the checks look for in RUN commands, by the kind of stage (see DockerfileFacts.commands)
# verification switched off (D023, D024): flags and variables, looked for in every stage
_VERIFY_WORDS = (
    r"|trusted-host|strict-ssl|sslverify|allow-?unauth|force-yes|allow-untrusted|gpgcheck"
    r"|--nosignature|--nodigest|--noverify|--nofiledigest|trusted=yes|ssl_no_verify"
    r"|tls_reject|strict_ssl|trusted_host|httpsverify|goinsecure|gosumdb|goflags"
    r"|allow-insecure"
)
# matched against the lower-cased text: a case-insensitive alternation is several times slower
_BUILD_STAGE_WORDS = re.compile(r"curl|wget|sudo|npm" + _VERIFY_WORDS)
_FINAL_WORDS = re.compile(
    r"curl|wget|sudo|npm|chmod|apt|apk|yum|dnf|pip|python|gem|\bgo\b|passwd|usermod|useradd|"
    r"zypper" + _VERIFY_WORDS
)
_SINGLE_STAGE_WORDS = re.compile(
    r"curl|wget|sudo|npm|chmod|apt|apk|yum|dnf|pip|python|gem|make|cc|\+\+|clang|javac|mvn|"
    r"gradle|ninja|meson|bazel|rustc|\bant\b|configure|\bgo\b|cargo|passwd|usermod|useradd|"
    r"zypper" + _VERIFY_WORDS
)


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


# --------------------------------------------------------------------------- helpers


def _program(argv: Sequence[str]) -> tuple[str, int]:
    """The program a command runs behind wrappers (``sudo -E bash``): its name and argv index."""
    i = 0
    n = len(argv)
    while i < n:
        name = argv[i].rsplit("/", 1)[-1]
        if name not in WRAPPERS:
            return name, i
        i += 1
        while i < n and (argv[i].startswith("-") or (name == "env" and "=" in argv[i])):
            takes_value = (
                name in ("sudo", "doas") and argv[i] in ("-u", "-g", "-U", "-h", "-p", "-C")
            ) or (name == "nice" and argv[i] == "-n")
            i += 2 if takes_value else 1
    return "", n


def _stage_label(st: Stage) -> str:
    return f"stage {st.name!r}" if st.name else f"stage {st.index}"


_VAR = re.compile(r"\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)")


# =========================================================================== D001 EOL base

EOL_BASE = _rule(
    "D001",
    "eol-base-image",
    "Base image has reached end of life",
    Severity.HIGH,
    "A `FROM` uses a release of a distribution or language runtime that reached its end of "
    "life before the scan date (`--as-of`, default today): Ubuntu, Debian, Alpine, CentOS, "
    "RHEL/UBI, Amazon Linux, Node.js, Python, Go, Eclipse Temurin, and the deprecated "
    "`openjdk` and `adoptopenjdk` images. The version is read from the image tag "
    "(`python:3.8-slim-buster` is Python 3.8 on Debian 10; both are judged). Dates come from "
    "the table shipped with hardhull (`hardhull/data/eol.json`, see docs/dockerfile.md); "
    "tags without a version (`python:3`, `node:lts`, `latest`) are not judged here. In a "
    "build stage that is not part of the final image the finding is medium.",
    "An end-of-life release gets no security fixes: every vulnerability found after that "
    "date stays in the image for good, and scanners report more of them each month. Debian "
    "is judged at the end of its LTS period, Ubuntu at the end of standard support (ESM "
    "needs an Ubuntu Pro subscription, which public images do not have).",
    "Move to a supported release of the same image (the message names the end-of-life "
    "date), rebuild, and schedule the next upgrade before its end of life.",
    """
# before: FROM python:3.8-slim-buster
FROM python:3.13-slim-trixie
""",
    cis="4.4 Ensure images are scanned and rebuilt to include security patches",
    refs=("https://endoflife.date/", DOCKER_REF + "#from"),
)


@functools.cache
def eol_table() -> dict[str, Any]:
    """The end-of-life table shipped with hardhull (``hardhull/data/eol.json``)."""
    text = resources.files("hardhull").joinpath("data/eol.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@dataclass(frozen=True)
class ImageRef:
    registry: str  # "" for Docker Hub
    path: str  # "library/python", "ubi8/ubi"
    tag: str
    digest: str

    @property
    def repo(self) -> str:
        """The last path component (``python``, ``ubi``)."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def official(self) -> bool:
        """A Docker Official Image (``python``, ``library/python``, ``docker.io/python``) or a
        well-known mirror of one."""
        if self.registry in ("", "docker.io", "index.docker.io", "registry-1.docker.io"):
            return self.path.count("/") == 0 or self.path.startswith("library/")
        if self.registry in ("public.ecr.aws", "mirror.gcr.io"):
            return self.path.startswith(("docker/library/", "library/")) or (
                self.registry == "mirror.gcr.io" and "/" not in self.path
            )
        return False


def parse_image(ref: str) -> ImageRef | None:
    """Split an image reference; None for ``scratch``, empty or malformed references."""
    ref = ref.strip()
    if not ref or ref.lower() == "scratch" or any(c.isspace() for c in ref):
        return None
    name, _, digest = ref.partition("@")
    registry = ""
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, name = first.lower(), rest
    path, colon, tag = name.rpartition(":")
    if not colon or "/" in tag:
        path, tag = name, ""
    if not path:
        return None
    return ImageRef(registry, path.lower(), tag, digest)


_DEBIAN_CODENAMES = ("jessie", "stretch", "buster", "bullseye", "bookworm", "trixie", "wheezy")
_UBUNTU_IN_TAG = ("trusty", "xenial", "bionic", "focal", "jammy", "noble")


@dataclass(frozen=True)
class EolHit:
    label: str  # "Python 3.8"
    eol: date
    source: str
    deprecated: bool = False
    replacement: str = ""


def _release(product: str, cycle: str) -> EolHit | None:
    table = eol_table()["products"].get(product)
    if table is None:
        return None
    rel = table["releases"].get(cycle)
    if rel is None or not rel.get("eol"):
        return None
    label = f"{table['label']} {cycle}"
    if rel.get("codename"):
        label += f" ({rel['codename']})"
    return EolHit(label, date.fromisoformat(rel["eol"]), table["source"])


def _codename(product: str, name: str) -> str | None:
    for cycle, rel in eol_table()["products"][product]["releases"].items():
        if rel.get("codename", "").lower() == name:
            return str(cycle)
    return None


_NUM = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?")


def _distro_in_tag(tag: str) -> EolHit | None:
    """A distribution release named inside a language image tag (``-buster``, ``-alpine3.12``,
    ``-focal``)."""
    low = tag.lower()
    for part in re.split(r"[-_]", low):
        if part in _DEBIAN_CODENAMES:
            cycle = _codename("debian", part)
            if cycle:
                return _release("debian", cycle)
        if part in _UBUNTU_IN_TAG:
            cycle = _codename("ubuntu", part)
            if cycle:
                return _release("ubuntu", cycle)
        m = re.fullmatch(r"alpine(\d+\.\d+)", part)
        if m:
            return _release("alpine", m.group(1))
    return None


def _runtime_cycle(tag: str, minor: bool) -> str | None:
    m = _NUM.match(tag)
    if m is None:
        return None
    if minor:
        return f"{m.group(1)}.{m.group(2)}" if m.group(2) is not None else None
    return m.group(1)


def eol_hits(ref: ImageRef) -> list[EolHit]:
    """End-of-life facts the image reference reveals (runtime first, then distribution)."""
    tag = ref.tag
    repo = ref.repo
    path = ref.path
    hits: list[EolHit] = []
    deprecated = eol_table()["deprecated_images"]
    official = ref.official
    if official and repo in deprecated and tag and "-ea" not in tag and tag[:1].isdigit():
        d = deprecated[repo]
        return [EolHit(repo, date.fromisoformat(d["since"]), d["source"], True, d["replacement"])]
    if not tag:
        return []
    low = tag.lower()
    # distributions
    if official and repo == "ubuntu":
        m = re.match(r"(\d+\.\d+)", low)
        cycle = m.group(1) if m else _codename("ubuntu", low.split("-", 1)[0])
        hit = _release("ubuntu", cycle) if cycle else None
        return [hit] if hit else []
    if official and repo == "debian":
        m = re.match(r"(\d+)", low)
        cycle = m.group(1) if m else _codename("debian", low.split("-", 1)[0])
        hit = _release("debian", cycle) if cycle else None
        return [hit] if hit else []
    if official and repo == "alpine":
        m = re.match(r"(\d+\.\d+)", low)
        hit = _release("alpine", m.group(1)) if m else None
        return [hit] if hit else []
    if (official and repo == "centos") or path in ("centos/centos", "centos"):
        m = re.match(r"(?:centos)?(\d+)", low)
        hit = _release("centos", m.group(1)) if m else None
        return [hit] if hit else []
    if (official and repo == "amazonlinux") or path == "amazonlinux/amazonlinux":
        m = re.match(r"(\d+)", low)
        cycle = m.group(1) if m else None
        if cycle and cycle.startswith("20") and len(cycle) == 4 and cycle != "2023":
            cycle = "1"  # the 2018.03-style Amazon Linux AMI releases
        hit = _release("amazonlinux", cycle) if cycle else None
        return [hit] if hit else []
    m = re.search(r"(?:^|/)(?:ubi|rhel)(\d+)(?:/|$|-)", path)
    if m and (
        ref.registry in ("registry.access.redhat.com", "registry.redhat.io")
        or path.startswith("redhat/")
    ):
        hit = _release("rhel", m.group(1))
        return [hit] if hit else []
    # language runtimes (official images), each with the distribution in the tag
    runtime: EolHit | None = None
    if official and repo == "python":
        cycle = _runtime_cycle(low, True) or ("2.7" if re.match(r"2(\D|$)", low) else None)
        runtime = _release("python", cycle) if cycle else None
    elif official and repo == "node":
        cycle = _runtime_cycle(low, False)
        if cycle == "0":
            cycle = None
        runtime = _release("node", cycle) if cycle else None
    elif official and repo == "golang":
        cycle = _runtime_cycle(low, True)
        runtime = _release("golang", cycle) if cycle else None
    elif official and repo == "eclipse-temurin":
        m2 = re.match(r"(\d+)", low)
        runtime = _release("eclipse-temurin", m2.group(1)) if m2 else None
    elif not (official and repo in _RUNTIME_IMAGES):
        return hits
    if runtime is not None:
        hits.append(runtime)
    distro = _distro_in_tag(low)
    if distro is not None:
        hits.append(distro)
    return hits


_RUNTIME_IMAGES = frozenset(
    {"python", "node", "golang", "eclipse-temurin", "ruby", "php", "perl", "rust", "maven",
     "gradle", "openjdk", "amazoncorretto", "ibm-semeru-runtimes", "sapmachine", "haskell",
     "elixir", "erlang", "julia", "clojure", "groovy", "nginx", "httpd", "redis", "postgres",
     "mysql", "mariadb", "mongo", "tomcat", "jetty", "pypy", "swift", "r-base", "dart"}
)  # fmt: skip


@dockerfile_check(EOL_BASE)
def check_eol(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.df.stages:
        if f.parent(st) is not None or st.unresolved:
            continue
        ref = parse_image(st.base_image)
        if ref is None:
            continue
        hits = [h for h in eol_hits(ref) if h.eol < f.ctx.as_of]
        if not hits:
            continue
        if hits[0].deprecated:
            h = hits[0]
            msg = (
                f"base image {st.base_image} is deprecated: the {h.label} image gets no "
                f"updates since {h.eol.isoformat()}; use {h.replacement}"
            )
        else:
            ended = " and ".join(f"{h.label} on {h.eol.isoformat()}" for h in hits)
            msg = f"base image {st.base_image} is end of life: {ended} (no security updates)"
        if st.index in f.final_chain:
            yield Violation("D001", f"/stages/{st.index}/image", msg)
        else:
            yield Violation(
                "D001",
                f"/stages/{st.index}/image",
                f"{msg}; used by build {_stage_label(st)}",
                None,
                Severity.MEDIUM,
            )


# =========================================================================== D002 / D003 tags

LATEST_TAG = _rule(
    "D002",
    "base-image-latest",
    "Base image not pinned to a version",
    Severity.MEDIUM,
    "A `FROM` names an image with the `latest` tag or with no tag at all (which means "
    "`latest`) and no digest. Stages built from earlier stages, `scratch`, and references "
    "whose tag comes from a build argument without a default are not reported. The same "
    "holds for images that `COPY --from=<image>` and `RUN --mount=from=<image>` pull: "
    "they are inputs of the build as much as the `FROM` image.",
    "`latest` moves: the same Dockerfile builds a different image tomorrow, a rebuild can "
    "pull in a new major version that breaks the application or silently drops hardening, "
    "and nobody can tell which base a running image was built from.",
    "Name a version tag (and, for reproducible builds, the digest: see D003).",
    """
# before: FROM node
FROM node:22.12-bookworm-slim
""",
    trivy=("DS001",),
    checkov=("CKV_DOCKER_7",),
    hadolint=("DL3006", "DL3007"),
    refs=(DOCKER_REF + "#from", BEST + "#pin-base-image-versions"),
)

DIGEST_PIN = _rule(
    "D003",
    "base-image-not-digest-pinned",
    "Base image not pinned by digest",
    Severity.LOW,
    "A `FROM`, `COPY --from=<image>` or `RUN --mount=from=<image>` names an image by tag "
    "only, without `@sha256:…`. Reported once per image reference and not for images "
    "already reported by D002.",
    "A tag is a mutable pointer: the registry (or anyone who can push to it) can move it to "
    "different content. A digest names exactly the bytes that were reviewed and scanned, so "
    "builds are reproducible and a compromised tag cannot slip into the image.",
    "Pin the digest next to the tag (`image:tag@sha256:…`) and let a bot (Renovate, "
    "Dependabot) update both together.",
    """
FROM python:3.13-slim@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
""",
    refs=(DOCKER_REF + "#from", BEST + "#pin-base-image-versions"),
)


def _external_froms(f: DockerfileFacts) -> Iterator[tuple[Stage, ImageRef]]:
    for st in f.df.stages:
        if f.parent(st) is not None:
            continue
        if st.unresolved and not _ARG_DEFAULTED.search(st.base_image_raw):
            # a build argument chooses the image: judge only what is written literally
            continue
        ref = parse_image(st.base_image)
        if ref is not None:
            yield st, ref


_ARG_DEFAULTED = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-[^}]+\}")


def _external_copies(f: DockerfileFacts) -> Iterator[tuple[str, str, ImageRef]]:
    """(pointer, how, image) of every ``COPY --from=<image>`` and ``RUN --mount=from=<image>``
    that names an image rather than a build stage (BuildKit pulls it, like a ``FROM``)."""
    for st in f.df.stages:
        for j, ins in enumerate(st.instructions):
            refs: list[tuple[str, str]] = []
            if ins.keyword == "COPY":
                src = ins.flag("from")
                if src:
                    refs.append((f"{ins.keyword} --from", src))
            elif ins.keyword == "RUN":
                refs += [("RUN --mount from", m.from_) for m in ins.mounts if m.from_]
            for how, src in refs:
                if "$" in src or f.df.stage(src) is not None:
                    continue
                ref = parse_image(src)
                if ref is not None:
                    yield f"/stages/{st.index}/instructions/{j}", how, ref


def _ref_text(ref: ImageRef) -> str:
    text = (ref.registry + "/" if ref.registry else "") + ref.path
    return text + (f":{ref.tag}" if ref.tag else "") + (f"@{ref.digest}" if ref.digest else "")


@dockerfile_check(LATEST_TAG)
def check_latest(f: DockerfileFacts) -> Iterator[Violation]:
    for st, ref in _external_froms(f):
        if ref.digest or (ref.tag and ref.tag != "latest"):
            continue
        if st.unresolved:
            continue
        what = "the latest tag" if ref.tag else "no tag (latest)"
        yield Violation(
            "D002",
            f"/stages/{st.index}/image",
            f"base image {st.base_image} uses {what}: pin a version",
        )
    for ptr, how, ref in _external_copies(f):
        if ref.digest or (ref.tag and ref.tag != "latest"):
            continue
        what = "the latest tag" if ref.tag else "no tag (latest)"
        yield Violation("D002", ptr, f"{how} image {_ref_text(ref)} uses {what}: pin a version")


@dockerfile_check(DIGEST_PIN)
def check_digest(f: DockerfileFacts) -> Iterator[Violation]:
    seen: set[str] = set()
    for st, ref in _external_froms(f):
        if ref.digest or not ref.tag or ref.tag == "latest" or st.unresolved:
            continue
        if st.base_image in seen:
            continue
        seen.add(st.base_image)
        yield Violation(
            "D003",
            f"/stages/{st.index}/image",
            f"base image {st.base_image} is not pinned by digest",
        )
    for ptr, how, ref in _external_copies(f):
        text = _ref_text(ref)
        if ref.digest or not ref.tag or ref.tag == "latest" or text in seen:
            continue
        seen.add(text)
        yield Violation("D003", ptr, f"{how} image {text} is not pinned by digest")


# =========================================================================== D004 root user

ROOT_USER = _rule(
    "D004",
    "image-runs-as-root",
    "Image runs as root",
    Severity.MEDIUM,
    "The final stage (the image that is shipped) runs its process as root: no `USER` in it "
    "or in the stages it is built from (reported on its `FROM`; medium), or the last `USER` "
    "is `root`, `0` or `0:…` (reported on that `USER`; high). A `USER` in another, earlier "
    "stage does not carry over; a stage built `FROM` an earlier stage inherits that stage's "
    "`USER`. Images known to default to a non-root user (distroless `:nonroot` tags, "
    "Chainguard images, Bitnami images, `*-unprivileged`) and Windows base images are not "
    "reported; `FROM scratch` without `USER` runs as uid 0 and is reported.",
    "A process running as root in the container is root on the host as soon as anything "
    "goes wrong: a kernel or runtime vulnerability, a mounted socket or host path, an added "
    "capability. Running as an unprivileged user removes a whole class of escalations and is "
    "required by the Pod Security `restricted` profile (`runAsNonRoot`).",
    "Create an unprivileged user (or use a numeric uid, which Kubernetes can verify) and end "
    "the final stage with `USER`. Do root-only work (package installs) before the `USER` "
    "line.",
    """
FROM debian:trixie-slim
RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin app
COPY --chown=10001:10001 app /app
USER 10001:10001
ENTRYPOINT ["/app"]
""",
    cis="4.1 Ensure that a user for the container has been created",
    trivy=("DS002",),
    checkov=("CKV_DOCKER_3", "CKV_DOCKER_8"),
    hadolint=("DL3002",),
    refs=(DOCKER_REF + "#user", BEST + "#user"),
)

_NONROOT_IMAGE = re.compile(
    r"(^|/)distroless/.*:(.*-)?nonroot(-.*)?$|^cgr\.dev/chainguard/(?!.*-dev(@|$))"
    r"|(^|/)bitnami/|-unprivileged(:|@|$)|(^|/)nginx-unprivileged"
)
_WINDOWS_IMAGE = re.compile(r"windows|nanoserver|servercore|mcr\.microsoft\.com/dotnet/framework")


def _is_root(user: str) -> bool:
    name = user.split(":", 1)[0].strip()
    return name in ("root", "0")


@dockerfile_check(ROOT_USER)
def check_root(f: DockerfileFacts) -> Iterator[Violation]:
    final = f.final
    root = f.root_stage(final)
    base = root.base_image.lower()
    if _WINDOWS_IMAGE.search(base):
        return
    user, sidx, j = f.user_of(final)
    if user is None and j < 0:
        if root.unresolved and not base:
            return
        if _NONROOT_IMAGE.search(base):
            return
        elsewhere = [
            st
            for st in f.df.stages
            if st.index not in f.final_chain
            and any(ins.keyword == "USER" for ins in st.instructions)
        ]
        note = (
            f" (the USER of {_stage_label(elsewhere[0])} does not carry over)" if elsewhere else ""
        )
        yield Violation(
            "D004",
            f"/stages/{final.index}",
            f"final {_stage_label(final)} sets no USER: the container runs as the base image's "
            f"user (root for almost all images){note}",
        )
        return
    if user is not None and _is_root(user):
        ins = f.df.stages[sidx].instructions[j]
        yield Violation(
            "D004",
            f"/stages/{sidx}/instructions/{j}",
            f"the image runs as root: last USER is {ins.args[0]}",
            severity=Severity.HIGH,
        )


# =========================================================================== D005 secrets

SECRET_ENV = _rule(
    "D005",
    "secret-in-env-or-arg",
    "Credential in ENV or ARG",
    Severity.HIGH,
    "An `ENV` or `ARG` holds a credential: a value that is recognisably a secret (private "
    "key, cloud access key, token, password in a URL), or a literal value for a name that "
    "means a credential (`DB_PASSWORD`, `API_TOKEN`, …). Also reported: `ENV` copying a "
    "credential build argument into the image (`ENV NPM_TOKEN=$NPM_TOKEN`) and a credential "
    "build argument used by a `RUN` of the final stage. Empty values, references to files "
    "(`*_FILE`, `/run/secrets/…`) and build arguments consumed only through "
    "`RUN --mount=type=secret` are fine. Severity follows the detector: high for values "
    "whose format proves a secret (tokens, keys, URLs with passwords), medium for "
    "random-looking literals in credential-named variables, low for well-known default "
    "passwords.",
    "`ENV` values are stored in the image configuration and `ARG` values used by `RUN` in "
    "its history: anyone who can pull the image reads them with `docker inspect` or "
    "`docker history`, for ever, and a literal value also sits in the repository.",
    "Remove the value, revoke and rotate the credential, and pass it at build time as a "
    "BuildKit secret (`RUN --mount=type=secret,id=…`), or at run time from the orchestrator's "
    "secret store.",
    """
# syntax=docker/dockerfile:1
FROM node:22-bookworm-slim
RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
""",
    cis="4.10 Ensure secrets are not stored in Dockerfiles",
    trivy=("DS031",),
    refs=(SECRETS_DOC, DOCKER_REF + "#env"),
)


def _detector() -> tuple[Any, Any]:
    from hardhull.secrets.detect import detect_value, is_credential_name

    return detect_value, is_credential_name


def _literal_secret(key: str, value: str) -> tuple[str, Severity] | None:
    """Why ``key=value`` is a credential (message, severity), or None."""
    detect_value, _ = _detector()
    match = detect_value(value, key)
    if match is not None:
        return f"a credential: {match.description} ({match.masked})", match.severity
    return None


def _env_pairs(ins: Instruction) -> Iterator[tuple[int, str, str | None]]:
    """(argument index, name, value as written or None) of an ENV or ARG."""
    if ins.keyword == "ENV":
        for k in range(0, len(ins.args) - 1, 2):
            yield k, ins.args[k], ins.args[k + 1]
    else:
        for k, word in enumerate(ins.args):
            name, eq, default = word.partition("=")
            yield k, name, default if eq else None


def _secret_mount_envs(ins: Instruction) -> set[str]:
    out: set[str] = set()
    for m in ins.mounts:
        if m.type == "secret":
            out.add(m.env or (m.id or posixpath.basename(m.target)).upper())
            out.add(m.id)
    return out


@dockerfile_check(SECRET_ENV)
def check_secret_env(f: DockerfileFacts) -> Iterator[Violation]:
    _, is_credential_name = _detector()
    for gi, ins in enumerate(f.df.instructions):
        if ins.stage_index >= 0:
            continue
        for k, name, value in _env_pairs(ins):
            if value:
                found = _literal_secret(name, _unquote(value))
                if found is not None:
                    msg, sev = found
                    yield Violation(
                        "D005", f"/instructions/{gi}/args/{k}", f"ARG {name} holds {msg}", None, sev
                    )
    for st in f.df.stages:
        cred_args: dict[str, int] = {}
        args: set[str] = set()
        for j, ins in enumerate(st.instructions):
            base = f"/stages/{st.index}/instructions/{j}"
            if ins.keyword in ("ENV", "ARG"):
                for k, name, value in _env_pairs(ins):
                    if ins.keyword == "ARG":
                        args.add(name)
                    if value is None:
                        if ins.keyword == "ARG" and is_credential_name(name):
                            cred_args[name] = j
                        continue
                    raw = _unquote(value)
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


def _only_var(raw: str) -> bool:
    return bool(re.fullmatch(r"\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)", raw))


# =========================================================================== D006 secret files

SECRET_FILE = _rule(
    "D006",
    "secret-file-copied",
    "Credential file copied into the image",
    Severity.HIGH,
    "A `COPY` or `ADD` copies a file that normally holds credentials: SSH private keys "
    "(`id_rsa`, `id_ed25519`, …), private keys (`*.key`, `*-key.pem`, `*.p12`, `*.pfx`), "
    "`.env` files, `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`, `credentials.json`, "
    "`.aws/credentials`, kubeconfig files and `.docker/config.json`. Certificates, public "
    "keys, repository signing keys and `.env.example`-style templates are not reported. In a "
    "stage that is not part of the final image the finding is medium (the file stays in "
    "the build cache and in the builder image).",
    "Every layer of an image is readable by anyone who can pull it; deleting the file in a "
    "later layer does not remove it from the earlier one.",
    "Mount the file only for the `RUN` that needs it with "
    "`RUN --mount=type=secret,id=…,target=…`, or provide it at run time (orchestrator "
    "secret, volume); exclude it from the build context with `.dockerignore`.",
    """
# syntax=docker/dockerfile:1
FROM node:22-bookworm-slim
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
""",
    cis="4.10 Ensure secrets are not stored in Dockerfiles",
    trivy=("DS031",),
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
_CERTISH = re.compile(r"cert|crt|chain|bundle|\bca\b|^ca[-_.]|root|trust|pub|dhparam")


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


def _copy_sources(ins: Instruction) -> list[tuple[int, str]]:
    """(argument index, source) of a COPY/ADD (heredoc forms excluded)."""
    if ins.heredocs:
        return []
    args = ins.json_form if ins.json_form is not None else ins.args
    return [(k, _unquote(a)) for k, a in enumerate(args[:-1])]


@dockerfile_check(SECRET_FILE)
def check_secret_files(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.df.stages:
        in_final = st.index in f.final_chain
        for j, ins in enumerate(st.instructions):
            if ins.keyword not in ("COPY", "ADD"):
                continue
            for k, src in _copy_sources(ins):
                kind = secret_file_kind(src)
                if kind is None:
                    continue
                where = "into the image" if in_final else f"into build {_stage_label(st)}"
                yield Violation(
                    "D006",
                    f"/stages/{st.index}/instructions/{j}/args/{k}",
                    f"{ins.keyword} copies {kind} {where}; use RUN --mount=type=secret",
                    None,
                    None if in_final else Severity.MEDIUM,
                )


# =========================================================================== D007 curl | sh

PIPE_SHELL = _rule(
    "D007",
    "download-piped-to-shell",
    "Downloaded script piped into a shell",
    Severity.HIGH,
    "A `RUN` downloads a script and runs it without saving or verifying it: `curl … | sh`, "
    "`wget -O- … | bash` (also behind `sudo` or `env`, and into `python`, `perl`, `ruby` or "
    '`node` reading standard input), `sh -c "$(curl …)"`, `bash <(curl …)` and '
    '`eval "$(curl …)"`. `wget` without `-O -` writes a file and is not reported. '
    "`ONBUILD RUN` triggers are judged too: they run in every build `FROM` the image.",
    "Whatever the server (or anyone between it and the build) returns runs as root in the "
    "build with the build's network and secrets; a compromised or changed script changes the "
    "image without any trace in the Dockerfile. A script cut off mid-download runs half.",
    "Download to a file, verify a pinned checksum or signature, then run it; better, install "
    "a package from a signed repository or copy the binary from an official image.",
    """
RUN curl -fsSLo /tmp/install.sh https://example.com/install-1.4.2.sh \\
 && echo "3b1f…e9  /tmp/install.sh" | sha256sum -c - \\
 && sh /tmp/install.sh && rm /tmp/install.sh
""",
    cis="4.11 Ensure only verified packages are installed",
    refs=(BEST + "#run",),
)

_INTERPRETERS = frozenset({"python", "python2", "python3", "perl", "ruby", "node", "php"})
_FETCH_SUB = re.compile(r"(\$\(|<\(|`)\s*(?:\S*/)?(curl|wget)\b")


def _reads_stdin(argv: Sequence[str], start: int) -> bool:
    for a in argv[start + 1 :]:
        if a in ("-s", "-", "--"):
            return True
        if a == "-c" or (a.startswith("-") and not a.startswith("--") and "c" in a[1:]):
            return False
        if a.startswith("-"):
            continue
        return False
    return True


def _downloads_to_stdout(cmd: Command) -> str | None:
    name, i = _program(cmd.argv)
    if name == "curl":
        args = cmd.argv[i + 1 :]
        if any(a in ("-o", "-O", "--output", "--remote-name") for a in args):
            return None
        return "curl"
    if name == "wget":
        args = cmd.argv[i + 1 :]
        for n, a in enumerate(args):
            if a in ("-O-", "--output-document=-", "-qO-", "-qO", "-O") and (
                a.endswith("-") or (n + 1 < len(args) and args[n + 1] == "-")
            ):
                return "wget"
            if re.fullmatch(r"-[a-zA-Z]*O-?", a) and (
                a.endswith("-") or (n + 1 < len(args) and args[n + 1] == "-")
            ):
                return "wget"
    return None


def _onbuild_note(rc: RunCommand) -> str:
    if rc.ins.keyword == "ONBUILD":
        return " (ONBUILD: in the build of every image made FROM this one)"
    return ""


@dockerfile_check(PIPE_SHELL)
def check_pipe_shell(f: DockerfileFacts) -> Iterator[Violation]:
    reported: set[tuple[int, int]] = set()
    for rc in f.runs(onbuild=True):
        cmd = rc.cmd
        key = (rc.stage, rc.index)
        tool = _downloads_to_stdout(cmd) if cmd.piped_into is not None else None
        if tool is not None:
            nxt: Command | None = cmd.piped_into
            while nxt is not None:
                name, i = _program(nxt.argv)
                if (name in SHELLS or re.sub(r"[\d.]+$", "", name) in _INTERPRETERS) and (
                    _reads_stdin(nxt.argv, i)
                ):
                    if key not in reported:
                        reported.add(key)
                        yield Violation(
                            "D007",
                            rc.pointer,
                            f"{tool} output is piped into {name}: the downloaded script runs "
                            f"unverified{_onbuild_note(rc)}",
                        )
                    break
                nxt = nxt.piped_into
            continue
        name, i = _program(cmd.argv)
        if name in SHELLS or name in ("eval", "source", ".") or name in _INTERPRETERS:
            for a in cmd.argv[i + 1 :]:
                m = _FETCH_SUB.search(a)
                if m and key not in reported:
                    reported.add(key)
                    yield Violation(
                        "D007",
                        rc.pointer,
                        f"{name} runs a script downloaded with {m.group(2)}: it runs "
                        f"unverified{_onbuild_note(rc)}",
                    )
                    break


# =========================================================================== D008 / D009 ADD

ADD_REMOTE = _rule(
    "D008",
    "add-remote-url",
    "ADD downloads a remote file without a checksum",
    Severity.MEDIUM,
    "An `ADD` fetches an `http(s)://` URL without `--checksum=sha256:…`, or a Git repository "
    "at a branch or tag rather than a full commit id.",
    "The content is whatever the server returns at build time: a compromised server, "
    "a moved tag or a man in the middle changes the image without a change to the "
    "Dockerfile, and the download is not reproducible.",
    "Add `--checksum=sha256:…` (BuildKit, Dockerfile syntax 1.6+), pin Git sources to a "
    "commit id, or download with `curl` and verify the checksum in the same `RUN`.",
    """
# syntax=docker/dockerfile:1
FROM debian:trixie-slim
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d \\
    https://example.com/tool-1.2.3.tar.gz /tmp/
""",
    cis="4.9 Ensure that COPY is used instead of ADD in Dockerfiles",
    checkov=("CKV_DOCKER_4",),
    refs=(DOCKER_REF + "#add", DOCKER_REF + "#add---checksum"),
)

ADD_LOCAL = _rule(
    "D009",
    "add-instead-of-copy",
    "ADD used where COPY suffices",
    Severity.LOW,
    "An `ADD` copies local files or directories that are not tar archives (which `ADD` "
    "would extract).",
    "`ADD` has implicit behaviours `COPY` does not: it extracts archives and fetches URLs. "
    "Using it for plain files hides which of those was meant and turns a renamed file into "
    "an unexpected extraction.",
    "Use `COPY` for local files; keep `ADD` for extracting a local tar archive.",
    """
COPY app.py requirements.txt /app/
""",
    cis="4.9 Ensure that COPY is used instead of ADD in Dockerfiles",
    trivy=("DS005",),
    checkov=("CKV_DOCKER_4",),
    hadolint=("DL3020",),
    refs=(DOCKER_REF + "#add", BEST + "#add-or-copy"),
)

_ARCHIVE = re.compile(r"\.(tar|tgz|tbz2?|txz|tzst|tar\.(gz|bz2|xz|zst|lz4|lzma|z))$", re.I)
_GIT_URL = re.compile(r"^(git@|ssh://|git://)|\.git(#|$)|^https?://[^#]*\.git(#|$)")


@dockerfile_check(ADD_REMOTE)
def check_add_remote(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.df.stages:
        for j, ins in enumerate(st.instructions):
            if ins.keyword != "ADD":
                continue
            for k, src in _copy_sources(ins):
                ptr = f"/stages/{st.index}/instructions/{j}/args/{k}"
                if _GIT_URL.search(src):
                    ref = src.partition("#")[2].split(":", 1)[0]
                    if not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", ref):
                        yield Violation(
                            "D008",
                            ptr,
                            f"ADD fetches Git repository {src} at a movable ref; pin a commit id",
                        )
                elif src.lower().startswith(("http://", "https://")):
                    if ins.flag("checksum"):
                        continue
                    yield Violation(
                        "D008", ptr, f"ADD downloads {src} without --checksum; verify it"
                    )


@dockerfile_check(ADD_LOCAL)
def check_add_local(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.df.stages:
        for j, ins in enumerate(st.instructions):
            if ins.keyword != "ADD" or ins.flag("unpack") or ins.flag("keep-git-dir"):
                continue
            srcs = _copy_sources(ins)
            if not srcs:
                continue
            if any(
                "$" in s
                or _ARCHIVE.search(s)
                or _GIT_URL.search(s)
                or "://" in s
                or s.lower().endswith((".gz", ".bz2", ".xz", ".zst"))
                for _, s in srcs
            ):
                continue
            yield Violation(
                "D009",
                f"/stages/{st.index}/instructions/{j}",
                f"ADD copies local files ({', '.join(s for _, s in srcs)}): use COPY",
            )


# =========================================================================== D010 sudo

SUDO = _rule(
    "D010",
    "sudo-in-run",
    "sudo used in RUN",
    Severity.MEDIUM,
    "A `RUN` command (or an `ONBUILD RUN` trigger) runs `sudo` (also inside `sh -c`); low: "
    "a `RUN` of a stage of the final image installs the `sudo` (or `doas`) package.",
    "`sudo` in an image means the image ships a setuid root binary and a sudoers policy "
    "that the running container can use to regain root; at build time it adds "
    "TTY and environment handling that behave unpredictably. Even without a sudoers entry, "
    "a setuid-root `sudo` is attack surface for every user of the container (CVE-2021-3156 "
    "gave root to any local user).",
    "Switch users explicitly: `USER root` for the privileged steps, then `USER <app>`; "
    "remove the sudo package from the image. At run time use `gosu`/`setpriv` in the "
    "entrypoint if a privilege drop is needed.",
    """
USER root
RUN apt-get update && apt-get install -y --no-install-recommends curl \\
 && rm -rf /var/lib/apt/lists/*
USER 10001
""",
    checkov=("CKV2_DOCKER_1",),
    trivy=("DS010",),
    hadolint=("DL3004",),
)


_SUDO_PACKAGES = frozenset({"sudo", "doas", "opendoas", "sudo-rs"})


@dockerfile_check(SUDO)
def check_sudo(f: DockerfileFacts) -> Iterator[Violation]:
    seen: set[tuple[int, int]] = set()
    for rc in f.runs(onbuild=True):
        if rc.cmd.name == "sudo" and (rc.stage, rc.index) not in seen:
            seen.add((rc.stage, rc.index))
            yield Violation(
                "D010", rc.pointer, f"RUN uses sudo: switch USER instead{_onbuild_note(rc)}"
            )
    for rc in f.runs(f.final_stages):
        pkgs, _ = _installed(rc.cmd.argv)
        for n, p in pkgs:
            if _pkg_name(p) in _SUDO_PACKAGES:
                yield Violation(
                    "D010",
                    rc.argv_pointer(n),
                    f"installs {_pkg_name(p)} into the final image: a setuid-root program "
                    "that lets the container's user regain root; remove it",
                    None,
                    Severity.LOW,
                )


# =========================================================================== D011 chmod 777

WORLD_WRITABLE = _rule(
    "D011",
    "world-writable-permissions",
    "Files made world-writable",
    Severity.MEDIUM,
    "A `RUN chmod` or a `COPY`/`ADD --chmod` in the final image grants write permission "
    "to all users: octal modes whose last digit includes write (`777`, `0666`, `2777`), "
    "or symbolic modes such as `a+w`, `o+w`, `ugo=rwx`. Modes with the sticky bit "
    "(`1777`, the standard for shared temporary directories) are fine, and so is "
    "group-write (`g+w`, `g=u`, the OpenShift pattern).",
    "Any process in the container, whatever its user, can replace world-writable "
    "programs, libraries or configuration: a foothold as an unprivileged user becomes "
    "code execution in every other process that uses them.",
    "Give ownership to the user that needs to write (`COPY --chown`, `chown`) and use "
    "`755`/`644` (or `775` with a shared group); for shared temporary directories use "
    "`1777`.",
    """
COPY --chown=10001:0 --chmod=750 app /app
RUN install -d -m 1777 /app/tmp
""",
)


def world_writable(mode: str) -> bool:
    """Whether a chmod mode (octal or symbolic) grants write to others, sticky excepted."""
    if re.fullmatch(r"[0-7]{1,4}", mode):
        digits = mode.zfill(4)
        others = int(digits[-1])
        sticky = int(digits[0]) & 1
        return bool(others & 2) and not sticky
    if not re.fullmatch(r"[ugoa]*[-+=][rwxXst]*([,][ugoa]*[-+=][rwxXst]*)*", mode):
        return False
    sticky = False
    writable = False
    for clause in mode.split(","):
        m = re.match(r"([ugoa]*)([-+=])([rwxXst]*)", clause)
        if m is None:
            continue
        who, op, perms = m.groups()
        if op in "+=" and "t" in perms:
            sticky = True
        if op in "+=" and "w" in perms and ("o" in who or "a" in who):
            writable = True
    return writable and not sticky


@dockerfile_check(WORLD_WRITABLE)
def check_world_writable(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.final_stages:
        for j, ins in enumerate(st.instructions):
            if ins.keyword in ("COPY", "ADD"):
                mode = ins.flag("chmod")
                if mode and world_writable(mode):
                    yield Violation(
                        "D011",
                        f"/stages/{st.index}/instructions/{j}",
                        f"{ins.keyword} --chmod={mode} makes files world-writable",
                    )
    for rc in f.runs(f.final_stages):
        name, i = _program(rc.cmd.argv)
        if name != "chmod":
            continue
        args = rc.cmd.argv[i + 1 :]
        for m, a in enumerate(args):
            if a.startswith("--") or (a.startswith("-") and re.fullmatch(r"-[RfvchH]+", a)):
                continue
            if world_writable(a):
                targets = [t for t in args[m + 1 :] if not t.startswith("-")]
                yield Violation(
                    "D011",
                    rc.argv_pointer(i + 1 + m),
                    f"chmod {a} makes {' '.join(targets[:3]) or 'files'} world-writable",
                )
            break


# =========================================================================== package managers

APT_RECOMMENDS = _rule(
    "D012",
    "apt-install-recommends",
    "apt-get install without --no-install-recommends",
    Severity.LOW,
    "`apt-get install` (or `apt install`) in a stage of the final image without "
    "`--no-install-recommends`, `-o APT::Install-Recommends=false` or an earlier APT "
    "configuration that disables recommends; also `apt-get -f install` without package "
    "names, which installs the dependencies of a `.deb` put in with `dpkg -i`.",
    "Recommended packages are not needed to run the requested ones: they add megabytes, "
    "more packages to patch and more vulnerabilities for scanners to report.",
    "Add `--no-install-recommends` (and install any recommended package you do need by name).",
    """
RUN apt-get update \\
 && apt-get install -y --no-install-recommends ca-certificates curl \\
 && rm -rf /var/lib/apt/lists/*
""",
    cis="4.3 Ensure that unnecessary packages are not installed in the container",
    trivy=("DS029",),
    hadolint=("DL3015",),
)

APT_LISTS = _rule(
    "D013",
    "apt-lists-not-cleaned",
    "APT package lists left in the image",
    Severity.LOW,
    "A `RUN` in a stage of the final image runs `apt-get update` (or `apt update`) but "
    "does not remove `/var/lib/apt/lists/*` in the same `RUN`, and does not use a cache "
    "mount for them. The message says when the update runs in a `RUN` of its own, with the "
    "installs in later ones.",
    "The package lists (tens of megabytes) stay in the layer even if a later `RUN` deletes "
    "them, and stale lists make later installs in derived images use outdated versions. An "
    "update in a `RUN` of its own is worse: the build cache keeps that layer for as long as "
    "the line is unchanged, so the installs in the next `RUN` resolve against lists that "
    "can be months old and install outdated, vulnerable versions (or fail).",
    "End the same `RUN` with `rm -rf /var/lib/apt/lists/*`, or mount them as a BuildKit "
    "cache: `RUN --mount=type=cache,target=/var/lib/apt/lists …`.",
    """
RUN apt-get update \\
 && apt-get install -y --no-install-recommends curl \\
 && rm -rf /var/lib/apt/lists/*
""",
    hadolint=("DL3009",),
    trivy=("DS017",),
)

APT_UPGRADE = _rule(
    "D014",
    "package-upgrade-in-build",
    "Distribution upgrade inside the build",
    Severity.INFO,
    "A `RUN` runs `apt-get upgrade`, `apt-get dist-upgrade`/`full-upgrade`, `apk upgrade` "
    "or `yum`/`dnf upgrade`/`update` without package names.",
    "Upgrading everything makes the image depend on the day it was built rather than on "
    "the base image tag: two builds of the same Dockerfile differ, and the fixes it applies "
    "are invisible to anyone reading the base tag. It is informational: applying security "
    "updates is better than not, but a fresh base image is the reliable way.",
    "Use a recent, regularly rebuilt base image (or pin its digest and let a bot update "
    "it) instead of upgrading inside the build; upgrade individual packages by name when a "
    "fix is needed before the base catches up.",
    """
FROM debian:trixie-20251117-slim
""",
    hadolint=(),
    trivy=("DS024",),
)

APK_CACHE = _rule(
    "D015",
    "apk-add-cache",
    "apk add without --no-cache",
    Severity.LOW,
    "`apk add` in a stage of the final image without `--no-cache`, without a cache mount "
    "for `/var/cache/apk` and without removing `/var/cache/apk/*` in the same `RUN`; also "
    "`apk update` there (it writes the index to `/var/cache/apk` whatever later `apk add` "
    "commands do), reported once per `RUN`.",
    "The package index and downloaded packages stay in the layer: size and stale "
    "metadata for nothing.",
    "Use `apk add --no-cache …`.",
    """
RUN apk add --no-cache ca-certificates=20250911-r0
""",
    trivy=("DS025", "DS017"),
    hadolint=("DL3019",),
)

PIP_CACHE = _rule(
    "D016",
    "pip-install-cache",
    "pip install without --no-cache-dir",
    Severity.LOW,
    "`pip install` (also `pip3`, `python -m pip`) in a stage of the final image without "
    "`--no-cache-dir`, when neither `PIP_NO_CACHE_DIR` is set, nor a cache mount covers "
    "pip's cache, nor the same `RUN` removes `~/.cache/pip`.",
    "pip keeps every downloaded wheel in `~/.cache/pip`, often as large as the installed "
    "packages themselves.",
    "Add `--no-cache-dir`, set `ENV PIP_NO_CACHE_DIR=1`, or use "
    "`RUN --mount=type=cache,target=/root/.cache/pip pip install …`.",
    """
RUN pip install --no-cache-dir -r requirements.txt
""",
    hadolint=("DL3042",),
)

NPM_CI = _rule(
    "D017",
    "npm-install-with-lockfile",
    "npm install used where npm ci fits",
    Severity.LOW,
    "`npm install` (or `npm i`) without package names runs after the lockfile "
    "(`package-lock.json`, `npm-shrinkwrap.json`, or a `package*.json` pattern) was copied "
    "into the stage. `npm install -g tool@1.2.3` and installs of named packages are not "
    "reported.",
    "`npm install` may update the lockfile and resolve different versions than were tested; "
    "`npm ci` installs exactly what the lockfile says and fails when it is out of date.",
    "Use `npm ci` (with `--omit=dev` for production images).",
    """
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
""",
    refs=("https://docs.npmjs.com/cli/commands/npm-ci",),
)

UNPINNED = _rule(
    "D018",
    "package-version-unpinned",
    "Packages installed without a version",
    Severity.LOW,
    "`apt-get install`, `apk add`, `pip install`, `npm install <pkg>`, `gem install` or "
    "`go get` in a stage of the final image names packages without a version (`curl` "
    "instead of `curl=8.14.1-2`, `flask` instead of `flask==3.1.0`, `typescript` instead of "
    "`typescript@5.9.3`, a gem without `-v`), or with a moving one (`@latest`, also for "
    "`go install`). Requirements files (`-r`), constraints files (`-c`), `npm install` "
    "from the lockfile, local paths, URLs, `.deb`/wheel/`.gem` files, variables, upgrades of "
    "pip/setuptools/wheel (and npm) themselves and a plain `go install <path>` (it builds the code "
    "already checked out) are not reported. One finding per command, naming the packages.",
    "An unpinned install takes whatever the repository serves on build day: builds are "
    "not reproducible, and a new release (or a compromised one) enters the image unnoticed.",
    "Pin versions (`pkg=version` for apt, `pkg=version` or `pkg~version` for apk, "
    "`pkg==version` for pip, `pkg@version` for npm and `go get`/`go install`, "
    "`gem install pkg -v version`), ideally with hashes (`pip install --require-hashes -r …`), "
    "and let a bot propose upgrades.",
    """
RUN apt-get update \\
 && apt-get install -y --no-install-recommends curl=8.14.1-2 \\
 && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir --require-hashes -r requirements.txt
""",
    hadolint=("DL3008", "DL3013", "DL3016", "DL3018", "DL3028", "DL3062"),
)


def _apt_action(argv: Sequence[str], i: int) -> tuple[str, list[tuple[int, str]]]:
    """(subcommand, [(argv index, operand)]) of an apt/apt-get command at ``i``."""
    action = ""
    operands: list[tuple[int, str]] = []
    takes_value = {"-o", "-t", "-c", "--option", "--target-release", "--config-file", "-a"}
    n = i + 1
    while n < len(argv):
        a = argv[n]
        if a in takes_value:
            n += 2
            continue
        if a.startswith("-"):
            n += 1
            continue
        if not action:
            action = a
        else:
            operands.append((n, a))
        n += 1
    return action, operands


def _has_apt_no_recommends(argv: Sequence[str]) -> bool:
    text = " ".join(argv)
    return (
        "--no-install-recommends" in argv
        or re.search(r"APT::Install-Recommends[= ]+[\"']?(false|0|no)", text, re.I) is not None
    )


def _cache_mount(ins: Instruction, *prefixes: str) -> bool:
    return any(
        m.type == "cache" and any(m.target.rstrip("/").startswith(p) for p in prefixes)
        for m in ins.mounts
    ) or any(
        m.type == "cache" and any(p.startswith(m.target.rstrip("/") + "/") for p in prefixes)
        for m in ins.mounts
        if m.target
    )


def _run_text(ins: Instruction) -> str:
    return ins.args_raw + "\n" + "\n".join(h.body for h in ins.heredocs)


def _apt_recommends_off(f: DockerfileFacts, st: Stage, upto: int) -> bool:
    """An earlier RUN in the chain configures APT not to install recommends."""
    for s in f.chain(st):
        for j, ins in enumerate(s.instructions):
            if s is st and j >= upto:
                break
            if ins.keyword in ("RUN", "COPY") and re.search(
                r"Install-Recommends\W+[\"']?(false|0|no)",
                _run_text(ins) + " ".join(ins.args),
                re.I,
            ):
                return True
    return False


_APT = frozenset({"apt-get", "apt"})


@dockerfile_check(APT_RECOMMENDS)
def check_apt_recommends(f: DockerfileFacts) -> Iterator[Violation]:
    for rc in f.runs(f.final_stages):
        name, i = _program(rc.cmd.argv)
        if name not in _APT:
            continue
        action, operands = _apt_action(rc.cmd.argv, i)
        if action != "install" or not (operands or _fix_broken(rc.cmd.argv[i + 1 :])):
            continue
        if _has_apt_no_recommends(rc.cmd.argv):
            continue
        st = f.df.stages[rc.stage]
        if _apt_recommends_off(f, st, rc.index):
            continue
        yield Violation("D012", rc.pointer, f"{name} install without --no-install-recommends")


def _fix_broken(args: Sequence[str]) -> bool:
    """``apt-get -f install``: installs the missing dependencies of packages ``dpkg -i`` put
    in, with their recommends unless told otherwise."""
    return any(a == "--fix-broken" or re.fullmatch(r"-[a-zA-Z]*f[a-zA-Z]*", a) for a in args)


_APT_LISTS_RM = re.compile(r"/var/lib/apt/lists")


@dockerfile_check(APT_LISTS)
def check_apt_lists(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.final_stages:
        for j, ins in enumerate(st.instructions):
            if ins.keyword != "RUN":
                continue
            cmds = f.commands(st, j)
            update = next(
                (
                    k
                    for k, c in enumerate(cmds)
                    if _program(c.argv)[0] in _APT
                    and _apt_action(c.argv, _program(c.argv)[1])[0] == "update"
                ),
                None,
            )
            if update is None:
                continue
            if _cache_mount(ins, "/var/lib/apt/lists", "/var/lib/apt"):
                continue
            cleaned = any(
                _program(c.argv)[0] in ("rm", "find")
                and any(_APT_LISTS_RM.search(a) for a in c.argv)
                for c in cmds
            )
            if cleaned:
                continue
            alone = not any(
                _program(c.argv)[0] in _APT
                and _apt_action(c.argv, _program(c.argv)[1])[0] not in ("", "update")
                for c in cmds
            )
            yield Violation(
                "D013",
                f"/stages/{st.index}/instructions/{j}/commands/{update}",
                "apt-get update in a RUN of its own: the lists stay in the image, and once "
                "the layer is cached later installs use stale lists; update, install and "
                "rm -rf /var/lib/apt/lists/* in one RUN"
                if alone
                else "apt-get update without rm -rf /var/lib/apt/lists/* in the same RUN",
            )


@dockerfile_check(APT_UPGRADE)
def check_upgrade(f: DockerfileFacts) -> Iterator[Violation]:
    for rc in f.runs(f.final_stages):
        name, i = _program(rc.cmd.argv)
        if name in _APT:
            action, operands = _apt_action(rc.cmd.argv, i)
            if action in ("upgrade", "dist-upgrade", "full-upgrade") and not (
                action == "upgrade" and operands
            ):
                yield Violation("D014", rc.pointer, f"{name} {action} upgrades the whole image")
        elif name == "apk":
            words = [a for a in rc.cmd.argv[i + 1 :] if not a.startswith("-")]
            if words[:1] == ["upgrade"] and len(words) == 1:
                yield Violation("D014", rc.pointer, "apk upgrade upgrades the whole image")
        elif name in ("yum", "dnf", "microdnf"):
            words = [a for a in rc.cmd.argv[i + 1 :] if not a.startswith("-")]
            if words[:1] in (["upgrade"], ["update"]) and len(words) == 1:
                yield Violation("D014", rc.pointer, f"{name} {words[0]} upgrades the whole image")


def _apk_add(argv: Sequence[str], i: int) -> tuple[bool, list[tuple[int, str]], bool]:
    """(is `apk add`, [(argv index, package)], has --no-cache)."""
    is_add = False
    pkgs: list[tuple[int, str]] = []
    no_cache = False
    n = i + 1
    value_opts = {"-t", "--virtual", "-X", "--repository", "--root", "-p", "--arch",
                  "--cache-dir", "--keys-dir", "--repositories-file"}  # fmt: skip
    while n < len(argv):
        a = argv[n]
        if a == "--no-cache":
            no_cache = True
        elif a in value_opts:
            n += 2
            continue
        elif a.startswith("-"):
            pass
        elif not is_add and a == "add":
            is_add = True
        elif not is_add:
            return False, [], no_cache
        else:
            pkgs.append((n, a))
        n += 1
    return is_add, pkgs, no_cache


@dockerfile_check(APK_CACHE)
def check_apk_cache(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.final_stages:
        for j, ins in enumerate(st.instructions):
            if ins.keyword != "RUN":
                continue
            cmds = f.commands(st, j)
            cleaned = _cache_mount(ins, "/var/cache/apk", "/etc/apk/cache") or any(
                _program(c.argv)[0] == "rm" and any("/var/cache/apk" in a for a in c.argv)
                for c in cmds
            )
            if cleaned:
                continue
            flagged = False
            update: int | None = None
            for k, c in enumerate(cmds):
                name, i = _program(c.argv)
                if name != "apk":
                    continue
                is_add, pkgs, no_cache = _apk_add(c.argv, i)
                if is_add and pkgs and not no_cache:
                    flagged = True
                    yield Violation(
                        "D015",
                        f"/stages/{st.index}/instructions/{j}/commands/{k}",
                        "apk add without --no-cache",
                    )
                elif [a for a in c.argv[i + 1 :] if not a.startswith("-")][:1] == ["update"]:
                    update = k if update is None else update
            if update is not None and not flagged:
                yield Violation(
                    "D015",
                    f"/stages/{st.index}/instructions/{j}/commands/{update}",
                    "apk update leaves the package index in /var/cache/apk: use "
                    "apk add --no-cache instead",
                )


_PIP = re.compile(r"^pip(\d+(\.\d+)?)?$")


def _pip_install(argv: Sequence[str]) -> tuple[int, int] | None:
    """(index of `install`, index of the program) when the command is a pip install."""
    name, i = _program(argv)
    if _PIP.match(name):
        j = i + 1
    elif re.match(r"^python(\d+(\.\d+)?)?$", name):
        try:
            m = list(argv).index("-m", i + 1)
        except ValueError:
            return None
        if m + 1 >= len(argv) or not _PIP.match(argv[m + 1]):
            return None
        j = m + 2
    else:
        return None
    while j < len(argv) and argv[j].startswith("-"):
        j += 1
    if j < len(argv) and argv[j] == "install":
        return j, i
    return None


def _pip_cache_off(f: DockerfileFacts, st: Stage, j: int) -> bool:
    env = f.variables(st, j)
    if env.get("PIP_NO_CACHE_DIR") is not None or "PIP_NO_CACHE_DIR" in env:
        return True
    for s in f.chain(st):
        for k, ins in enumerate(s.instructions):
            if s is st and k >= j:
                break
            if ins.keyword == "RUN" and re.search(
                r"no[-_]cache[-_]dir\s*=?\s*(true|1|yes|on|false|0)|"
                r"config\s+set\s+global\.no-cache-dir",
                _run_text(ins),
                re.I,
            ):
                return True
    return False


@dockerfile_check(PIP_CACHE)
def check_pip_cache(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.final_stages:
        for j, ins in enumerate(st.instructions):
            if ins.keyword != "RUN":
                continue
            cmds = f.commands(st, j)
            if _cache_mount(ins, "/root/.cache/pip", "/root/.cache", "/home") or any(
                m.type == "cache" and "pip" in m.target for m in ins.mounts
            ):
                continue
            if any(
                _program(c.argv)[0] == "rm" and any(".cache" in a for a in c.argv) for c in cmds
            ):
                continue
            for k, c in enumerate(cmds):
                found = _pip_install(c.argv)
                if found is None or "--no-cache-dir" in c.argv:
                    continue
                if _pip_cache_off(f, st, j):
                    break
                yield Violation(
                    "D016",
                    f"/stages/{st.index}/instructions/{j}/commands/{k}",
                    "pip install without --no-cache-dir",
                )


_LOCKFILES = re.compile(r"(^|/)(package-lock\.json|npm-shrinkwrap\.json|package\*\.json)$")


@dockerfile_check(NPM_CI)
def check_npm_ci(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.df.stages:
        lock = False
        for j, ins in enumerate(st.instructions):
            if ins.keyword in ("COPY", "ADD") and any(
                _LOCKFILES.search(s) for _, s in _copy_sources(ins)
            ):
                lock = True
            if ins.keyword != "RUN" or not lock:
                continue
            for k, c in enumerate(f.commands(st, j)):
                name, i = _program(c.argv)
                if (
                    name != "npm"
                    or len(c.argv) <= i + 1
                    or c.argv[i + 1]
                    not in (
                        "install",
                        "i",
                        "add",
                    )
                ):
                    continue
                rest = c.argv[i + 2 :]
                if any(not a.startswith("-") for a in rest) or any(
                    a in ("-g", "--global") for a in rest
                ):
                    continue
                yield Violation(
                    "D017",
                    f"/stages/{st.index}/instructions/{j}/commands/{k}",
                    f"npm {c.argv[i + 1]} with a lockfile: use npm ci",
                )


_PIP_SKIP_VALUE = {"-r", "--requirement", "-c", "--constraint", "-e", "--editable",
                   "-i", "--index-url", "--extra-index-url", "-f", "--find-links",
                   "--target", "-t", "--prefix", "--root", "--platform", "--python-version",
                   "--implementation", "--abi", "--trusted-host", "--src", "--cache-dir",
                   "--progress-bar", "--log", "--proxy", "--timeout", "--retries",
                   "--upgrade-strategy", "--only-binary", "--no-binary", "--config-settings",
                   "-C", "--global-option", "--install-option", "--report", "--user-agent",
                   "--hash"}  # fmt: skip
_PIP_SELF = frozenset({"pip", "setuptools", "wheel", "pip-tools", "uv", "virtualenv"})


def _operands(
    argv: Sequence[str], start: int, value_flags: frozenset[str] | set[str]
) -> list[tuple[int, str]]:
    """(index, word) of the operands of ``argv`` from ``start``: options are passed over, and
    the word after an option of ``value_flags`` (its value) too."""
    out: list[tuple[int, str]] = []
    n = start
    while n < len(argv):
        a = argv[n]
        n += 1
        if a in value_flags:
            n += 1
        elif not a.startswith("-"):
            out.append((n - 1, a))
    return out


def _unpinned_pip(argv: Sequence[str], start: int) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for n, a in _operands(argv, start + 1, _PIP_SKIP_VALUE):
        low = a.lower()
        if (
            "$" in a
            or "/" in a
            or low.startswith((".", "git+", "http", "file:"))
            or low.endswith((".whl", ".tar.gz", ".zip"))
            or re.search(r"(==|~=|===|>=|<=|<|>|!=|@)", a)
        ):
            continue
        base = re.split(r"[\[;]", low, maxsplit=1)[0]
        if base in _PIP_SELF:
            continue
        out.append((n, a))
    return out


def _unpinned_apt(operands: list[tuple[int, str]]) -> list[tuple[int, str]]:
    return [
        (n, a)
        for n, a in operands
        if "=" not in a and "$" not in a and "/" not in a and not a.endswith(".deb")
    ]


def _unpinned_apk(pkgs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    return [
        (n, a)
        for n, a in pkgs
        if not re.search(r"[=~<>]", a) and "$" not in a and "/" not in a and not a.startswith(".")
    ]


_NPM_VALUE = frozenset({"--prefix", "--registry", "--cache", "-w", "--workspace", "--tag",
                        "--userconfig", "--omit", "--include", "--install-strategy"})  # fmt: skip
_MOVING_REFS = frozenset({"latest", "master", "main", "head", "next", "canary"})


def _unpinned_npm(argv: Sequence[str], i: int) -> list[tuple[int, str]]:
    """Named packages of ``npm install``/``npm i``/``npm add`` without a version."""
    words = argv[i + 1 :]
    if not words or words[0] not in ("install", "i", "add", "isntall"):
        return []
    out: list[tuple[int, str]] = []
    for n, a in _operands(argv, i + 2, _NPM_VALUE):
        if "$" in a or a.startswith((".", "/", "~")):
            continue
        if ("/" in a and not a.startswith("@")) or ":" in a or a.endswith((".tgz", ".tar.gz")):
            continue  # git/github shorthand, URLs, tarballs
        name, at, version = a[1:].partition("@") if a.startswith("@") else a.partition("@")
        if name == "npm":
            continue  # npm upgrading itself, like pip's self-upgrades
        if not at or not version or version.lower() in _MOVING_REFS:
            out.append((n, a))
    return out


_GEM_VALUE = frozenset({"-i", "--install-dir", "-n", "--bindir", "-s", "--source", "-P",
                        "--trust-policy", "--platform", "-g", "--file"})  # fmt: skip


def _unpinned_gem(argv: Sequence[str], i: int) -> list[tuple[int, str]]:
    """Gems of ``gem install`` without ``-v``/``--version`` or a ``name:version``."""
    if argv[i + 1 : i + 2] != ["install"]:
        return []
    rest = argv[i + 2 :]
    if any(a in ("-v", "--version") or a.startswith("--version=") for a in rest):
        return []
    return [
        (n, a)
        for n, a in _operands(argv, i + 2, _GEM_VALUE)
        if not ("$" in a or "/" in a or a.endswith(".gem") or ":" in a)
    ]


def _unpinned_go(argv: Sequence[str], i: int) -> tuple[list[tuple[int, str]], str]:
    """``go get <remote path>`` without a version, ``go install <path>@latest``. A plain
    ``go install <path>`` builds the checked-out or main-module code and is not reported."""
    sub = argv[i + 1] if len(argv) > i + 1 else ""
    if sub not in ("get", "install"):
        return [], ""
    out: list[tuple[int, str]] = []
    n = i + 2
    while n < len(argv):
        a = argv[n]
        n += 1
        if a in ("-ldflags", "-gcflags", "-tags", "-o", "-modfile", "-mod", "-p"):
            n += 1
            continue
        if a.startswith("-") or "$" in a or a.startswith(".") or "." not in a.split("/", 1)[0]:
            continue
        _, at, version = a.partition("@")
        if at and version.lower() not in _MOVING_REFS:
            continue
        if sub == "install" and not at:
            continue
        out.append((n - 1, a))
    return out, f"go {sub}"


@dockerfile_check(UNPINNED)
def check_unpinned(f: DockerfileFacts) -> Iterator[Violation]:
    for rc in f.runs(f.final_stages):
        argv = rc.cmd.argv
        name, i = _program(argv)
        loose: list[tuple[int, str]] = []
        tool = ""
        if name in _APT:
            action, operands = _apt_action(argv, i)
            if action == "install":
                loose, tool = _unpinned_apt(operands), f"{name} install"
        elif name == "apk":
            is_add, pkgs, _ = _apk_add(argv, i)
            if is_add:
                loose, tool = _unpinned_apk(pkgs), "apk add"
        elif name == "npm":
            loose, tool = _unpinned_npm(argv, i), "npm install"
        elif name == "gem":
            loose, tool = _unpinned_gem(argv, i), "gem install"
        elif name == "go":
            loose, tool = _unpinned_go(argv, i)
        else:
            found = _pip_install(argv)
            if found is not None:
                loose, tool = _unpinned_pip(argv, found[0]), "pip install"
        if not loose:
            continue
        names = ", ".join(a for _, a in loose[:8]) + (", …" if len(loose) > 8 else "")
        noun = "package" if len(loose) == 1 else "packages"
        yield Violation(
            "D018",
            rc.argv_pointer(loose[0][0]),
            f"{tool}: {len(loose)} {noun} without a version: {names}",
        )


# =========================================================================== D019 ports

EXPOSE_ADMIN = _rule(
    "D019",
    "expose-admin-port",
    "Remote administration port exposed",
    Severity.MEDIUM,
    "The final image `EXPOSE`s port 22 (SSH), 2375 (Docker API without TLS; high) or 2376 "
    "(Docker API with TLS).",
    "An SSH server in a container is a second, unmonitored way in with its own credentials "
    "and patching; an exposed Docker API is full control of the host (2375 without any "
    "authentication).",
    "Remove the port and the daemon behind it: use `kubectl exec`/`docker exec` for "
    "debugging, and never publish the Docker API; if a Docker-in-Docker image is intended, "
    "expose 2376 with mutual TLS only.",
    """
EXPOSE 8080
""",
    trivy=("DS004",),
    checkov=("CKV_DOCKER_1",),
    refs=(DOCKER_REF + "#expose",),
)

_ADMIN_PORTS = {
    22: ("SSH", Severity.MEDIUM),
    2375: ("the Docker API without TLS", Severity.HIGH),
    2376: ("the Docker API", Severity.MEDIUM),
}


@dockerfile_check(EXPOSE_ADMIN)
def check_expose(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.final_stages:
        for j, ins in enumerate(st.instructions):
            if ins.keyword != "EXPOSE":
                continue
            for k, raw in enumerate(ins.args):
                value = f.expand_in(st, j, raw) or raw
                port_text = value.split("/", 1)[0]
                lo, _, hi = port_text.partition("-")
                if not lo.isdigit() or (hi and not hi.isdigit()):
                    continue
                first, last = int(lo), int(hi or lo)
                for port, (what, sev) in _ADMIN_PORTS.items():
                    if first <= port <= last:
                        yield Violation(
                            "D019",
                            f"/stages/{st.index}/instructions/{j}/args/{k}",
                            f"EXPOSE {raw} publishes {what} (port {port})",
                            None,
                            sev,
                        )


# =========================================================================== D020 healthcheck

HEALTHCHECK = _rule(
    "D020",
    "missing-healthcheck",
    "No HEALTHCHECK in the final image",
    Severity.LOW,
    "The final stage (and the stages it is built from) has no `HEALTHCHECK`. Not reported "
    "for images without a shell or tools to run one (`scratch`, distroless, Chainguard "
    "static images), for images marked as Kubernetes-targeted (a `io.k8s.*` or "
    "`io.openshift.*` label, or a comment mentioning Kubernetes, k8s, liveness or readiness "
    'probes; a license header such as "Copyright The Kubernetes Authors" or a '
    "commented-out instruction does not count), and when `HEALTHCHECK NONE` states the "
    "choice. Kubernetes ignores `HEALTHCHECK` (it uses probes): disable this rule "
    "(`disable: [D020]`) if your images only run there.",
    "Without a health check Docker, Compose and Swarm only know whether the process is "
    "running, not whether it works: a hung server keeps receiving traffic and is never "
    "restarted.",
    "Add a `HEALTHCHECK` that exercises the service cheaply, or `HEALTHCHECK NONE` with a "
    "comment when the orchestrator probes it.",
    """
HEALTHCHECK --interval=30s --timeout=3s --retries=3 \\
  CMD ["/app/healthcheck"]
""",
    cis="4.6 Ensure that HEALTHCHECK instructions have been added to container images",
    trivy=("DS026",),
    checkov=("CKV_DOCKER_2",),
    hadolint=("DL3057",),
    refs=(DOCKER_REF + "#healthcheck",),
)

_MINIMAL_IMAGE = re.compile(
    r"(^|/)distroless/|^cgr\.dev/chainguard/(static|glibc-dynamic)|(^|/)busybox(:|@|$)"
)
_K8S_COMMENT = re.compile(r"^\s*#.*\b(kubernetes|k8s|liveness|readiness|openshift)\b", re.I)
#: comments that mention Kubernetes without saying where the image runs: license headers
#: ("Copyright 2016 The Kubernetes Authors") and commented-out instructions
_NOT_A_MARKER = re.compile(
    r"^\s*#\s*(?:.*\b(?:copyright|licen[cs]ed?|spdx-license-identifier)\b"
    r"|(?:from|run|cmd|entrypoint|copy|add|env|arg|label|user|expose|workdir)\s)",
    re.I,
)


@dockerfile_check(HEALTHCHECK)
def check_healthcheck(f: DockerfileFacts) -> Iterator[Violation]:
    chain = f.chain(f.final)
    for st in chain:
        if any(ins.keyword == "HEALTHCHECK" for ins in st.instructions):
            return
    root = chain[-1]
    base = root.base_image.lower()
    if not base or base == "scratch" or _MINIMAL_IMAGE.search(base):
        return
    if any(k.startswith(("io.k8s.", "io.openshift.")) for k in f.labels):
        return
    if any(_K8S_COMMENT.match(line) and not _NOT_A_MARKER.match(line) for line in f.comment_lines):
        return
    yield Violation(
        "D020", f"/stages/{f.final.index}", f"final {_stage_label(f.final)} has no HEALTHCHECK"
    )


# =========================================================================== D021 build tools

BUILD_TOOLS = _rule(
    "D021",
    "build-tools-in-final-image",
    "Build toolchain shipped in a single-stage image",
    Severity.LOW,
    "A single-stage Dockerfile compiles software (`make`, `gcc`, `go build`, `mvn`, "
    "`gradle`, `cargo build`, `./configure`, …) and keeps the build tools in the image: "
    "it installs compilers and build tools (`gcc`, `g++`, `make`, `build-essential`, "
    "`golang`, `maven`, `gradle`, `cargo`, `git`, …) with apt, apk, yum, dnf or microdnf "
    "without removing them (`apk del .build-deps`, `apt-get purge`), or it is built on a "
    "toolchain image (`golang`, `maven`, `gradle`, `rust`, `gcc`). Images that do not "
    "compile are not reported (their tools are run-time dependencies), nor are multi-stage "
    "builds: a tool left in their final stage is most likely needed at run time.",
    "Compilers, headers and version-control tools are not needed to run the application: "
    "they add hundreds of megabytes, vulnerabilities, and let an attacker who gets in "
    "build and run tools of their choice.",
    "Use a multi-stage build: compile in a builder stage, then `COPY --from=builder` only "
    "the artefacts into a minimal runtime image.",
    """
FROM golang:1.25-trixie AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian13:nonroot
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
""",
    cis="4.3 Ensure that unnecessary packages are not installed in the container",
    refs=(DOCKER_REF, "https://docs.docker.com/build/building/multi-stage/"),
)

_TOOLS = frozenset(
    {"gcc", "g++", "clang", "make", "cmake", "build-essential", "build-base", "golang",
     "golang-go", "go", "maven", "gradle", "cargo", "rustc", "git", "autoconf", "automake",
     "libtool", "gcc-c++", "musl-dev", "libc-dev", "libc6-dev", "pkg-config", "pkgconf",
     "ninja-build", "bison", "flex", "default-jdk"}
)  # fmt: skip
_TOOLCHAIN_IMAGES = frozenset({"golang", "maven", "gradle", "rust", "gcc", "buildpack-deps"})
_COMPILERS = frozenset(
    {"make", "cmake", "gcc", "g++", "cc", "c++", "clang", "clang++", "javac", "mvn", "gradle",
     "ninja", "meson", "bazel", "rustc", "ant"}
)  # fmt: skip


def _compiles(argv: Sequence[str]) -> bool:
    """Whether a command builds software (the evidence that installed tools are build-only)."""
    name, i = _program(argv)
    rest = list(argv[i + 1 :])
    if name in _COMPILERS or name.endswith("configure") or name in ("mvnw", "gradlew"):
        return True
    if name in ("go", "cargo") and rest[:1] and rest[0] in ("build", "install"):
        return True
    return bool(re.match(r"python[\d.]*$", name)) and rest[:1] == ["setup.py"]


def _installed(argv: Sequence[str]) -> tuple[list[tuple[int, str]], str]:
    """([(argv index, package)], virtual group name) of an install command."""
    name, i = _program(argv)
    if name in _APT:
        action, ops = _apt_action(argv, i)
        return (ops if action == "install" else []), ""
    if name == "apk":
        is_add, pkgs, _ = _apk_add(argv, i)
        group = ""
        for n, a in enumerate(argv):
            if a in ("-t", "--virtual") and n + 1 < len(argv):
                group = argv[n + 1]
            elif a.startswith("--virtual="):
                group = a.split("=", 1)[1]
        return (pkgs if is_add else []), group
    if name in ("yum", "dnf", "microdnf"):
        words = [(n, a) for n, a in enumerate(argv) if n > i and not a.startswith("-")]
        if words and words[0][1] == "install":
            return words[1:], ""
    return [], ""


def _removed(argv: Sequence[str]) -> set[str]:
    name, i = _program(argv)
    words = [a for a in argv[i + 1 :] if not a.startswith("-")]
    if name in _APT and words[:1] and words[0] in ("purge", "remove", "autoremove"):
        return set(words[1:])
    if name == "apk" and words[:1] == ["del"]:
        return set(words[1:])
    if name in ("yum", "dnf", "microdnf") and words[:1] and words[0] in ("remove", "erase"):
        return set(words[1:])
    return set()


def _pkg_name(p: str) -> str:
    return re.split(r"[=~<>]", p, maxsplit=1)[0].lower()


@dockerfile_check(BUILD_TOOLS)
def check_build_tools(f: DockerfileFacts) -> Iterator[Violation]:
    if len(f.df.stages) != 1:
        return
    st = f.final
    runs = list(f.runs([st]))
    if not any(_compiles(rc.cmd.argv) for rc in runs):
        return
    removed: set[str] = set()
    for rc in runs:
        removed |= _removed(rc.cmd.argv)
    for rc in runs:
        pkgs, group = _installed(rc.cmd.argv)
        if group and group in removed:
            continue
        tools = [(n, p) for n, p in pkgs if _pkg_name(p) in _TOOLS and _pkg_name(p) not in removed]
        if tools:
            names = ", ".join(p for _, p in tools[:6]) + (", …" if len(tools) > 6 else "")
            yield Violation(
                "D021",
                rc.argv_pointer(tools[0][0]),
                f"build tools stay in the final image ({names}): use a multi-stage build",
            )
    ref = parse_image(st.base_image)
    if ref is not None and ref.official and ref.repo in _TOOLCHAIN_IMAGES:
        yield Violation(
            "D021",
            f"/stages/{st.index}/image",
            f"the image is built on toolchain image {st.base_image} and ships it: "
            "use a multi-stage build",
        )


# =========================================================================== D022 context copy

CONTEXT_COPY = _rule(
    "D022",
    "copy-context-without-dockerignore",
    "Whole build context copied without .dockerignore",
    Severity.MEDIUM,
    "A `COPY` or `ADD` in a stage of the final image copies the whole build context "
    "(`.`, `./`, `*`) and there is no `.dockerignore` (nor `<Dockerfile>.dockerignore`) "
    "next to the Dockerfile. Not reported when the input came from standard input.",
    "Everything in the directory goes into the image: `.git` (with history and possibly "
    "credentials in its config), `.env` files, local keys, test data, build outputs. "
    "Secrets leak, images grow and caches break on every unrelated change.",
    "Add a `.dockerignore` that excludes at least `.git`, `.env*`, keys and local build "
    "output (or, better, an allow-list: `*` then `!src/` …), or copy only what is needed.",
    """
# .dockerignore
.git
.env*
*.pem
node_modules
""",
    refs=("https://docs.docker.com/build/concepts/context/#dockerignore-files",),
)


@dockerfile_check(CONTEXT_COPY)
def check_context_copy(f: DockerfileFacts) -> Iterator[Violation]:
    if f.ctx.dockerignore is not False:
        return
    for st in f.final_stages:
        for j, ins in enumerate(st.instructions):
            if ins.keyword not in ("COPY", "ADD") or ins.flag("from"):
                continue
            for k, src in _copy_sources(ins):
                if src in (".", "./", "*", "./*", "./."):
                    yield Violation(
                        "D022",
                        f"/stages/{st.index}/instructions/{j}/args/{k}",
                        f"{ins.keyword} {src} copies the whole build context and there is no "
                        ".dockerignore",
                    )
                    break


# =========================================================================== D023 / D024 / D025

TLS_OFF = _rule(
    "D023",
    "tls-verification-disabled",
    "TLS certificate verification switched off",
    Severity.HIGH,
    "A download or a package manager is told not to verify the server's certificate: "
    "`curl -k`/`--insecure`, `wget --no-check-certificate`, `pip --trusted-host`, "
    "`npm`/`yarn config set strict-ssl false`, `git -c http.sslVerify=false` or "
    "`git config http.sslVerify false`, `yum`/`dnf --setopt=sslverify=0`; or an `ENV`, `ARG` "
    "or shell variable that does the same for every later command: `GIT_SSL_NO_VERIFY`, "
    "`NODE_TLS_REJECT_UNAUTHORIZED=0`, `NPM_CONFIG_STRICT_SSL=false`, `PIP_TRUSTED_HOST`, "
    "`PYTHONHTTPSVERIFY=0`, `GOINSECURE`, `GOSUMDB=off`, `GOFLAGS=-insecure`. Every stage "
    "is judged (`ONBUILD RUN` triggers too): what a builder downloads ends up in the image.",
    "Without certificate verification anyone on the network path (a proxy, a compromised "
    "Wi-Fi or CI network, DNS spoofing) can serve their own packages or scripts to the build, "
    "and nothing in the image shows it. An `ENV` also switches verification off at run time "
    "for the application itself (Node.js, Python, git, npm inside the container).",
    "Remove the switch. If a private registry or proxy uses its own certificate authority, "
    "add that CA to the trust store (`COPY corp-ca.crt /usr/local/share/ca-certificates/` and "
    "`update-ca-certificates`, or `pip --cert`, `npm config set cafile`, "
    "`NODE_EXTRA_CA_CERTS`) instead of disabling verification.",
    """
COPY corp-root-ca.crt /usr/local/share/ca-certificates/corp-root-ca.crt
RUN update-ca-certificates \\
 && curl -fsSLo /tmp/tool.tgz https://artifacts.corp.example/tool-1.4.2.tgz
""",
    cis="4.11 Ensure only verified packages are installed",
    checkov=(
        "CKV2_DOCKER_2", "CKV2_DOCKER_3", "CKV2_DOCKER_4", "CKV2_DOCKER_5", "CKV2_DOCKER_6",
        "CKV2_DOCKER_12", "CKV2_DOCKER_13", "CKV2_DOCKER_14", "CKV2_DOCKER_15",
        "CKV2_DOCKER_16",
    ),
)  # fmt: skip

UNSIGNED_PACKAGES = _rule(
    "D024",
    "package-signature-check-disabled",
    "Package signature verification switched off",
    Severity.HIGH,
    "A package manager installs packages whose signatures it does not check: "
    "`apt-get --allow-unauthenticated`, `--force-yes`, "
    "`-o APT::Get::AllowUnauthenticated=true`, a `[trusted=yes]` APT source, "
    "`apt-get update --allow-insecure-repositories`, `apk add --allow-untrusted`, "
    "`yum`/`dnf`/`tdnf`/`microdnf --nogpgcheck` or `gpgcheck=0` in a repository definition, "
    "`rpm --nosignature`/`--nodigest`/`--noverify`/`--nofiledigest`. Every stage is "
    "judged.",
    "Package signatures are what ties a package to its publisher: with the check off, a "
    "mirror, proxy or anyone on the network path can substitute a package, and the build "
    "installs it as root without a trace.",
    "Remove the option and install the repository's signing key instead (`signed-by=` for "
    "APT sources, `rpm --import`, the key in `/etc/apk/keys`); for a local package built in "
    "an earlier stage, sign it or copy its files instead of installing an unsigned package.",
    """
RUN curl -fsSLo /usr/share/keyrings/vendor.gpg https://repo.vendor.example/key.gpg \\
 && echo "deb [signed-by=/usr/share/keyrings/vendor.gpg] https://repo.vendor.example stable main" \\
    > /etc/apt/sources.list.d/vendor.list \\
 && apt-get update && apt-get install -y --no-install-recommends vendor-tool=2.3.1-1 \\
 && rm -rf /var/lib/apt/lists/*
""",
    cis="4.11 Ensure only verified packages are installed",
    checkov=("CKV2_DOCKER_7", "CKV2_DOCKER_8", "CKV2_DOCKER_9", "CKV2_DOCKER_10", "CKV2_DOCKER_11"),
)

PASSWORD_SET = _rule(
    "D025",
    "password-set-in-image",
    "Password set for an account in the image",
    Severity.MEDIUM,
    "A `RUN` of a stage of the final image sets an account password: `chpasswd`, "
    "`passwd --stdin`, `usermod -p`/`--password` or `useradd -p`/`--password`.",
    "The password (or its hash) is in the image's `/etc/shadow` for anyone who pulls the "
    "image to read and crack, the same for every container, and usually also in the "
    "Dockerfile and the image history in clear. A password login is only useful for a "
    "remote login (SSH), which a container should not offer.",
    "Do not give accounts a password: create users without one (`useradd --no-create-home` "
    "leaves it locked) and use `docker exec`/`kubectl exec` for access; if a service needs "
    "a credential, pass it at run time from a secret store.",
    """
RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin app
USER 10001
""",
    cis="4.10 Ensure secrets are not stored in Dockerfiles",
    checkov=("CKV2_DOCKER_17",),
)

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
    return what if test(_unquote(value).strip()) else None


_FALSE = ("false", "0", "no", "off")
#: RUN text worth splitting for D023 / D024 (cheap first look)
#: (matched against the lower-cased text)
_TLS_TEXT = re.compile(
    r"--insecure|\s-[a-z]*k|no-check-certificate|trusted-host|strict-ssl|sslverify|"
    r"ssl_no_verify|tls_reject|strict_ssl|trusted_host|httpsverify|goinsecure|gosumdb|goflags"
)
_UNSIGNED_TEXT = re.compile(
    r"allow-?unauth|force-yes|allow-untrusted|allow-insecure|gpgcheck|--nosignature|"
    r"--nodigest|--noverify|--nofiledigest|trusted=yes"
)


def _tls_off_in(argv: Sequence[str]) -> str | None:
    """What a command switches certificate verification off with, or None."""
    name, i = _program(argv)
    args = list(argv[i + 1 :])
    low = [a.lower() for a in args]
    if name == "curl":
        for a in args:
            if a == "--insecure" or re.fullmatch(r"-[a-zA-Z]*k[a-zA-Z]*", a):
                return f"curl {a}"
    elif name == "wget":
        if "--no-check-certificate" in args:
            return "wget --no-check-certificate"
    elif _PIP.match(name) or (re.match(r"python[\d.]*$", name) and "pip" in args[:3]):
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


_APT_UNSIGNED = re.compile(r"allowunauthenticated\s*=\s*['\"]?(true|1|yes)", re.I)
# `gpgcheck=0` in repository text (also after a printf `\n`)
_GPGCHECK_OFF = re.compile(r"(?:^|\\n|[^a-z_])(?:repo_)?gpgcheck\s*=\s*['\"]?(0|false|no)\b", re.I)


_SED_SUBST = re.compile(r"s(.)(.*?)(?<!\\)\1(.*?)(?<!\\)\1")


def _unsigned_in(argv: Sequence[str]) -> str | None:
    """What a command switches package signature checks off with, or None."""
    name, i = _program(argv)
    args = list(argv[i + 1 :])
    if name in _APT or name == "aptitude":
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


@dockerfile_check(TLS_OFF)
def check_tls_off(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.df.stages:
        for j, ins in enumerate(st.instructions):
            if ins.keyword not in ("ENV", "ARG"):
                continue
            for k, name, value in _env_pairs(ins):
                what = _tls_variable(name, value)
                if what is not None:
                    yield Violation(
                        "D023",
                        f"/stages/{st.index}/instructions/{j}/args/{k}",
                        f"{ins.keyword} {name}={_unquote(value or '')} switches off {what}",
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
                f"{_onbuild_note(rc)}",
            )


@dockerfile_check(UNSIGNED_PACKAGES)
def check_unsigned_packages(f: DockerfileFacts) -> Iterator[Violation]:
    for rc in f.runs_matching(_UNSIGNED_TEXT, onbuild=True):
        found = _unsigned_in(rc.cmd.argv)
        if found is not None:
            yield Violation(
                "D024",
                rc.pointer,
                f"{found}: packages are installed without checking their signatures"
                f"{_onbuild_note(rc)}",
            )


@dockerfile_check(PASSWORD_SET)
def check_password_set(f: DockerfileFacts) -> Iterator[Violation]:
    for rc in f.runs(f.final_stages):
        name, i = _program(rc.cmd.argv)
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


# =========================================================================== D026 rpm caches

RPM_CACHE = _rule(
    "D026",
    "rpm-cache-not-cleaned",
    "yum/dnf/microdnf/zypper cache left in the image",
    Severity.LOW,
    "A `RUN` in a stage of the final image installs packages with `yum`, `dnf`, `tdnf`, "
    "`microdnf` or `zypper` and does not clean the package manager's cache later in the same "
    "`RUN` (`yum clean all`, `dnf clean all`, `microdnf clean all`, `zypper clean`, or "
    "`rm -rf /var/cache/yum` / `/var/cache/dnf` / `/var/cache/zypp`), nor mounts that cache "
    "as a BuildKit cache. The RPM counterpart of D013 and D015.",
    "Repository metadata and downloaded packages stay in the layer: tens to hundreds of "
    "megabytes for nothing, and stale metadata for later installs in derived images.",
    "End the same `RUN` with `dnf clean all` (or the manager's equivalent), or mount the "
    "cache: `RUN --mount=type=cache,target=/var/cache/dnf dnf install …`.",
    """
RUN dnf install -y --setopt=install_weak_deps=False nginx-1.26.3 \\
 && dnf clean all
""",
    trivy=("DS015", "DS019", "DS020", "DS027"),
)

_RPM_MANAGERS = {
    "yum": "yum",
    "dnf": "dnf",
    "dnf5": "dnf",
    "tdnf": "tdnf",
    "microdnf": "microdnf",
    "zypper": "zypper",
}
_RPM_INSTALL = frozenset({"install", "in", "reinstall", "rei", "update", "upgrade", "up",
                          "install-n", "install-na", "install-nevra", "localinstall",
                          "groupinstall", "si", "source-install", "patch", "dup"})  # fmt: skip
_RPM_CACHE_DIRS = ("/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5", "/var/cache/zypp",
                   "/var/cache/tdnf")  # fmt: skip


def _rpm_action(argv: Sequence[str]) -> tuple[str, str] | None:
    """(manager, subcommand) of a yum/dnf/tdnf/microdnf/zypper command."""
    name, i = _program(argv)
    manager = _RPM_MANAGERS.get(name)
    if manager is None:
        return None
    n = i + 1
    while n < len(argv):
        a = argv[n]
        if a in ("-c", "--config", "--installroot", "--releasever", "-R", "--root"):
            n += 2
            continue
        if not a.startswith("-"):
            return manager, a
        n += 1
    return manager, ""


@dockerfile_check(RPM_CACHE)
def check_rpm_cache(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.final_stages:
        for j, ins in enumerate(st.instructions):
            if ins.keyword != "RUN" or _cache_mount(ins, *_RPM_CACHE_DIRS):
                continue
            cmds = f.commands(st, j)
            install: tuple[int, str] | None = None
            for k, c in enumerate(cmds):
                action = _rpm_action(c.argv)
                if action is not None:
                    manager, sub = action
                    if sub in _RPM_INSTALL:
                        install = (k, manager)
                    elif sub in ("clean", "cc") and install is not None:
                        install = None
                elif (
                    install is not None
                    and _program(c.argv)[0] == "rm"
                    and any(a.rstrip("/*").startswith(_RPM_CACHE_DIRS) for a in c.argv)
                ):
                    install = None
            if install is not None:
                k, manager = install
                clean = "zypper clean" if manager == "zypper" else f"{manager} clean all"
                yield Violation(
                    "D026",
                    f"/stages/{st.index}/instructions/{j}/commands/{k}",
                    f"{manager} installs packages and the RUN does not end with {clean}",
                )


# --------------------------------------------------------------------------- entry point


def evaluate_dockerfile(
    df: Dockerfile,
    ctx: DockerContext,
    disabled: frozenset[str] = frozenset(),
    lines: Sequence[str] = (),
) -> tuple[DockerfileFacts, list[Violation]]:
    """Run every enabled Dockerfile check. Pure: no I/O."""
    facts = DockerfileFacts(df, ctx, [line for line in lines if line.lstrip().startswith("#")])
    out: list[Violation] = []
    for rule, check in DOCKERFILE_CHECKS:
        if rule.code not in disabled:
            out.extend(check(facts))
    return facts, out
