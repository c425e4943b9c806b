"""``hardhull keygen|sign|verify|attest|verify-attestation``: cosign's commands, with cosign's
files and storage, offline (issue #11; docs/supply-chain.md).

- ``keygen [--output-key-prefix cosign] [--force]``: ``cosign.key`` (encrypted) and
  ``cosign.pub``; the password from ``COSIGN_PASSWORD``, else asked twice on a terminal.
- ``sign --key cosign.key [-a KEY=VALUE]… [--store bundle|tag|both] REF``: signs the manifest
  digest REF names (a tag is resolved first, and said so); ``bundle`` (the default, cosign 3's)
  attaches a Sigstore bundle as an OCI referrer, ``tag`` writes cosign's ``sha256-<hex>.sig``.
- ``verify --key cosign.pub [-a KEY=VALUE]… REF``: prints the verified payloads as JSON (one
  array, as cosign does) and exits 0 when at least one signature verifies with the key and
  carries the annotations; 1 with the precise reason otherwise.
- ``attest --key cosign.key --type TYPE --predicate FILE REF`` and
  ``verify-attestation --key cosign.pub [--type TYPE] REF``: in-toto statements in DSSE
  envelopes (cosign's predicate types).

REF is a registry reference (``docker://`` optional); ``--insecure`` allows plain HTTP to a
registry on loopback. Exit codes: 0 done / verified; 1 nothing verified; 2 a usage error, a key
that cannot be read, a registry that cannot be reached.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hardhull.exitcodes import EXIT_ERROR, EXIT_OK, EXIT_UNVERIFIED

PASSWORD_ENV = "COSIGN_PASSWORD"
STORES = ("bundle", "tag", "both")


def _annotations(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-a", "--annotations", action="append", default=[], metavar="KEY=VALUE",
        help="annotation to sign (sign) or to require (verify); repeatable",
    )  # fmt: skip


def _registry(p: argparse.ArgumentParser) -> None:
    p.add_argument("ref", metavar="REF", help="image reference in a registry")
    p.add_argument(
        "--insecure", action="store_true",
        help="plain HTTP to a registry on loopback (127.0.0.1, ::1, localhost)",
    )  # fmt: skip


def add_keygen_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "keygen",
        help="write a cosign key pair (cosign.key, encrypted; cosign.pub)",
        description="Generate an ECDSA P-256 key pair in cosign's formats. The password comes "
        f"from ${PASSWORD_ENV}, else it is asked twice on the terminal.",
    )
    p.add_argument("--output-key-prefix", default="cosign", metavar="PREFIX",
                   help="write PREFIX.key and PREFIX.pub (default: cosign)")  # fmt: skip
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    return p


def add_sign_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "sign",
        help="sign an image in a registry with a cosign key",
        description="Sign the manifest digest REF names, as cosign does.",
    )
    p.add_argument("--key", required=True, metavar="FILE", help="private key (cosign.key)")
    _annotations(p)
    p.add_argument(
        "--store", choices=STORES, default="bundle",
        help="bundle: a Sigstore bundle referrer (cosign 3's default); tag: cosign's "
        "sha256-<hex>.sig tag; both",
    )  # fmt: skip
    _registry(p)
    return p


def add_verify_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "verify",
        help="verify an image's cosign signatures with a public key",
        description="Verify the signatures of the image REF names (bundle referrers and the "
        "sha256-<hex>.sig tag); print the verified payloads as JSON.",
    )
    p.add_argument("--key", required=True, action="append", metavar="FILE",
                   help="public key (cosign.pub); repeat for several")  # fmt: skip
    _annotations(p)
    _registry(p)
    return p


def add_attest_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "attest",
        help="attach a signed in-toto attestation (SBOM, vulnerabilities, …) to an image",
        description="Sign an in-toto statement about the image REF names, as cosign attest.",
    )
    p.add_argument("--key", required=True, metavar="FILE", help="private key (cosign.key)")
    p.add_argument("--type", required=True, metavar="TYPE",
                   help="predicate type: cyclonedx, spdx, spdxjson, vuln, custom, openvex, "
                   "slsaprovenance, slsaprovenance1, link, or a URI")  # fmt: skip
    p.add_argument("--predicate", required=True, metavar="FILE", help="the predicate file")
    p.add_argument("--store", choices=STORES, default="bundle",
                   help="bundle (default), tag (sha256-<hex>.att) or both")  # fmt: skip
    _registry(p)
    return p


def add_verify_attestation_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "verify-attestation",
        help="verify an image's attestations with a public key",
        description="Verify the in-toto attestations of the image REF names; print each "
        "verified DSSE envelope as a JSON line, as cosign does.",
    )
    p.add_argument("--key", required=True, action="append", metavar="FILE",
                   help="public key (cosign.pub); repeat for several")  # fmt: skip
    p.add_argument("--type", metavar="TYPE", default=None,
                   help="only attestations of this predicate type")  # fmt: skip
    _registry(p)
    return p


# -------------------------------------------------------------------------- passwords


def read_password(*, confirm: bool, what: str, env: Any = None) -> bytes | None:
    """The password from ``$COSIGN_PASSWORD`` (may be empty), else asked on the terminal
    (twice when ``confirm``); None (after saying why) when there is neither."""
    environ = os.environ if env is None else env
    if PASSWORD_ENV in environ:
        return str(environ[PASSWORD_ENV]).encode()
    if not sys.stdin.isatty():
        sys.stderr.write(
            f"hardhull: error: {what} needs a password: set {PASSWORD_ENV} or run on a terminal\n"
        )
        return None
    first = getpass.getpass(f"Enter password for {what}: ")
    if confirm and getpass.getpass(f"Enter password for {what} again: ") != first:
        sys.stderr.write("hardhull: error: the passwords differ\n")
        return None
    return first.encode()


def _parse_annotations(items: list[str]) -> dict[str, str] | None:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            sys.stderr.write(f"hardhull: error: -a {item!r}: expected KEY=VALUE\n")
            return None
        out[key] = value
    return out


def _read_file(path: str, what: str) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        sys.stderr.write(f"hardhull: error: {what} {path}: {exc.strerror or exc}\n")
        return None


# --------------------------------------------------------------------------- commands


def cmd_keygen(args: argparse.Namespace) -> int:
    from hardhull.sign import SignError
    from hardhull.sign.keys import generate_key_pair

    key_path = Path(f"{args.output_key_prefix}.key")
    pub_path = Path(f"{args.output_key_prefix}.pub")
    if not args.force:
        for path in (key_path, pub_path):
            if path.exists():
                sys.stderr.write(f"hardhull: error: {path} exists (--force overwrites it)\n")
                return EXIT_ERROR
    password = read_password(confirm=True, what="the private key")
    if password is None:
        return EXIT_ERROR
    try:
        private_pem, public_pem = generate_key_pair(password)
    except SignError as exc:
        sys.stderr.write(f"hardhull: error: {exc}\n")
        return EXIT_ERROR
    try:
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(private_pem)
        pub_path.write_bytes(public_pem)
    except OSError as exc:
        sys.stderr.write(f"hardhull: error: cannot write the keys: {exc.strerror or exc}\n")
        return EXIT_ERROR
    sys.stderr.write(f"Private key written to {key_path}\nPublic key written to {pub_path}\n")
    return EXIT_OK


def _run(action: Callable[[], int]) -> int:
    """Run a registry action: key, payload and registry problems are clean errors."""
    from hardhull.oci.model import ImageError
    from hardhull.sign import SignError

    try:
        return action()
    except SignError as exc:
        sys.stderr.write(f"hardhull: error: {exc}\n")
        return EXIT_ERROR
    except ImageError as exc:
        sys.stderr.write(f"hardhull: error: {exc}\n")
        return EXIT_ERROR


def _private_key(path: str) -> Any:
    from hardhull.sign import SignError
    from hardhull.sign.keys import load_private_key, needs_password

    data = _read_file(path, "key")
    if data is None:
        return None
    password = None
    if needs_password(data):
        password = read_password(confirm=False, what=path)
        if password is None:
            return None
    try:
        return load_private_key(data, password, source=path)
    except SignError as exc:
        sys.stderr.write(f"hardhull: error: {exc}\n")
        return None


def _public_keys(paths: list[str]) -> list[Any] | None:
    from hardhull.sign import SignError
    from hardhull.sign.keys import load_public_key

    keys = []
    for path in paths:
        data = _read_file(path, "key")
        if data is None:
            return None
        try:
            keys.append(load_public_key(data, source=path))
        except SignError as exc:
            sys.stderr.write(f"hardhull: error: {exc}\n")
            return None
    return keys


def _say_done(ref: str, done: Any, doing: str, what: str) -> int:
    """What ``sign``/``attest`` did, on stderr: the tag resolved first, where it was stored."""
    if done.resolved_from:
        sys.stderr.write(
            f"hardhull: {ref}: the tag {done.resolved_from} names {done.digest} now: "
            f"{doing} that digest\n"
        )
    for where in done.stored:
        sys.stderr.write(f"hardhull: {what} of {done.image} stored {where}\n")
    return EXIT_OK


def cmd_sign(args: argparse.Namespace) -> int:
    from hardhull.signatures.flows import sign_image

    annotations = _parse_annotations(args.annotations)
    if annotations is None:
        return EXIT_ERROR
    key = _private_key(args.key)
    if key is None:
        return EXIT_ERROR

    def action() -> int:
        done = sign_image(args.ref, key, annotations, store=args.store, insecure=args.insecure)
        return _say_done(args.ref, done, "signing", "signature")

    return _run(action)


def cmd_verify(args: argparse.Namespace) -> int:
    from hardhull.signatures.flows import verify_image

    annotations = _parse_annotations(args.annotations)
    keys = _public_keys(args.key)
    if annotations is None or keys is None:
        return EXIT_ERROR

    def action() -> int:
        report = verify_image(args.ref, keys, annotations, insecure=args.insecure)
        if not report.verified:
            sys.stderr.write(f"hardhull: {args.ref}: not verified: {report.reason}\n")
            return EXIT_UNVERIFIED
        sys.stderr.write(
            f"\nVerification for {report.image} --\n"
            "The following checks were performed on each of these signatures:\n"
            "  - The cosign claims were validated\n"
            "  - The signatures were verified against the specified public key\n"
            "  - No transparency log or certificate was checked (offline; "
            "docs/supply-chain.md)\n"
        )
        docs = [json.loads(v.payload) for v in report.verified]
        sys.stdout.write(json.dumps(docs, separators=(",", ":")) + "\n")
        return EXIT_OK

    return _run(action)


def cmd_attest(args: argparse.Namespace) -> int:
    from hardhull.signatures.flows import attest_image

    key = _private_key(args.key)
    predicate = _read_file(args.predicate, "predicate")
    if key is None or predicate is None:
        return EXIT_ERROR

    def action() -> int:
        done = attest_image(
            args.ref, key, args.type, predicate, store=args.store, insecure=args.insecure
        )
        return _say_done(args.ref, done, "attesting", "attestation")

    return _run(action)


def cmd_verify_attestation(args: argparse.Namespace) -> int:
    from hardhull.signatures.flows import verify_attestations

    keys = _public_keys(args.key)
    if keys is None:
        return EXIT_ERROR

    def action() -> int:
        report = verify_attestations(args.ref, keys, args.type, insecure=args.insecure)
        if not report.verified:
            sys.stderr.write(f"hardhull: {args.ref}: not verified: {report.reason}\n")
            return EXIT_UNVERIFIED
        for v in report.verified:
            sys.stdout.write(json.dumps(v.envelope, separators=(",", ":")) + "\n")
        sys.stderr.write(
            f"\nVerification for {report.image} --\n"
            "The following checks were performed on each of these attestations:\n"
            "  - The statements' subjects name the image's digest\n"
            "  - The signatures were verified against the specified public key\n"
            "  - No transparency log or certificate was checked (offline)\n"
        )
        return EXIT_OK

    return _run(action)
