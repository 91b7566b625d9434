"""Markdown validity: what a Markdown document gets wrong that renders
otherwise than its author meant, which CommonMark itself accepts silently.

SK5xx's counterpart, the format's own as those are: the build reads them
while parsing (:mod:`.build`, each a message of its own kind) and these
rules report them. A reStructuredText spec has no such messages.
"""

from __future__ import annotations

from collections.abc import Iterator

from speckeeper.rules.registry import Context, Edit, FixInput, Hit, Registry
from speckeeper.document import markdown
from speckeeper.document.model import Document, Section

RULES = Registry("markdown")


def _messages(document: Document, kind: str) -> Iterator[Hit]:
    # An RST spec's messages are docutils' and have no kind of ours.
    for message in document.messages:
        if getattr(message, "kind", "") == kind:
            yield Hit(message.line, 1, message.text)


@RULES.rule("SK601", "unclosed-fence")
def check_unclosed_fence(document: Document, ctx: Context) -> Iterator[Hit]:
    """A code fence is never closed: the rest of the document renders as code.

    CommonMark closes a fence at the end of the document (or of the list
    item or quote it is in), so every heading and paragraph after an
    unclosed one is shown as code, and no tool says so. The headings in it
    are not headings: the structure rules then report them missing.

    Bad::

        ```yaml
        key: value

        ## Design Details

    Good::

        ```yaml
        key: value
        ```

        ## Design Details
    """
    return _messages(document, markdown.UNCLOSED_FENCE)


@RULES.rule("SK602", "empty-heading")
def check_empty_heading(document: Document, ctx: Context) -> Iterator[Hit]:
    """A heading has no text.

    A ``##`` alone on a line is an empty heading, not a rule or a typo
    CommonMark forgives: it renders as an empty title and takes a place in
    the outline that no template section has.

    Bad::

        ##

        Some text.

    Good::

        ## Motivation

        Some text.
    """
    return _messages(document, markdown.EMPTY_HEADING)


def _the_templates_own(document: Document, ctx: Context, line: int) -> bool:
    """Whether a skipped heading is one the template skips too: the same
    section of a Markdown template at the same heading level (a KEP's
    ``###### How can this feature be enabled ...`` under ``###``)."""
    from speckeeper.document.markdown_template import heading_level, matches  # Only on a skip.

    section = next((s for s in document.all_sections() if s.line == line), None)
    if section is None or not ctx.template.path.endswith(markdown.SUFFIXES):
        return False
    level = heading_level(document, section)
    markers = ctx.settings.optional_markers
    return any(
        len(theirs.style) == level and matches(theirs, section.title, markers)
        for theirs in ctx.template.all_sections()
    )


def close_skipped_levels(fix: FixInput) -> Iterator[Edit]:
    """Each flagged heading one level under its parent's, and every heading
    under it and after it among its siblings moved up as far: the outline
    stays what it was, and renders as it reads. ``#`` marks change in
    number; a setext heading (levels 1 and 2) never skips."""
    from speckeeper.document.markdown_template import heading_level  # Only on a fix.

    document = fix.spec

    def relevel(sections: tuple[Section, ...], parent: int, flagged: bool) -> Iterator[Edit]:
        # From a flagged heading on, its siblings move with it: one left
        # deeper would nest under it.
        for section in sections:
            written = heading_level(document, section)
            flagged = flagged or section.line in fix.lines
            level = parent + 1 if flagged else written
            row = fix.rows[section.line - 1]
            lead = len(row) - len(row.lstrip(" "))
            marks = len(row[lead:]) - len(row[lead:].lstrip("#"))
            if level != written and section.style == "#" and marks == written:
                yield Edit(section.line - 1, section.line, (row[:lead] + "#" * level + row[lead + marks :],), settles=True)
            yield from relevel(section.children, level, flagged)

    first_title = min((title.line for title in document.titles), default=0)
    # Sections before any title keep their levels; those under one are one below it.
    yield from relevel(tuple(s for s in document.sections if not first_title or s.line < first_title), 0, False)
    yield from relevel(tuple(s for s in document.sections if first_title and s.line > first_title), 1, False)


@RULES.rule("SK603", "skipped-heading-level", fix=close_skipped_levels, fix_title="Close the skipped heading level")
def check_skipped_heading_level(document: Document, ctx: Context) -> Iterator[Hit]:
    """A heading is more than one level below the heading before it.

    ``####`` under ``##`` renders smaller than its place in the outline
    says, and the document's outline (a table of contents, an editor's
    outline) shows a level that is not there. speckeeper nests it one level
    under its parent. A heading the template itself writes so (the same
    section, at the same level) is not reported: the template is the truth.

    Bad::

        ## Proposal

        #### Risks and Mitigations

    Good::

        ## Proposal

        ### Risks and Mitigations
    """
    for hit in _messages(document, markdown.SKIPPED_LEVEL):
        if not _the_templates_own(document, ctx, hit.line):
            yield hit


@RULES.rule("SK604", "front-matter")
def check_front_matter(document: Document, ctx: Context) -> Iterator[Hit]:
    """The front matter is not a YAML mapping: its metadata cannot be read.

    The ``---`` block at the top of a document holds its metadata (status,
    date, deciders). YAML that does not parse, uses aliases, nests too
    deep or is not ``key: value`` pairs is not read at all, so nothing in
    it is checked; it is reported at the line YAML stopped at.

    Bad::

        ---
        status: [proposed
        ---

    Good::

        ---
        status: proposed
        ---
    """
    return _messages(document, markdown.FRONT_MATTER)
