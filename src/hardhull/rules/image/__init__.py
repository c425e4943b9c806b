"""Image rules (codes I001–I099): checks over a built container image, as
:class:`~hardhull.models.image_facts.ImageFacts` (its config, its layers, the final filesystem
and the credentials found in layer files, deleted ones included). The rules, by topic:

- ``config``: runs as root (I001), remote administration ports exposed (I002), credentials in
  the config: ``Env``, ``Labels``, build arguments and commands in the history (I003);
- ``files``: setuid/setgid files (I004), world-writable paths outside the temporary
  directories (I005), credentials in layer files, also in files a later layer deleted (I006),
  private keys and cloud credential files by name (I007);
- ``system``: end-of-life operating system (I008), shells or package managers in an image
  that presents itself as distroless (I009), package manager caches left behind (I010),
  compilers in the image (I011).

Pointers are those of :mod:`hardhull.models.image_facts`.
"""

from __future__ import annotations

from hardhull.rulekit import RuleFamily

OCI_CONFIG = "https://github.com/opencontainers/image-spec/blob/main/config.md"
CIS = "CIS Docker Benchmark v1.6.0, "

image_rule = RuleFamily("image", refs=(OCI_CONFIG,), cis_prefix=CIS)
