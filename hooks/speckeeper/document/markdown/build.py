"""Markdown as a format: a file's text read by markdown-it-py into the model
(or by pulldown-cmark, :mod:`.events`, where the ``markdown-fast`` extra
is installed).

CommonMark, with GFM tables and YAML front matter (mdit-py-plugins). Both
come with the ``markdown`` extra and are imported only when a Markdown
file is read, so a repo of reStructuredText specs never loads them.
markdown-it-py's tokens are read here into a :class:`~.reading.Reading`
(the front matter, the headings, the top-level blocks), which
:mod:`.events` makes of pulldown-cmark's events alike; the model is built
of it.

How a Markdown file maps onto :class:`~.model.Document`:

- Every level-1 heading is a document title. A design document has one
  (a KEP's ``# KEP-NNNN: Title``, a decision record's ``# Title``); a
  second is a second title, which SK107 reports as RST's second title is,
  and the headings under it stay sections of the document.
- A heading of level *n* (ATX ``#`` or setext) is a section: its parent is
  the nearest heading above it of a lower level, and its level is how deep
  it nests under the title (``##`` is 1, ``###`` under it 2). A skipped
  level (``####`` under ``##``) nests one deeper than its parent, and is
  reported as a message (see below), not read as two levels. A section's
  style is ``#`` for an ATX heading, ``=`` or ``-`` for a setext one (its
  underline, as RST's adornment is).
- Fenced and indented code are "literal" blocks (their language as the
  name); an HTML comment block is a "comment"; other HTML is "other".
  Tables, lists (each item an "other" block named "item") and block quotes
  ("quote") hold their content as children.
- A paragraph keeps the lines that end in a hard line break and the text
  of its code spans (what the fixer's proof compares, which whitespace
  alone would not tell).
- The front matter (``---`` YAML at the top) is the metadata, read by
  :mod:`speckeeper.files.yamlfile` (no aliases, bounded depth and size).

What markdown-it accepts without a word but renders otherwise than its
author meant is a :class:`~.model.Message` of the document, with its kind:
"unclosed fence", "empty heading", "skipped level" and
"front matter" (metadata that is not YAML, or not a mapping). The rules
in :mod:`.rules` (SK6xx) report them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from speckeeper.document.markdown import (
    EMPTY_HEADING,
    ERROR,
    EXTRA_MISSING,
    FORMAT,
    FRONT_MATTER,
    SKIPPED_LEVEL,
    UNCLOSED_FENCE,
    WARNING,
    MarkdownUnavailable,
    events,
    reading,
)
from speckeeper.document.markdown.paragraphs import MarkdownDocument
from speckeeper.document.markdown.reading import Heading, Inline, Reading
from speckeeper.document.model import Block, Document, Message, Section, Title

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

    from speckeeper.document.markdown.pieces import Pieces

def _parser() -> MarkdownIt:
    try:
        from markdown_it import MarkdownIt
        from mdit_py_plugins.front_matter import front_matter_plugin
    except ImportError:
        raise MarkdownUnavailable(EXTRA_MISSING) from None
    # "commonmark" nests at most 20 blocks deep: no input recurses further.
    return MarkdownIt("commonmark").enable("table").use(front_matter_plugin)


def parse(path: str, text: str, raw: bytes = b"", pieces: Pieces | None = None, *, fast: bool | None = None) -> Document:
    """The model of a Markdown file's text; never raises for any text
    (what is wrong with it is in the document's messages). ``fast``:
    read by pulldown-cmark (:mod:`.events`, the ``markdown-fast`` extra)
    rather than markdown-it-py; by default where it is installed. Else,
    with ``pieces`` (an editor's), the pieces of it markdown-it-py parsed
    before are not parsed again."""
    if fast is None:
        fast = events.available()
    lines = text.splitlines()
    if fast:  # Whole, in an editor too: it reads as check reads it.
        read = _fast_reading(text, lines)
    elif pieces is not None:
        read = _reading(pieces.tokens(path, text, _parser().parse), lines)
    else:
        read = _reading(_parser().parse(text), lines)
    reader = _Reader(lines)
    metadata: dict[str, object] = {}
    metadata_lines: dict[tuple[object, ...], int] = {}
    if read.front_matter is not None:
        metadata, metadata_lines = reader.front_matter(read.front_matter)
    reader.check_headings(read.headings)
    tree = _tree(read, reader, len(lines))
    document = MarkdownDocument(
        path=path,
        format=FORMAT,
        text=text,
        titles=tree.titles,
        sections=tree.sections,
        preamble=tree.preamble,
        under_titles=tree.under_titles,
        messages=sorted(reader.messages, key=lambda m: m.line),
        metadata=metadata,
        metadata_lines=metadata_lines,
        comments=tuple(reader.comments),
        literal_lines=frozenset(reader.literal),
        raw=raw,
        opening=tree.opening,
    )
    document.__dict__["lines"] = lines  # Its cached property, split once.
    return document


def _fast_reading(text: str, lines: list[str]) -> Reading:
    """pulldown-cmark's reading; markdown-it-py's where it fails (a panic of
    the Rust code is a BaseException, pyo3's PanicException): a bug of
    the faster parser costs speed, never a traceback."""
    try:
        return events.read(text, lines)
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException:  # noqa: BLE001 - see above.
        return _reading(_parser().parse(text), lines)


class _Reader:
    """What reading the tokens collects besides the tree."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.messages: list[Message] = []
        self.comments: list[tuple[int, str]] = []
        self.literal: set[int] = set()

    def front_matter(self, content: str) -> tuple[dict[str, object], dict[tuple[object, ...], int]]:
        """The front matter's mapping and each value's line in the file; a
        message at its line when it is not a mapping."""
        from speckeeper.files import yamlfile

        try:
            marked = yamlfile.load_marked(content)
        except yamlfile.Refused as refused:
            # The YAML's line 1 is the file's line 2, under the opening "---".
            line = refused.line + 1 if refused.line else 1
            self.messages.append(Message(line, ERROR, f"front matter is not read: {refused.reason}", FRONT_MATTER))
            return {}, {}
        if marked.data is None:
            return {}, {}
        if not isinstance(marked.data, dict):
            self.messages.append(
                Message(2, ERROR, f"front matter is a {type(marked.data).__name__}, expected a mapping of keys", FRONT_MATTER)
            )
            return {}, {}
        return marked.data, {path: line + 1 for path, line in marked.lines.items()}

    def check_headings(self, headings: list[Heading]) -> None:
        previous = 0
        for heading in headings:
            if not heading.title.strip():
                self.messages.append(
                    Message(heading.line, WARNING, f"heading {'#' * heading.level} has no text", EMPTY_HEADING)
                )
            if previous and heading.level > previous + 1:
                self.messages.append(
                    Message(
                        heading.line,
                        WARNING,
                        f"heading level {heading.level} under level {previous}, expected level {previous + 1} at most",
                        SKIPPED_LEVEL,
                    )
                )
            previous = heading.level


def _span(token: Token, lines: Sequence[str]) -> tuple[int, int]:
    """A block token's first and last line, 1-based and inclusive."""
    assert token.map is not None  # Every block token markdown-it makes has one.
    return reading.extent(token.map[0], token.map[1], lines)


def _closes(line: str, markup: str) -> bool:
    """Whether ``line`` closes a fence opened with ``markup`` (inside a
    quote or list, after the container's own marks)."""
    stripped = line.lstrip(" >\t-*+0123456789.)").strip()
    return len(stripped) >= len(markup) and set(stripped) == {markup[0]}


def _reading(tokens: Sequence[Token], lines: Sequence[str]) -> Reading:
    """markdown-it-py's tokens read: the front matter, the headings, and
    the top-level blocks with the index of their first token."""
    front_matter: str | None = None
    body: list[Token] = []
    for token in tokens:
        if token.type == "front_matter":
            front_matter = token.content
        else:
            body.append(token)
    headings: list[Heading] = []
    blocks: list[tuple[int, Block]] = []
    index = 0
    while index < len(body):
        token = body[index]
        if token.type == "heading_open":
            inline = body[index + 1]
            start, _ = _span(token, lines)
            style = token.markup[:1] if token.markup[:1] in ("=", "-") else "#"
            # As it reads rendered: "**Test** Plan" is "Test Plan".
            title = " ".join(_inline(inline, start).text.split())
            headings.append(Heading(int(token.tag[1:]), start, title, style, index))
            index += 3
            continue
        closing = _closing(body, index)
        blocks.append((index, _block(body[index : closing + 1], lines)))
        index = closing + 1
    return Reading(front_matter, headings, blocks)


def _closing(tokens: Sequence[Token], index: int) -> int:
    """The index of the token that closes the one at ``index`` (itself for a
    token that opens nothing)."""
    depth = 0
    for position in range(index, len(tokens)):
        depth += tokens[position].nesting
        if depth <= 0:
            return position
    return len(tokens) - 1


def _block(tokens: Sequence[Token], lines: Sequence[str], list_name: str = "") -> Block:
    """The block that ``tokens`` (an opening token to its closing one, or one
    token) make; ``list_name``: the kind of the list an item is in."""
    first = tokens[0]
    start, end = _span(first, lines)
    if first.type in ("fence", "code_block"):
        return reading.literal(start, end, first.content, first.info)
    if first.type == "html_block":
        return reading.html(start, end, first.content)
    inner = list(tokens[1:-1])
    if first.type == "paragraph_open":
        return reading.paragraph(start, end, _inline(inner[0], start))
    if first.type == "table_open":
        rows = [
            [_inline(cell, _span(row, lines)[0]) for cell in _cells(inner, index)]
            for index, row in enumerate(inner)
            if row.type == "tr_open"
        ]
        return reading.table(start, end, rows)
    kind = first.type.removesuffix("_open")
    name = reading.LISTS.get(kind, list_name if kind == "list_item" else "")
    return reading.container(kind, start, end, name, tuple(_children(inner, lines, name)))


def _cells(tokens: list[Token], index: int) -> Iterator[Token]:
    """The inline tokens of the cells of the table row opened at ``index``."""
    for token in tokens[index + 1 : _closing(tokens, index)]:
        if token.type == "inline":
            yield token


def _children(tokens: list[Token], lines: Sequence[str], list_name: str) -> Iterator[Block]:
    """The blocks of a container's tokens."""
    index = 0
    while index < len(tokens):
        closing = _closing(tokens, index)
        if tokens[index].map is not None:
            yield _block(tokens[index : closing + 1], lines, list_name)
        index = closing + 1


def _inline(inline: Token, line: int) -> Inline:
    """An inline token's run read (its children as :mod:`.reading` has them)."""
    return reading.read_inline([child for token in inline.children or () if (child := _child(token)) is not None], line)


def _child(token: Token) -> reading.Child | None:
    """An inline token as :mod:`.reading` has it; None for markup it leaves out."""
    kind = token.type
    if kind == "text":
        return token.content
    if kind in ("softbreak", "hardbreak"):
        return reading.SOFT if kind == "softbreak" else reading.HARD
    if kind == "link_open":
        return (reading.LINK_OPEN, str(token.attrs.get("href", "")), token.markup)
    if kind == "link_close":
        return (reading.LINK_CLOSE, token.markup)
    if kind == "code_inline":
        return (reading.CODE, token.content, len(token.markup))
    if kind == "image":
        return (reading.IMAGE, token.content, str(token.attrs.get("src", "")))
    if kind == "html_inline":
        return (reading.HTML, token.content)
    return None


class _Tree(NamedTuple):
    titles: list[Title]
    sections: tuple[Section, ...]
    preamble: tuple[Block, ...]  # Before the first section, under the first title or none.
    under_titles: tuple[Block, ...]  # Under a second title (or third), before its sections.
    opening: int  # Without a title: where what comes first starts, when it is no section.


def _tree(read: Reading, reader: _Reader, last_line: int) -> _Tree:
    """The titles, the sections (nested by heading level) and the blocks in none."""
    headings, blocks = read.headings, read.blocks
    leaves = read.leaves
    if leaves is None:
        leaves = [inner for _, block in blocks for inner in block.walk() if inner.kind in ("comment", "literal")]
    for leaf in leaves:
        if leaf.kind == "comment":
            reader.comments.append((leaf.line, leaf.text))
        else:
            _literal(leaf, reader)
    # Each block belongs to the heading last before it (both are in token order).
    owned: dict[int, list[Block]] = {heading.start: [] for heading in headings}
    preamble: list[Block] = []
    under_titles: list[Block] = []
    titles_seen = 0
    following = iter(headings)
    upcoming = next(following, None)
    owner: Heading | None = None
    for index, block in blocks:
        while upcoming is not None and upcoming.start < index:
            owner, upcoming = upcoming, next(following, None)
            titles_seen += owner.level == 1
        if owner is None or owner.level == 1:
            (under_titles if titles_seen > 1 else preamble).append(block)
        else:
            owned[owner.start].append(block)
    titles = [Title(h.title, h.line) for h in headings if h.level == 1]
    opening = 0
    if not titles:
        first = next((b for b in preamble if b.kind != "comment"), None)
        opening = first.line if first is not None else 0
    return _Tree(titles, _nest(headings, owned, last_line), tuple(preamble), tuple(under_titles), opening)


def _literal(block: Block, reader: _Reader) -> None:
    """The lines of a literal block's content (a fence's own lines aside)."""
    row = reader.lines[block.line - 1].lstrip(" >\t-*+0123456789.)") if block.line <= len(reader.lines) else ""
    if row.startswith(("```", "~~~")):
        fence = row[: len(row) - len(row.lstrip(row[0]))]
        closed = block.end > block.line and _closes(reader.lines[block.end - 1], fence)
        reader.literal.update(range(block.line + 1, block.end if closed else block.end + 1))
        if not closed:
            # A fence in a list item or quote ends with it; else with the file.
            last = max((n for n, row in enumerate(reader.lines, 1) if row.strip()), default=0)
            rest = "everything after it" if block.end >= last else "the rest of its list item or quote"
            reader.messages.append(
                Message(block.line, ERROR, f"code fence {fence} is never closed: {rest} is code", UNCLOSED_FENCE)
            )
    else:
        reader.literal.update(range(block.line, block.end + 1))


class _Node:
    __slots__ = ("heading", "children")

    def __init__(self, heading: Heading) -> None:
        self.heading = heading
        self.children: list[_Node] = []


def _nest(
    headings: list[Heading], owned: dict[int, list[Block]], last_line: int
) -> tuple[Section, ...]:
    """Sections from the headings in order: each under the nearest heading
    above it of a lower level; a level-1 heading (a title) ends them all."""
    roots: list[_Node] = []
    stack: list[_Node] = []  # The headings still open, outermost first.
    for heading in headings:
        if heading.level == 1:
            stack.clear()
            continue
        node = _Node(heading)
        while stack and stack[-1].heading.level >= heading.level:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)

    # Where each section ends: the line before the next heading at its
    # level or above, found in one pass with the headings still open.
    ends: dict[int, int] = {}
    open_headings: list[Heading] = []
    for heading in headings:
        while open_headings and open_headings[-1].level >= heading.level:
            ends[open_headings.pop().start] = heading.line - 1
        open_headings.append(heading)

    def end_of(heading: Heading) -> int:
        return ends.get(heading.start, last_line)

    def build(node: _Node, level: int) -> Section:
        heading = node.heading
        return Section(
            title=heading.title,
            level=level,
            line=heading.line,
            style=heading.style,
            blocks=tuple(owned[heading.start]),
            children=tuple(build(child, level + 1) for child in node.children),
            end=end_of(heading),
        )

    return tuple(build(root, 1) for root in roots)
