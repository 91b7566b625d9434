"""Text that is safe to print: what a terminal must not be sent, escaped."""

from __future__ import annotations

import re

# C0 and C1 controls and DEL, the bidirectional overrides that make text
# read otherwise than it is, and lone surrogates: the bytes of a file name
# that is not UTF-8, as Python decodes them.
# Compiled where first needed (re keeps it): most text is printable as it is.
_UNPRINTABLE = "[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(value: str) -> str:
    """``value`` with what it must not print as is written as an escape:
    ``\\n``, ``\\x1b``, ``\\u202e``; a byte of a file name that is not
    UTF-8 as ``\\xff``."""
    return re.sub(_UNPRINTABLE, _escape, value) if not value.isprintable() else value


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape's stand-in for one byte.
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
