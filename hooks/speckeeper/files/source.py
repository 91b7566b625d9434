"""Reading a spec file: bytes to text, within bounds, or one clear finding.

Spec files arrive from anyone. Whatever a file holds (another encoding,
binary data, a size or shape that would make docutils run for minutes),
reading it gives either text to parse or one finding saying why not, and
the other files are still checked.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from enum import Enum, auto
from pathlib import Path
from typing import NamedTuple, Protocol

from speckeeper.errors import ConfigError


class _Bounds(Protocol):
    """What a file's limits are read from: the settings (files sit below
    the configuration, so they name only what they read of it)."""

    @property
    def max_bytes(self) -> int: ...

    @property
    def max_sections(self) -> int: ...


# Folders of version control systems: never read through a link, never
# written into.
VCS_FOLDERS = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", ".jj", ".pijul", "CVS"})



class Refused(Enum):
    """Why a file is not read; each reason is a rule's
    (:data:`speckeeper.rules.files.REFUSED`)."""

    UNREADABLE = auto()  # Missing, a folder, a FIFO, a link out of the repo.
    UNDECODABLE = auto()  # Not UTF-8 text.
    TOO_LARGE = auto()  # Over max-bytes or max-sections.


# A line that could be a title adornment: docutils' parse time grows with
# the square of the number of sections, so they are counted before it runs.
_ADORNMENT = re.compile(rb"^([!-/:-@\[-`{-~])\1{2,}[ \t]*\r?$", re.MULTILINE)


class Limits(NamedTuple):
    max_bytes: int
    max_sections: int

    @classmethod
    def of(cls, settings: _Bounds) -> Limits:
        return cls(settings.max_bytes, settings.max_sections)


class Source(NamedTuple):
    """A spec's text, and the bytes it came from."""

    raw: bytes
    text: str
    # The file it was read from (device, inode); (0, 0) for bytes from git.
    identity: tuple[int, int] = (0, 0)


class Refusal(NamedTuple):
    """Why a file is not parsed: a finding's reason, place and message."""

    reason: Refused
    line: int
    col: int
    message: str


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    return line, offset - (raw.rfind(b"\n", 0, offset) + 1) + 1


