"""Reading a spec file: bytes to text, within bounds, or one clear finding.

Spec files arrive from anyone. Whatever a file holds (another encoding,
binary data, a size or shape that would make docutils run for minutes),
reading it gives either text to parse or one finding saying why not, and
the other files are still checked.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from .config import Settings

UNREADABLE = "SK001"
UNDECODABLE = "SK002"
TOO_LARGE = "SK004"

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # Not on Windows, which has no FIFOs to hang on.
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)

# A line that could be a title adornment: docutils' parse time grows with
# the square of the number of sections, so they are counted before it runs.
_ADORNMENT = re.compile(rb"^([!-/:-@\[-`{-~])\1{2,}[ \t]*\r?$", re.MULTILINE)


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_sections: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.max_bytes, settings.max_sections)


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


def read(path: Path, limits: Limits, root: Path) -> Source | Refusal:
    """Read and decode one spec, refusing what would not parse in bounds.

    A symlink is followed only to a file inside ``root`` (the repo), and
    only regular files are read: a FIFO or a device would block or never
    end. What is checked is the file opened (without waiting: a FIFO opens
    at once), not the path, which could change in between.
    """
    try:
        if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
            return Refusal(UNREADABLE, 1, 1, f"symlink to {path.resolve()}, outside the repository: not read")
        handle = os.open(path, os.O_RDONLY | _NONBLOCK | _CLOEXEC)
    except OSError as error:
        if path.is_dir():  # Where a folder cannot be opened (Windows).
            return Refusal(UNREADABLE, 1, 1, "is a folder, expected an .rst file")
        return Refusal(UNREADABLE, 1, 1, f"cannot read: {error.strerror or error}")
    try:
        refused = _refusal(os.fstat(handle), limits)
        if refused is not None:
            return refused
        with os.fdopen(handle, "rb", closefd=False) as stream:
            # Read one byte past the limit: a file can grow after fstat().
            raw = stream.read(limits.max_bytes + 1)
    except OSError as error:
        return Refusal(UNREADABLE, 1, 1, f"cannot read: {error.strerror or error}")
    finally:
        os.close(handle)
    return from_bytes(raw, limits)


def _refusal(status: os.stat_result, limits: Limits) -> Refusal | None:
    """Why an opened file is not read: not a regular file, or too large."""
    if stat.S_ISDIR(status.st_mode):
        return Refusal(UNREADABLE, 1, 1, "is a folder, expected an .rst file")
    if not stat.S_ISREG(status.st_mode):
        return Refusal(UNREADABLE, 1, 1, "not a regular file (a device, FIFO or socket): not read")
    if status.st_size > limits.max_bytes:
        return Refusal(
            TOO_LARGE, 1, 1, f"file is {status.st_size:,} bytes, larger than the limit of {limits.max_bytes:,} (max-bytes)"
        )
    return None


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
