"""Signing and verifying container images the way cosign does, offline (issue #11).

Modules:

- :mod:`hardhull.sign.crypto`: signing and verifying bytes with the key types cosign uses
  (ECDSA P-256/P-384/P-521 with SHA-256, Ed25519, RSA PKCS#1 v1.5 with SHA-256), a public key's
  PEM and its key ID. Keys are ``cryptography`` key objects.
- :mod:`hardhull.sign.keys`: cosign's key files (encrypted private key PEM with scrypt and
  NaCl secretbox; PKIX public key PEM), read and written.
- :mod:`hardhull.sign.simplesign`: the "simple signing" payload cosign signs for an image.
- :mod:`hardhull.sign.dsse`, :mod:`hardhull.sign.bundle`: DSSE envelopes with in-toto
  statements (attestations) and Sigstore bundles (v0.3), written and verified with a public
  key.

Every failure is a :class:`SignError` whose message says precisely what did not hold (no
signature, another digest, bad signature, wrong key, annotation mismatch, a damaged file),
never a traceback, never a private key or password.

What is verified offline and what is not: a signature against a public key the user gives.
Transparency-log inclusion (Rekor) and keyless certificates (Fulcio) need the network and a
trusted root; the verifiers take the parts of a bundle they check explicitly, so those checks
can be added beside them later (docs/supply-chain.md).
"""

from __future__ import annotations


class SignError(Exception):
    """A key, signature, payload or bundle that cannot be used, and why."""


__all__ = ["SignError"]