def _decode(raw: bytes) -> str | Refusal:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Refusal(Refused.UNDECODABLE, 1, 1, "UTF-16 text (byte order mark), expected UTF-8")
    nul = raw.find(b"\x00")
    if nul != -1:
        line, col = _position(raw, nul)
        return Refusal(Refused.UNDECODABLE, line, col, "NUL byte: a binary file, expected UTF-8 text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, col = _position(raw, error.start)
        return Refusal(Refused.UNDECODABLE, line, col, f"not UTF-8: byte 0x{raw[error.start]:02x} cannot be decoded")


class NotRegularFile(OSError):
    """Not read: a device, FIFO or socket, which could block or never end."""


class FileTooLarge(OSError):
    """Not read: larger than the bound the reader set."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(errno.EFBIG, f"{size:,} bytes, larger than the limit of {limit:,}")
        self.size = size


# Opened without blocking: opening a FIFO for reading waits for a writer
# (Windows has no O_NONBLOCK, and no FIFOs to hang on).
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
_OPEN_FLAGS |= getattr(os, "O_CLOEXEC", 0)


def read_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` bytes.

    Anything else raises an OSError: IsADirectoryError, NotRegularFile,
    FileTooLarge, or what the system said. The opened file is the one
    judged (``fstat``), so a file swapped after a check cannot slip in.
    """
    return _read_regular(path, max_bytes)[0]


def read_small_file(path: Path, max_bytes: int, what: str, read_as: str) -> bytes:
    """A small regular file's bytes (a configuration, a baseline); any way
    it cannot be had is one ConfigError, naming it as ``what`` (its size)
    and ``read_as`` (what could not be read)."""
    try:
        return read_regular(path, max_bytes)
    except FileTooLarge as error:
        raise ConfigError(f"{path}: {what} is {error.size:,} bytes, over {max_bytes:,}: not read") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read {read_as}: {error.strerror or error}") from None


def _read_regular(path: Path, max_bytes: int) -> tuple[bytes, tuple[int, int]]:
    """:func:`read_regular`, with the file's identity (device, inode)."""
    descriptor = os.open(path, _OPEN_FLAGS)
    try:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
        if not stat.S_ISREG(status.st_mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file (a device, FIFO or socket)", str(path))
        if status.st_size > max_bytes:
            raise FileTooLarge(status.st_size, max_bytes)
        # One byte past the limit: a file can grow after fstat().
        raw = read_up_to(descriptor, max_bytes + 1)
    finally:
        os.close(descriptor)
    if len(raw) > max_bytes:
        raise FileTooLarge(len(raw), max_bytes)
    return raw, (status.st_dev, status.st_ino)


def read(path: Path, limits: Limits, repo: Path) -> Source | Refusal:
    """Read and decode one spec, refusing what would not parse in bounds.

    A path through a symlink (of the file or of a folder) is followed only
    to a file inside ``repo``, and only regular files are read: a FIFO or a
    device would block or never end. The file is opened without blocking
    and checked once open, so a file swapped meanwhile is checked too.
    """
    try:
        why = _outside(path, repo)
        if why is not None:
            return Refusal(Refused.UNREADABLE, 1, 1, why)
        raw, identity = _read_regular(path, limits.max_bytes)
    except IsADirectoryError:
        return Refusal(Refused.UNREADABLE, 1, 1, "is a folder, expected an .rst file")
    except NotRegularFile:
        return Refusal(Refused.UNREADABLE, 1, 1, "not a regular file (a device, FIFO or socket): not read")
    except FileTooLarge as error:
        return Refusal(
            Refused.TOO_LARGE, 1, 1, f"file is {error.size:,} bytes, larger than the limit of {limits.max_bytes:,} (max-bytes)"
        )
    except OSError as error:
        return Refusal(Refused.UNREADABLE, 1, 1, f"cannot read: {error.strerror or error}")
    found = from_bytes(raw, limits)
    if isinstance(found, Source):
        return Source(found.raw, found.text, identity)
    return found


def read_up_to(descriptor: int, limit: int) -> bytes:
    """At most ``limit`` bytes from an open file, to its end."""
    chunks = []
    while limit > 0:
        chunk = os.read(descriptor, min(limit, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        limit -= len(chunk)
    return b"".join(chunks)


def _outside(path: Path, repo: Path) -> str | None:
    """Why ``path`` is not read when a link on the way leads out of
    ``repo`` (resolved) or into its version control folder (whose files
    a finding would quote); None when it is read."""
    real = path.resolve()
    if Path(os.path.abspath(path)) == real:
        return None  # Named directly, no link on the way: the user's choice.
    if not real.is_relative_to(repo):
        return f"symlink to {real}, outside the repository: not read"
    vcs = next((part for part in real.relative_to(repo).parts if part in VCS_FOLDERS), None)
    if vcs is not None:
        return f"symlink into the version control folder {vcs}/: not read"
    return None


def from_bytes(raw: bytes, limits: Limits) -> Source | Refusal:
    """Decode a spec's bytes (from a file, or from git), within bounds."""
    if len(raw) > limits.max_bytes:
        return Refusal(Refused.TOO_LARGE, 1, 1, f"file is larger than the limit of {limits.max_bytes:,} bytes (max-bytes)")
    # An adornment is a line: a file of no more lines than the limit is
    # within it, uncounted (most files).
    titles = len(_ADORNMENT.findall(raw)) if raw.count(b"\n") >= limits.max_sections else 0
    if titles > limits.max_sections:
        return Refusal(
            Refused.TOO_LARGE,
            1,
            1,
            f"{titles:,} title adornments, more than the limit of {limits.max_sections:,} (max-sections)",
        )
    text = _decode(raw)
    if isinstance(text, Refusal):
        return text
    return Source(raw, text)
