"""Parsed templates kept between runs, in the user's cache folder.

A template is a long RST file, parsed on every run of every hook: about
35 ms, more than the spec a commit touches. What the checks read from it
(:class:`template.Template`, plain data) is kept here as JSON, which
cannot run anything when it is read, and read back in about a millisecond.

An entry is found by the template's text and a stamp of what the reading
depends on (Python, docutils and speckeeper, with the files that shape it),
never by where the template is (see :mod:`speckeeper.files.textstore`). At
most :data:`MAX_ENTRIES` are kept, the least recently used going first, in
the folder ``templates`` of the user's cache folder.
"""

from __future__ import annotations

from pathlib import Path

from speckeeper.files import usercache
from speckeeper.files.textstore import TextStore

FOLDER = "templates"
# Bump when what an entry holds changes.
FORMAT = 1
# One entry per template text: a repo's few templates, over its releases
# and branches. Beyond this, the least recently used entry goes.
MAX_ENTRIES = 64
# An entry holds its template's text and what is read from it: a few times
# the size of a template as large as ``max-bytes`` allows.
MAX_BYTES = 16_000_000
# The modules that shape what is stored: editing one (in a development
# install, with no new version) must not read old entries.
# Paths from the package's folder.
_SHAPED_BY = (
    "document/template.py",
    "document/model.py",
    "document/rst/build.py",
    "document/rst/adornment.py",
    "document/rst/parse.py",
    "document/rst/sphinx_compat.py",
)


class TemplateStore(TextStore):
    """What was read from each template text, by text and stamp, in the
    cache folder ``where``."""

    def __init__(self, where: Path | None, parser_key: tuple[object, ...]) -> None:
        super().__init__(where, FOLDER, repr((FORMAT, usercache.stamp(_SHAPED_BY, ("docutils",)), parser_key)), MAX_ENTRIES, MAX_BYTES)

    @classmethod
    def default(cls, parser_key: tuple[object, ...]) -> TemplateStore:
        return cls(usercache.default(), parser_key)

