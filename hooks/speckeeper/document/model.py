"""What a design document is to the rules, whatever format it is written in.

A format module builds a :class:`Document` from a file's text; the rules read
only this model (never a parser's nodes), so that a rule written once works
on every format, and the fixer proves a fix by comparing the model a format
builds before and after it (:func:`shape`).

Lines are 1-based, columns 1-based, as findings report them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from typing import Literal, NamedTuple, TypeVar

# What a block is, as the rules tell blocks apart. "literal" is verbatim text
# (an RST ``::`` block or code directive, a Markdown fenced or indented code
# block): its long lines and its words are the author's. "item" is one item
# of a list (its ``name`` the list's). "message" is what the parser put into
# the text about a problem there (docutils' system messages): part of what a
# section holds, but no part of what the document means (see :func:`shape`).
BlockKind = Literal[
    "paragraph", "list", "item", "literal", "table", "directive", "comment", "quote", "message", "other"
]


class Link(NamedTuple):
    """A link in the text: where it points, what it reads, where it is."""

    url: str
    text: str
    line: int
    # The link is the whole of its paragraph or list item (a tracker URL on
    # a line of its own), not a word inside a sentence.
    alone: bool = False


class Block(NamedTuple):
    """One block of a section's own content."""

    kind: BlockKind
    line: int  # First line of the block in the source.
    end: int  # Last line of the block in the source (inclusive).
    text: str  # Its text as read (markup removed, whitespace as written).
    # A directive's name ("image", "note", "code-block"), a literal block's
    # language, a list's (and its items') kind: "bullet", "enumerated",
    # "definition", "field", "option"; "" where there is none.
    name: str = ""
    children: tuple[Block, ...] = ()  # A list's items, a directive's content.
    links: tuple[Link, ...] = ()  # Links in its own text, not in its children's.
    target: str = ""  # What an image or figure shows: its file or URL.
    # A table's rows (header rows first), each cell's text whitespace
    # collapsed; a table's children are the blocks in its cells.
    rows: tuple[tuple[str, ...], ...] = ()
    # The length as written of the longest inline literal or link of a
    # paragraph: no wrapping makes a line holding it shorter than that.
    unbreakable: int = 0
    # The lines of its own text that end in a hard line break (Markdown's
    # two trailing spaces or backslash): a break the reader sees, which the
    # text's whitespace does not tell from a soft one.
    breaks: tuple[int, ...] = ()
    # Its inline code as the reader sees it (Markdown's code spans, whose
    # spaces are text): compared exactly by the fixer's proof.
    code: tuple[str, ...] = ()

    def walk(self) -> Iterator[Block]:
        """This block and every block inside it, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


class Title(NamedTuple):
    """A document title (the document's name)."""

    text: str  # As written, markup included: what nova's gate compares.
    line: int


class Section(NamedTuple):
    """A section: its title, where it is, and what is under it."""

    title: str  # As written, markup included.
    level: int  # 1 for a section directly under the document title.
    line: int  # Line of the title text.
    # How the title is marked, in the format's own terms: RST's adornment
    # ("=" underline only, "==" over- and underline), Markdown's "#"/"setext".
    style: str
    blocks: tuple[Block, ...] = ()  # Its own content, subsections aside.
    children: tuple[Section, ...] = ()
    end: int = 0  # Last line before the next section at this level or above.

    @property
    def is_empty(self) -> bool:
        return not [block for block in self.blocks if block.kind != "comment"] and not self.children

    def walk(self) -> list[Section]:
        """This section and all below it, in document order."""
        found = [self]
        for child in self.children:
            found.extend(child.walk())
        return found


class Message(NamedTuple):
    """What a format's parser said about the text: a problem of the format
    itself (reported by the format's own validity rules)."""

    line: int
    level: int  # 1 info, 2 warning, 3 error, 4 severe (docutils' scale).
    text: str
    kind: str = ""  # The parser's own name for it, where it has one.


class Paragraph(NamedTuple):
    """A paragraph whose rows can be rewrapped, and how."""

    start: int  # First row (0-based).
    end: int  # Row after the last.
    column: int  # Where its text starts on its first row.
    indent: int  # Indentation of its other rows, and of new ones.
    unbreakable: tuple[str, ...]  # Its inline markup that a break may not split, as written.


_D = TypeVar("_D", bound="Document")


class Document:
    """A parsed design document.

    A plain class, not a record: a format's document adds its own parse
    (see the rst format's), and caches what it derives (``lines``)."""

    path: str
    format: str  # "rst", "markdown".
    text: str
    titles: list[Title]  # Document titles: exactly one in a good spec.
    sections: tuple[Section, ...]  # Sections under the document title.
    preamble: tuple[Block, ...]  # Content between the title and the first section.
    # Where a document has several titles, what each holds before its first
    # section: in no section, and not the preamble of the first title.
    under_titles: tuple[Block, ...]
    messages: list[Message]
    metadata: Mapping[str, object]  # Front matter, sidecar.
    # Where the metadata is: its file ("" for the document's own front
    # matter), the line of each value there by its keys and indexes
    # (``("authors", 0)``), and why it could not be read ("" when it was),
    # with the line that says so.
    metadata_path: str
    metadata_lines: Mapping[tuple[object, ...], int]
    metadata_error: tuple[int, str] | None
    comments: tuple[tuple[int, str], ...]  # (line, text): where directives to us live.
    literal_lines: frozenset[int]  # Lines of verbatim text.
    directive_lines: frozenset[int]  # Lines inside a directive's body.
    raw: bytes  # The file's bytes, for rules about line endings and encoding.
    # Where a document without a title starts: the first line of what comes
    # first after its comments when that is not a section (a paragraph, a
    # target); 0 when a section comes first or nothing does.
    opening: int

    def __init__(
        self,
        *,
        path: str,
        format: str,
        text: str,
        titles: list[Title],
        sections: tuple[Section, ...],
        preamble: tuple[Block, ...] = (),
        under_titles: tuple[Block, ...] = (),
        messages: list[Message] | None = None,
        metadata: Mapping[str, object] | None = None,
        metadata_path: str = "",
        metadata_lines: Mapping[tuple[object, ...], int] | None = None,
        metadata_error: tuple[int, str] | None = None,
        comments: tuple[tuple[int, str], ...] = (),
        literal_lines: frozenset[int] = frozenset(),
        directive_lines: frozenset[int] = frozenset(),
        raw: bytes = b"",
        opening: int = 0,
    ) -> None:
        self.path = path
        self.format = format
        self.text = text
        self.titles = titles
        self.sections = sections
        self.preamble = preamble
        self.under_titles = under_titles
        self.messages = [] if messages is None else messages
        self.metadata = {} if metadata is None else metadata
        self.metadata_path = metadata_path
        self.metadata_lines = {} if metadata_lines is None else metadata_lines
        self.metadata_error = metadata_error
        self.comments = comments
        self.literal_lines = literal_lines
        self.directive_lines = directive_lines
        self.raw = raw
        self.opening = opening

    # What it derives from its text or keeps of its parse: no part of what
    # it holds, as documents compare.
    _derived: frozenset[str] = frozenset({"lines"})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Document) or type(other) is not type(self):
            return NotImplemented
        return self._held() == other._held()

    __hash__ = None  # type: ignore[assignment]  # Equal by what it holds, which may change.

    def _held(self) -> dict[str, object]:
        return {name: value for name, value in vars(self).items() if name not in self._derived}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(path={self.path!r}, format={self.format!r})"

    def _replace(self: _D, **changes: object) -> _D:
        """A copy with ``changes`` (as a record's ``_replace``); what it
        derived from its text is derived again if the text changed."""
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__, **changes)
        if "text" in changes:
            copy.__dict__.pop("lines", None)
        return copy

    def gate_long_lines(self, limit: int) -> frozenset[int] | None:
        """The lines longer than ``limit`` that the format's own line-length
        gate flags (doc8's D001 for RST: it exempts what its parse shows to
        be a literal block, a target, a directive), or None where the format
        has no such gate. A format computes it only when asked: it may walk
        the whole parse."""
        return None

    def wrappable(self, rows: Sequence[str]) -> Iterator[Paragraph]:
        """The paragraphs whose ``rows`` (the text's lines as the fixer holds
        them) can be rewrapped, checked against the source; none where the
        format cannot tell them yet."""
        return iter(())

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def all_sections(self) -> list[Section]:
        found: list[Section] = []
        for section in self.sections:
            found.extend(section.walk())
        return found

    def blocks(self) -> Iterator[Block]:
        """Every block, nested ones included, in document order."""
        for block in (*self.preamble, *self.under_titles):
            yield from block.walk()
        for section in self.all_sections():
            for block in section.blocks:
                yield from block.walk()


