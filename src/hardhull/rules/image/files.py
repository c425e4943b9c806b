"""Image rules over the files of the image: setuid/setgid files (I004), world-writable paths
(I005), credentials in layer files, deleted ones included (I006), private keys and cloud
credential files by name (I007)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from hardhull.model import Severity, Violation
from hardhull.models.image_facts import (
    DIR,
    FILE,
    FileInfo,
    ImageFacts,
    search_paths,
    select_files,
)
from hardhull.registry import Target, check
from hardhull.rules.image import image_rule

SETUID = image_rule(
    "I004",
    "setuid-file",
    "Setuid or setgid file",
    Severity.HIGH,
    what="A file of the image has the setuid or setgid bit. The usual distribution programs "
    "that need it (`passwd`, `su`, `mount`, `chsh`, `newgrp`, `unix_chkpwd`, `ssh-keysign`, "
    "…, in the system directories) are reported as info, a setgid-only or non-root setuid "
    "file elsewhere as medium, a setuid-root file elsewhere as high.",
    why="A setuid-root program runs as root whoever starts it: any flaw in it is a privilege "
    "escalation inside the container, and a program placed by the application's build is "
    "rarely written for that. Containers seldom need any of them.",
    fix="Remove the bits in the final stage (`RUN find / -xdev -perm /6000 -type f -exec "
    "chmod a-s {} +`) or the programs; run the container with `allowPrivilegeEscalation: "
    "false` (no_new_privs), which makes the bits inert.",
    example="""
RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + || true
""",
    cis="4.8 Ensure setuid and setgid permissions are removed",
)

#: programs distributions install setuid or setgid on purpose
_USUAL_SETUID = frozenset(
    {"passwd", "su", "chsh", "chfn", "gpasswd", "newgrp", "mount", "umount", "expiry",
     "chage", "wall", "write", "bsd-write", "unix_chkpwd", "unix2_chkpwd", "ssh-agent",
     "ssh-keysign", "sudo", "sudoedit", "pkexec", "ping", "ping6", "crontab", "at",
     "dotlockfile", "fusermount", "fusermount3", "dbus-daemon-launch-helper", "Xorg.wrap",
     "polkit-agent-helper-1", "pam_timestamp_check", "utempter", "mount.nfs", "mount.cifs",
     "newuidmap", "newgidmap", "userhelper", "staprun", "traceroute6.iputils", "arping",
     "ksu", "lockdev", "mlocate", "locate", "plocate", "screen", "procmail", "postdrop",
     "postqueue", "sendmail", "exim4", "mail-lock", "mail-unlock", "mail-touchlock",
     "chkpwd", "ntfs-3g", "vmware-user-suid-wrapper", "Xorg", "lppasswd", "nvidia-modprobe",
     "login", "unix_update", "sg", "ssh-keysign.real"}
)  # fmt: skip
_SYSTEM_DIRS = ("bin/", "sbin/", "usr/bin/", "usr/sbin/", "usr/lib/", "usr/lib64/",
                "usr/libexec/", "lib/", "lib64/")  # fmt: skip


# I004
@check(SETUID, on=Target.IMAGE)
def image_setuid_file(img: ImageFacts) -> Iterator[Violation]:
    special = sorted(select_files(img.files, (FILE,), mode_any=0o6000))
    for path, f in special:
        bits = " and ".join(b for b, m in (("setuid", 0o4000), ("setgid", 0o2000)) if f.mode & m)
        owner = "root" if f.uid == 0 else f"uid {f.uid}"
        usual = posixpath.basename(path) in _USUAL_SETUID and path.startswith(_SYSTEM_DIRS)
        if usual:
            severity = Severity.INFO
        elif f.mode & 0o4000 and f.uid == 0:
            severity = Severity.HIGH
        else:
            severity = Severity.MEDIUM
        what = "a distribution program that is " if usual else ""
        yield Violation(
            "I004",
            f"/files/{path}",
            f"/{path} is {what}{bits} ({owner}, mode {f.mode & 0o7777:04o}), from "
            f"{img.layer_label(f.layer)}",
            None,
            severity,
        )


WORLD_WRITABLE = image_rule(
    "I005",
    "world-writable-path",
    "World-writable path outside the temporary directories",
    Severity.MEDIUM,
    what="A file or directory of the image is writable by every user (`o+w`) outside `/tmp`, "
    "`/var/tmp`, `/dev/shm`, `/run/lock` and `/var/lock`. A world-writable directory is "
    "reported once with the number of paths below it. Symbolic links (always 0777) and "
    "device files are not reported.",
    why="Any process in the container, whatever its user, can change what a world-writable "
    "path holds: replace a program or a configuration file that a more privileged process "
    "reads, or plant files in a directory the application trusts.",
    fix="Give the path to the user that needs to write it (`COPY --chown=10001:10001`, "
    "`chown`) with mode 0755/0644, or write to a volume; never `chmod -R 777`.",
    example="""
