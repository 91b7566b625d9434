"""The reStructuredText format: one docutils parse of a spec, made into the
document model (:mod:`..model`) the rules read.

Titles are kept as docutils' ``rawsource`` (the text as written), which is
what nova's own gate compares. Each block's line is the first line docutils
gives it or any node inside it (else its nearest ancestor's); a link's is
its own or its nearest ancestor's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import compress
from typing import Any

from docutils import nodes

from speckeeper.document.model import Block, BlockKind, Document, Link, Message, Paragraph, Section, Title
from speckeeper.document.rst.adornment import adornment
from speckeeper.document.rst.paragraphs import paragraphs
from speckeeper.document.rst.parse import RstParser

# Nodes whose text is kept as written: long lines in them are the author's.
_VERBATIM = (nodes.literal_block, nodes.doctest_block, nodes.math_block)

# An explicit markup line that starts a directive (docutils' own pattern),
# also inside a substitution definition: ``.. |name| image:: x``.
_DIRECTIVE = re.compile(
    r"^(\s*)\.\.\s+(?:\|[^|]+\|\s+)?(?:(?!_)\w)+(?:[-._+:](?:(?!_)\w)+)*\s?::(?:\s|$)"
)

# The lists, by the name their blocks and items get.
_LISTS: dict[type[nodes.Element], str] = {
    nodes.bullet_list: "bullet",
    nodes.enumerated_list: "enumerated",
    nodes.definition_list: "definition",
    nodes.field_list: "field",
    nodes.option_list: "option",
}
_ITEMS = (nodes.list_item, nodes.definition_list_item, nodes.field, nodes.option_list_item)
# Made by a directive, and named after it.
_DIRECTIVES = (nodes.Admonition, nodes.figure, nodes.image, nodes.topic, nodes.sidebar)
# Inline markup no line break may split: its length bounds a rewrapped line.
_INLINE_UNBREAKABLE = (nodes.literal, nodes.reference)
_ELEMENT_ASTEXT = nodes.Element.astext


class RstDocument(Document):
    """A document read from reStructuredText, with docutils' parse of it.

    The parse is for what only docutils can tell: its validity rules
    (:mod:`.rules`), the rewrap of paragraphs, the fixer's proof. Rules
    read the model, never ``doctree``."""

    _derived = Document._derived | {"doctree"}

    def __init__(self, *, doctree: nodes.document, **model: Any) -> None:
        super().__init__(**model)
        self.doctree = doctree

    def wrappable(self, rows: Sequence[str]) -> Iterator[Paragraph]:
        return paragraphs(self.doctree, rows)

    def gate_long_lines(self, limit: int) -> frozenset[int]:
        """The lines doc8's own D001 check flags, run on this parse (made
        once, safely), so that a repo whose gate is doc8 gets exactly doc8's
        answer rather than an imitation of it."""
        from doc8.checks import CheckMaxLineLength  # The doc8 extra: only for this style.

        check = CheckMaxLineLength({"max_line_length": limit, "allow_long_titles": False})
        return frozenset(line for line, _, _ in check.report_iter(_Doc8File(self)))


class _Doc8File:
    """What doc8's checks read of a file (its ParsedFile), from the document."""

    extension = ".rst"

    def __init__(self, document: RstDocument) -> None:
        self.document = document.doctree
        self._lines = document.lines

    def lines_iter(self) -> Iterator[str]:
        return iter(self._lines)


def _is_verbatim(node: nodes.Node) -> bool:
    """A block of verbatim text that is the spec's own (not inside a message)."""
    if not isinstance(node, _VERBATIM):
        return False
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.system_message):
            return False
        parent = parent.parent
    return True


def _verbatim_text(block: nodes.Element) -> str:
    """The text of a verbatim block as written (``parsed-literal`` markup
    included); a math block's rawsource is its whole directive."""
    if isinstance(block, nodes.math_block) or not block.rawsource:
        return block.astext()
    return str(block.rawsource)


