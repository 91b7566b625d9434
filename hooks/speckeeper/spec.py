"""The spec model: what one docutils parse tells about one spec file.

Every rule reads a :class:`Spec`; none parses the file again. Titles are kept
as docutils' ``rawsource`` (the text as written), which is what nova's own
gate compares.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from docutils import nodes

from speckeeper.parse import Message, RstParser

# The punctuation docutils accepts as section adornment.
ADORNMENT_CHARS = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")

# Nodes whose text is kept as written: long lines in them are the author's.
_VERBATIM = (nodes.literal_block, nodes.doctest_block, nodes.math_block)

# An explicit markup line that starts a directive (docutils' own pattern),
# also inside a substitution definition: ``.. |name| image:: x``.
_DIRECTIVE = re.compile(
    r"^(\s*)\.\.\s+(?:\|[^|]+\|\s+)?(?:(?!_)\w)+(?:[-._+:](?:(?!_)\w)+)*\s?::(?:\s|$)"
)


@dataclass(frozen=True)
class Section:
    """One section of a spec: its title, where it is, and what is under it."""

    title: str
    level: int  # 1 for a section directly under the document title.
    line: int  # 1-based line of the title text.
    style: str  # The adornment: "=" underline only, "==" over- and underline.
    node: nodes.section = field(repr=False, compare=False)
    children: tuple[Section, ...] = ()

    @property
    def body(self) -> list[nodes.Node]:
        """The section's own content: everything but its title and subsections."""
        return [
            child
            for child in self.node.children
            if not isinstance(child, (nodes.title, nodes.section, nodes.target, nodes.comment))
        ]

    @property
    def is_empty(self) -> bool:
        return not self.body and not self.children

    def walk(self) -> list[Section]:
        """This section and all below it, in document order."""
        found = [self]
        for child in self.children:
            found.extend(child.walk())
        return found


@dataclass(frozen=True)
class Title:
    """The document title (the spec's name)."""

    text: str
    line: int


@dataclass
class Spec:
    """A parsed spec file."""

    path: str
    text: str
    doctree: nodes.document = field(repr=False)
    messages: list[Message]
    titles: list[Title]  # Document titles: exactly one in a good spec.
    sections: tuple[Section, ...]  # Sections under the document title.
    raw: bytes = b""  # The file's bytes, for rules about line endings and encoding.
    # The section that holds the document title when other content came
    # before it (see :func:`retitled`); None when docutils took the title.
    title_section: nodes.section | None = field(default=None, repr=False)

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    @cached_property
    def literal_lines(self) -> frozenset[int]:
        """1-based lines of verbatim text: ``::`` literal blocks, code and
        diagram directives, ``parsed-literal``, doctest and math blocks.

        Decided from the doctree, not from "any line after ``::``"; the
        lines a directive's own first line and options take are not in it.
        """
        found: set[int] = set()
        stripped = [line.expandtabs(8).strip() for line in self.lines]
        starts: dict[str, list[int]] = {}
        for number, line in enumerate(stripped, 1):
            starts.setdefault(line, []).append(number)
        for block in self.doctree.findall(_is_verbatim):
            span = _find_block(_verbatim_text(block).split("\n"), block.line, stripped, starts, found)
            if span is not None:
                found.update(span)
        return frozenset(found)

    @cached_property
    def directive_lines(self) -> frozenset[int]:
        """1-based lines in a directive's body: its options and content.

        The directive's own line (``.. note:: Text``) is not in it. Read
        from the source by RST's explicit-markup rule (the block is every
        following line that is blank or indented past the ``..``); a
        directive shown inside a literal block is not one.
        """
        found: set[int] = set()
        literal = self.literal_lines
        for number, line in enumerate(self.lines, 1):
            match = _DIRECTIVE.match(line)
            if match is None or number in literal:
                continue
            column = len(match.group(1).expandtabs(8))
            following = number
            while following < len(self.lines) and _inside(self.lines[following], column):
                following += 1
            # Trailing blank lines belong to what follows, not to the body.
            while following > number and not self.lines[following - 1].strip():
                following -= 1
            found.update(range(number + 1, following + 1))
        return frozenset(found)

    def all_sections(self) -> list[Section]:
        found: list[Section] = []
        for section in self.sections:
            found.extend(section.walk())
        return found

    def preamble(self) -> list[nodes.Element]:
        """What the spec says between its title and its first section (and,
        where it came first, before its title)."""
        found = []
        holders = [self.doctree] if self.title_section is None else [self.doctree, self.title_section]
        for holder in holders:
            for child in holder.children:
                if isinstance(child, nodes.section):
                    break
                if isinstance(child, nodes.Element) and not isinstance(child, nodes.title):
                    found.append(child)
        return found

    def comments(self) -> list[tuple[int, str]]:
        """RST comments with their first line: where directives to us live."""
        return [
            (comment.line or 1, comment.astext())
            for comment in self.doctree.findall(nodes.comment)
        ]


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


