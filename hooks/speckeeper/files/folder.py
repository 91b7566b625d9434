"""Files read and written inside a folder opened once: never through a
symbolic link, and each file checked after it is opened.

A path that is checked and then opened can be swapped in between (for a
symbolic link, or another user's file); a folder opened once and used
through its descriptor cannot, and what ``fstat`` says of an opened file is
what will be read. What speckeeper keeps between runs (parsed templates,
the findings cache and its key) is read and written only so. POSIX only:
elsewhere :func:`open_folder` fails, and nothing is kept.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path
from types import TracebackType

# Mode bits a file of the user's own must not have: written by others
# (a stored template), or even read by them (a secret key).
WRITABLE_BY_OTHERS = 0o022
ANY_ACCESS_BY_OTHERS = 0o077

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
SUPPORTED = bool(_NOFOLLOW and _DIRECTORY and hasattr(os, "getuid")) and os.open in os.supports_dir_fd


class NotPrivate(OSError):
    """A folder or file of another user's, or one others may write to."""


def _check_owner(fd: int, path: Path, forbidden: int | None) -> os.stat_result:
    """The opened file's status; with ``forbidden`` mode bits, it must be
    this user's and have none of them."""
    status = os.fstat(fd)
    if forbidden is not None and (status.st_uid != os.getuid() or status.st_mode & forbidden):
        raise NotPrivate(errno.EPERM, "owned by another user, or others may access it", str(path))
    return status


class Folder:
    """An open folder; its files are named relative to it."""

    def __init__(self, fd: int, path: Path) -> None:
        self.fd = fd
        self.path = path  # For messages only.

    def __enter__(self) -> Folder:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        os.close(self.fd)

    def folder(self, name: str, create: bool = False, private: bool = False) -> Folder:
        """The folder ``name`` in this one, never a symbolic link; created
        0700 when asked; when ``private``, this user's and writable by no
        one else."""
        if create:
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o700, dir_fd=self.fd)
        fd = os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=self.fd)
        return _checked(fd, self.path / name, private)

    def read(self, name: str, max_bytes: int, forbidden: int | None = None) -> bytes:
        """The bytes of the regular file ``name``: not a symbolic link, a
        FIFO or a device, at most ``max_bytes``. With ``forbidden`` mode
        bits, only a file of this user's that has none of them."""
        # O_NONBLOCK: a FIFO put there opens at once (and is then refused).
        fd = os.open(name, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC, dir_fd=self.fd)
        try:
            status = _check_owner(fd, self.path / name, forbidden)
            if not stat.S_ISREG(status.st_mode):
                raise OSError(errno.EINVAL, "not a regular file", str(self.path / name))
            size, data = status.st_size, b""
            if size <= max_bytes:
                with os.fdopen(fd, "rb", closefd=False) as stream:
                    data = stream.read(max_bytes + 1)  # One byte more: it may have grown.
                size = len(data)
        finally:
            os.close(fd)
        if size > max_bytes:
            raise OSError(errno.EFBIG, f"larger than {max_bytes:,} bytes", str(self.path / name))
        return data

    def write(self, name: str, data: bytes) -> None:
        """Replace ``name`` (or create it, 0600) all at once: a temporary
        file in this folder renamed over it. A symbolic link there is
        replaced, never followed."""
        temporary = self._temporary(name, data)
        try:
            os.replace(temporary, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=self.fd)
            raise

    def create(self, name: str, data: bytes) -> bool:
        """Create ``name`` (0600) holding ``data``, all at once, unless it
        exists; whether it was created."""
        temporary = self._temporary(name, data)
        try:
            os.link(temporary, name, src_dir_fd=self.fd, dst_dir_fd=self.fd, follow_symlinks=False)
        except FileExistsError:
            return False
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=self.fd)
        return True

    def _temporary(self, name: str, data: bytes) -> str:
        """A new file of this user's alone holding ``data``, named for ``name``."""
        temporary = f".{name}.{os.urandom(6).hex()}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
        fd = os.open(temporary, flags, 0o600, dir_fd=self.fd)
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(data)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=self.fd)
            raise
        return temporary

    def files(self) -> list[tuple[str, int]]:
        """The regular files here, with when each was last changed (ns)."""
        found = []
        for name in os.listdir(self.fd):
            with contextlib.suppress(OSError):  # Gone meanwhile.
                status = os.stat(name, dir_fd=self.fd, follow_symlinks=False)
                if stat.S_ISREG(status.st_mode):
                    found.append((name, status.st_mtime_ns))
        return found

    def remove(self, name: str) -> None:
        os.unlink(name, dir_fd=self.fd)

    def touch(self, name: str) -> None:
        """Mark ``name`` as used now."""
        os.utime(name, dir_fd=self.fd, follow_symlinks=False)


def open_folder(path: Path, create: bool = False, private: bool = False) -> Folder:
    """The folder at ``path``. Created when asked, with every missing
    folder above it, each 0700 whatever the umask. When ``private``, not a
    symbolic link itself (folders above it may be), this user's and
    writable by no one else; checked once it is open."""
    if not SUPPORTED:
        raise OSError(errno.ENOTSUP, "not supported on this platform", str(path))
    if create:
        _make(path)
    flags = os.O_RDONLY | _DIRECTORY | _CLOEXEC | (_NOFOLLOW if private else 0)
    return _checked(os.open(path, flags), path, private)


def _checked(fd: int, path: Path, private: bool) -> Folder:
    try:
        _check_owner(fd, path, WRITABLE_BY_OTHERS if private else None)
    except OSError:
        os.close(fd)
        raise
    return Folder(fd, path)


def _make(path: Path) -> None:
    """``path`` and the folders missing above it, each made 0700 (as
    ``mkdir -p`` would, but ``Path.mkdir(parents=True)`` makes the ones
    above 0777 less the umask: all of it under umask 000)."""
    missing = []
    for level in (path, *path.parents):
        if os.path.lexists(level):
            break
        missing.append(level)
    for level in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(level, 0o700)
