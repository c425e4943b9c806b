"""Who RBAC is about: the objects of a scan (:class:`ObjectRef`), the subjects a binding names
(:class:`Subject`) and what the authorizer sees of a requester (:class:`Identity`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

RBAC_GROUP = "rbac.authorization.k8s.io"
SA_USER_PREFIX = "system:serviceaccount:"
ALL_SERVICE_ACCOUNTS = "system:serviceaccounts"
AUTHENTICATED = "system:authenticated"
UNAUTHENTICATED = "system:unauthenticated"
ANONYMOUS = "system:anonymous"

USER, GROUP, SERVICE_ACCOUNT = "User", "Group", "ServiceAccount"
_SUBJECT_KINDS = {
    "user": USER,
    "group": GROUP,
    "serviceaccount": SERVICE_ACCOUNT,
    "sa": SERVICE_ACCOUNT,
}


@dataclass(frozen=True, order=True)
class ObjectRef:
    """Which input object: kind, name, namespace and its index in the list given to build()."""

    kind: str
    name: str
    namespace: str = ""
    index: int = -1  # -1: not an input object (a built-in, or a missing role)
    implicit_namespace: bool = False  # namespaced object without metadata.namespace

    def __str__(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind}/{ns}{self.name}"


@dataclass(frozen=True, order=True)
class Subject:
    """A subject as a binding names it; a ServiceAccount always carries its namespace."""

    kind: str  # User | Group | ServiceAccount
    name: str
    namespace: str = ""

    @property
    def username(self) -> str:
        """The user name the authenticator gives this subject ("" for a Group)."""
        if self.kind == SERVICE_ACCOUNT:
            return f"{SA_USER_PREFIX}{self.namespace}:{self.name}"
        return self.name if self.kind == USER else ""

    def __str__(self) -> str:
        if self.kind == SERVICE_ACCOUNT:
            return f"{SERVICE_ACCOUNT}/{self.namespace}/{self.name}"
        return f"{self.kind}/{self.name}"

    @classmethod
    def service_account(cls, namespace: str, name: str) -> Subject:
        return cls(SERVICE_ACCOUNT, name, namespace)

    @classmethod
    def parse(cls, text: str) -> Subject:
        """``User/alice``, ``Group/devs``, ``ServiceAccount/NS/NAME`` (also ``sa/NS:NAME``) or
        a service account's user name ``system:serviceaccount:NS:NAME``."""
        text = text.strip()
        if text.startswith(SA_USER_PREFIX):
            sa = sa_from_username(text)
            if sa is None:
                raise ValueError(f"{text!r}: expected system:serviceaccount:NAMESPACE:NAME")
            return sa
        kind_text, sep, name = text.partition("/")
        kind = _SUBJECT_KINDS.get(kind_text.lower())
        if not sep or kind is None or not name:
            raise ValueError(
                f"{text!r}: expected User/NAME, Group/NAME or ServiceAccount/NAMESPACE/NAME"
            )
        if kind != SERVICE_ACCOUNT:
            return cls(kind, name)
        ns, sep2, sa_name = name.partition("/") if "/" in name else name.partition(":")
        if not sep2 or not ns or not sa_name:
            raise ValueError(f"{text!r}: a service account is ServiceAccount/NAMESPACE/NAME")
        return cls(SERVICE_ACCOUNT, sa_name, ns)


def sa_from_username(user: str) -> Subject | None:
    """The service account of a user name ``system:serviceaccount:NS:NAME`` (None if it is
    not one)."""
    rest = user.removeprefix(SA_USER_PREFIX)
    ns, sep, name = rest.partition(":")
    if not sep or not ns or not name or ":" in name:
        return None
    return Subject(SERVICE_ACCOUNT, name, ns)


@dataclass(frozen=True)
class Identity:
    """What the authorizer sees of a requester: a user name and groups (``user.Info``)."""

    user: str
    groups: frozenset[str]

    @classmethod
    def of(cls, subject: Subject, groups: Iterable[str] = ()) -> Identity:
        """The identity a subject authenticates as.

        A service account gets ``system:serviceaccounts``, ``system:serviceaccounts:NS`` and
        ``system:authenticated``; a user ``system:authenticated`` (``system:unauthenticated``
        for ``system:anonymous``) plus the ``groups`` given, since only the authenticator knows
        the rest; a Group stands for a member known only by that group.
        """
        extra = set(groups)
        if subject.kind == USER:
            sa = sa_from_username(subject.name) if subject.name.startswith(SA_USER_PREFIX) else None
            if sa is not None:
                subject = sa
            else:
                default = UNAUTHENTICATED if subject.name == ANONYMOUS else AUTHENTICATED
                return cls(subject.name, frozenset({default, *extra}))
        if subject.kind == SERVICE_ACCOUNT:
            ns_group = f"{ALL_SERVICE_ACCOUNTS}:{subject.namespace}"
            implicit = {ALL_SERVICE_ACCOUNTS, ns_group, AUTHENTICATED}
            return cls(subject.username, frozenset(implicit | extra))
        return cls("", frozenset({subject.name, *extra}))


def is_valid(s: Subject) -> bool:
    """A subject the API server accepts: a named user or group, a namespaced service account."""
    if s.kind == SERVICE_ACCOUNT:
        return bool(s.namespace and s.name)
    return s.kind in (USER, GROUP) and bool(s.name)
