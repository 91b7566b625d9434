"""The spec model: what one docutils parse tells about one spec file.

Every rule reads a :class:`Spec`; none parses the file again. Titles are kept
as docutils' ``rawsource`` (the text as written), which is what nova's own
gate compares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from docutils import nodes

from .parse import Message, RstParser

# The punctuation docutils accepts as section adornment.
ADORNMENT_CHARS = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


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

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    @cached_property
    def literal_lines(self) -> frozenset[int]:
        """1-based lines inside literal blocks (``::``, code, diagrams)."""
        found: set[int] = set()
        for block in self.doctree.findall(nodes.literal_block):
            start = _literal_start(block, self.lines)
            if start is None:
                continue
            count = block.rawsource.count("\n") + 1 if block.rawsource else block.astext().count("\n") + 1
            found.update(range(start, start + count))
        return frozenset(found)

    def all_sections(self) -> list[Section]:
        found: list[Section] = []
        for section in self.sections:
            found.extend(section.walk())
        return found

    def comments(self) -> list[tuple[int, str]]:
        """RST comments with their first line: where directives to us live."""
        return [
            (comment.line or 1, comment.astext())
            for comment in self.doctree.findall(nodes.comment)
        ]


def _literal_start(block: nodes.literal_block, lines: list[str]) -> int | None:
    """The first source line of a literal block's text.

    docutils gives a literal block the line *after* its last line for
    ``::`` blocks, and the first content line for directives; find the text
    itself so that both agree.
    """
    if block.line is None:
        return None
    text = block.astext()
    first = text.split("\n", 1)[0].strip()
    count = text.count("\n") + 1
    candidates = (block.line, block.line - count - 1, block.line - count, block.line - 1)
    for start in candidates:
        if 1 <= start <= len(lines) and (not first or lines[start - 1].strip() == first):
            return start
    return None


def _title_line(title: nodes.title, lines: list[str]) -> int:
    """The line of a title's text. docutils points at the underline."""
    underline = title.line or 1
    return max(1, underline - 1) if underline - 1 <= len(lines) else underline


def _style(line: int, lines: list[str]) -> str:
    """The adornment of the title on ``line``: "=" or "==" with an overline."""
    under = lines[line].strip() if line < len(lines) else ""
    char = under[:1] if under and set(under) <= ADORNMENT_CHARS else "?"
    over = lines[line - 2].strip() if line >= 2 else ""
    has_over = bool(over) and set(over) == {char}
    return char * 2 if has_over else char


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


def _relevel(section: Section, level: int) -> Section:
    return Section(
        title=section.title,
        level=level,
        line=section.line,
        style=section.style,
        node=section.node,
        children=tuple(_relevel(child, level + 1) for child in section.children),
    )
