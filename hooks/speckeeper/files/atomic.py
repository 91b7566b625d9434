"""Writing files safely: all at once, only where speckeeper may write.

Every file speckeeper writes in a repository (a fixed spec, a new spec, a
baseline) goes through :func:`replace_file` or :func:`create_file`, which
keep three promises:

- **Only inside the repository, never through a link.** The folders from
  the repository down to the file are opened one by one without following
  symbolic links, so a linked file or folder (``x.rst -> ../../.git/config``,
  ``approved -> /tmp/out``) is refused, not written through, and so is any
  path into a version control folder: one named so (``.git``), or the
  folders git says it keeps the repository in (a ``.git`` file's git dir,
  ``GIT_DIR``, a worktree's common dir; see :func:`gitrepo.vcs_folders`).
  Later steps work on those opened folders, so a folder swapped for a link
  meanwhile changes nothing.
- **Only what was read.** A file is replaced only while it is still the
  very file (same inode) with the very bytes that were read; a file edited,
  replaced or deleted meanwhile is left as it is now, and a deleted one is
  never created again.
- **Whole, or not at all.** The new content goes to a file with no name (on
  Linux, ``O_TMPFILE``) or a hidden temporary one beside the target, is
  flushed to disk, gets the old file's mode, owner, group and extended
  attributes, and is renamed over the target. A writer killed at any moment
  leaves the old file or the new one; a hidden temporary file left by a
  killed writer is removed by the next write to that file.

A refusal is a :class:`Refused` exception whose message says why in a few
words; callers turn it into one ``SK005`` line.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from speckeeper.errors import ConfigError
from speckeeper.files.source import VCS_FOLDERS, read_up_to

# A temporary file beside the target: hidden, and named after it, so that
# the next write to the same file recognises (and removes) a stale one.
_TEMPORARY = ".{name}.speckeeper-"
_TEMPORARY_END = ".tmp"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class Refused(Exception):
    """A write speckeeper will not make; the message says why."""


@contextlib.contextmanager
def writing(shown: str) -> Iterator[None]:
    """A command's write: what refuses or fails it, one ConfigError that
    names the file as the command shows it (``spec.rst: cannot write: ...``)."""
    try:
        yield
    except Refused as reason:
        raise ConfigError(f"{shown}: {reason}") from None
    except OSError as error:
        raise ConfigError(f"{shown}: cannot write: {error.strerror or error}") from None


class _FolderGone(Refused):
    """A folder on the way to the file does not exist."""


class Snapshot(NamedTuple):
    """A file as it was read: it is replaced only while it is still this."""

    device: int
    inode: int
    data: bytes


def replace_file(
    path: Path, data: bytes, repo: Path, expected: Snapshot | None = None, mode: int = 0o600, during: str = "fixing"
) -> Snapshot:
    """Replace the regular file at ``path`` (inside ``repo``) with ``data``;
    the file written, as a snapshot a later write can expect.

    With ``expected``, only while it is still that file with those bytes;
    without, the file may also not exist yet (it is then created, with
    ``mode`` less the umask). Raises :class:`Refused`, or OSError when the
    system fails a step.
    """
    with _folder(path, repo, create=False) as (folder, name):
        _clean_stale(folder, name)
        current = _current(folder, name, expected, during)
        if current is None and expected is not None:
            raise Refused(f"deleted while {during}: not created again")
        temporary = _write_temporary(folder, name, data, current, mode)
        try:
            written = os.stat(temporary, dir_fd=folder, follow_symlinks=False)
            # Again, the moment before the rename: the window in which an
            # edit (or a deletion) could still be lost is as short as it can be.
            if expected is not None and _current(folder, name, expected, during) is None:
                raise Refused(f"deleted while {during}: not created again")
            os.rename(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=folder)
            raise
        _sync(folder)
    return Snapshot(written.st_dev, written.st_ino, data)


def create_file(path: Path, data: bytes, repo: Path) -> Snapshot:
    """Create ``path`` (inside ``repo``, with any missing folders) holding
    ``data``; a file, folder or link already there is never overwritten.
    The file written, as a snapshot a later write can expect."""
    with _folder(path, repo, create=True) as (folder, name):
        _clean_stale(folder, name)
        temporary = _write_temporary(folder, name, data, None)
        try:
            written = os.stat(temporary, dir_fd=folder, follow_symlinks=False)
            # A hard link is never made over an existing name: no race with
            # another writer, no dangling link followed.
            os.link(temporary, name, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=False)
        except FileExistsError:
            raise Refused("already exists: not overwritten") from None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=folder)
        _sync(folder)
    return Snapshot(written.st_dev, written.st_ino, data)


def write_where_told(path: Path, data: bytes, repo: Path) -> None:
    """Write ``data`` to a file the user named (``check --output-file``).

    Inside ``repo`` as every file speckeeper writes there: never through a
    link, never into ``.git``, whole. Outside it, where the user said (a CI
    job's report folder), whole, following links as the user laid them,
    but never into a version control folder. A new file gets the mode
    the umask gives any other (0644, not only the user's): a report is read
    by whatever uploads it.
    """
    if inside(path, repo) is not None:
        replace_file(path, data, repo, mode=0o666)
        return
    real = Path(os.path.realpath(path))
    vcs = next((part for part in real.parts if part in VCS_FOLDERS), None)
    if vcs is not None:
        raise Refused(f"leads into the version control folder {vcs}/: not written")
    _refuse_git_folders(real, repo)
    if real.parent.is_dir():
        _refuse_git_folders(real, real.parent)
    replace_file(real, data, repo if inside(real, repo) is not None else real.parent, mode=0o666)


def move_file(source: Path, target: Path, repo: Path) -> None:
    """Rename the regular file ``source`` to ``target`` (both inside
    ``repo``; missing folders of ``target`` are made), never over a file,
    folder or link already there, never through a link. The file itself is
    not rewritten: it keeps its inode, mode and owner."""
    with _folder(source, repo, create=False) as (old_folder, old_name):
        if _current(old_folder, old_name, None) is None:
            raise Refused("is gone: not moved")
        with _folder(target, repo, create=True) as (new_folder, new_name):
            try:
                # A hard link, then the old name removed: never over an
                # existing name, and the file is at one name or both.
                os.link(old_name, new_name, src_dir_fd=old_folder, dst_dir_fd=new_folder, follow_symlinks=False)
            except FileExistsError:
                raise Refused("already exists: not overwritten") from None
            os.unlink(old_name, dir_fd=old_folder)
            _sync(new_folder)
        _sync(old_folder)


def remove_file(path: Path, repo: Path, expected: Snapshot | None = None, during: str = "fixing") -> None:
    """Remove the regular file ``path`` (inside ``repo``), never through a
    link; with ``expected``, only while it is still that file with those
    bytes (else Refused, and it stays)."""
    with _folder(path, repo, create=False) as (folder, name):
        if _current(folder, name, expected, during) is not None:
            os.unlink(name, dir_fd=folder)
            _sync(folder)


def may_write(path: Path, repo: Path) -> None:
    """Raise :class:`Refused` when :func:`replace_file` would refuse to
    write ``path`` (no ``expected``) now. Writes nothing: an option naming
    a file is refused before the work whose result it would hold."""
    try:
        with _folder(path, repo, create=False) as (folder, name):
            _current(folder, name, None)
    except OSError as error:  # What replace_file would fail on too.
        raise Refused(f"cannot write: {error.strerror or error}") from None


def may_write_where_told(path: Path, repo: Path) -> None:
    """:func:`may_write` for :func:`write_where_told`'s rules."""
    if inside(path, repo) is not None:
        may_write(path, repo)
        return
    real = Path(os.path.realpath(path))
    vcs = next((part for part in real.parts if part in VCS_FOLDERS), None)
    if vcs is not None:
        raise Refused(f"leads into the version control folder {vcs}/: not written")


def snapshot(path: Path, repo: Path, limit: int) -> Snapshot | None:
    """The regular file ``path`` (inside ``repo``) as it is now, to replace
    it later only while it is still this; None when there is none. Never
    through a link; Refused for a link, anything but a regular file, or a
    file over ``limit`` bytes."""
    try:
        with _folder(path, repo, create=False) as (folder, name):
            opened = _open_regular(folder, name)
            if opened is None:
                return None
            descriptor, status = opened
            try:
                data = read_up_to(descriptor, limit + 1)
            finally:
                os.close(descriptor)
    except _FolderGone:
        return None
    if len(data) > limit:
        raise Refused(f"over {limit:,} bytes: not read")
    return Snapshot(status.st_dev, status.st_ino, data)


def read_link(path: Path, repo: Path) -> str | None:
    """Where the symbolic link ``path`` (inside ``repo``) points; None when
    ``path`` is not a link (or not there)."""
    try:
        with _folder(path, repo, create=False) as (folder, name):
            try:
                return os.readlink(name, dir_fd=folder)
            except (FileNotFoundError, OSError) as error:
                if isinstance(error, FileNotFoundError) or error.errno == errno.EINVAL:
                    return None
                raise
    except _FolderGone:
        return None


def remove_link(path: Path, repo: Path, target: str) -> None:
    """Remove the symbolic link ``path`` (inside ``repo``) while it still
    points at ``target``; Refused, and it stays, otherwise."""
    with _folder(path, repo, create=False) as (folder, name):
        try:
            now = os.readlink(name, dir_fd=folder)
        except OSError:
            raise Refused("is no longer a symbolic link: left as it is now") from None
        if now != target:
            raise Refused(f"now points at {now!r}: left as it is now")
        os.unlink(name, dir_fd=folder)
        _sync(folder)


def make_link(path: Path, target: str, repo: Path) -> None:
    """Create the symbolic link ``path`` (inside ``repo``) to ``target``,
    never over anything already there."""
    with _folder(path, repo, create=True) as (folder, name):
        try:
            os.symlink(target, name, dir_fd=folder)
        except FileExistsError:
            raise Refused("already exists: not overwritten") from None
        _sync(folder)


def check_write(path: Path, repo: Path, expected: Snapshot | None, during: str = "fixing") -> None:
    """Raise :class:`Refused` when a write to ``path`` would be refused now:
    replacing it while it is still ``expected``, or creating it (``expected``
    None; missing folders are made). Writes nothing: a command that
    changes several files asks for each before it changes any."""
    try:
        with _folder(path, repo, create=False) as (folder, name):
            if _current(folder, name, expected, during) is not None:
                if expected is None:
                    raise Refused("already exists: not overwritten")
            elif expected is not None:
                raise Refused("is gone: not written")
    except _FolderGone:
        if expected is not None:
            raise


def inside(path: Path, repo: Path) -> list[str] | None:
    """The folders and name of ``path`` below ``repo``, as written (no link
    resolved), or None when ``path`` is not below it. A path named through
    a link above the repository (``/home`` a link) still counts."""
    absolute = Path(os.path.abspath(path))
    repo = repo.resolve()
    for depth, ancestor in enumerate((absolute, *absolute.parents)):
        if ancestor == repo or (depth and _same(ancestor, repo)):
            parts = absolute.parts[len(ancestor.parts) :]
            return list(parts) if parts else None
    return None


def _same(one: Path, other: Path) -> bool:
    with contextlib.suppress(OSError):
        return os.path.samefile(one, other)
    return False


@contextlib.contextmanager
def _folder(path: Path, repo: Path, create: bool) -> Iterator[tuple[int, str]]:
    """The opened folder that holds ``path`` and the file's name in it,
    reached from ``repo`` one folder at a time without following links."""
    *folders, name = writable_parts(path, repo)
    if name in ("..", "."):
        raise Refused("not a file name: not written")
    descriptor = os.open(repo.resolve(), os.O_RDONLY | _DIRECTORY)
    try:
        for part in folders:
            inner = _enter(descriptor, part, create)
            os.close(descriptor)
            descriptor = inner
        yield descriptor, name
    finally:
        os.close(descriptor)


def writable_parts(path: Path, repo: Path) -> list[str]:
    """The folders and name of ``path`` below ``repo``, when speckeeper
    may write there (opening each from ``repo`` without following links);
    Refused when it is outside ``repo`` or in a version control folder."""
    parts = inside(path, repo)
    if parts is None:
        raise Refused(f"outside the repository ({repo}): not written")
    vcs = next((part for part in parts if part in VCS_FOLDERS), None)
    if vcs is not None:
        raise Refused(f"inside the version control folder {vcs}/: not written")
    # Below the resolved repository, each folder entered without following
    # a link: this is the very path written.
    _refuse_git_folders(repo.resolve().joinpath(*parts), repo)
    return parts


def _refuse_git_folders(target: Path, repo: Path) -> None:
    """Refused when ``target`` (resolved) is in a folder git keeps the
    repository that holds ``repo`` in, whatever its name."""
    from speckeeper.files import gitrepo  # subprocess: only when something is written.

    for folder in gitrepo.vcs_folders(repo.resolve()):
        if target == folder or folder in target.parents:
            raise Refused(f"inside git's own folder ({folder}): not written")


def _enter(parent: int, part: str, create: bool) -> int:
    """Open the folder ``part`` of ``parent``, never through a link; with
    ``create``, make it when it is missing."""
    if part == "..":
        raise Refused('the path goes up a folder (".."): not written')
    flags = os.O_RDONLY | _DIRECTORY | _NOFOLLOW
    try:
        try:
            return os.open(part, flags, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                raise _FolderGone(f"folder {part} is gone: not written") from None
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, dir_fd=parent)
            return os.open(part, flags, dir_fd=parent)
    except OSError as error:
        if error.errno not in (errno.ELOOP, errno.ENOTDIR):
            raise
        if stat.S_ISLNK(os.lstat(part, dir_fd=parent).st_mode):
            raise Refused(f"reached through the symbolic link {part}: checked, never written through") from None
        raise Refused(f"{part} is not a folder: not written") from None


def _open_regular(folder: int, name: str) -> tuple[int, os.stat_result] | None:
    """The regular file ``name`` opened (never through a link), and its
    status; None when there is none. Refused for a link or anything else."""
    try:
        descriptor = os.open(name, os.O_RDONLY | _NOFOLLOW | _NONBLOCK, dir_fd=folder)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise Refused("is a symbolic link: checked, never written through") from None
        raise
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        os.close(descriptor)
        raise Refused("not a regular file: not written")
    return descriptor, status


def _current(folder: int, name: str, expected: Snapshot | None, during: str = "fixing") -> os.stat_result | None:
    """The status of the file ``name`` now, checked against ``expected``
    (what was read before ``during`` began); None when there is none.
    Raises Refused when it may not be replaced."""
    opened = _open_regular(folder, name)
    if opened is None:
        return None
    descriptor, status = opened
    try:
        if status.st_nlink > 1:
            raise Refused(f"has {status.st_nlink} hard links: replacing it would split them, so it is left as it is")
        if not status.st_mode & stat.S_IWUSR:
            raise Refused(f"read-only (mode {stat.S_IMODE(status.st_mode):04o}): not rewritten")
        if expected is not None:
            if (status.st_dev, status.st_ino) != (expected.device, expected.inode):
                raise Refused(f"changed while {during} (replaced by another file): left as it is now")
            if read_up_to(descriptor, len(expected.data) + 1) != expected.data:
                raise Refused(f"changed while {during}: left as it is now")
        return status
    finally:
        os.close(descriptor)


def _write_temporary(folder: int, name: str, data: bytes, like: os.stat_result | None, mode: int = 0o600) -> str:
    """A new file in ``folder`` holding ``data``, on disk, with the mode,
    owner, group and extended attributes of the file ``like`` describes (a
    new file: ``mode``, the user's alone unless told, as the umask allows);
    its name."""
    descriptor, temporary = _open_temporary(folder, name, mode)
    try:
        _write_all(descriptor, data)
        if like is not None:
            _keep_attributes(folder, name, descriptor, like)
        os.fsync(descriptor)
        if temporary is None:  # No name yet: give it one now, whole.
            temporary = _link_unnamed(folder, name, descriptor)
    except BaseException:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=folder)
        raise
    finally:
        os.close(descriptor)
    return temporary


def _open_temporary(folder: int, name: str, mode: int) -> tuple[int, str | None]:
    """A file to write into: unnamed where the system allows (nothing is
    left behind if the writer dies), else a hidden one named after ``name``."""
    tmpfile = getattr(os, "O_TMPFILE", 0)
    if tmpfile and os.path.isdir("/proc/self/fd"):
        try:
            return os.open(".", tmpfile | os.O_WRONLY, mode, dir_fd=folder), None
        except OSError as error:
            if error.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
                raise
    temporary = _temporary_name(name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW
    return os.open(temporary, flags, mode, dir_fd=folder), temporary


def _temporary_name(name: str) -> str:
    return f"{_TEMPORARY.format(name=name)}{os.urandom(4).hex()}{_TEMPORARY_END}"


def _link_unnamed(folder: int, name: str, descriptor: int) -> str:
    temporary = _temporary_name(name)
    os.link(f"/proc/self/fd/{descriptor}", temporary, dst_dir_fd=folder, follow_symlinks=True)
    return temporary


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        view = view[written:]


def _keep_attributes(folder: int, name: str, descriptor: int, like: os.stat_result) -> None:
    """Give the new file the old one's mode, owner, group and extended
    attributes (ACLs, SELinux labels); Refused when that cannot be done."""
    if hasattr(os, "fchown") and (like.st_uid, like.st_gid) != _owner(descriptor):
        try:
            os.fchown(descriptor, like.st_uid, like.st_gid)
        except PermissionError:
            raise Refused(
                f"owned by user {like.st_uid}, group {like.st_gid}: rewriting it would change its owner, so it is left"
            ) from None
    os.fchmod(descriptor, stat.S_IMODE(like.st_mode))
    if not hasattr(os, "listxattr"):
        return
    source = os.open(name, os.O_RDONLY | _NOFOLLOW | _NONBLOCK, dir_fd=folder)
    try:
        for attribute in os.listxattr(source):
            value = os.getxattr(source, attribute)
            try:
                os.setxattr(descriptor, attribute, value)
            except OSError:
                if _xattr(descriptor, attribute) != value:
                    raise Refused(f"its extended attribute {attribute} cannot be kept: not rewritten") from None
    finally:
        os.close(source)


def _owner(descriptor: int) -> tuple[int, int]:
    status = os.fstat(descriptor)
    return status.st_uid, status.st_gid


def _xattr(descriptor: int, attribute: str) -> bytes | None:
    try:
        return os.getxattr(descriptor, attribute)
    except OSError:
        return None


def _clean_stale(folder: int, name: str) -> None:
    """Remove hidden temporary files a killed writer left beside ``name``."""
    prefix = _TEMPORARY.format(name=name)
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        stale = [
            entry.name
            for entry in entries
            if entry.name.startswith(prefix) and entry.name.endswith(_TEMPORARY_END) and entry.is_file(follow_symlinks=False)
        ]
    for entry_name in stale:
        with contextlib.suppress(OSError):
            os.unlink(entry_name, dir_fd=folder)


def _sync(folder: int) -> None:
    """The rename on disk too (where folders can be synced)."""
    with contextlib.suppress(OSError):
        os.fsync(folder)
