"""The fixer's proof over the document model: whether a fixed text means
what the original meant, in any format.

A format builds the model of the text before and after a fix; the two are
compared as :func:`.model.shape` compares them (titles and sections by
level and folded title, blocks by kind, name and words), with the
sections a fix inserted left out and the titles it renamed compared
without their text. A format adds its own comparisons (its parser's
messages; for reStructuredText, docutils' whole doctree) on top.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from speckeeper.document.model import Block, Document, Section, fold


def difference(
    before: Document,
    after: Document,
    inserted: Collection[int] = frozenset(),
    retitled: Collection[int] = frozenset(),
    retitled_after: Collection[int] | None = None,
) -> str:
    """The first way the two models differ, or "" when they do not.

    ``inserted``: the last lines (1-based) of titles the fix added to
    ``after`` (see :func:`last_line`); ``retitled`` and ``retitled_after``:
    those of titles it renamed, in each (the same lines unless rows were
    added or joined above them)."""
    renamed_after = retitled if retitled_after is None else retitled_after
    old = list(_records(before, frozenset(), frozenset(retitled)))
    new = list(_records(after, frozenset(inserted), frozenset(renamed_after)))
    for was, now in zip(old, new):
        if was[:-1] != now[:-1]:
            return f"{_describe(was)} (line {was[-1]}) would become {_describe(now)}"
    if len(old) != len(new):
        longer = new if len(new) > len(old) else old
        return f"{_describe(longer[min(len(old), len(new))])} would be added or lost"
    return ""


def last_line(document: Document, section: Section) -> int:
    """The last line of a section's title, by which a fix names the titles
    it inserts and renames: an underline's (reStructuredText, a Markdown
    setext heading), or the line itself of a Markdown ``#`` heading."""
    one_line = document.format == "markdown" and section.style == "#"
    return section.line if one_line else section.line + 1


def _records(document: Document, inserted: frozenset[int], retitled: frozenset[int]) -> Iterator[tuple[object, ...]]:
    """The model as comparable records, its line last."""
    # A Markdown title inserted is a "#" heading: its line is its last.
    last = 0 if document.format == "markdown" else 1
    for title in document.titles:
        if title.line + last not in inserted:
            yield ("title", fold(title.text), title.line)
    for block in (*document.preamble, *document.under_titles):
        yield from _block(block, 0)
    for section in document.sections:
        yield from _section(document, section, inserted, retitled)


def _section(
    document: Document, section: Section, inserted: frozenset[int], retitled: frozenset[int]
) -> Iterator[tuple[object, ...]]:
    last = last_line(document, section)
    if last in inserted:
        return
    yield ("section", section.level, "" if last in retitled else fold(section.title), section.line)
    for block in section.blocks:
        yield from _block(block, 1)
    for child in section.children:
        yield from _section(document, child, inserted, retitled)


def _block(block: Block, depth: int) -> Iterator[tuple[object, ...]]:
    if block.kind == "message":
        return  # The format compares its parser's messages itself.
    # A message inside a block is in its text too (a table cell's), with
    # the line it was given: the text is compared without it.
    said = [inner.text for inner in block.walk() if inner.kind == "message" and inner.text]
    text = _without(block.text, said)
    text = text if block.kind == "literal" else " ".join(text.split())
    rows = tuple(tuple(" ".join(_without(cell, said).split()) for cell in row) for row in block.rows)
    links = tuple((link.url, " ".join(link.text.split())) for link in block.links)
    breaks = tuple(line - block.line for line in block.breaks)  # Where in the block, wherever it is.
    yield (block.kind, depth, block.name, text, links, block.target, rows, breaks, block.code, block.line)
    for child in block.children:
        yield from _block(child, depth + 1)


def _without(text: str, said: list[str]) -> str:
    for message in said:
        text = text.replace(message, " ")
    return text


def _describe(record: tuple[object, ...]) -> str:
    kind = record[0]
    if kind in ("title", "section"):
        return f'{kind} "{record[-2]}"'
    text = str(record[3])
    return f"{kind} \"{text[:40] + '...' if len(text) > 40 else text}\""
