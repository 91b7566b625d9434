"""git, run here: what the hooks ask of the repository (the staged
changes, a file as staged, the work tree's top), and where git keeps a
repository (never written). A failure is one line."""

from __future__ import annotations

import functools
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import IO, NamedTuple

from speckeeper.errors import ConfigError


def git(*args: str, cwd: Path | None = None) -> bytes:
    """Run git here (or in ``cwd``); a failure is a one-line ConfigError (exit 2)."""
    try:
        done = subprocess.run(("git", *args), capture_output=True, check=False, cwd=cwd, stdin=subprocess.DEVNULL)
    except OSError as error:
        raise _not_run(error) from None
    if done.returncode:
        raise _failed(args[0], done.returncode, done.stderr)
    return done.stdout


def blob(name: str, limit: int, cwd: Path | None = None) -> bytes | None:
    """The file git names ``name`` (``:path`` as staged, ``HEAD:path``),
    read within ``limit`` bytes by one git process: None when it is larger
    (read no further); a failure is a one-line ConfigError."""
    try:
        process = subprocess.Popen(
            ("git", "cat-file", "blob", name), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd
        )
    except OSError as error:
        raise _not_run(error) from None
    with process:
        assert process.stdout is not None
        data = process.stdout.read(limit + 1)
        if len(data) > limit:
            process.kill()
            return None
        _, stderr = process.communicate()
    if process.returncode:
        raise _failed("cat-file", process.returncode, stderr)
    return data


def blobs(named: Sequence[tuple[str, int]], cwd: Path | None = None) -> list[bytes | None]:
    """The files git names, each read within its limit, by one git process
    (``cat-file --batch``) however many: each None when git has no such
    file or it is larger than its limit (read past, not kept), as
    :func:`blob` reads one; a failure is a one-line ConfigError."""
    if not named:
        return []
    if any("\n" in name for name, _ in named):  # The batch takes a name a line.
        return [_blob_or_none(name, limit, cwd) for name, limit in named]
    try:
        process = subprocess.Popen(
            ("git", "cat-file", "--batch"), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd
        )
    except OSError as error:
        raise _not_run(error) from None
    with process:
        assert process.stdin is not None and process.stdout is not None and process.stderr is not None
        # A few names: the pipe takes them all before git answers the first.
        try:
            process.stdin.write(b"".join(name.encode("utf-8", "surrogateescape") + b"\n" for name, _ in named))
            process.stdin.close()
        except BrokenPipeError:
            pass  # git stopped before reading (not a repository): its exit says why.
        found = [_batch_entry(process.stdout, limit) for _, limit in named]
        stderr = process.stderr.read()
        process.wait()
    if process.returncode:
        raise _failed("cat-file", process.returncode, stderr)
    return found


def _batch_entry(stream: IO[bytes], limit: int) -> bytes | None:
    """One answer of ``cat-file --batch``: ``<oid> <type> <size>``, the
    content and a newline; or ``<name> missing`` (or ``ambiguous``)."""
    header = stream.readline().split()
    if len(header) != 3 or not header[2].isdigit():
        return None
    size = int(header[2])
    if header[1] != b"blob" or size > limit:
        left = size + 1  # Past it, and its newline, a piece at a time.
        while left > 0:
            piece = stream.read(min(left, 1 << 16))
            if not piece:
                break  # git stopped: its exit status says why.
            left -= len(piece)
        return None
    data = stream.read(size)
    stream.read(1)
    return data


def _blob_or_none(name: str, limit: int, cwd: Path | None) -> bytes | None:
    try:
        return blob(name, limit, cwd)
    except ConfigError:
        return None


def _not_run(error: OSError) -> ConfigError:
    return ConfigError(f"cannot run git: {error.strerror or error}")


def _failed(command: str, returncode: int, stderr: bytes) -> ConfigError:
    """git's own first line of why, or its exit status."""
    reason = stderr.decode("utf-8", "replace").strip().splitlines() or [f"exit {returncode}"]
    return ConfigError(f"git {command} failed: {reason[0]}")


# git answers rev-parse from its files at once; a hung one is not waited for.
_GIT_DIR_TIMEOUT = 10


@functools.lru_cache(maxsize=64)
def vcs_folders(folder: Path) -> tuple[Path, ...]:
    """The folders git keeps the repository that holds ``folder`` in,
    resolved: its git dir and common dir, wherever a ``.git`` file, a
    worktree or ``GIT_DIR`` puts them; none when git is not installed or
    ``folder`` is in no repository. Asked once a folder (a write asks for
    its repository's), bounded in time; rev-parse reads only local files."""
    try:
        done = subprocess.run(
            ("git", "rev-parse", "--absolute-git-dir", "--git-common-dir"),
            cwd=folder,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=_GIT_DIR_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ()
    if done.returncode:
        return ()
    # The common dir may be relative to the folder git ran in.
    return tuple(dict.fromkeys((folder / os.fsdecode(line)).resolve() for line in done.stdout.splitlines() if line))


class Change(NamedTuple):
    """One staged spec: how git names it, its status, where it was before."""

    path: str  # Relative to the top of the work tree, as git prints it.
    status: str  # "A", "M", "R" or "D".
    old_path: str = ""  # In HEAD, for "M", "R" and "D".


class Staged(NamedTuple):
    """What the staged commit changes: git's raw diff of the index against
    HEAD (each changed file's mode and blob on both sides, its status and
    paths), and its changes."""

    raw: bytes
    changes: list[Change]

    def touched(self) -> list[str]:
        """The paths (relative to the work tree's top) the commit adds,
        changes, deletes or renames, a rename's old path too."""
        return sorted({path for change in self.changes for path in (change.path, change.old_path) if path})

    def kept(self) -> list[Change]:
        """The files the commit adds, modifies or renames."""
        return [change for change in self.changes if change.status != "D"]


def staged() -> Staged:
    """The staged commit's changes; the raw diff names every blob, so that
    it says, whole, what the commit is (see :mod:`speckeeper.files.settled`)."""
    raw = _diff("AMRD", "--cached")
    return Staged(raw, _raw_changes(raw))


def changes(statuses: str, *against: str, cwd: Path | None = None) -> list[Change]:
    """The files ``git diff *against`` finds added, modified, renamed or
    deleted (of ``statuses``); ``old_path`` is the path on the side diffed
    against."""
    return _raw_changes(_diff(statuses, *against, cwd=cwd))


def _diff(statuses: str, *against: str, cwd: Path | None = None) -> bytes:
    """``git diff --raw`` of ``statuses``, each blob named in full, renames
    found whatever the user's ``diff.renames`` says."""
    return git("diff", "--raw", "--no-abbrev", "--find-renames", f"--diff-filter={statuses}", "-z", *against, "--", cwd=cwd)


def _raw_changes(raw: bytes) -> list[Change]:
    """The changes of ``git diff --raw -z``: a ``:modes blobs status``
    field, then the path (a rename's old path and new path)."""
    fields = raw.decode("utf-8", "surrogateescape").split("\0")
    found: list[Change] = []
    index = 0
    while index + 1 < len(fields):
        status = fields[index].rpartition(" ")[2][:1]
        if status == "R" and index + 2 < len(fields):
            found.append(Change(fields[index + 2], "R", fields[index + 1]))
            index += 3
        else:
            path = fields[index + 1]
            found.append(Change(path, status, path if status in "MD" else ""))
            index += 2
    return found
