"""Vulnerability rules (codes V001–V099): checks over the packages of an image or an SBOM
matched against the imported advisories, as a
:class:`~hardhull.vulndb.match.MatchReport`. The rules:

- ``packages``: an installed package affected by a known vulnerability (V001).

Pointers: ``/packages/<purl>/vulnerabilities/<advisory ID>`` (the purl as one JSON pointer
token).
"""

from __future__ import annotations

from hardhull.rulekit import RuleFamily

OSV = "https://ossf.github.io/osv-schema/"

vuln_rule = RuleFamily("vulnerabilities", refs=(OSV,))
