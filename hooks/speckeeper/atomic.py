"""Replacing a file all at once: a reader (or a crash) sees the old content
or the new, never a half-written file. Used for specs the fixer rewrites;
what speckeeper keeps between runs is written through :class:`folder.Folder`."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path


def write_atomically(path: Path, data: bytes, durable: bool = True) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it
    over ``path``; through a symbolic link, the file it points to. An
    existing file keeps its mode; a new one is the user's alone. Durable,
    the data is on disk before the rename (a spec); a cache entry that a
    crash loses is only a miss, and need not wait for the disk."""
    import tempfile  # Only when something is written, not on every run.

    target = path.resolve()
    try:
        mode: int | None = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
