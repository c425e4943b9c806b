"""How the two sides of a connection combine into a :class:`~hardhull.netpol.model.Decision`
(the source's egress AND the destination's ingress), with the reason shown to the user; shared
by :meth:`Network.allowed <hardhull.netpol.network.Network.allowed>` and
:meth:`Network.matrix <hardhull.netpol.network.Network.matrix>`."""

from __future__ import annotations

from hardhull.netpol.model import PROTOCOLS, Decision, Endpoint, Peer, Policy


def check_query(port: int, protocol: str) -> str:
    """The protocol of a query, upper-cased; ValueError for a bad port or protocol."""
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(f"port must be an integer from 1 to 65535, not {port!r}")
    proto = protocol.upper()
    if proto not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)}, not {protocol!r}")
    return proto


class PolicyNames:
    """Sorted ``ns/name`` lists of policy lists, computed once per distinct list."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, ...], tuple[str, ...]] = {}

    def __call__(self, policies: list[Policy]) -> tuple[str, ...]:
        key = tuple(map(id, policies))
        got = self._cache.get(key)
        if got is None:
            got = self._cache[key] = tuple(sorted(p.ref for p in policies))
        return got


_HOST_NETWORK_NOTE = (
    " (note: {} uses the host network; NetworkPolicy behavior for host-network pods is "
    "undefined and most plugins treat their traffic as node traffic)"
)


def peer_facts(ep: Peer) -> tuple[str, bool, bool]:
    """(display ref, is a pod of the set, uses the host network)."""
    if isinstance(ep, Endpoint):
        return ep.ref, True, ep.host_network
    return str(ep.address), False, False


def decide(
    src: tuple[str, bool, bool],
    dst: tuple[str, bool, bool],
    port: int,
    protocol: str,
    eg_pols: tuple[str, ...],
    eg_ok: tuple[str, ...],
    in_pols: tuple[str, ...],
    in_ok: tuple[str, ...],
) -> Decision:
    """Combine both sides; the tuples are sorted policy names (empty: none)."""
    src_ref, src_pod, src_host = src
    dst_ref, dst_pod, dst_host = dst
    eg_names: tuple[str, ...]
    in_names: tuple[str, ...]
    if not src_pod:
        eg_allowed, eg_names = True, ()
        eg_text = "egress: source is not a pod of the set"
    elif not eg_pols:
        eg_allowed, eg_names = True, ()
        eg_text = f"egress: no policy isolates {src_ref}"
    elif eg_ok:
        eg_allowed, eg_names = True, eg_ok
        eg_text = f"egress: allowed by {', '.join(eg_ok)}"
    else:
        eg_allowed, eg_names = False, eg_pols
        eg_text = (
            f"egress: {src_ref} is isolated by {', '.join(eg_pols)} and no egress rule admits "
            f"{dst_ref} on {port}/{protocol}"
        )
    if not dst_pod:
        in_allowed, in_names = True, ()
        in_text = "ingress: destination is not a pod of the set"
    elif not in_pols:
        in_allowed, in_names = True, ()
        in_text = f"ingress: no policy isolates {dst_ref}"
    elif in_ok:
        in_allowed, in_names = True, in_ok
        in_text = f"ingress: allowed by {', '.join(in_ok)}"
    else:
        in_allowed, in_names = False, in_pols
        in_text = (
            f"ingress: {dst_ref} is isolated by {', '.join(in_pols)} and no ingress rule admits "
            f"{src_ref} on {port}/{protocol}"
        )
    ok = eg_allowed and in_allowed
    reason = f"{'allowed' if ok else 'denied'}: {eg_text}; {in_text}"
    if src_host or dst_host:
        reason += _HOST_NETWORK_NOTE.format(src_ref if src_host else dst_ref)
    return Decision(ok, list(in_names), list(eg_names), reason)
