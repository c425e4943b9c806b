#!/usr/bin/env python3
"""Refresh ``src/hardhull/data/eol.json`` (the end-of-life table of rule D001) from
endoflife.date.

Run by a maintainer with network access, then review the diff and commit it::

    python tools/refresh_eol.py            # rewrite the table, print what changed
    python tools/refresh_eol.py --check    # only report differences (exit 1 if any)

For every product of the table it fetches ``https://endoflife.date/api/<slug>.json`` and takes
each release cycle's end-of-life date: ``eol``, except for Debian, whose official images keep
receiving updates during Debian LTS, where the LTS end (``extendedSupport``) is used. Cycles
without a date (``eol: false``) are left out, so hardhull never reports them. Products or
cycles the API does not know are kept as they are (the Node.js table, for instance, also has
the line's schedule from the Node.js release working group). ``deprecated_images`` is curated
by hand. Tests never run this script: hardhull itself never uses the network for this.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any

TABLE = Path(__file__).resolve().parent.parent / "src" / "hardhull" / "data" / "eol.json"
API = "https://endoflife.date/api/{slug}.json"

#: product key in eol.json -> (endoflife.date slug, field holding the date hardhull judges by)
PRODUCTS: dict[str, tuple[str, str]] = {
    "ubuntu": ("ubuntu", "eol"),
    "debian": ("debian", "extendedSupport"),
    "alpine": ("alpine-linux", "eol"),
    "centos": ("centos", "eol"),
    "rhel": ("rhel", "eol"),
    "amazonlinux": ("amazon-linux", "eol"),
    "node": ("nodejs", "eol"),
    "python": ("python", "eol"),
    "golang": ("go", "eol"),
    "eclipse-temurin": ("eclipse-temurin", "eol"),
}


def fetch(slug: str) -> list[dict[str, Any]]:
    req = urllib.request.Request(API.format(slug=slug), headers={"User-Agent": "hardhull"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        data: list[dict[str, Any]] = json.load(resp)
    return data


def _date(value: object) -> str | None:
    if isinstance(value, str):
        date.fromisoformat(value)  # validate
        return value
    return None


def refresh(table: dict[str, Any]) -> list[str]:
    """Update ``table`` in place; returns human-readable changes."""
    changes: list[str] = []
    for key, (slug, fld) in PRODUCTS.items():
        product = table["products"].get(key)
        if product is None:
            continue
        try:
            cycles = fetch(slug)
        except OSError as e:
            changes.append(f"{key}: not refreshed ({e})")
            continue
        releases: dict[str, Any] = product["releases"]
        for c in cycles:
            cycle = str(c.get("cycle", ""))
            if not cycle:
                continue
            when = _date(c.get(fld)) or _date(c.get("eol"))
            if when is None:
                continue
            rel = releases.setdefault(cycle, {})
            if rel.get("eol") != when:
                changes.append(f"{key} {cycle}: {rel.get('eol')} -> {when}")
                rel["eol"] = when
            codename = c.get("codename")
            if isinstance(codename, str) and codename and key in ("ubuntu", "debian"):
                rel.setdefault("codename", codename.split()[0].lower())
    table["retrieved"] = date.today().isoformat()
    return changes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="report differences, change nothing")
    args = ap.parse_args()
    table = json.loads(TABLE.read_text(encoding="utf-8"))
    changes = refresh(table)
    for line in changes:
        print(line)
    if args.check:
        return 1 if any("->" in c for c in changes) else 0
    TABLE.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {TABLE} ({len(changes)} change(s)); review the diff before committing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
