"""Linux capabilities as the rules judge them: the Kubernetes (K002, K008, K009) and compose
(C008, C009) rules share the list of dangerous capabilities and the way names are read."""

from __future__ import annotations

from typing import Any

from hardhull.model import Severity

#: capabilities the Pod Security Standards baseline allows a container to add
BASELINE_CAPS = frozenset(
    {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
     "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
)  # fmt: skip
#: capabilities that break isolation, with the severity of adding one (K008, C008)
DANGEROUS_CAPS: dict[str, Severity] = {
    "ALL": Severity.CRITICAL,
    "SYS_ADMIN": Severity.CRITICAL,
    "SYS_MODULE": Severity.HIGH,
    "SYS_PTRACE": Severity.HIGH,
    "SYS_RAWIO": Severity.HIGH,
    "SYS_BOOT": Severity.HIGH,
    "BPF": Severity.HIGH,
    "PERFMON": Severity.HIGH,
    "DAC_READ_SEARCH": Severity.HIGH,
    "MAC_ADMIN": Severity.HIGH,
    "MAC_OVERRIDE": Severity.HIGH,
    "NET_ADMIN": Severity.HIGH,
    "NET_RAW": Severity.MEDIUM,
    "SYS_TIME": Severity.MEDIUM,
    "SYSLOG": Severity.MEDIUM,
}


def capability_name(name: Any) -> str:
    """An added capability's name as the runtime will treat it: CRI runtimes upper-case it and
    CRI-O accepts a ``CAP_`` prefix, so ``cap_sys_admin`` and ``sys_admin`` are SYS_ADMIN."""
    text = str(name).strip().upper()
    return text[4:] if text.startswith("CAP_") else text
