"""Where a reStructuredText document's paragraphs stand, read from
docutils' parse, and how each may be rewrapped (the fix of long lines)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from docutils import nodes

from speckeeper.document.model import Paragraph

# Inline markup whose words may go on separate lines.
_BREAKABLE = (nodes.emphasis, nodes.strong, nodes.target)
# Paragraphs in these are never rewrapped: table rows hold several cells.
_FROZEN = (nodes.table, nodes.system_message)


def paragraphs(doctree: nodes.document, rows: Sequence[str]) -> Iterator[Paragraph]:
    """The paragraphs whose rows can be rewrapped: found, checked against the
    source, outside tables, without tabs. Read from docutils' parse."""
    for node in doctree.findall(nodes.paragraph):
        if node.line is None or not node.rawsource or _inside(node, _FROZEN):
            continue
        raw = str(node.rawsource).split("\n")
        start, end = node.line - 1, node.line - 1 + len(raw)
        if end > len(rows) or any("\t" in row for row in rows[start:end]):
            continue
        first = rows[start].rstrip()
        if not raw[0] or not first.endswith(raw[0]):
            continue
        column = len(first) - len(raw[0])
        others = rows[start + 1 : end]
        indents = {len(row) - len(row.lstrip()) for row in others}
        if len(indents) > 1 or any(row.strip() != text.strip() for row, text in zip(others, raw[1:])):
            continue
        opens_item = isinstance(node.parent, nodes.list_item) and node is _first_child(node.parent)
        if indents:
            indent = indents.pop()
        elif opens_item and rows[start].lstrip().startswith(("..", ":")):
            # ".. note:: - item": docutils takes the note's indentation from
            # its next rows, so no next row can continue the item.
            continue
        elif opens_item:
            indent = column  # docutils aligns a list item's rows with its text.
        else:
            indent = _hanging_indent(rows, start, end, column)
        yield Paragraph(start, end, column, indent, _unbreakable(node))


def _first_child(parent: nodes.Element) -> nodes.Node | None:
    """Its first child that is source, not a message docutils put there."""
    return next((child for child in parent.children if not isinstance(child, nodes.system_message)), None)


def _unbreakable(paragraph: nodes.paragraph) -> tuple[str, ...]:
    """Inline markup written with spaces that a line break must not split:
    literals, roles, references (`` `link <url>`_ ``); emphasis may break."""
    return tuple(
        str(node.rawsource)
        for node in paragraph.findall(nodes.Inline)
        if not isinstance(node, _BREAKABLE) and node.rawsource and len(str(node.rawsource).split()) > 1
    )


def _hanging_indent(rows: Sequence[str], start: int, end: int, column: int) -> int:
    """Where new rows of a one-row paragraph go: its own indentation, or
    after a field, option or directive, that of the block it opens (the
    rows after it indented past the marker), else under its text (a
    directive's content: three columns in)."""
    prefix = rows[start][:column]
    if not prefix.strip():
        return column
    marker = len(prefix) - len(prefix.lstrip())
    block = []
    for row in rows[end:]:
        if not row.strip():
            continue
        indent = len(row) - len(row.lstrip())
        if indent <= marker:
            break
        block.append(indent)
    if block:
        return min(block)
    return marker + 3 if prefix.lstrip().startswith("..") else column


def _inside(node: nodes.Node, kinds: tuple[type[nodes.Node], ...]) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, kinds):
            return True
        parent = parent.parent
    return False
