"""What the RBAC rules need to know about a binding's subject: the service account it stands
for, whether it is public or a system component, and whether the API server accepts it."""

from __future__ import annotations

from hardhull.model import Severity
from hardhull.models.workload import as_dict, get
from hardhull.rbac.identities import (
    ANONYMOUS,
    AUTHENTICATED,
    GROUP,
    SA_USER_PREFIX,
    SERVICE_ACCOUNT,
    UNAUTHENTICATED,
    USER,
    Subject,
    sa_from_username,
)
from hardhull.rbac.model import Binding

#: the groups every (authenticated / unauthenticated) request is in: bindings to them are public.
#: Both critical: on managed clusters every account of the identity provider (any Google
#: account on GKE, for one) is ``system:authenticated``.
PUBLIC_GROUPS = {UNAUTHENTICATED: Severity.CRITICAL, AUTHENTICATED: Severity.CRITICAL}


def sa_of(s: Subject) -> Subject | None:
    """The service account a subject stands for (a ServiceAccount, or its user name)."""
    if s.kind == SERVICE_ACCOUNT:
        return s
    if s.kind == USER and s.name.startswith(SA_USER_PREFIX):
        return sa_from_username(s.name)
    return None


def public_group(s: Subject) -> str:
    """The public group a subject is ("" if none): anonymous counts as unauthenticated."""
    if s.kind == GROUP and s.name in PUBLIC_GROUPS:
        return s.name
    if s.kind == USER and s.name == ANONYMOUS:
        return UNAUTHENTICATED
    return ""


def is_component(s: Subject) -> bool:
    """A control-plane or system component (``system:kube-scheduler``, ``system:nodes``…).

    Service accounts, the public groups and the all-service-accounts groups are not: they
    are ordinary identities or everyone."""
    if sa_of(s) is not None or public_group(s) or s.kind == SERVICE_ACCOUNT:
        return False
    return s.name.startswith("system:") and not s.name.startswith("system:serviceaccounts")


def subject_note(b: Binding, pointer: str) -> str:
    """A note when the API server would reject the subject as written (wrong ``apiGroup``).

    The finding stays: the binding states its intent, and the fix of the typo grants it."""
    raw = as_dict(get(b.obj, pointer))
    group, kind = raw.get("apiGroup"), raw.get("kind")
    if group in (None, ""):
        return ""  # defaulted: "" for a ServiceAccount, rbac.authorization.k8s.io otherwise
    if kind == SERVICE_ACCOUNT and group != "":
        return (
            f" (as written the API server rejects the binding: a ServiceAccount subject takes "
            f'apiGroup "", not {group!r})'
        )
    if kind in (USER, GROUP) and group != "rbac.authorization.k8s.io":
        return (
            f" (as written the API server rejects the binding: a {kind} subject takes apiGroup "
            f"rbac.authorization.k8s.io, not {group!r})"
        )
    return ""
