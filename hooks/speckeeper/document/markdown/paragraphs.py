"""Where a Markdown document's paragraphs may be rewrapped (SK201's fix, in
a repo that wraps its Markdown: ``markdown-wrapped``).

A paragraph at the left margin, its rows as the model read them, with no
hard line break and no tab; list items, quotes and tables keep their rows.
A rewrap that would make a row read as something else (a list, a heading)
is the fixer's proof's to refuse, as for every fix.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from speckeeper.document.model import Block, Document, Paragraph


class MarkdownDocument(Document):
    """A Markdown document: the model, and where it may be rewrapped."""

    def wrappable(self, rows: Sequence[str]) -> Iterator[Paragraph]:
        return paragraphs(self, rows)


def paragraphs(document: Document, rows: Sequence[str]) -> Iterator[Paragraph]:
    """The paragraphs at the left margin whose ``rows`` are still those the
    document was read from."""
    top: list[Block] = [*document.preamble, *document.under_titles]
    for section in document.all_sections():
        top.extend(section.blocks)
    for block in top:
        if block.kind != "paragraph" or block.breaks:
            continue
        start, end = block.line - 1, block.end
        own = rows[start:end]
        if end > len(rows) or any("\t" in row or row[:1].isspace() or not row.strip() for row in own):
            continue
        if any(row.strip() != read.strip() for row, read in zip(own, document.lines[start:end])):
            continue  # Rows another fix changed (more than their ends).
        yield Paragraph(start, end, 0, 0, ())
