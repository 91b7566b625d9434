"""Output formats: how findings are shown to people, editors and CI.

What a finding prints comes partly from the repository (file names, section
titles), so every format shows control characters escaped: a file name
holding a newline cannot start a line that CI reads as a command of its
own, and a title cannot send escape sequences to a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .findings import Finding

# C0 and C1 controls and DEL, the bidirectional overrides that make text
# read otherwise than it is, and lone surrogates: the bytes of a file name
# that is not UTF-8, as Python decodes them.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(value: str) -> str:
    """``value`` with what it must not print as is written as an escape:
    ``\\n``, ``\\x1b``, ``\\u202e``; a byte of a file name that is not
    UTF-8 as ``\\xff``."""
    return _UNPRINTABLE.sub(_escape, value) if not value.isprintable() else value


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape's stand-in for one byte.
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def text(findings: Sequence[Finding]) -> str:
    """``path:line:col: CODE message``, one a line: editors jump to it."""
    return "".join(f"{printable(f.path)}:{f.line}:{f.col}: {f.code} {printable(f.message)}\n" for f in findings)


def as_json(findings: Sequence[Finding]) -> str:
    import json  # Only for this format: a one-file check does without.

    records = [
        {"path": f.path, "line": f.line, "col": f.col, "code": f.code, "message": f.message} for f in findings
    ]
    return json.dumps(records, indent=2) + "\n"


def _escape_github(value: str, property_value: bool = False) -> str:
    value = printable(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: each finding an annotation."""
    return "".join(
        f"::error file={_escape_github(f.path, True)},line={f.line},col={f.col},"
        f"title={f.code}::{_escape_github(f'{f.code} {f.message}')}\n"
        for f in findings
    )


FORMATS: dict[str, Callable[[Sequence[Finding]], str]] = {"text": text, "json": as_json, "github": github}
