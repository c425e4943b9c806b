"""NetworkPolicy semantics over a scanned set of manifests (a pure library).

    from hardhull.netpol import build
    net = build(objects)                       # plain Kubernetes object dicts
    web, = net.find("shop/web")
    net.allowed(web, net.find("db/postgres")[0], 5432).allowed
    net.matrix(port=80)                        # every ordered pair of pods
    net.allows_dns(web)

See docs/netpol.md for the semantics and what offline analysis cannot know. The modules:
:mod:`.model` (the types), :mod:`.builder` (objects → :class:`Network`, with
:mod:`.policy_parser` validating each policy), :mod:`.network` (the queries), :mod:`.decision`
(how both sides of a connection combine), :mod:`.selectors` (label selectors).
"""

from hardhull.netpol.builder import build
from hardhull.netpol.model import (
    NS_NAME_LABEL,
    ContainerPort,
    Decision,
    Endpoint,
    IPBlock,
    IPPeer,
    Namespace,
    Peer,
    Policy,
    PolicyPeer,
    PolicyPort,
    PolicyRule,
    Problem,
)
from hardhull.netpol.network import Network
from hardhull.netpol.selectors import (
    EVERYTHING,
    NOTHING,
    Requirement,
    Selector,
    SelectorError,
    SelectorProblem,
    parse_selector,
)

__all__ = [
    "EVERYTHING",
    "NOTHING",
    "NS_NAME_LABEL",
    "ContainerPort",
    "Decision",
    "Endpoint",
    "IPBlock",
    "IPPeer",
    "Namespace",
    "Network",
    "Peer",
    "Policy",
    "PolicyPeer",
    "PolicyPort",
    "PolicyRule",
    "Problem",
    "Requirement",
    "Selector",
    "SelectorError",
    "SelectorProblem",
    "build",
    "parse_selector",
]
