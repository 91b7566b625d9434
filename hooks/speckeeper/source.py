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
from dataclasses import dataclass
from pathlib import Path

UNREADABLE = "SK001"
UNDECODABLE = "SK002"
TOO_LARGE = "SK004"

# A line that could be a title adornment: docutils' parse time grows with
# the square of the number of sections, so they are counted before it runs.
_ADORNMENT = re.compile(rb"^([!-/:-@\[-`{-~])\1{2,}[ \t]*\r?$", re.MULTILINE)


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_sections: int


@dataclass(frozen=True)
class Source:
    """A spec's text, and the bytes it came from."""

    raw: bytes
    text: str


@dataclass(frozen=True)
class Refusal:
    """Why a file is not parsed: a finding's code, place and message."""

    code: str
    line: int
    col: int
    message: str


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    return line, offset - (raw.rfind(b"\n", 0, offset) + 1) + 1


def _decode(raw: bytes) -> str | Refusal:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Refusal(UNDECODABLE, 1, 1, "UTF-16 text (byte order mark), expected UTF-8")
    nul = raw.find(b"\x00")
    if nul != -1:
        line, col = _position(raw, nul)
        return Refusal(UNDECODABLE, line, col, "NUL byte: a binary file, expected UTF-8 text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, col = _position(raw, error.start)
        return Refusal(UNDECODABLE, line, col, f"not UTF-8: byte 0x{raw[error.start]:02x} cannot be decoded")


class NotRegularFile(OSError):
    """Not read: a device, FIFO or socket, which could block or never end."""


class FileTooLarge(OSError):
    """Not read: larger than the bound the reader set."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(errno.EFBIG, f"{size:,} bytes, larger than the limit of {limit:,}")
        self.size = size


# Opened without blocking: opening a FIFO for reading waits for a writer.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def read_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` bytes.

    Anything else raises an OSError: IsADirectoryError, NotRegularFile,
    FileTooLarge, or what the system said. The opened file is the one
    judged (``fstat``), so a file swapped after a check cannot slip in.
    """
    descriptor = os.open(path, _OPEN_FLAGS)
    try:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
        if not stat.S_ISREG(status.st_mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file (a device, FIFO or socket)", str(path))
        if status.st_size > max_bytes:
            raise FileTooLarge(status.st_size, max_bytes)
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            # One byte past the limit: a file can grow after fstat().
            raw = handle.read(max_bytes + 1)
    finally:
        os.close(descriptor)
    if len(raw) > max_bytes:
        raise FileTooLarge(len(raw), max_bytes)
    return raw


def read(path: Path, limits: Limits, root: Path) -> Source | Refusal:
    """Read and decode one spec, refusing what would not parse in bounds.

    A symlink is followed only to a file inside ``root`` (the repo), and
    only regular files are read: a FIFO or a device would block or never end.
    """
    try:
        if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
            return Refusal(UNREADABLE, 1, 1, f"symlink to {path.resolve()}, outside the repository: not read")
        raw = read_regular(path, limits.max_bytes)
    except IsADirectoryError:
        return Refusal(UNREADABLE, 1, 1, "is a folder, expected an .rst file")
    except NotRegularFile:
        return Refusal(UNREADABLE, 1, 1, "not a regular file (a device, FIFO or socket): not read")
    except FileTooLarge as error:
        return Refusal(
            TOO_LARGE, 1, 1, f"file is {error.size:,} bytes, larger than the limit of {limits.max_bytes:,} (max-bytes)"
        )
    except OSError as error:
        return Refusal(UNREADABLE, 1, 1, f"cannot read: {error.strerror or error}")
    return from_bytes(raw, limits)


def from_bytes(raw: bytes, limits: Limits) -> Source | Refusal:
    """Decode a spec's bytes (from a file, or from git), within bounds."""
    if len(raw) > limits.max_bytes:
        return Refusal(TOO_LARGE, 1, 1, f"file is larger than the limit of {limits.max_bytes:,} bytes (max-bytes)")
    titles = len(_ADORNMENT.findall(raw))
    if titles > limits.max_sections:
        return Refusal(
            TOO_LARGE,
            1,
            1,
            f"{titles:,} title adornments, more than the limit of {limits.max_sections:,} (max-sections)",
        )
    text = _decode(raw)
    if isinstance(text, Refusal):
        return text
    return Source(raw, text)
