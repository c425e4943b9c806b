"""Compose service rules (codes C001–C099). Each check takes a
:class:`~hardhull.models.compose_service.Service` (``extends`` resolved, every value with its
JSON pointer) and yields violations; no I/O. Checks for a setting that is *absent* skip
services whose definition is not all in the file (an override file's fragment, or
``extends`` from another file), where the setting may well come from elsewhere.

The modules, by topic: ``privileges`` (privileged, read-only root filesystem: C001, C019),
``host_namespaces`` (C002–C007), ``capabilities`` (C008, C009), ``security_options``
(seccomp, AppArmor, SELinux, masked paths, no-new-privileges: C010–C014), ``mounts`` (runtime
sockets and sensitive host paths: C015, C016), ``devices`` (C017), ``users`` (C018),
``resources`` (C020), ``credentials`` (C021) and ``ports`` (C022). Helpers several of them
use are in :mod:`~hardhull.rules.compose.common`; the host-path and capability knowledge
shared with the Kubernetes rules is in :mod:`hardhull.models.host_paths` and
:mod:`hardhull.models.capabilities`. This module holds the rule family and the documentation
links its modules cite.
"""

from __future__ import annotations

from hardhull.rulekit import RuleFamily

SERVICES_DOC = "https://docs.docker.com/reference/compose-file/services/"
RUN_DOC = "https://docs.docker.com/engine/containers/run/"
OWASP = "https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html"
CIS = "CIS Docker Benchmark v1.6.0 "

compose_rule = RuleFamily("compose", base_refs=(SERVICES_DOC,), cis_prefix=CIS, register=True)
