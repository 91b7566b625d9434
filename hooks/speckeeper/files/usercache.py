"""The user's cache folder: where parsed templates, configuration files'
TOML, pre-commit configurations' YAML, what the commit-message hooks
read of specs, whether a staged commit needs anything of its message and
compiled regular expressions are kept between runs (see :mod:`.textstore`,
:mod:`.settled`, :mod:`.regexstore`), and the key that signs the findings
cache.

``SPECKEEPER_CACHE_DIR`` names it; set to an empty value, nothing is kept.
The default is the platform's user cache folder. It is used only when it
is the user's own and no one else may write to it; speckeeper creates it
(and any folder missing above it) 0700.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from speckeeper import __version__
from speckeeper.files.folder import Folder, open_folder

ENV = "SPECKEEPER_CACHE_DIR"


class Unavailable(Exception):
    """Why the user's cache folder cannot be used, in a few words."""


def location() -> Path | None:
    """Where the user's cache folder is; None when the user turned it off."""
    chosen = os.environ.get(ENV)
    if chosen is not None:
        return Path(chosen) if chosen else None
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "speckeeper"


def default() -> Path | None:
    """:func:`location`, or None when there is no home folder to find it in."""
    try:
        return location()
    except RuntimeError:
        return None


def open_private(where: Path | None, *names: str) -> Folder:
    """The folder ``names`` under the cache folder ``where``, opened: each
    level created 0700 when missing, and each the user's own, writable by no
    one else; Unavailable otherwise."""
    if where is None:
        raise Unavailable(f"the user's cache folder is turned off ({ENV} is empty)")
    try:
        folder = open_folder(where, create=True, private=True)
        for name in names:
            with folder:  # Each level is closed once the next is open.
                folder = folder.folder(name, create=True, private=True)
    except OSError as error:
        raise Unavailable(f"{error.filename or where}: {error.strerror or error}") from None
    return folder


def keep_used_last(folder: Folder, most: int) -> None:
    """Keep the ``most`` entries of ``folder`` used last (by their time:
    a store touches an entry it reads); the others go."""
    files = sorted(folder.files(), key=lambda found: found[1], reverse=True)
    for name, _ in files[most:]:
        with contextlib.suppress(OSError):
            folder.remove(name)


def stamp(shaped_by: Iterable[str], packages: Iterable[str] = ()) -> tuple[object, ...]:
    """What a store's entries depend on beyond their text: Python's
    version, speckeeper's, and the time and size of the files that shape
    what is read: speckeeper's modules ``shaped_by`` (paths from the
    package's folder) and the ``__init__.py`` of each of ``packages``,
    which holds its version (found, not imported)."""
    here = Path(__file__).parent.parent
    files = [(name, here / name) for name in shaped_by]
    for package in packages:
        files.extend(_found(package))
    return (sys.version_info[:3], __version__, stamps(files))


def _found(package: str) -> list[tuple[str, Path]]:
    """``package``'s ``__init__.py``, found, not imported; nothing if it is not there."""
    from importlib.util import find_spec

    with contextlib.suppress(ImportError, ValueError):
        spec = find_spec(package)
        if spec is not None and spec.origin:
            return [(package, Path(spec.origin))]
    return []


def stamps(files: Iterable[tuple[str, Path]]) -> tuple[tuple[str, int, int], ...]:
    """Each file's name, time and size, where it can be found: what an
    entry made from them is kept under, so that an edit of one (a
    development install, with no new version) misses."""
    found = []
    for name, path in files:
        with contextlib.suppress(OSError):
            status = os.stat(path)
            found.append((name, status.st_mtime_ns, status.st_size))
    return tuple(found)
