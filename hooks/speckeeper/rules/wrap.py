"""Rewrapping paragraphs to a limit, changing no more than needed.

:func:`rewrap` rewraps one paragraph; where a document's paragraphs stand
and how they may be wrapped is the format's to say
(:meth:`speckeeper.document.model.Document.wrappable`).

A paragraph is taken from its first over-long line on: what does not fit
moves to the start of the next line, and the lines after are left as they
are as soon as nothing more moves into them. The caller names the spans
that must not be split (the format's inline literals, roles and
`` `link <url>`_ `` references, as written); URLs, having no spaces, never
are either. A word made only of
punctuation (``--``, ``-``, ``..``) never starts a line, where it could read
as a title underline or a bullet, and an escaped space stays on its line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple


_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]+")
_SPACE = re.compile(r"\s+")


class Atom(NamedTuple):
    """A piece of text a line break may not split."""

    text: str
    sep: str  # The whitespace before it when it follows another atom on a line.
    row: int  # The row it starts on.
    last_row: int  # The row it ends on: a literal may be written over two.
    glued: bool  # Punctuation only: it may not start a line, nor make one alone.


def atoms(rows: Sequence[str], unbreakable: Sequence[str] = ()) -> list[Atom]:
    """The atoms of some rows' text (without their indentation), in order.

    Each of ``unbreakable`` (in order; its spaces may stand for a line
    break) is kept whole where it is found.
    """
    text = "\n".join(rows)
    protected: list[tuple[int, int]] = []
    cursor = 0
    for span in unbreakable:
        match = re.compile(r"\s+".join(map(re.escape, span.split()))).search(text, cursor)
        if match is not None:
            protected.append(match.span())
            cursor = match.end()
    breaks = [
        match.span()
        for match in _SPACE.finditer(text)
        if not any(start < match.start() < end for start, end in protected)
    ]
    found: list[Atom] = []
    position, sep = 0, ""
    for start, end in [*breaks, (len(text), len(text))]:
        piece = text[position:start]
        if piece:
            last_row = text.count("\n", 0, start)
            if found and _odd_backslashes(found[-1].text):
                # An escaped space: keep it, and what follows, on the line.
                last = found.pop()
                piece = last.text + (" " if "\n" in sep else sep) + piece
                found.append(Atom(_flatten(piece), last.sep, last.row, last_row, last.glued))
            else:
                row = text.count("\n", 0, position)
                glued = bool(_PUNCTUATION.fullmatch(piece))
                found.append(Atom(_flatten(piece), " " if "\n" in sep else sep, row, last_row, glued))
        sep, position = text[start:end], end
    return found


def _odd_backslashes(text: str) -> bool:
    return (len(text) - len(text.rstrip("\\"))) % 2 == 1


def _flatten(text: str) -> str:
    """An atom that spans rows (a literal written over two lines) on one line."""
    return _SPACE.sub(" ", text) if "\n" in text else text


def take(pending: Sequence[Atom], room: int) -> int:
    """How many atoms start a line that has ``room`` columns: at least one."""
    count, used = 1, len(pending[0].text)
    while count < len(pending) and used + len(pending[count].sep) + len(pending[count].text) <= room:
        used += len(pending[count].sep) + len(pending[count].text)
        count += 1
    # Break where the next line does not start with punctuation and this
    # one holds a word besides it (so it never reads as an underline or a
    # bullet): the latest such place that fits, or the first after it.
    for end in range(count, 0, -1):
        if _breakable(pending, end):
            return end
    end = count + 1
    while not _breakable(pending, end):
        end += 1
    return end


def _breakable(pending: Sequence[Atom], end: int) -> bool:
    if end >= len(pending):
        return True
    return not pending[end].glued and any(not atom.glued for atom in pending[:end])


def line(prefix: str, placed: Sequence[Atom]) -> str:
    return prefix + placed[0].text + "".join(atom.sep + atom.text for atom in placed[1:])


def rewrap(
    rows: Sequence[str], column: int, indent: int, limit: int, flagged: set[int], unbreakable: Sequence[str] = ()
) -> list[str]:
    """A paragraph's rows, rewrapped so that the ``flagged`` ones fit.

    ``rows`` are the paragraph's source lines; its text starts at ``column``
    on the first (after a bullet, say) and at ``indent`` on the others, and
    new lines are indented by ``indent``; ``unbreakable`` as for :func:`atoms`.
    Rows before the first flagged one,
    and after the last one anything moved into, come back unchanged.
    """
    first = min(flagged)
    tail = [row[column:] if number == 0 else row[indent:] for number, row in enumerate(rows) if number >= first]
    own: dict[int, list[Atom]] = {}
    for atom in atoms(tail, unbreakable):
        own.setdefault(atom.row + first, []).append(atom)
    result = list(rows[:first])
    pending: list[Atom] = []
    number = first
    while number < len(rows):
        # Rows joined by an atom written across them are kept or redone together.
        end = probe = number
        while probe <= end:
            end = max([end, *(atom.last_row + first for atom in own.get(probe, []))])
            probe += 1
        if not pending and not flagged.intersection(range(number, end + 1)):
            result.extend(rows[number : end + 1])
            number = end + 1
            continue
        for row in range(number, end + 1):
            pending.extend(own.get(row, []))
            if not pending:
                continue
            prefix = rows[0][:column] if row == 0 else " " * indent
            count = take(pending, limit - len(prefix))
            result.append(line(prefix, pending[:count]))
            pending = pending[count:]
        number = end + 1
    while pending:
        count = take(pending, limit - indent)
        result.append(line(" " * indent, pending[:count]))
        pending = pending[count:]
    return result