COPY --chown=10001:10001 app/ /app/
""",
)

_TEMP_DIRS = ("tmp", "var/tmp", "dev/shm", "run/lock", "var/lock")


def _in_temp(path: str) -> bool:
    return any(path == t or path.startswith(t + "/") for t in _TEMP_DIRS)


# I005
@check(WORLD_WRITABLE, on=Target.IMAGE)
def image_world_writable(img: ImageFacts) -> Iterator[Violation]:
    writable = sorted(
        p for p, _ in select_files(img.files, (FILE, DIR), mode_any=0o002) if not _in_temp(p)
    )
    reported: list[str] = []
    for path in writable:
        if any(path.startswith(r + "/") for r in reported[-1:]):
            continue
        f = img.files[path]
        kind = "directory" if f.kind == DIR else "file"
        below = 0
        if f.kind == DIR:
            prefix = path + "/"
            below = sum(1 for p in writable if p.startswith(prefix))
            reported.append(path)
        extra = f" and {below} path{'s' if below != 1 else ''} below it" if below else ""
        sticky = ", sticky" if f.kind == DIR and f.mode & 0o1000 else ""
        yield Violation(
            "I005",
            f"/files/{path}",
            f"{kind} /{path}{extra} is world-writable (mode {f.mode & 0o7777:04o}{sticky}), "
            f"from {img.layer_label(f.layer)}",
        )


LAYER_SECRET = image_rule(
    "I006",
    "secret-in-layer",
    "Credential in a file of the image",
    Severity.HIGH,
    what="A file in one of the image's layers holds a recognisable credential (private key, "
    "cloud access key, provider token, password in a URL or connection string: the "
    "detectors of the S rules, with their precision), also when a later layer deleted or "
    "replaced the file: the earlier layer still ships the bytes, and `docker save` or any "
    "registry client extracts them. The finding names the layer that holds the credential.",
    why="Layers are public to everyone who can pull the image and are never rewritten: "
    "deleting a key in a later `RUN` hides it from `ls`, not from an attacker.",
    fix="Rebuild without the file in any layer: use BuildKit secrets (`RUN --mount=type=secret`) "
    "or a build stage that is not shipped, add the file to `.dockerignore`, and revoke and "
    "rotate the credential.",
    example="""
