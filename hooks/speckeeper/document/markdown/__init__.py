"""The Markdown format: markdown-it-py parses a document (:mod:`.build`
makes the document model of its tokens; :mod:`.events` of pulldown-cmark's
events where the ``markdown-fast`` extra is installed, both by way of
:mod:`.reading`; :mod:`.pieces` parses a document
a piece at a time for an editor, keeping what did not change), and what only the format can tell
stays here: where its paragraphs may be rewrapped (:mod:`.paragraphs`), and
its validity rules (:mod:`.rules`, SK6xx), which report the messages the
build wrote (SK603's fix closes a skipped heading level).

markdown-it-py and mdit-py-plugins (the ``markdown`` extra) are imported
only when a Markdown file is parsed; importing this package costs nothing
more than the build module.
"""

from speckeeper.document.markdown.build import (
    EMPTY_HEADING,
    ERROR,
    EXTRA_MISSING,
    FORMAT,
    FRONT_MATTER,
    SKIPPED_LEVEL,
    SUFFIXES,
    UNCLOSED_FENCE,
    WARNING,
    MarkdownUnavailable,
    is_markdown,
    parse,
)

__all__ = [
    "EMPTY_HEADING",
    "ERROR",
    "EXTRA_MISSING",
    "FORMAT",
    "FRONT_MATTER",
    "SKIPPED_LEVEL",
    "SUFFIXES",
    "UNCLOSED_FENCE",
    "WARNING",
    "MarkdownUnavailable",
    "is_markdown",
    "parse",
]
