"""``hardhull admission certs``: the written CA and serving certificate, parsed and used."""

from __future__ import annotations

import argparse
import os
import socket
import ssl
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from hardhull.admission import certs

SVC = "hardhull-admission.hardhull.svc"
SVC_LOCAL = "hardhull-admission.hardhull.svc.cluster.local"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``hardhull admission ARGV`` through the real CLI when it is wired, else through the
    certs subparser the admission CLI registers."""
    from hardhull import cli

    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if "admission" in sub.choices:
        code = cli.main(["admission", *argv])
    else:  # pragma: no cover - until `hardhull admission` is wired into the main CLI
        p = argparse.ArgumentParser(prog="hardhull admission")
        certs.register_certs_parser(p.add_subparsers(dest="admission_command"))
        args = p.parse_args(argv)
        code = args.admission_func(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("certs") / "tls"
    parser = argparse.ArgumentParser()
    certs.register_certs_parser(parser.add_subparsers())
    args = parser.parse_args(
        ["certs", "--dns", SVC, "--dns", SVC_LOCAL, "--days", "30", "--out", str(out)]
    )
    assert args.admission_command == "certs"
    assert args.admission_func is certs.cmd_certs
    assert certs.cmd_certs(args) == 0
    return out


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_files_and_modes(written: Path) -> None:
    assert sorted(os.listdir(written)) == ["ca.crt", "tls.crt", "tls.key"]
    assert stat.S_IMODE(os.stat(written).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(written / "tls.key").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(written / "tls.crt").st_mode) == 0o644
    assert stat.S_IMODE(os.stat(written / "ca.crt").st_mode) == 0o644
    # the CA's private key is not kept anywhere
    assert b"PRIVATE KEY" not in (written / "ca.crt").read_bytes()
    assert b"PRIVATE KEY" not in (written / "tls.crt").read_bytes()


def test_serving_certificate(written: Path) -> None:
    cert = load(written / "tls.crt")
    ca = load(written / "ca.crt")
    ext = cert.extensions
    san = ext.get_extension_for_class(x509.SubjectAlternativeName)
    assert san.critical is False
    assert list(san.value) == [x509.DNSName(SVC), x509.DNSName(SVC_LOCAL)]
    eku = ext.get_extension_for_class(x509.ExtendedKeyUsage)
    assert list(eku.value) == [ExtendedKeyUsageOID.SERVER_AUTH]
    bc = ext.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical is True
    assert (bc.value.ca, bc.value.path_length) == (False, None)
    ku = ext.get_extension_for_class(x509.KeyUsage)
    assert ku.critical is True
    assert ku.value.digital_signature is True
    assert (ku.value.key_cert_sign, ku.value.crl_sign, ku.value.key_encipherment) == (
        False,
        False,
        False,
    )
    aki = ext.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == SVC
    assert cert.issuer == ca.subject
    assert cert.version is x509.Version.v3
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)
    # validity: backdated 5 minutes for clock skew, 30 days from now
    now = datetime.now(UTC)
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    assert end - start == timedelta(days=30, minutes=5)
    assert now - timedelta(minutes=6) < start < now - timedelta(minutes=4)
    # the key: ECDSA P-256, and it is the certificate's key
    key = serialization.load_pem_private_key((written / "tls.key").read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert isinstance(key.curve, ec.SECP256R1)
    assert key.public_key() == cert.public_key()


def test_ca_certificate(written: Path) -> None:
    ca = load(written / "ca.crt")
    bc = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical is True
    assert (bc.value.ca, bc.value.path_length) == (True, 0)
    ku = ca.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical is True
    assert (ku.value.key_cert_sign, ku.value.crl_sign, ku.value.digital_signature) == (
        True,
        True,
        False,
    )
    with pytest.raises(x509.ExtensionNotFound):
        ca.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert ca.subject == ca.issuer
    ca.verify_directly_issued_by(ca)  # self-signed: its own key verifies its signature
    assert isinstance(ca.public_key(), ec.EllipticCurvePublicKey)
    cert = load(written / "tls.crt")
    assert ca.not_valid_before_utc == cert.not_valid_before_utc
    assert ca.not_valid_after_utc == cert.not_valid_after_utc


def test_chain_verifies(written: Path) -> None:
    ca, cert = load(written / "ca.crt"), load(written / "tls.crt")
    cert.verify_directly_issued_by(ca)
    pub = ca.public_key()
    assert isinstance(pub, ec.EllipticCurvePublicKey)
    assert cert.signature_hash_algorithm is not None
    pub.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
    # full RFC 5280 path validation for a TLS server name (EKU, basic constraints, key usage)
    store = Store([ca])
    for name in (SVC, SVC_LOCAL):
        chain = PolicyBuilder().store(store).build_server_verifier(x509.DNSName(name))
        assert chain.verify(cert, []) == [cert, ca]
    other = PolicyBuilder().store(store).build_server_verifier(x509.DNSName("evil.example"))
    with pytest.raises(VerificationError):
        other.verify(cert, [])
    # a CA from another run does not vouch for this certificate
    foreign = x509.load_pem_x509_certificate(certs.generate([SVC]).ca_pem)
    assert foreign.subject == ca.subject  # same name: only the signature tells them apart
    with pytest.raises(InvalidSignature):
        cert.verify_directly_issued_by(foreign)


def test_generate_exact_validity_and_ip_sans() -> None:
    now = datetime(2030, 1, 2, 3, 4, 5, 678, tzinfo=UTC)
    b = certs.generate(
        ["Web.Example.", "web.example", "*.web.example"], ["127.0.0.1", "::1"], 7, now
    )
    cert = x509.load_pem_x509_certificate(b.cert_pem)
    assert cert.not_valid_before_utc == datetime(2030, 1, 2, 2, 59, 5, tzinfo=UTC)
    assert cert.not_valid_after_utc == datetime(2030, 1, 9, 3, 4, 5, tzinfo=UTC)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["web.example", "*.web.example"]
    assert [str(a) for a in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1", "::1"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--dns", "bad name"], "not a DNS name: 'bad name'"),
        (["--dns=-x.example"], "not a DNS name: '-x.example' (label '-x')"),
        (["--dns", "a.example", "--days", "0"], "--days must be between 1 and 825, not 0"),
        (["--dns", "a.example", "--days", "900"], "--days must be between 1 and 825, not 900"),
        (["--dns", "a.example", "--ip", "300.1.1.1"], "does not appear to be an IPv4 or IPv6"),
    ],
)
def test_bad_input(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c"
    code, _, err = run(["certs", *argv, "--out", str(out)], capsys)
    assert code == 2
    assert err.startswith("hardhull: error: ")
    assert message in err
    assert not out.exists()


def test_refuses_to_overwrite_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c"
    code, stdout, _ = run(["certs", "--dns", SVC, "--out", str(out)], capsys)
    assert code == 0
    assert stdout == "".join(f"wrote {out / n}\n" for n in ("ca.crt", "tls.crt", "tls.key"))
    before = {n: (out / n).read_bytes() for n in certs.FILES}
    code, _, err = run(["certs", "--dns", SVC, "--out", str(out)], capsys)
    assert code == 2
    assert err == (
        f"hardhull: error: refusing to overwrite {out / 'ca.crt'}, {out / 'tls.crt'}, "
        f"{out / 'tls.key'} (use --force to replace them)\n"
    )
    assert {n: (out / n).read_bytes() for n in certs.FILES} == before
    # one file in the way is enough to refuse, and nothing else is written
    other = tmp_path / "d"
    other.mkdir()
    (other / "tls.key").write_text("mine")
    code, _, err = run(["certs", "--dns", SVC, "--out", str(other)], capsys)
    assert code == 2
    assert sorted(os.listdir(other)) == ["tls.key"]
    assert (other / "tls.key").read_text() == "mine"
    # --force replaces all three, atomically (no temporary file left), with the right modes
    os.chmod(out / "tls.key", 0o644)
    code, _, _ = run(["certs", "--dns", SVC, "--out", str(out), "--force"], capsys)
    assert code == 0
    assert sorted(os.listdir(out)) == ["ca.crt", "tls.crt", "tls.key"]
    for n in certs.FILES:
        assert (out / n).read_bytes() != before[n]
    assert stat.S_IMODE(os.stat(out / "tls.key").st_mode) == 0o600
    load(out / "tls.crt").verify_directly_issued_by(load(out / "ca.crt"))


def _serve_once(ctx: ssl.SSLContext, sock: socket.socket, errors: list[BaseException]) -> None:
    try:
        conn, _ = sock.accept()
        with ctx.wrap_socket(conn, server_side=True) as tls:
            data = tls.recv(5)
            tls.sendall(data.upper())
    except (OSError, ssl.SSLError) as exc:
        errors.append(exc)


def _handshake(written: Path, client: ssl.SSLContext, hostname: str) -> bytes:
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(written / "tls.crt", written / "tls.key")
    errors: list[BaseException] = []
    with socket.create_server(("127.0.0.1", 0)) as sock:
        sock.settimeout(10)
        t = threading.Thread(target=_serve_once, args=(server, sock, errors), daemon=True)
        t.start()
        try:
            with (
                socket.create_connection(sock.getsockname(), timeout=10) as raw,
                client.wrap_socket(raw, server_hostname=hostname) as tls,
            ):
                assert tls.version() in ("TLSv1.2", "TLSv1.3")
                tls.sendall(b"hello")
                return tls.recv(5)
        finally:
            t.join(10)


def test_tls_handshake_with_ca_as_trust_root(written: Path) -> None:
    client = ssl.create_default_context(cafile=str(written / "ca.crt"))
    assert client.verify_mode is ssl.CERT_REQUIRED and client.check_hostname
    assert _handshake(written, client, SVC) == b"HELLO"
    assert _handshake(written, client, SVC_LOCAL) == b"HELLO"


def test_tls_handshake_rejects_wrong_name_and_unknown_ca(written: Path, tmp_path: Path) -> None:
    client = ssl.create_default_context(cafile=str(written / "ca.crt"))
    with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
        _handshake(written, client, "other.hardhull.svc")
    foreign = tmp_path / "foreign.crt"
    foreign.write_bytes(certs.generate([SVC]).ca_pem)
    stranger = ssl.create_default_context(cafile=str(foreign))
    with pytest.raises(ssl.SSLCertVerificationError, match="unable to get local issuer"):
        _handshake(written, stranger, SVC)
