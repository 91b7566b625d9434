"""reStructuredText's title adornment, read from the source lines: which
character marks a title, and where its overline and underline are. No
parse is needed; the rules about adornment read it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

# docutils' messages about a title adornment too short, which SK109
# reports (and SK502 leaves to it).
ADORNMENT_MESSAGES = ("Title underline too short.", "Title overline too short.")

# The punctuation docutils accepts as section adornment.
ADORNMENT_CHARS = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


class Adornment(NamedTuple):
    """A title's adornment as written: its character, and the 1-based lines
    of its overline (0 when it has none) and of its underline."""

    char: str
    over: int
    under: int

    @property
    def style(self) -> str:
        """"=" for an underline, "==" for an over- and underline."""
        return self.char * 2 if self.over else self.char


def adornment(lines: Sequence[str], title: int) -> Adornment | None:
    """The adornment of the title on 1-based line ``title`` of ``lines``;
    None when the line under it is not one."""
    under = lines[title].rstrip() if 0 < title < len(lines) else ""
    if not under or not set(under) <= ADORNMENT_CHARS:
        return None
    over = lines[title - 2].rstrip() if title >= 2 else ""
    return Adornment(under[0], title - 1 if over and set(over) == {under[0]} else 0, title + 1)