def _find_block(
    text_lines: list[str], near: int | None, stripped: list[str], starts: dict[str, list[int]], taken: set[int]
) -> range | None:
    """Where a block's lines stand in the source, as a range of 1-based lines.

    docutils' line for a block is the first line for some kinds, the line
    after the block or the directive's line for others, and missing for
    some; so look for the text itself, nearest to that line, where no
    other block stands.
    """
    wanted = [line.expandtabs(8).strip() for line in text_lines]
    count = len(wanted)
    best: int | None = None
    for start in starts.get(wanted[0], ()):
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


@dataclass(frozen=True)
class Adornment:
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


def fold(title: str) -> str:
    """A title as titles compare when case and spacing do not count."""
    return " ".join(title.casefold().split())


def _style(line: int, lines: list[str]) -> str:
    """The adornment of the title on ``line``: "=" or "==" with an overline."""
    found = adornment(lines, line)
    return found.style if found is not None else "?"


def _section(node: nodes.section, level: int, lines: list[str]) -> Section:
    title = node.next_node(nodes.title)
    line = _title_line(title, lines) if title is not None else node.line or 1
    children = tuple(
        _section(child, level + 1, lines) for child in node.children if isinstance(child, nodes.section)
    )
    return Section(
        title=title.rawsource if title is not None else "",
        level=level,
        line=line,
        style=_style(line, lines),
        node=node,
        children=children,
    )


def build(path: str, text: str, parser: RstParser, raw: bytes = b"") -> Spec:
    """Parse ``text`` once and build the spec model from the doctree."""
    doctree, messages = parser.parse(text, path)
    return model(path, text, doctree, messages, raw)


def model(path: str, text: str, doctree: nodes.document, messages: list[Message], raw: bytes = b"") -> Spec:
    """The spec model of a parse already made."""
    lines = text.splitlines()
    top = [
        _section(child, 1, lines) for child in doctree.children if isinstance(child, nodes.section)
    ]
    titles: list[Title] = []
    if doctree.children and isinstance(doctree.children[0], nodes.title):
        title = doctree.children[0]
        titles.append(Title(title.rawsource, _title_line(title, lines)))
        sections = tuple(top)
    elif len(top) > 1 and all(len(s.style) == 2 for s in top):
        # Several over-and-underlined titles side by side: the spec has more
        # than one document title; what is under them is still its structure.
        titles.extend(Title(s.title, s.line) for s in top)
        sections = tuple(_relevel(child, 1) for s in top for child in s.children)
    else:
        sections = tuple(top)
    return Spec(
        path=path, text=text, doctree=doctree, messages=messages, titles=titles, sections=sections, raw=raw
    )


def content_before_title(spec: Spec) -> nodes.Element | None:
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


def retitled(spec: Spec) -> Spec:
    """The spec read as Sphinx reads it when other content stands before
    its one top-level title (:func:`content_before_title`): that title is
    the document title, and the sections under it are the spec's."""
    (first,) = spec.sections
    return dataclasses.replace(
        spec,
        titles=[Title(first.title, first.line)],
        sections=tuple(_relevel(child, 1) for child in first.children),
        title_section=first.node,
    )


def _relevel(section: Section, level: int) -> Section:
    return Section(
        title=section.title,
        level=level,
        line=section.line,
        style=section.style,
        node=section.node,
        children=tuple(_relevel(child, level + 1) for child in section.children),
    )
