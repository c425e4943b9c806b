"""Dockerfile rules about code fetched from elsewhere: downloads piped into a shell (D007),
``ADD`` of a URL without ``--checksum`` or of a Git repository at a movable ref (D008), and
``ADD`` of local files where ``COPY`` does (D009)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from hardhull.formats.dockerfile.shell import SHELLS, Command
from hardhull.model import Severity, Violation
from hardhull.models.dockerfile_facts import DockerfileFacts, copy_sources
from hardhull.models.package_managers import program
from hardhull.registry import Target, check
from hardhull.rules.dockerfile import BEST, DOCKER_REF, dockerfile_rule

PIPE_SHELL = dockerfile_rule(
    "D007",
    "download-piped-to-shell",
    "Downloaded script piped into a shell",
    Severity.HIGH,
    what="A `RUN` downloads a script and runs it without saving or verifying it: `curl … | sh`, "
    "`wget -O- … | bash` (also behind `sudo` or `env`, and into `python`, `perl`, `ruby` or "
    '`node` reading standard input), `sh -c "$(curl …)"`, `bash <(curl …)` and '
    '`eval "$(curl …)"`. `wget` without `-O -` writes a file and is not reported. '
    "`ONBUILD RUN` triggers are judged too: they run in every build `FROM` the image.",
    why="Whatever the server (or anyone between it and the build) returns runs as root in the "
    "build with the build's network and secrets; a compromised or changed script changes the "
    "image without any trace in the Dockerfile. A script cut off mid-download runs half.",
    fix="Download to a file, verify a pinned checksum or signature, then run it; better, install "
    "a package from a signed repository or copy the binary from an official image.",
    example="""
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
    name, i = program(cmd.argv)
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


# D007
@check(PIPE_SHELL, on=Target.DOCKERFILE)
def download_piped_to_shell(f: DockerfileFacts) -> Iterator[Violation]:
    reported: set[tuple[int, int]] = set()
    for rc in f.runs(onbuild=True):
        cmd = rc.cmd
        key = (rc.stage, rc.index)
        tool = _downloads_to_stdout(cmd) if cmd.piped_into is not None else None
        if tool is not None:
            nxt: Command | None = cmd.piped_into
            while nxt is not None:
                name, i = program(nxt.argv)
                if (name in SHELLS or re.sub(r"[\d.]+$", "", name) in _INTERPRETERS) and (
                    _reads_stdin(nxt.argv, i)
                ):
                    if key not in reported:
                        reported.add(key)
                        yield Violation(
                            "D007",
                            rc.pointer,
                            f"{tool} output is piped into {name}: the downloaded script runs "
                            f"unverified{rc.onbuild_note}",
                        )
                    break
                nxt = nxt.piped_into
            continue
        name, i = program(cmd.argv)
        if name in SHELLS or name in ("eval", "source", ".") or name in _INTERPRETERS:
            for a in cmd.argv[i + 1 :]:
                m = _FETCH_SUB.search(a)
                if m and key not in reported:
                    reported.add(key)
                    yield Violation(
                        "D007",
                        rc.pointer,
                        f"{name} runs a script downloaded with {m.group(2)}: it runs "
                        f"unverified{rc.onbuild_note}",
                    )
                    break


_ARCHIVE = re.compile(r"\.(tar|tgz|tbz2?|txz|tzst|tar\.(gz|bz2|xz|zst|lz4|lzma|z))$", re.I)


_GIT_URL = re.compile(r"^(git@|ssh://|git://)|\.git(#|$)|^https?://[^#]*\.git(#|$)")


ADD_REMOTE = dockerfile_rule(
    "D008",
    "add-remote-url",
    "ADD downloads a remote file without a checksum",
    Severity.MEDIUM,
    what="An `ADD` fetches an `http(s)://` URL without `--checksum=sha256:…`, or a Git repository "
    "at a branch or tag rather than a full commit id.",
    why="The content is whatever the server returns at build time: a compromised server, "
    "a moved tag or a man in the middle changes the image without a change to the "
    "Dockerfile, and the download is not reproducible.",
    fix="Add `--checksum=sha256:…` (BuildKit, Dockerfile syntax 1.6+), pin Git sources to a "
    "commit id, or download with `curl` and verify the checksum in the same `RUN`.",
    example="""
# syntax=docker/dockerfile:1
FROM debian:trixie-slim
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d \\
    https://example.com/tool-1.2.3.tar.gz /tmp/
""",
    cis="4.9 Ensure that COPY is used instead of ADD in Dockerfiles",
    refs=(DOCKER_REF + "#add", DOCKER_REF + "#add---checksum"),
)


# D008
@check(ADD_REMOTE, on=Target.DOCKERFILE)
def add_remote_url(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.df.stages:
        for j, ins in enumerate(st.instructions):
            if ins.keyword != "ADD":
                continue
            for k, src in copy_sources(ins):
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


ADD_LOCAL = dockerfile_rule(
    "D009",
    "add-instead-of-copy",
    "ADD used where COPY suffices",
    Severity.LOW,
    what="An `ADD` copies local files or directories that are not tar archives (which `ADD` "
    "would extract).",
    why="`ADD` has implicit behaviours `COPY` does not: it extracts archives and fetches URLs. "
    "Using it for plain files hides which of those was meant and turns a renamed file into "
    "an unexpected extraction.",
    fix="Use `COPY` for local files; keep `ADD` for extracting a local tar archive.",
    example="""
COPY app.py requirements.txt /app/
""",
    cis="4.9 Ensure that COPY is used instead of ADD in Dockerfiles",
    trivy=("DS005",),
    checkov=("CKV_DOCKER_4",),
    hadolint=("DL3020",),
    refs=(DOCKER_REF + "#add", BEST + "#add-or-copy"),
)


# D009
@check(ADD_LOCAL, on=Target.DOCKERFILE)
def add_instead_of_copy(f: DockerfileFacts) -> Iterator[Violation]:
    for st in f.df.stages:
        for j, ins in enumerate(st.instructions):
            if ins.keyword != "ADD" or ins.flag("unpack") or ins.flag("keep-git-dir"):
                continue
            srcs = copy_sources(ins)
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
