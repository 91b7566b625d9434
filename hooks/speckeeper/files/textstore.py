"""JSON data kept between runs by the text it was read from.

What is read from a long text every run (a template's sections, a
configuration file's TOML, a pre-commit configuration's YAML, what the
commit-message hooks read of a spec and whether a staged commit needs
anything of its message (:mod:`.settled`), the regular expressions a
command compiles (:mod:`.regexstore`)) is kept in a folder of the user's
cache folder (see :mod:`usercache`) as JSON, which cannot run anything
when it is read, and only where JSON gives it back as it was.
An entry is found by its text and a stamp of what the reading depends on,
never by where the text is; it holds both, compared on reading, so any
difference is a miss. At most ``most`` entries are kept, the least
recently used going first. A folder is created 0700, entries are 0600; an
entry is read only through the opened folder, and only when it is a
regular file of the user's own that no one else may write to, of a bounded
size. Nothing here ever fails a run: anything off is a miss, and a folder
that cannot be written is not written.
"""

from __future__ import annotations

import contextlib
import json
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from speckeeper.files import usercache
from speckeeper.files.folder import WRITABLE_BY_OTHERS, Folder

T = TypeVar("T")


class TextStore:
    """What was read from each text, by text and ``stamp``, in the folder
    ``name`` of the cache folder ``where``: at most ``most`` entries, each
    at most ``max_bytes``."""

    def __init__(self, where: Path | None, name: str, stamp: str, most: int, max_bytes: int) -> None:
        self._where = where
        self._folder = name
        self._stamp = stamp
        self._most = most
        self._max_bytes = max_bytes

    def _open(self) -> Folder:
        return usercache.open_private(self._where, self._folder)

    def _name(self, text: str) -> str:
        # The name only spreads entries; what is stored is compared.
        crc = zlib.crc32(text.encode("utf-8", "surrogatepass"), zlib.crc32(self._stamp.encode()))
        return f"{crc:08x}-{len(text)}.json"

    def get(self, text: str) -> object:
        """What was put for ``text`` (a JSON value), or None."""
        name = self._name(text)
        try:
            with self._open() as folder:
                entry = json.loads(folder.read(name, self._max_bytes, WRITABLE_BY_OTHERS))
                found = _data(entry, self._stamp, text)
                if found is not None:
                    folder.touch(name)  # Used: the last to go.
                return found
        # Missing, not private, not JSON (or nested too deeply for it).
        except (OSError, usercache.Unavailable, ValueError, RecursionError):
            return None

    def parsed(self, text: str, parse: Callable[[str], T], kind: type[T]) -> T:
        """What ``parse(text)`` gives, a ``kind``: kept from an earlier run,
        else parsed and kept. What ``parse`` raises, it raises."""
        kept = self.get(text)
        if isinstance(kept, kind):
            return kept
        data = parse(text)
        self.put(text, data)
        return data

    def put(self, text: str, data: object) -> None:
        """Keep ``data`` (JSON) for ``text``, the least used entries going;
        nothing when ``data`` is not JSON or the entry would be too large."""
        self.put_all({text: data})

    def put_all(self, kept: Mapping[str, object]) -> None:
        """:meth:`put` each of ``kept``'s data for its text, the folder
        listed once however many are kept."""
        entries = {}
        for text, data in kept.items():
            entry = {"stamp": self._stamp, "text": text, "data": data}
            try:
                raw = json.dumps(entry).encode()
                # What JSON would not give back as it was (a YAML mapping's
                # number keys, a NaN): read again next time.
                same = len(raw) <= self._max_bytes and json.loads(raw) == entry
            except (TypeError, ValueError, RecursionError):  # A TOML date, say.
                continue
            if same:
                entries[self._name(text)] = raw
        if not entries:
            return
        with contextlib.suppress(OSError, usercache.Unavailable), self._open() as folder:
            for name, raw in entries.items():
                folder.write(name, raw)
            usercache.keep_used_last(folder, self._most)


def _data(entry: object, stamp: str, text: str) -> object:
    """An entry's data, if it is one for this stamp and text."""
    if isinstance(entry, dict) and entry.keys() == {"stamp", "text", "data"}:
        if entry["stamp"] == stamp and entry["text"] == text:
            return entry["data"]
    return None
