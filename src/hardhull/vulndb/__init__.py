"""Offline vulnerability matching: OSV advisories imported into a local SQLite index, version
comparison per ecosystem (``vulndb.versions``), and matching of
:class:`hardhull.models.packages.Package` values against the index."""