RUN --mount=type=secret,id=deploy_key,target=/root/.ssh/id_ed25519 git clone …
""",
    cis="4.10 Ensure secrets are not stored in Dockerfiles",
    refs=("https://docs.docker.com/build/building/secrets/",),
    reports_secrets=True,
    trivy=("github-pat",),
)


# I006
@check(LAYER_SECRET, on=Target.IMAGE)
def image_layer_secret(img: ImageFacts) -> Iterator[Violation]:
    for s in sorted(img.secrets, key=lambda s: (s.layer, s.path, s.line, s.column)):
        where = f"/{s.path} line {s.line}, in {img.layer_label(s.layer)}"
        if s.deleted:
            pointer = f"/layers/{s.layer}/files/{s.path}"
            note = "; a later layer deleted or replaced the file, but this layer still holds it"
        else:
            pointer = f"/files/{s.path}"
            note = ""
        yield Violation(
            "I006",
            pointer,
            f"{s.kind} ({s.masked}) in {where}{note}",
            secrets=(s.raw,) if s.raw else (),
        )


CREDENTIAL_FILE = image_rule(
    "I007",
    "credential-file-in-image",
    "Private key or credential file in the image",
    Severity.HIGH,
    what="The image holds a file whose name says it is a credential: an SSH private key "
    "(`~/.ssh/id_*`, SSH host keys `/etc/ssh/ssh_host_*_key`), cloud credentials "
    "(`~/.aws/credentials`, gcloud's `application_default_credentials.json` and "
    "`credentials.db`, Azure CLI token caches), a kubeconfig (`~/.kube/config`), "
    "`.git-credentials`, `.netrc`, `.pgpass`. Empty files, and files I006 already reports "
    "for their content, are not reported again.",
    why="Whoever pulls the image gets the key or credential; SSH host keys baked into an image "
    "are shared by every container started from it, so one leaked copy lets an attacker "
    "impersonate all of them.",
    fix="Remove the file from every layer (mount it at build time as a BuildKit secret, or at "
    "run time from a Secret); generate SSH host keys when the container starts, if an SSH "
    "server is needed at all; revoke the credential.",
    example="""
RUN --mount=type=secret,id=aws,target=/root/.aws/credentials aws s3 cp …
""",
    cis="4.10 Ensure secrets are not stored in Dockerfiles",
    refs=("https://docs.docker.com/build/building/secrets/",),
)

_CREDENTIAL_PATHS = re.compile(
    r"(?:^|/)(?:"
    r"\.ssh/id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?"
    r"|etc/ssh/ssh_host_[a-z0-9]+_key"
    r"|\.aws/credentials"
    r"|\.config/gcloud/(?:application_default_credentials\.json|credentials\.db"
    r"|access_tokens\.db|legacy_credentials/[^/]+/adc\.json)"
    r"|\.azure/(?:accessTokens\.json|msal_token_cache\.(?:json|bin))"
    r"|\.kube/config"
    r"|\.git-credentials"
    r"|\.netrc"
    r"|\.pgpass"
    r")\Z"
)
#: every path :data:`_CREDENTIAL_PATHS` matches ends with one of these (a test proves it)
_CREDENTIAL_TAILS = (
    "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "_sk", "_key", "credentials", ".json", ".db",
    ".bin", "config", ".netrc", ".pgpass",
)  # fmt: skip

_WHAT = (
    ("ssh_host_", "an SSH host private key"),
    (".ssh/id_", "an SSH private key"),
    (".aws/", "AWS credentials"),
    ("gcloud/", "Google Cloud credentials"),
    (".azure/", "Azure CLI tokens"),
    (".kube/", "a kubeconfig"),
    (".git-credentials", "Git credentials"),
    (".netrc", "a .netrc with login credentials"),
    (".pgpass", "PostgreSQL passwords"),
)


def _what(path: str) -> str:
    return next(w for key, w in _WHAT if key in path)


# I007
@check(CREDENTIAL_FILE, on=Target.IMAGE)
def image_credential_file(img: ImageFacts) -> Iterator[Violation]:
    with_content_findings = {s.path for s in img.secrets if not s.deleted}
    named = sorted(search_paths(img.files, _CREDENTIAL_PATHS, _CREDENTIAL_TAILS))
    for path in named:
        f: FileInfo = img.files[path]
        if f.kind != FILE or f.size == 0 or path in with_content_findings:
            continue
        yield Violation(
            "I007",
            f"/files/{path}",
            f"/{path} is {_what(path)} ({f.size} bytes), from {img.layer_label(f.layer)}",
        )
