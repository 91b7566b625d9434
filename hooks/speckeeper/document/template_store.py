"""Parsed templates kept between runs, in the user's cache folder.

A template is a long RST file, parsed on every run of every hook: about
35 ms, more than the spec a commit touches. What the checks read from it
(:class:`template.Template`, plain data) is kept here as JSON, which
cannot run anything when it is read, and read back in about a millisecond.

An entry is found by the template's text and a stamp of what the reading
depends on (Python, docutils and speckeeper, with the files that shape it),
never by where the template is; it holds both, compared on reading, so any
difference is a miss. At most :data:`MAX_ENTRIES` are kept, the least
recently used going first. The folder is ``templates`` in the user's cache
folder (see :mod:`usercache`), created 0700; entries are 0600. An entry is
read only through the opened folder, and only when it is a regular file of
the user's own that no one else may write to, of a bounded size. Nothing
here ever fails a run: anything off is a miss, and a folder that cannot be
written is not written.
"""

from __future__ import annotations

import contextlib
import json
import sys
import zlib
from pathlib import Path

import docutils

from speckeeper import __version__
from speckeeper.files import usercache
from speckeeper.files.folder import WRITABLE_BY_OTHERS, Folder

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


class TemplateStore:
    """What was read from each template text, by text and stamp, in the
    cache folder ``where``."""

    def __init__(self, where: Path | None, parser_key: tuple[object, ...]) -> None:
        self._where = where
        self._stamp = repr((FORMAT, _stamp(), parser_key))

    @classmethod
    def default(cls, parser_key: tuple[object, ...]) -> TemplateStore:
        return cls(usercache.default(), parser_key)

    def _open(self) -> Folder:
        return usercache.open_private(self._where, FOLDER)

    def _name(self, text: str) -> str:
        # The name only spreads entries; what is stored is compared.
        crc = zlib.crc32(text.encode("utf-8", "surrogatepass"), zlib.crc32(self._stamp.encode()))
        return f"{crc:08x}-{len(text)}.json"

    def get(self, text: str) -> object:
        """What was put for ``text`` (a JSON value), or None."""
        name = self._name(text)
        try:
            with self._open() as folder:
                entry = json.loads(folder.read(name, MAX_BYTES, WRITABLE_BY_OTHERS))
                found = _data(entry, self._stamp, text)
                if found is not None:
                    folder.touch(name)  # Used: the last to go.
                return found
        # Missing, not private, not JSON (or nested too deeply for it).
        except (OSError, usercache.Unavailable, ValueError, RecursionError):
            return None

    def put(self, text: str, data: object) -> None:
        """Keep ``data`` (JSON) for ``text``, the least used entries going."""
        raw = json.dumps({"stamp": self._stamp, "text": text, "data": data}).encode()
        if len(raw) > MAX_BYTES:
            return
        with contextlib.suppress(OSError, usercache.Unavailable), self._open() as folder:
            folder.write(self._name(text), raw)
            usercache.keep_used_last(folder, MAX_ENTRIES)


def _data(entry: object, stamp: str, text: str) -> object:
    """An entry's data, if it is one for this stamp and text."""
    if isinstance(entry, dict) and entry.keys() == {"stamp", "text", "data"}:
        if entry["stamp"] == stamp and entry["text"] == text:
            return entry["data"]
    return None


def _stamp() -> tuple[object, ...]:
    here = Path(__file__).parent.parent
    return (sys.version_info[:3], docutils.__version__, __version__, usercache.stamps((name, here / name) for name in _SHAPED_BY))
