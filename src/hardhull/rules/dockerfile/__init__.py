"""Dockerfile rules (codes D001–D099): what the family's modules share.

A check is a pure function over a :class:`~hardhull.models.dockerfile_facts.DockerfileFacts`
(the parsed Dockerfile, the ``as_of`` date for end-of-life decisions, whether a
``.dockerignore`` is next to the file, and the indexes several checks share). The rules, by
topic:

- ``base_image``: end-of-life base images (D001), ``latest`` or no tag (D002), no digest
  (D003);
- ``user``: the image runs as root (D004);
- ``secrets``: credentials in ``ENV``/``ARG`` (D005), secret files copied in (D006),
  account passwords set in the image (D025);
- ``remote_code``: downloads piped into a shell (D007), ``ADD`` of a URL or Git repository
  without a checksum or commit (D008), ``ADD`` where ``COPY`` does (D009);
- ``permissions``: ``sudo`` (D010), world-writable files (D011);
- ``package_cache``: package manager leftovers in the final image (D012, D013, D015, D016,
  D026);
- ``package_versions``: whole-image upgrades (D014), ``npm install`` with a lockfile (D017),
  unpinned packages (D018);
- ``image_surface``: admin ports (D019), no ``HEALTHCHECK`` (D020), build tools in the final
  image (D021);
- ``build_context``: the whole context copied without ``.dockerignore`` (D022);
- ``verification``: TLS verification (D023) or package signature checks (D024) switched off.

Pointers locate findings: ``/stages/<i>`` is the ``FROM`` of stage *i*, ``/stages/<i>/image``
its image reference, ``/stages/<i>/instructions/<j>`` the *j*-th instruction after it,
optionally followed by ``/args/<n>`` (one argument) or ``/commands/<k>`` (the *k*-th simple
command of a ``RUN``) and ``/commands/<k>/argv/<m>`` (one word of it); ``/instructions/<k>`` is
an instruction before the first ``FROM``.

This module holds the rule family and the documentation links several modules cite.
"""

from __future__ import annotations

from hardhull.rulekit import RuleFamily

DOCKER_REF = "https://docs.docker.com/reference/dockerfile/"
BEST = "https://docs.docker.com/build/building/best-practices/"
SECRETS_DOC = "https://docs.docker.com/build/building/secrets/"
CIS = "CIS Docker Benchmark v1.6.0, "

dockerfile_rule = RuleFamily("dockerfile", refs=(DOCKER_REF,), cis_prefix=CIS)
