"""What the webhook's ``verify-images`` rules are made of: the verifier's interface, the rules,
their public keys, and how an image reference is matched against their patterns.

- :class:`VerifiedImage` and :data:`Verify`: the one function the webhook calls to verify an
  image; :func:`registry_verifier` makes the real one (the registry's signatures, checked as
  ``hardhull verify`` checks them); :mod:`hardhull.admission.verification` calls it.
- :class:`ImageRule` (one ``verify-images`` entry) and :class:`VerifySettings` (its caches and
  concurrency), built by :mod:`hardhull.admission.policy`.
- :func:`load_public_key`: every public key the policy names is read here, and only here.
- :func:`image_matches`: a rule's glob patterns against an image reference (docs/admission.md,
  "Only signed images", says exactly how).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # start-up time: `hardhull scan` reads policies and needs neither
    from hardhull.sign.crypto import PublicKey

ENFORCE, WARN, AUDIT = "enforce", "warn", "audit"
#: the modes of a verify-images rule (`off`: disable K042 instead)
RULE_MODES = (ENFORCE, WARN, AUDIT)


@dataclass(frozen=True)
class VerifiedImage:
    """What a successful verification established."""

    #: the image reference as written in the pod
    reference: str
    #: the manifest digest the signature is bound to ("sha256:…")
    digest: str
    #: :func:`hardhull.sign.crypto.key_id` of the key that verified
    key_id: str


#: ``verify(reference as written, the rule's public keys, required annotations)``: returns the
#: :class:`VerifiedImage`; raises :class:`hardhull.sign.SignError` (the message is the reason
#: shown to the user) when no signature verifies, :class:`hardhull.oci.model.ImageError` or
#: :class:`OSError` when the registry cannot be reached or answers badly. Synchronous and
#: blocking: the webhook runs it in a bounded thread pool, never on the event loop.
Verify = Callable[[str, Sequence["PublicKey"], Mapping[str, str]], VerifiedImage]


def registry_verifier(insecure_registries: Sequence[str] = ()) -> Verify:
    """The verifier the server uses when none is injected: the image's signatures read from
    its registry and checked as ``hardhull verify`` checks them
    (:func:`hardhull.signatures.flows.verify_image`: cosign's bundle referrers and ``.sig``
    tag, the digest, the annotations). ``insecure_registries``: ``host:port`` of loopback
    registries spoken to in plain HTTP (the policy's ``verify-images-insecure-registries``)."""
    plain = frozenset(r.lower() for r in insecure_registries)

    def verify(
        reference: str, keys: Sequence[PublicKey], annotations: Mapping[str, str]
    ) -> VerifiedImage:
        from hardhull.oci.model import ImageError  # start-up time
        from hardhull.oci.reference import ReferenceError, parse_reference
        from hardhull.sign import SignError
        from hardhull.signatures.flows import verify_image

        try:
            registry = parse_reference(reference).registry.lower()
        except ReferenceError as exc:
            raise ImageError(str(exc)) from None
        report = verify_image(reference, keys, annotations, insecure=registry in plain, first=True)
        if not report.verified:
            raise SignError(report.reason)
        return VerifiedImage(reference, report.digest, report.verified[0].key_id)

    return verify


def registry_verify(
    reference: str, keys: Sequence[PublicKey], annotations: Mapping[str, str]
) -> VerifiedImage:
    """:func:`registry_verifier` with HTTPS to every registry."""
    return registry_verifier()(reference, keys, annotations)


# --------------------------------------------------------------------------- keys


@dataclass(frozen=True)
class TrustedKey:
    """A public key of a rule and where the policy named it (for messages)."""

    key: Any = field(compare=False)  # a hardhull.sign.crypto.PublicKey
    #: "/etc/hardhull/verify-keys/cosign.pub" or "inline key 2"
    source: str
    key_id: str


class KeyLoadError(Exception):
    """A key that cannot be read or used; the message says why (never the key itself)."""


def load_public_key(pem: bytes, source: str) -> TrustedKey:
    """A PEM public key (PKIX ``PUBLIC KEY``, as ``cosign.pub``) of a type the signature
    verifier takes; :class:`KeyLoadError` otherwise. The one place keys are loaded."""
    # start-up time: cryptography only when a policy names keys
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from hardhull.sign import SignError
    from hardhull.sign.crypto import check_key, key_id

    try:
        key = load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise KeyLoadError(f"{source}: not a PEM public key ({first[:120]})") from None
    except Exception as exc:  # cryptography's unsupported algorithms and the like
        raise KeyLoadError(f"{source}: not a usable public key ({type(exc).__name__})") from None
    try:
        check_key(key)
    except SignError as exc:
        raise KeyLoadError(f"{source}: {exc}") from None
    return TrustedKey(key, source, key_id(key))  # type: ignore[arg-type]  # checked above


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class ImageRule:
    """One ``verify-images`` entry of the policy."""

    #: position in the policy's list (0-based): names the rule in messages and cache keys
    index: int
    images: tuple[str, ...]
    keys: tuple[TrustedKey, ...]
    annotations: Mapping[str, str] = field(default_factory=dict)
    mode: str = ENFORCE
    mutate_digest: bool = False

    def matches(self, image: str) -> bool:
        return any(image_matches(p, image) for p in self.images)

    @property
    def public_keys(self) -> tuple[PublicKey, ...]:
        return tuple(k.key for k in self.keys)


#: defaults of ``verify-images-cache`` and ``verify-images-concurrency``
DEFAULT_TTL = 300.0
DEFAULT_TAG_TTL = 60.0
DEFAULT_CACHE_SIZE = 4096
DEFAULT_PER_REGISTRY = 16
#: verifier calls running at once over all registries (the thread pool's size)
DEFAULT_MAX_CALLS = 64


@dataclass(frozen=True)
class VerifySettings:
    """``verify-images-cache`` (ttl, tag-ttl, size) and ``verify-images-concurrency``."""

    #: how long a verified digest stays verified
    ttl: float = DEFAULT_TTL
    #: how long a tag's digest (and any denial) is trusted before the registry is asked again
    tag_ttl: float = DEFAULT_TAG_TTL
    size: int = DEFAULT_CACHE_SIZE
    #: verifier calls at once per registry host
    per_registry: int = DEFAULT_PER_REGISTRY
    max_calls: int = DEFAULT_MAX_CALLS
    #: ``host:port`` of loopback registries spoken to in plain HTTP
    insecure_registries: tuple[str, ...] = ()


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)?")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration(value: object) -> float | None:
    """Seconds of ``300``, ``300s``, ``5m``, ``1h``, ``500ms``; None when it is none of them
    or not positive."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        m = _DURATION.fullmatch(value.strip())
        if not m:
            return None
        seconds = float(m.group(1)) * _UNITS[m.group(2)]
    else:
        return None
    return seconds if seconds > 0 else None


# --------------------------------------------------------------------------- matching

_HUB = "docker.io"
_HUB_ALIASES = ("index.docker.io/", "registry-1.docker.io/")


@lru_cache(maxsize=1024)
def _pattern(pattern: str) -> re.Pattern[str]:
    text = pattern.strip()
    low = text.lower()
    for alias in _HUB_ALIASES:
        if low.startswith(alias):
            text = _HUB + "/" + text[len(alias) :]
            break
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in text)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


@lru_cache(maxsize=4096)
def reference_forms(image: str) -> tuple[str, ...]:
    """Every spelling of ``image`` a pattern is tried against (see :func:`image_matches`)."""
    from hardhull.oci.reference import ReferenceError, parse_reference  # start-up time

    written = image.strip()
    forms = [written]
    try:
        ref = parse_reference(written)
    except ReferenceError:
        return tuple(forms)
    registry = ref.registry.lower()
    names = [f"{registry}/{ref.repository}"]
    if registry.endswith(":443"):  # the HTTPS default port names the same registry
        names.append(f"{registry[:-4]}/{ref.repository}")
    if registry == _HUB:
        short = ref.repository.removeprefix("library/")
        names += [f"{_HUB}/{short}", short, ref.repository]
    suffixes = [""]
    if ref.tag:
        suffixes.append(f":{ref.tag}")
    if ref.digest:
        suffixes.append(f"@{ref.digest}")
        if ref.tag:
            suffixes.append(f":{ref.tag}@{ref.digest}")
    forms += [n + s for n in names for s in suffixes]
    return tuple(dict.fromkeys(forms))


def image_matches(pattern: str, image: str) -> bool:
    """Whether the glob ``pattern`` names ``image``.

    ``*`` matches any run of characters, ``/`` and ``:`` included (as Kyverno's
    ``imageReferences``), ``?`` one character; the match is whole and ignores case. The
    pattern is tried against the reference as written and against its normalised spellings:
    registry made explicit and lower-cased (``docker.io`` for Docker Hub, its aliases
    ``index.docker.io`` and ``registry-1.docker.io`` folded, ``:443`` dropped), Docker Hub
    names with and without ``library/``, and the name alone, with its tag, with its digest
    and with both (``latest`` when neither is written). So a pattern names an image however
    the pod spells it: a rule applies more readily, never less.
    """
    rx = _pattern(pattern)
    return any(rx.fullmatch(form) for form in reference_forms(image))
