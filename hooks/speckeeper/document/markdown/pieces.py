"""A Markdown document parsed a piece at a time, each piece's tokens kept
for the next parse of the same document: what an editor checks again at
every keystroke changes one piece, and the others are not parsed again
(the language server's; ``check`` parses each file once, whole).

A piece starts at an ATX heading written at the start of its line
(``## Goals``). CommonMark ends every open block at such a line (a
heading interrupts a paragraph and is no lazy continuation; a list item
or a quote needs its indent or marker) but for the blocks that hold it: a
fenced code block, an HTML block, and, to be sure, any other block but a
paragraph, a list, a quote, a heading, a rule or indented code. A piece
that, parsed alone, ends in one of those is parsed again with the next
one. Link reference definitions are the document's (any piece may use
one): each piece is parsed with those the document had last time, and
all again where what the pieces define is not that (the first parse of a
document is of the whole, which says them). So the pieces read as
the whole does, token for token (tests/test_markdown_pieces.py); a text
with a carriage return, which breaks a line where the split would not, is
parsed whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from speckeeper.document.markdown.events import front_matter

if TYPE_CHECKING:
    from markdown_it.token import Token

# markdown-it's parse: a text and its environment (the link reference definitions) to tokens.
Parse = Callable[[str, "dict[str, Any]"], "list[Token]"]
# A link reference definition: its label, URL and title.
Definition = tuple[str, object, object]

_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
# Blocks that end at a column-0 heading line as at the end of the text.
_ENDED_BY_A_HEADING = frozenset(
    {"paragraph_open", "inline", "heading_open", "hr", "code_block", "bullet_list_open", "ordered_list_open", "list_item_open", "blockquote_open"}
)
MOST_DOCUMENTS = 32  # Documents whose pieces are kept (an editor's open ones).
# More pieces than this (max-sections' default; a document of nothing but
# headings) are parsed whole: a parse a piece costs more than its text.
MOST_PIECES = 1_000


def pieces(text: str) -> Iterator[tuple[int, str]]:
    """Where ``text`` may be cut: each stretch from one column-0 ATX
    heading line to the next, with the 0-based line it starts at."""
    lines = text.split("\n")
    start = 0
    front_matter = _front_matter_end(lines)  # Parsed alone, front matter cut short is none.
    for index, line in enumerate(lines):
        if index > max(start, front_matter - 1) and _HEADING.match(line):
            yield start, "\n".join(lines[start:index]) + "\n"
            start = index
    yield start, "\n".join(lines[start:])


def _front_matter_end(lines: list[str]) -> int:
    """The lines front matter takes at the top, its fences too, as the
    parser finds it (all of them where it may start but is never closed)."""
    found = front_matter(lines)
    if found is not None:
        return found[1]
    return len(lines) if lines and lines[0].startswith("---") else 0


class _Piece:
    """A piece's parse: its tokens (lines as at ``start``), whether a
    block is open at its end, and the definitions it makes, in order."""

    __slots__ = ("start", "tokens", "open_at_end", "defines")

    def __init__(self, start: int, tokens: list[Token], open_at_end: bool, defines: list[Definition]) -> None:
        self.start = start
        self.tokens = tokens
        self.open_at_end = open_at_end
        self.defines = defines


class Pieces:
    """The pieces of the documents last parsed (by path), with their tokens."""

    def __init__(self) -> None:
        # By path: the definitions its pieces were parsed with, and each piece, by its text.
        self._kept: dict[str, tuple[list[Definition], dict[str, _Piece]]] = {}

    def tokens(self, path: str, text: str, parse: Parse) -> list[Token]:
        """``text``'s tokens, as ``parse`` makes them of it whole; the
        pieces the last text of ``path`` had parsed then, not again."""
        units = list(pieces(text))
        if "\r" in text or len(units) > MOST_PIECES:
            self._kept.pop(path, None)
            return parse(text, {})
        if path not in self._kept:
            # The first time: the whole, once (its pieces the next time),
            # which says the definitions the pieces are to be parsed with.
            env: dict[str, Any] = {}
            found = parse(text, env)
            self._keep(path, _definitions(env), {})
            return found
        assumed, before = self._kept.pop(path)
        found, kept, defined = _parse(units, parse, assumed, before)
        if defined != assumed:  # The definitions changed: every piece again, with them.
            found, kept, defined = _parse(units, parse, defined, {})
        self._keep(path, defined, kept)
        return found

    def _keep(self, path: str, defined: list[Definition], kept: dict[str, _Piece]) -> None:
        self._kept.pop(path, None)
        while len(self._kept) >= MOST_DOCUMENTS:
            del self._kept[next(iter(self._kept))]
        self._kept[path] = (defined, kept)


def _definitions(env: dict[str, Any]) -> list[Definition]:
    """The definitions a whole parse made, the first of each label, in the order written."""
    made = sorted(env.get("references", {}).items(), key=lambda item: item[1]["map"][0])
    return [(label, found["href"], found["title"]) for label, found in made]


def _parse(
    units: list[tuple[int, str]], parse: Parse, definitions: list[Definition], before: dict[str, _Piece]
) -> tuple[list[Token], dict[str, _Piece], list[Definition]]:
    """The tokens of a text cut into ``units`` (:func:`pieces`), parsed with
    ``definitions`` (the pieces of ``before`` taken as they are), the
    pieces, and what they define."""
    found: list[Token] = []
    kept: dict[str, _Piece] = {}
    defined: list[Definition] = []
    index = 0
    while index < len(units):
        start, piece = units[index]
        while True:
            done = before.pop(piece, None) or _parsed(piece, start, parse, definitions)
            if not done.open_at_end or index + 1 >= len(units):
                break
            index += 1
            piece += units[index][1]
        _shift(done.tokens, start - done.start)
        done.start = start
        if piece not in kept:  # A second piece of the same text is parsed again next time.
            kept[piece] = done
        found.extend(done.tokens)
        defined.extend(done.defines)
        index += 1
    first: dict[str, Definition] = {}
    for definition in defined:
        first.setdefault(definition[0], definition)  # The first of a label holds.
    return found, kept, list(first.values())


def _parsed(piece: str, start: int, parse: Parse, definitions: list[Definition]) -> _Piece:
    references = {label: {"href": href, "title": title} for label, href, title in definitions}
    env: dict[str, Any] = {"references": dict(references)}
    tokens = parse(piece, env)
    lines = piece.count("\n") + (0 if piece.endswith("\n") else 1)
    open_at_end = any(t.map is not None and t.map[1] >= lines and t.type not in _ENDED_BY_A_HEADING for t in tokens)
    # What it defines, in the order written: what it added, and what it defined again.
    added = [(found["map"][0], label, found) for label, found in env["references"].items() if label not in references]
    again = [(found["map"][0], found["label"], found) for found in env.get("duplicate_refs", ())]
    defines = [(label, found["href"], found["title"]) for _, label, found in sorted(added + again, key=lambda d: d[0])]
    _shift(tokens, start)
    return _Piece(start, tokens, open_at_end, defines)


def _shift(tokens: list[Token], lines: int) -> None:
    """Move tokens' lines by ``lines`` (in place: a piece's tokens are
    used by one parse at a time)."""
    if not lines:
        return
    for token in tokens:
        if token.map is not None:
            token.map = [token.map[0] + lines, token.map[1] + lines]
        for child in token.children or ():
            if child.map is not None:
                child.map = [child.map[0] + lines, child.map[1] + lines]
