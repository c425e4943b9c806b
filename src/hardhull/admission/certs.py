"""``hardhull admission certs``: a self-signed CA and a serving certificate for a quick start.

Writes ``DIR/ca.crt`` (the CA certificate: the webhook configurations' ``caBundle``),
``DIR/tls.crt`` and ``DIR/tls.key`` (the serving certificate and its key, mode 0600).

Keys are ECDSA P-256: a P-256 signature costs the server a fraction of an RSA-2048 one in
every TLS handshake, the keys and certificates are a few hundred bytes, and every client that
matters here accepts it (the API server's Go ``crypto/tls``, cert-manager, OpenSSL, Python's
``ssl``). The CA's private key is never written: it signs the one serving certificate and is
discarded, so a stolen directory cannot mint more certificates. To renew, run the command again
with ``--force`` and update the ``caBundle``.

Production clusters should prefer cert-manager (``hardhull admission manifests --cert-manager``),
which renews the certificate and injects the CA bundle by itself.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only; cryptography is imported lazily
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey

from hardhull.exitcodes import EXIT_ERROR, EXIT_OK

CA_FILE, CERT_FILE, KEY_FILE = "ca.crt", "tls.crt", "tls.key"
FILES = (CA_FILE, CERT_FILE, KEY_FILE)

DEFAULT_DAYS = 365
#: an upper bound that still forces a rotation now and then (the CA/Browser Forum's old
#: 825-day limit for TLS server certificates; the API server itself sets none)
MAX_DAYS = 825
#: notBefore is set this far in the past so nodes whose clocks lag a little accept the cert
BACKDATE = timedelta(minutes=5)

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class CertError(Exception):
    """A usage error: bad names, bad validity, files in the way."""


@dataclass(frozen=True)
class Bundle:
    """PEM texts of one CA and the serving certificate it signed."""

    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes


def check_dns_name(name: str) -> str:
    """Return ``name`` lower-cased when it is a valid DNS SAN (``*.`` first label allowed)."""
    text = name.strip().lower().rstrip(".")
    if not text or len(text) > 253:
        raise CertError(f"not a DNS name: {name!r}")
    labels = text.split(".")
    for i, label in enumerate(labels):
        if label == "*" and i == 0 and len(labels) > 1:
            continue
        if not _LABEL.match(label):
            raise CertError(f"not a DNS name: {name!r} (label {label!r})")
    return text


def _unique(items: Sequence[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def generate(
    dns_names: Sequence[str],
    ip_addresses: Sequence[str] = (),
    days: int = DEFAULT_DAYS,
    now: datetime | None = None,
) -> Bundle:
    """Create a CA and a serving certificate for exactly these names. Pure: no file I/O."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    names = _unique([check_dns_name(n) for n in dns_names])
    try:
        ips = _unique([str(ipaddress.ip_address(a.strip())) for a in ip_addresses])
    except ValueError as exc:
        raise CertError(str(exc)) from None
    if not names:
        raise CertError("at least one --dns NAME is needed")
    if not 1 <= days <= MAX_DAYS:
        raise CertError(f"--days must be between 1 and {MAX_DAYS}, not {days}")

    start = (now or datetime.now(UTC)).replace(microsecond=0) - BACKDATE
    end = start + BACKDATE + timedelta(days=days)

    ca_key: EllipticCurvePrivateKey = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "hardhull"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"hardhull admission CA for {names[0]}"[:64]),
        ]
    )
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    key = ec.generate_private_key(ec.SECP256R1())
    sans: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    sans += [x509.IPAddress(ipaddress.ip_address(a)) for a in ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0][:64])]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    return Bundle(
        ca_pem=ca_cert.public_bytes(pem),
        cert_pem=cert.public_bytes(pem),
        key_pem=key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )


def _write(path: str, data: bytes, mode: int, force: bool) -> None:
    """Write atomically (temp file + rename, so a server watching the file never reads half of
    it); without ``force`` the final name is claimed with O_EXCL first, so nothing is replaced."""
    directory = os.path.dirname(path) or "."
    if not force:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        os.close(fd)
    fd, tmp = tempfile.mkstemp(prefix=".hardhull-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.chmod(path, mode)  # a pre-existing file replaced by --force keeps no looser mode


def write_bundle(bundle: Bundle, out_dir: str, force: bool = False) -> list[str]:
    """Write the three files into ``out_dir`` (created 0700 if missing); return their paths."""
    os.makedirs(out_dir, mode=0o700, exist_ok=True)
    paths = [os.path.join(out_dir, name) for name in FILES]
    if not force:
        present = [p for p in paths if os.path.lexists(p)]
        if present:
            raise CertError(
                f"refusing to overwrite {', '.join(present)} (use --force to replace them)"
            )
    # key first, certificate last: a reloading server that sees the new tls.crt finds its key
    _write(paths[0], bundle.ca_pem, 0o644, force)
    _write(paths[2], bundle.key_pem, 0o600, force)
    _write(paths[1], bundle.cert_pem, 0o644, force)
    return paths


def register_certs_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``certs`` to the ``hardhull admission`` subcommands."""
    p = sub.add_parser(
        "certs",
        help="write a self-signed CA and a serving certificate for a quick start",
        description=(
            "Write DIR/ca.crt (a self-signed CA, for the webhooks' caBundle), DIR/tls.crt and "
            "DIR/tls.key (the serving certificate it signed and its key, mode 0600). ECDSA "
            "P-256; the CA key is not kept. For production prefer cert-manager."
        ),
    )
    p.add_argument(
        "--dns",
        action="append",
        default=[],
        required=True,
        metavar="NAME",
        help="DNS name of the serving certificate, e.g. hardhull-admission.hardhull.svc "
        "(repeatable; every name becomes a SAN)",
    )
    p.add_argument(
        "--ip",
        action="append",
        default=[],
        metavar="ADDR",
        help="IP address SAN, e.g. 127.0.0.1 for local tests (repeatable)",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="directory to write into")
    p.add_argument(
        "--days",
        type=int,
        default=DEFAULT_DAYS,
        metavar="N",
        help=f"validity in days (default {DEFAULT_DAYS}, at most {MAX_DAYS})",
    )
    p.add_argument("--force", action="store_true", help="replace existing files")
    p.set_defaults(admission_command="certs", admission_func=cmd_certs)


def cmd_certs(args: argparse.Namespace) -> int:
    try:
        bundle = generate(args.dns, args.ip, args.days)
        paths = write_bundle(bundle, args.out, force=args.force)
    except CertError as exc:
        sys.stderr.write(f"hardhull: error: {exc}\n")
        return EXIT_ERROR
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        sys.stderr.write(f"hardhull: cannot write{where}: {exc.strerror or exc}\n")
        return EXIT_ERROR
    for path in paths:
        sys.stdout.write(f"wrote {path}\n")
    return EXIT_OK
