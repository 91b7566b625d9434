"""Parsed templates kept between runs, in the user's cache folder.

A template is a long RST file, parsed on every run of every hook: about
35 ms, more than the spec a commit touches. Read back from here it costs
about 2 ms (the doctree is pickled, as Sphinx keeps its doctrees).

Each entry holds the template's text, checked on reading, and a stamp of
what the parse depends on (Python, docutils and speckeeper, including the
files of the classes pickled); any difference is a miss, and so is a file
that cannot be read. Nothing here ever fails a run: a folder that cannot be
written is not written. Only a folder of the user's own, that nobody else
may write to, is read from.

``SPECKEEPER_CACHE_DIR`` names the folder; set to an empty value, nothing
is kept. The default is the platform's user cache folder.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

import docutils

from . import __version__
from .atomic import write_atomically

if TYPE_CHECKING:
    from .template import Template

ENV = "SPECKEEPER_CACHE_DIR"
# The modules whose classes a stored template holds: editing one (in a
# development install, with no new version) must not read old entries.
_PICKLED_FROM = ("template.py", "spec.py", "parse.py", "sphinx_compat.py")


def folder() -> Path | None:
    """Where templates are kept; None when the user turned it off."""
    chosen = os.environ.get(ENV)
    if chosen is not None:
        return Path(chosen) / "templates" if chosen else None
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "speckeeper" / "templates"


class TemplateStore:
    """Parsed templates by text and parser, in one folder."""

    def __init__(self, where: Path | None, parser_key: tuple[object, ...]) -> None:
        self._where = where
        self._stamp = (_stamp(), parser_key)

    @classmethod
    def default(cls, parser_key: tuple[object, ...]) -> TemplateStore:
        try:
            return cls(folder(), parser_key)
        except RuntimeError:  # No home folder to find a cache folder in.
            return cls(None, parser_key)

    def _file(self, source: str, text: str) -> Path | None:
        if self._where is None:
            return None
        # The name only spreads entries; what is stored is compared.
        name = zlib.crc32(repr((self._stamp, source, text)).encode("utf-8", "surrogatepass"))
        return self._where / f"{name:08x}-{len(text)}.pickle"

    def get(self, source: str, text: str) -> Template | None:
        """The template parsed from ``text``, read from the file ``source``."""
        path = self._file(source, text)
        if path is None or not _private(path.parent):
            return None
        try:
            with path.open("rb") as stream:
                stored = pickle.load(stream)
        except Exception:  # Missing, unreadable, truncated, from another version.
            return None
        if not isinstance(stored, tuple) or stored[:3] != (self._stamp, source, text):
            return None
        return stored[3]

    def put(self, source: str, text: str, template: Template) -> None:
        path = self._file(source, text)
        if path is None:
            return
        data = pickle.dumps((self._stamp, source, text, template), protocol=pickle.HIGHEST_PROTOCOL)
        with contextlib.suppress(OSError):
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if _private(path.parent):
                write_atomically(path, data, durable=False)


def _stamp() -> tuple[object, ...]:
    here = Path(__file__).parent
    files = []
    for name in _PICKLED_FROM:
        with contextlib.suppress(OSError):
            status = (here / name).stat()
            files.append((name, status.st_mtime_ns, status.st_size))
    return (sys.version_info[:3], docutils.__version__, __version__, tuple(files))


def _private(path: Path) -> bool:
    """Whether ``path`` is a folder of this user's that no one else may write to."""
    try:
        status = path.stat()
    except OSError:
        return False
    if not hasattr(os, "getuid"):
        return True  # Windows: the user's own profile folder.
    return status.st_uid == os.getuid() and not status.st_mode & 0o022
