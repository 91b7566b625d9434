"""The Markdown format: markdown-it-py parses a document (:mod:`.build`
makes the document model of its tokens; :mod:`.events` of pulldown-cmark's
events where the ``markdown-fast`` extra is installed, both by way of
:mod:`.reading`; :mod:`.pieces` parses a document
a piece at a time for an editor, keeping what did not change), and what only the format can tell
stays here: where its paragraphs may be rewrapped (:mod:`.paragraphs`), and
its validity rules (:mod:`.rules`, SK6xx), which report the messages the
build wrote (SK603's fix closes a skipped heading level).

Here are only the format's names (its suffixes, its messages' kinds) and
:func:`is_markdown`: a run that reads no Markdown (a one-file check of a
reStructuredText spec) imports nothing more of it. What parses is
:func:`.build.parse`, imported where a Markdown file is read;
markdown-it-py and mdit-py-plugins (the ``markdown`` extra) are imported
only then.
"""

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


class MarkdownUnavailable(RuntimeError):
    """markdown-it-py or mdit-py-plugins is not installed (the extra)."""


def is_markdown(path: str) -> bool:
    """Whether a file is read as Markdown: its name ends in ``.md``."""
    return path.lower().endswith(SUFFIXES)