def _find_block(text_lines: list[str], near: int | None, stripped: list[str], taken: set[int]) -> range | None:
    """Where a block's lines stand in the source, as a range of 1-based lines.

    docutils' line for a block is the first line for some kinds, the line
    after the block or the directive's line for others, and missing for
    some; so look for the text itself, nearest to that line, where no
    other block stands.
    """
    wanted = _stripped(text_lines)
    count = len(wanted)
    best: int | None = None
    for start in _occurrences(stripped, wanted[0]):
        if stripped[start - 1 : start - 1 + count] != wanted:
            continue
        if any(line in taken for line in range(start, start + count)):
            continue
        if near is None:
            best = start
            break
        if best is None or abs(start - near) < abs(best - near):
            best = start
    return range(best, best + count) if best is not None else None


def _inside(line: str, column: int) -> bool:
    """Whether a line continues an explicit-markup block that starts at ``column``."""
    return not line.strip() or len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip()) > column


def _title_line(title: nodes.title, lines: list[str]) -> int:
    """The line of a title's text. docutils points at the underline."""
    underline = title.line or 1
    return max(1, underline - 1) if underline - 1 <= len(lines) else underline


def _style(line: int, lines: list[str]) -> str:
    """The adornment of the title on ``line``: "=" or "==" with an overline."""
    found = adornment(lines, line)
    return found.style if found is not None else "?"


def _text_of(node: nodes.Text) -> str:
    """``node.astext()``: the text itself where it holds no escape (a null
    character, which docutils' ``unescape`` removes), as nearly all does."""
    return node.astext() if "\x00" in node else str(node)


def _line_of(node: nodes.Node) -> int:
    """The source line of a node, or of the nearest ancestor that has one."""
    current: nodes.Node | None = node
    while current is not None:
        if current.line:
            return int(current.line)
        current = current.parent
    return 1


def _first_line(node: nodes.Node) -> int:
    """The first source line of a node: its own, a descendant's or an ancestor's."""
    if node.line:
        return int(node.line)  # Most blocks: no walk needed.
    for candidate in node.findall(include_self=True):
        if candidate.line:
            return int(candidate.line)
    return _line_of(node)


# What a node of each class is, as far as its class tells (see _kind).
_KINDS: dict[type[nodes.Node], tuple[BlockKind, str] | None] = {}


def _kind(node: nodes.Node) -> tuple[BlockKind, str] | None:
    """What block a node is, with its name; None for what is not a block
    (inline markup, titles, targets, the parts of a list item or a table)."""
    cls = type(node)
    if cls not in _KINDS:
        _KINDS[cls] = _kind_of_class(node)
    kind = _KINDS[cls]
    if kind is not None and kind[0] == "item":
        parent = node.parent
        return "item", _LISTS.get(type(parent), "") if parent is not None else ""
    if kind is not None and kind[0] == "literal":
        classes = [name for name in node.get("classes", ()) if name != "code"]
        return "literal", classes[0] if classes else ""
    return kind


def _kind_of_class(node: nodes.Node) -> tuple[BlockKind, str] | None:
    if isinstance(node, nodes.image):
        return "directive", "image"  # Inline too: an image in a paragraph is one.
    if not isinstance(node, nodes.Element) or isinstance(node, (nodes.Inline, nodes.section, nodes.title, nodes.subtitle)):
        return None
    if isinstance(node, _ITEMS):
        return "item", ""
    if isinstance(node, nodes.Part):
        return None
    if isinstance(node, nodes.paragraph):
        return "paragraph", ""
    if isinstance(node, _VERBATIM):
        return "literal", ""
    listed = _LISTS.get(type(node))
    if listed is not None:
        return "list", listed
    if isinstance(node, nodes.comment):
        return "comment", ""
    if isinstance(node, nodes.table):
        return "table", ""
    if isinstance(node, nodes.block_quote):
        return "quote", ""
    if isinstance(node, nodes.system_message):
        return "message", ""
    if isinstance(node, _DIRECTIVES):
        return "directive", node.tagname
    return "other", node.tagname