def column_width(text: str) -> int:
    """The columns ``text`` takes, as docutils counts them to judge a title's
    adornment: East Asian wide and full-width characters count 2, others 1,
    and each combining character one less (docutils.utils.column_width)."""
    width = sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)
    return width - sum(1 for char in text if unicodedata.combining(char))


def fold(title: str) -> str:
    """A title as titles compare when case and spacing do not count."""
    return " ".join(title.casefold().split())


def shape(document: Document) -> Iterator[tuple[object, ...]]:
    """What a document means, as the fixer's proof compares it: titles and
    sections by level and folded title, blocks by kind, name and words (a
    literal block by its exact lines). Lines, wrapping and markup of titles
    are left out: those are what fixes change; so are the parser's messages
    (a format compares its own)."""
    for title in document.titles:
        yield ("title", fold(title.text))
    for block in (*document.preamble, *document.under_titles):
        yield from _block_shape(block, 0)
    for section in document.all_sections():
        yield ("section", section.level, fold(section.title))
        for block in section.blocks:
            yield from _block_shape(block, 1)


def _block_shape(block: Block, depth: int) -> Iterator[tuple[object, ...]]:
    if block.kind == "message":
        return
    text = block.text if block.kind == "literal" else " ".join(block.text.split())
    yield (block.kind, depth, block.name, text)
    for child in block.children:
        yield from _block_shape(child, depth + 1)
