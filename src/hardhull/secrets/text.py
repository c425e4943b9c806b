"""Format-recognisable secrets anywhere in a text, with line and column.

For files no front end understands as objects (Helm values files, CI configs, scripts): only
value formats that prove themselves (private keys, provider tokens, JWTs, URLs and connection
strings with a password), never name-based guesses, which need the structure of the file.
"""

from __future__ import annotations

from hardhull.model import Severity
from hardhull.secrets.formats import iter_format_matches
from hardhull.secrets.match import SecretMatch, mask

__all__ = ["scan_text"]


def scan_text(text: str) -> list[tuple[int, int, SecretMatch]]:
    """Every format-recognised credential in ``text`` as (line, column, match), 1-based.

    One combined-regex pass over the text; the position is where the secret starts (for a
    URL with a password, where the URL starts).
    """
    out: list[tuple[int, int, SecretMatch]] = []
    line = 1
    line_start = 0
    counted = 0
    for start, end, fmt in iter_format_matches(text):
        line += text.count("\n", counted, start)
        counted = start
        nl = text.rfind("\n", 0, start)
        line_start = nl + 1
        out.append(
            (
                line,
                start - line_start + 1,
                SecretMatch(fmt.kind, Severity.HIGH, mask(text[start:end]), fmt.description),
            )
        )
    return out