class _Gathered:
    """What a walk under one block found: its child blocks, its links, and
    its longest inline literal or link."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.links: list[Link] = []
        self.unbreakable = 0


class _Builder:
    """One walk over a doctree, in document order, making blocks; it keeps
    the verbatim blocks it passes (outside docutils' messages) in order,
    for the literal lines, and the comments."""

    def __init__(self) -> None:
        self.verbatim: list[nodes.Element] = []
        self.comments: list[tuple[int, str]] = []  # Each comment's first line and text.
        self._texts: dict[int, str] = {}  # Each node's astext(), by id: nested blocks share it.

    def text(self, node: nodes.Node) -> str:
        """``node.astext()``, each element's read once however deep it
        stands (a text node, a leaf, is read once anyway)."""
        key = id(node)
        found = self._texts.get(key)
        if found is None:
            if type(node).astext is _ELEMENT_ASTEXT:
                assert isinstance(node, nodes.Element)
                found = node.child_text_separator.join([_text_of(child) if type(child) is nodes.Text else self.text(child) for child in node.children])
            else:
                found = node.astext()
            self._texts[key] = found
        return found

    def gather(self, parent: nodes.Element | None, children: Sequence[nodes.Node], found: _Gathered, quiet: bool) -> None:
        """The blocks and links among ``children`` (``parent``'s, where
        they have one) and under them."""
        for child in children:
            if not isinstance(child, nodes.Element):
                continue
            if isinstance(child, _INLINE_UNBREAKABLE):
                found.unbreakable = max(found.unbreakable, len(str(child.rawsource or self.text(child))))
                url = child.get("refuri") if isinstance(child, nodes.reference) else None
                if url:
                    text = self.text(child)
                    alone = isinstance(parent, nodes.paragraph) and self.text(parent).strip() == text.strip()
                    found.links.append(Link(url, text, _line_of(child), alone))
            kind = _kind(child)
            if kind is None:
                self.gather(child, child.children, found, quiet)
            else:
                found.blocks.append(self.block(child, *kind, quiet=quiet))

    def blocks(self, children: Sequence[nodes.Node]) -> tuple[Block, ...]:
        """The blocks among (and under) ``children``."""
        found = _Gathered()
        self.gather(None, children, found, False)
        return tuple(found.blocks)

    def block(self, node: nodes.Element, kind: BlockKind, name: str, quiet: bool) -> Block:
        if kind == "literal" and not quiet:
            self.verbatim.append(node)
        elif kind == "comment":
            self.comments.append((node.line or 1, self.text(node)))
        found = _Gathered()
        self.gather(node, node.children, found, quiet or kind == "message")
        line = _first_line(node)
        end = max(line, max(block.end for block in found.blocks)) if found.blocks else line
        unbreakable = 0
        rows: tuple[tuple[str, ...], ...] = ()
        target = ""
        if kind == "paragraph" and node.line is not None and node.rawsource:
            end = node.line + str(node.rawsource).count("\n")  # Its own rows, an image it shows aside.
            unbreakable = found.unbreakable
        elif kind == "table":
            rows = tuple(
                tuple(" ".join(self.text(entry).split()) for entry in row.children if isinstance(entry, nodes.entry))
                for row in node.findall(nodes.row)
            )
        elif isinstance(node, nodes.image):
            target = str(node.get("uri", ""))
        elif isinstance(node, nodes.figure):
            # Its image, when the figure holds it itself (not under a link).
            image = next((child for child in node.children if isinstance(child, nodes.image)), None)
            target = str(image.get("uri", "")) if image is not None else ""
        return Block(
            kind=kind,
            line=line,
            end=end,
            text=self.text(node),
            name=name,
            children=tuple(found.blocks),
            links=tuple(found.links),
            target=target,
            rows=rows,
            unbreakable=unbreakable,
        )

    def sections(self, found: list[nodes.section], level: int, lines: list[str], end: int) -> tuple[Section, ...]:
        """Sibling sections, in order, each ending where the next one's title
        (or its overline) starts; the last where its parent ends."""
        heads = [_head(node, lines) for node in found]
        # The first line of a title: its overline, where it has one.
        starts = [line - 1 if len(style) == 2 else line for _, line, style in heads]
        ends = [start - 1 for start in starts[1:]] + [end]
        return tuple(self.section(node, head, level, lines, last) for node, head, last in zip(found, heads, ends))

    def section(self, node: nodes.section, head: tuple[str, int, str], level: int, lines: list[str], end: int) -> Section:
        """A section (its title, line and style: ``head``) and those under
        it; ``end`` is its last line."""
        title, line, style = head
        own = [child for child in node.children if not isinstance(child, (nodes.title, nodes.section))]
        return Section(
            title=title,
            level=level,
            line=line,
            style=style,
            blocks=self.blocks(own),
            children=self.sections([c for c in node.children if isinstance(c, nodes.section)], level + 1, lines, end),
            end=end,
        )


def _title_of(node: nodes.section) -> nodes.title | None:
    """A section's title: its first child, as docutils makes it."""
    first = node.children[0] if node.children else None
    return first if isinstance(first, nodes.title) else node.next_node(nodes.title)


def _head(node: nodes.section, lines: list[str]) -> tuple[str, int, str]:
    """A section's title as written, its line and its adornment's style."""
    title = _title_of(node)
    line = _title_line(title, lines) if title is not None else node.line or 1
    return (title.rawsource if title is not None else ""), line, _style(line, lines)


def build(path: str, text: str, parser: RstParser, raw: bytes = b"") -> RstDocument:
    """Parse ``text`` once and build the document model from the doctree."""
    doctree, messages = parser.parse(text, path)
    return model(path, text, doctree, messages, raw)


def model(path: str, text: str, doctree: nodes.document, messages: list[Message], raw: bytes = b"") -> RstDocument:
    """The document model of a parse already made."""
    lines = text.splitlines()
    builder = _Builder()
    preamble = builder.blocks(_before_sections(doctree.children))
    top = builder.sections([child for child in doctree.children if isinstance(child, nodes.section)], 1, lines, len(lines))
    titles: list[Title] = []
    under_titles: tuple[Block, ...] = ()
    if doctree.children and isinstance(doctree.children[0], nodes.title):
        title = doctree.children[0]
        titles.append(Title(title.rawsource, _title_line(title, lines)))
        sections = top
    elif len(top) > 1 and all(len(s.style) == 2 for s in top):
        # Several over-and-underlined titles side by side: the spec has more
        # than one document title; what is under them is still its structure.
        titles.extend(Title(s.title, s.line) for s in top)
        sections = tuple(_relevel(child, 1) for s in top for child in s.children)
        under_titles = tuple(block for s in top for block in s.blocks)
    else:
        sections = top
    # What docutils put after the sections (a transition, a message):
    # verbatim there is no block of a section, but is the spec's text.
    sectioned = next((n for n, node in enumerate(doctree.children) if isinstance(node, nodes.section)), len(doctree.children))
    after = [node for node in doctree.children[sectioned:] if not isinstance(node, nodes.section)]
    verbatim = [*builder.verbatim, *(found for node in after for found in node.findall(_is_verbatim))]
    comments = [*builder.comments, *((c.line or 1, c.astext()) for node in after for c in node.findall(nodes.comment))]
    literal = _literal_lines(verbatim, lines)
    first = next((node for node in doctree.children if not isinstance(node, nodes.comment)), None)
    opening = 0 if first is None or isinstance(first, (nodes.section, nodes.title)) else next((n.line for n in first.findall() if n.line), 1)
    return RstDocument(
        path=path,
        format="rst",
        text=text,
        titles=titles,
        sections=sections,
        preamble=preamble,
        under_titles=under_titles,
        messages=messages,
        comments=tuple(comments),
        literal_lines=literal,
        directive_lines=_directive_lines(lines, literal),
        raw=raw,
        opening=opening,
        doctree=doctree,
    )


def _before_sections(children: Sequence[nodes.Node]) -> list[nodes.Node]:
    """What comes before the first section, titles aside."""
    found: list[nodes.Node] = []
    for child in children:
        if isinstance(child, nodes.section):
            break
        if not isinstance(child, nodes.title):
            found.append(child)
    return found


def _literal_lines(verbatim: list[nodes.Element], lines: list[str]) -> frozenset[int]:
    """1-based lines of verbatim text: ``::`` literal blocks, code and
    diagram directives, ``parsed-literal``, doctest and math blocks.

    Decided from the doctree, not from "any line after ``::``"; the
    lines a directive's own first line and options take are not in it.
    """
    found: set[int] = set()
    if not verbatim:
        return frozenset()
    stripped = _stripped(lines)
    for block in verbatim:
        span = _find_block(_verbatim_text(block).split("\n"), block.line, stripped, found)
        if span is not None:
            found.update(span)
    return frozenset(found)


def _stripped(lines: list[str]) -> list[str]:
    """Each line, tabs expanded to 8 columns, without surrounding whitespace."""
    return list(map(str.strip, map(str.expandtabs, lines)))  # Not a loop in Python: every line of a spec.


def _occurrences(items: list[str], wanted: str) -> Iterator[int]:
    """The 1-based positions of ``wanted`` in ``items``, in order."""
    start = 0
    while True:
        try:
            start = items.index(wanted, start) + 1
        except ValueError:
            return
        yield start


def _directive_lines(lines: list[str], literal: frozenset[int]) -> frozenset[int]:
    """1-based lines in a directive's body: its options and content.

    The directive's own line (``.. note:: Text``) is not in it. Read
    from the source by RST's explicit-markup rule (the block is every
    following line that is blank or indented past the ``..``); a
    directive shown inside a literal block is not one.
    """
    found: set[int] = set()
    # The lines that start a directive, found without a loop in Python over every line.
    matched = list(map(_DIRECTIVE.match, lines))  # Each line matched once.
    for number in compress(range(1, len(lines) + 1), matched):
        match = matched[number - 1]
        if match is None or number in literal:  # Never None (compress kept matches): for the type.
            continue
        column = len(match.group(1).expandtabs(8))
        following = number
        while following < len(lines) and _inside(lines[following], column):
            following += 1
        # Trailing blank lines belong to what follows, not to the body.
        while following > number and not lines[following - 1].strip():
            following -= 1
        found.update(range(number + 1, following + 1))
    return frozenset(found)


def content_before_title(spec: RstDocument) -> nodes.Element | None:
    """What keeps docutils from taking a file's first title as its document
    title: content before it other than comments and targets (a note, an
    index entry's target); None when there is none or docutils took it."""
    if spec.titles:
        return None
    for child in spec.doctree.children:
        if isinstance(child, nodes.section):
            return None
        if isinstance(child, nodes.Element) and not isinstance(child, nodes.PreBibliographic):
            return child
    return None


def retitled(spec: RstDocument) -> RstDocument:
    """The spec read as Sphinx reads it when other content stands before
    its one top-level title (:func:`content_before_title`): that title is
    the document title, the sections under it are the spec's, and what
    stands between it and them is its preamble too."""
    (first,) = spec.sections
    holder = next(child for child in spec.doctree.children if isinstance(child, nodes.section))
    return spec._replace(
        titles=[Title(first.title, first.line)],
        sections=tuple(_relevel(child, 1) for child in first.children),
        preamble=spec.preamble + _Builder().blocks(_before_sections(holder.children)),
    )


def _relevel(section: Section, level: int) -> Section:
    return section._replace(level=level, children=tuple(_relevel(child, level + 1) for child in section.children))
