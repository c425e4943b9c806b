"""Offline vulnerability matching: OSV advisories imported into a local SQLite index, version
comparison per ecosystem (``vulndb.versions``), and matching of
:class:`hardhull.models.packages.Package` values against the index.

The API an image or SBOM scan needs (docs/vulnerabilities.md describes the semantics)::

    from hardhull.vulndb.store import DBError, VulnDB, default_db_path
    from hardhull.vulndb.match import match_packages

    try:
        db = VulnDB.open(path or default_db_path())   # DBError: none imported yet, not a DB
    except DBError as exc:
        ...  # say so once, run the other checks
    with db:
        report = match_packages(db, packages, distro)   # MatchReport
    for v in report.vulnerabilities:  # Vulnerability: id, aliases, upstream, summary,
        ...                           # severity (model.Severity | None), score, vector,
                                      # installed, fixed, package (its .layer), ecosystem
    report.not_compared    # advisories whose ranges no comparator could evaluate (with why)
    report.not_looked_up   # OS packages of an unknown release

Modules: ``store`` (the index, import, info), ``records`` (reading and validating OSV
JSON/YAML, zip and directory sources), ``match``, ``severity`` (CVSS base scores through the
optional ``cvss`` library), ``ecosystems`` (names, PEP 503, distro releases), ``versions``.
"""
