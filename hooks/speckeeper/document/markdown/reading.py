"""What a reading of a Markdown file gives :mod:`.build`, made the same way
by both readings: markdown-it-py's tokens (read in :mod:`.build`) and
pulldown-cmark's events (:mod:`.events`, the ``markdown-fast`` extra).

A :class:`Reading` is the front matter's text, the headings written at
the top level and the blocks there (a list's whole tree one block), each
numbered in document order. The blocks are made here, by both, so that
what a kind of block holds is said once: its lines, its text, its links.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from speckeeper.document.model import Block, BlockKind, Link

COMMENT = re.compile(r"\s*<!--(.*?)-->\s*", re.DOTALL)
# A container's kind in the model, by markdown-it's name of its token.
CONTAINERS: dict[str, BlockKind] = {
    "bullet_list": "list",
    "ordered_list": "list",
    "list_item": "item",
    "blockquote": "quote",
}
# A list's kind, as the model names it (its items carry it too).
LISTS = {"bullet_list": "bullet", "ordered_list": "enumerated"}
# An inline run's children, as both readings give them: text (a str),
# and the rest as tuples, their kind first.
Child = str | tuple[Any, ...]
SOFT: tuple[str] = ("softbreak",)
HARD: tuple[str] = ("hardbreak",)
LINK_OPEN = "link_open"  # (kind, href, markup)
LINK_CLOSE = "link_close"  # (kind, markup: "autolink" for <url>)
CODE = "code"  # (kind, content, backticks round it)
IMAGE = "image"  # (kind, its label as written, src)
HTML = "html"  # (kind, content)


class Heading(NamedTuple):
    level: int  # 1 to 6, as written.
    line: int
    title: str  # As rendered: its markup removed, its spaces made one.
    style: str  # "#" for ATX; "=" or "-" for setext.
    start: int  # Where it is among the top level's headings and blocks.


class Reading(NamedTuple):
    front_matter: str | None  # Its YAML, without its markers; None without one.
    headings: list[Heading]
    blocks: list[tuple[int, Block]]  # Each with where it is among the headings.
    # The comments and literal blocks among them (inside others too), in
    # document order; None: the build walks the blocks for them.
    leaves: list[Block] | None = None


class Inline(NamedTuple):
    """An inline run (a paragraph's, a heading's, a table cell's) read."""

    text: str  # Markup removed.
    links: tuple[Link, ...]
    target: str  # The first image's source, "" without one.
    unbreakable: int  # The longest inline literal or link, as written.
    breaks: tuple[int, ...] = ()  # The lines that end in a hard line break.
    code: tuple[str, ...] = ()  # Its code spans' text.


def read_inline(children: Sequence[Child], line: int) -> Inline:
    """An inline run read from ``line`` on: its text with its markup
    removed, its links with their lines (one that is the whole of its run
    ``alone``), its image, its longest unbreakable stretch."""
    parts: list[str] = []
    target = ""
    unbreakable = 0
    breaks: list[int] = []
    code: list[str] = []
    open_link: tuple[str, int, int] | None = None  # (url, line, where its text starts in parts)
    found: list[tuple[str, str, int]] = []  # Each link's url, text and line.
    for child in children:
        if isinstance(child, str):
            parts.append(child)
            continue
        kind = child[0]
        if child == SOFT or child == HARD:
            if child == HARD:
                breaks.append(line)
            parts.append("\n")
            line += 1
        elif kind == LINK_OPEN:
            open_link = (child[1], line, len(parts))
        elif kind == LINK_CLOSE and open_link is not None:
            url, at, begin = open_link
            text = "".join(parts[begin:])
            found.append((url, text, at))
            # [text](url), or <url> for an autolink.
            unbreakable = max(unbreakable, len(url) + 2 if child[1] == "autolink" else len(text) + len(url) + 4)
            open_link = None
        elif kind == CODE:
            parts.append(child[1])
            code.append(child[1])
            unbreakable = max(unbreakable, len(child[1]) + 2 * child[2])
        elif kind == IMAGE:
            parts.append(child[1])
            target = target or child[2]
            line += child[1].count("\n")  # Its label as written, its line ends with it.
        elif kind == HTML:
            if COMMENT.fullmatch(child[1]) is None:
                parts.append(child[1])
            line += child[1].count("\n")  # Inline HTML as written, over its lines.
    text = "".join(parts)
    links: tuple[Link, ...] = ()
    if found:
        alone = " ".join(text.split())
        links = tuple(Link(url, label, at, alone=" ".join(label.split()) == alone) for url, label, at in found)
    return Inline(text, links, target, unbreakable, tuple(breaks), tuple(code))


def extent(first: int, after: int, lines: Sequence[str]) -> tuple[int, int]:
    """A block's first and last line, 1-based and inclusive, of its 0-based
    first line and the line after it; blank lines after a list belong to
    what follows."""
    while after > first + 1 and after <= len(lines) and not lines[after - 1].strip():
        after -= 1
    return first + 1, max(first + 1, after)


def paragraph(start: int, end: int, read: Inline) -> Block:
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


def literal(start: int, end: int, content: str, info: str) -> Block:
    """A fenced or indented code block; its language is its info's first word."""
    return Block("literal", start, end, content, name=info.strip().split(" ")[0])


def html(start: int, end: int, content: str) -> Block:
    """An HTML block: a comment's text, or the HTML as written."""
    match = COMMENT.fullmatch(content)
    if match:
        return Block("comment", start, end, match.group(1).strip(), name="html")
    return Block("other", start, end, content, name="html")


def table(start: int, end: int, rows: Sequence[Sequence[Inline]]) -> Block:
    """A table of its rows' cells (header rows first)."""
    return Block(
        "table",
        start,
        end,
        "\n".join(" | ".join(cell.text for cell in row) for row in rows),
        links=tuple(link for row in rows for cell in row for link in cell.links),
        rows=tuple(tuple(" ".join(cell.text.split()) for cell in row) for row in rows),
    )


def container(kind: str, start: int, end: int, name: str, children: tuple[Block, ...]) -> Block:
    """A list, an item, a quote (``kind`` markdown-it's name), or anything
    else with blocks in it ("other": a heading inside a list item)."""
    text = "\n".join([child.text for child in children])
    return Block(CONTAINERS.get(kind, "other"), start, end, text, name, children)
