"""Markdown as a format: a file's text read by markdown-it-py into the model.

CommonMark, with GFM tables and YAML front matter (mdit-py-plugins). Both
come with the ``markdown`` extra and are imported only when a Markdown
file is read, so a repo of reStructuredText specs never loads them.

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

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from speckeeper.document.markdown.paragraphs import MarkdownDocument
from speckeeper.document.model import Block, BlockKind, Document, Link, Message, Section, Title

from speckeeper.document.markdown import events

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token as _MarkdownItToken

    # markdown-it-py's, or the fast reading's made to look the same.
    Token = _MarkdownItToken | events.Token

    from speckeeper.document.markdown.pieces import Pieces

FORMAT = "markdown"
SUFFIXES = (".md", ".markdown")
EXTRA_MISSING = "Markdown files need the markdown extra: pip install 'speckeeper[markdown]'"

# Message kinds, the format's own words for what it found (the rules that
# report them are the format's rules.py, which alone names them as rules).
UNCLOSED_FENCE = "unclosed fence"
EMPTY_HEADING = "empty heading"
SKIPPED_LEVEL = "skipped level"
FRONT_MATTER = "front matter"
WARNING, ERROR = 2, 3

_COMMENT = re.compile(r"\s*<!--(.*?)-->\s*", re.DOTALL)


class MarkdownUnavailable(RuntimeError):
    """markdown-it-py or mdit-py-plugins is not installed (the extra)."""


def is_markdown(path: str) -> bool:
    """Whether a file is read as Markdown: its name ends in ``.md``."""
    return path.lower().endswith(SUFFIXES)


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
    if fast:  # Whole, in an editor too: it reads as check reads it.
        tokens: Sequence[Token] = _fast_tokens(text)
    elif pieces is not None:
        tokens = pieces.tokens(path, text, _parser().parse)
    else:
        tokens = _parser().parse(text)
    lines = text.splitlines()
    reader = _Reader(lines)
    metadata: dict[str, object] = {}
    metadata_lines: dict[tuple[object, ...], int] = {}
    body: list[Token] = []
    for token in tokens:
        if token.type == "front_matter":
            metadata, metadata_lines = reader.front_matter(token)
        else:
            body.append(token)
    headings, blocks = _split(body, lines)
    reader.check_headings(headings)
    tree = _tree(headings, blocks, reader, len(lines))
    return MarkdownDocument(
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


def _fast_tokens(text: str) -> Sequence[Token]:
    """pulldown-cmark's reading; markdown-it-py's where it fails (a panic of
    the Rust code is a BaseException, pyo3's PanicException): a bug of
    the faster parser costs speed, never a traceback."""
    try:
        return events.tokens(text)
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException:  # noqa: BLE001 - see above.
        return _parser().parse(text)


@dataclass
class _Heading:
    level: int  # 1 to 6, as written.
    line: int
    title: str  # As rendered: its markup removed, its spaces made one.
    style: str  # "#" for ATX; "=" or "-" for setext.
    start: int  # Index of its heading_open token.


@dataclass
class _Reader:
    """What reading the tokens collects besides the tree."""

    lines: list[str]
    messages: list[Message] = field(default_factory=list)
    comments: list[tuple[int, str]] = field(default_factory=list)
    literal: set[int] = field(default_factory=set)

    def front_matter(self, token: Token) -> tuple[dict[str, object], dict[tuple[object, ...], int]]:
        """The front matter's mapping and each value's line in the file; a
        message at its line when it is not a mapping."""
        from speckeeper.files import yamlfile

        try:
            marked = yamlfile.load_marked(token.content)
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

    def check_headings(self, headings: list[_Heading]) -> None:
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
    """A block token's first and last line, 1-based and inclusive; blank
    lines after a list belong to what follows."""
    assert token.map is not None  # Every block token markdown-it makes has one.
    first, after = token.map
    while after > first + 1 and after <= len(lines) and not lines[after - 1].strip():
        after -= 1
    return first + 1, max(first + 1, after)


def _closes(line: str, markup: str) -> bool:
    """Whether ``line`` closes a fence opened with ``markup`` (inside a
    quote or list, after the container's own marks)."""
    stripped = line.lstrip(" >\t-*+0123456789.)").strip()
    return len(stripped) >= len(markup) and set(stripped) == {markup[0]}


def _split(tokens: list[Token], lines: Sequence[str]) -> tuple[list[_Heading], list[tuple[int, Block]]]:
    """The headings, and the top-level blocks with the index of their first token."""
    headings: list[_Heading] = []
    blocks: list[tuple[int, Block]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            inline = tokens[index + 1]
            start, _ = _span(token, lines)
            style = token.markup[:1] if token.markup[:1] in ("=", "-") else "#"
            # As it reads rendered: "**Test** Plan" is "Test Plan".
            title = " ".join(_inline(inline, start).text.split())
            headings.append(_Heading(int(token.tag[1:]), start, title, style, index))
            index += 3
            continue
        closing = _closing(tokens, index)
        blocks.append((index, _block(tokens[index : closing + 1], lines)))
        index = closing + 1
    return headings, blocks


def _closing(tokens: Sequence[Token], index: int) -> int:
    """The index of the token that closes the one at ``index`` (itself for a
    token that opens nothing)."""
    depth = 0
    for position in range(index, len(tokens)):
        depth += tokens[position].nesting
        if depth <= 0:
            return position
    return len(tokens) - 1


_KINDS: dict[str, BlockKind] = {
    "bullet_list_open": "list",
    "ordered_list_open": "list",
    "list_item_open": "item",
    "blockquote_open": "quote",
}
# A list's kind, as the model names it (its items carry it too).
_LISTS = {"bullet_list_open": "bullet", "ordered_list_open": "enumerated"}


def _block(tokens: Sequence[Token], lines: Sequence[str], list_name: str = "") -> Block:
    """The block that ``tokens`` (an opening token to its closing one, or one
    token) make; ``list_name``: the kind of the list an item is in."""
    first = tokens[0]
    start, end = _span(first, lines)
    if first.type in ("fence", "code_block"):
        return Block("literal", start, end, first.content, name=first.info.strip().split(" ")[0])
    if first.type == "html_block":
        match = _COMMENT.fullmatch(first.content)
        kind: BlockKind = "comment" if match else "other"
        return Block(kind, start, end, match.group(1).strip() if match else first.content, name="html")
    inner = list(tokens[1:-1])
    if first.type == "paragraph_open":
        read = _inline(inner[0], start)
        return Block(
            "paragraph",
            start,
            end,
            read.text,
            links=read.links,
            target=read.target,
            unbreakable=read.unbreakable,
            breaks=read.breaks,
            code=read.code,
        )
    if first.type == "table_open":
        rows = [
            [_inline(cell, _span(row, lines)[0]) for cell in _cells(inner, index)]
            for index, row in enumerate(inner)
            if row.type == "tr_open"
        ]
        return Block(
            "table",
            start,
            end,
            "\n".join(" | ".join(cell.text for cell in row) for row in rows),
            links=tuple(link for row in rows for cell in row for link in cell.links),
            rows=tuple(tuple(" ".join(cell.text.split()) for cell in row) for row in rows),
        )
    name = _LISTS.get(first.type, list_name if first.type == "list_item_open" else "")
    children = tuple(_children(inner, lines, name))
    text = "\n".join(child.text for child in children)
    return Block(_KINDS.get(first.type, "other"), start, end, text, name=name, children=children)


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


@dataclass(frozen=True)
class _Inline:
    text: str  # Markup removed.
    links: tuple[Link, ...]
    target: str  # The first image's source, "" without one.
    unbreakable: int  # The longest inline literal or link, as written.
    breaks: tuple[int, ...] = ()  # The lines that end in a hard line break.
    code: tuple[str, ...] = ()  # Its code spans' text.


def _inline(inline: Token, line: int) -> _Inline:
    """An inline run read: its text with its markup removed, its links with
    their lines, its image, its longest unbreakable stretch."""
    parts: list[str] = []
    links: list[Link] = []
    target = ""
    unbreakable = 0
    breaks: list[int] = []
    code: list[str] = []
    open_link: tuple[str, int, int] | None = None  # (url, line, where its text starts in parts)
    for child in inline.children or ():
        if isinstance(child, str):  # Text, as the fast reading has it.
            parts.append(child)
        elif child.type in ("softbreak", "hardbreak"):
            if child.type == "hardbreak":
                breaks.append(line)
            parts.append("\n")
            line += 1
        elif child.type == "link_open":
            open_link = (str(child.attrs.get("href", "")), line, len(parts))
        elif child.type == "link_close" and open_link is not None:
            url, at, begin = open_link
            text = "".join(parts[begin:])
            links.append(Link(url, text, at))
            # [text](url), or <url> for an autolink.
            unbreakable = max(unbreakable, len(url) + 2 if child.markup == "autolink" else len(text) + len(url) + 4)
            open_link = None
        elif child.type == "text":
            parts.append(child.content)
        elif child.type == "code_inline":
            parts.append(child.content)
            code.append(child.content)
            unbreakable = max(unbreakable, len(child.content) + 2 * len(child.markup))
        elif child.type == "image":
            parts.append(child.content)
            target = target or str(child.attrs.get("src", ""))
        elif child.type == "html_inline" and _COMMENT.fullmatch(child.content) is None:
            parts.append(child.content)
    text = "".join(parts)
    alone = " ".join(text.split())
    return _Inline(
        text,
        tuple(Link(link.url, link.text, link.line, alone=" ".join(link.text.split()) == alone) for link in links),
        target,
        unbreakable,
        tuple(breaks),
        tuple(code),
    )


@dataclass(frozen=True)
class _Tree:
    titles: list[Title]
    sections: tuple[Section, ...]
    preamble: tuple[Block, ...]  # Before the first section, under the first title or none.
    under_titles: tuple[Block, ...]  # Under a second title (or third), before its sections.
    opening: int  # Without a title: where what comes first starts, when it is no section.


def _tree(headings: list[_Heading], blocks: list[tuple[int, Block]], reader: _Reader, last_line: int) -> _Tree:
    """The titles, the sections (nested by heading level) and the blocks in none."""
    for _, block in blocks:
        for inner in block.walk():
            if inner.kind == "comment":
                reader.comments.append((inner.line, inner.text))
            if inner.kind == "literal":
                _literal(inner, reader)
    # Each block belongs to the heading last before it (both are in token order).
    owned: dict[int, list[Block]] = {heading.start: [] for heading in headings}
    preamble: list[Block] = []
    under_titles: list[Block] = []
    titles_seen = 0
    following = iter(headings)
    upcoming = next(following, None)
    owner: _Heading | None = None
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


@dataclass
class _Node:
    heading: _Heading
    children: list[_Node] = field(default_factory=list)


def _nest(
    headings: list[_Heading], owned: dict[int, list[Block]], last_line: int
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
    open_headings: list[_Heading] = []
    for heading in headings:
        while open_headings and open_headings[-1].level >= heading.level:
            ends[open_headings.pop().start] = heading.line - 1
        open_headings.append(heading)

    def end_of(heading: _Heading) -> int:
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
