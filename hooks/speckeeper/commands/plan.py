"""Changing a spec repo all at once, or not at all: the lifecycle commands
(``move``, ``abandon``, ``repropose``) plan every file they would change,
check that each change can be made, and only then make them.

A :class:`Plan` holds the renames, the new text of each file to edit or
create, and a line for each step (what ``--dry-run`` prints). Checking it
asks :mod:`speckeeper.files.atomic` whether each write would be refused (a link,
a file changed meanwhile, a destination that exists) and, in a git work
tree, git whether a file to edit has changes not committed. Applying it
writes through :mod:`speckeeper.files.atomic`, then records the renames and
edits in git's index, as ``git mv`` and ``git add`` would; on any failure
what was done is undone. Any reason not to go on is one ConfigError line
(exit 2), and nothing changes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from speckeeper.files import atomic
from speckeeper.config.settings import Config, ConfigError, plain
from speckeeper.reporting.printable import printable
from speckeeper.files.source import Source

# What a release, state or slug may be: one plain folder or file name, as
# copier's validators ask of a new spec's.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
# Lifecycle files (redirects, copier answers) are small; a spec is bounded
# by max-bytes.
_SMALL_FILE = 1_000_000


def folder_name(value: str, what: str) -> str:
    """``value`` when it is one plain folder name, else a ConfigError."""
    if not _NAME.fullmatch(value) or not plain(value):
        raise ConfigError(f"{what} {value!r} is not one folder name (letters, digits, '.', '_' and '-'): nothing changed")
    return value


def utf8(value: str, what: str) -> None:
    """A ConfigError when ``value`` holds a character UTF-8 cannot write (a
    lone surrogate: a byte of a non-UTF-8 argument or file name)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        bad = value[error.start : error.end]
        try:
            said = "the byte 0x" + bad.encode("utf-8", "surrogateescape").hex()
        except UnicodeEncodeError:
            said = ascii(bad)
        raise ConfigError(f"{what}: not UTF-8 text ({said} at character {error.start + 1}): nothing changed") from None


@dataclass(frozen=True)
class Step:
    """One thing a plan does, as printed: ``moved ...`` or ``would move ...``."""

    done: str
    would: str
    what: str


# What a plan's writes say of a file changed or deleted since it was read.
_DURING = "planning this"


@dataclass
class Plan:
    """What a lifecycle command would change, checked before anything is.

    Every file is read once (:meth:`text`), and that read is what the new
    text is computed from and what the write expects: a file changed
    between the read and the write is left as it is now and the whole plan
    refused, so a line another command added meanwhile is never lost. An
    undo likewise puts a file back only while it is still what the plan
    wrote."""

    config: Config
    renames: list[tuple[Path, Path]] = field(default_factory=list)
    texts: dict[Path, str] = field(default_factory=dict)  # The new text of each file edited or created.
    # Each file as read (None: not there), for every file edited, created or moved.
    originals: dict[Path, atomic.Snapshot | None] = field(default_factory=dict)
    links: dict[Path, str] = field(default_factory=dict)  # Links to remove, with where each points.
    steps: list[Step] = field(default_factory=list)
    _read_once: dict[Path, atomic.Snapshot | None] = field(default_factory=dict)

    def shown(self, path: Path) -> str:
        """A path as the plan prints it: from where the command runs, as
        ``check`` prints it (the repo's top folder, run there)."""
        try:
            return Path(os.path.relpath(self.config.root / self.config.relpath(path))).as_posix()
        except ValueError:  # Another drive (Windows).
            return self.config.relpath(path)

    def exists(self, path: Path) -> bool:
        """Whether ``path`` is a file once the plan's steps so far are made."""
        if path in self.texts:
            return True
        if path in self.links or any(old == path for old, _ in self.renames):
            return False
        return any(new == path for _, new in self.renames) or os.path.lexists(path)

    def text(self, path: Path, limit: int = _SMALL_FILE) -> str:
        """The text of a file as the plan leaves it so far ("" for a file
        that does not exist)."""
        if path in self.texts:
            return self.texts[path]
        found = self._snapshot(path, limit)
        if found is None:
            return ""
        try:
            return found.data.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError(f"{self.shown(path)}: not UTF-8 text, cannot edit it: nothing changed") from None

    def _snapshot(self, path: Path, limit: int = _SMALL_FILE) -> atomic.Snapshot | None:
        """The file as this plan read it: read once, the first time asked."""
        if path not in self._read_once:
            try:
                self._read_once[path] = atomic.snapshot(path, self.config.repo, limit)
            except atomic.Refused as reason:
                raise ConfigError(f"{self.shown(path)}: {reason}; nothing changed") from None
            except OSError as error:
                raise ConfigError(f"{self.shown(path)}: cannot read it: {error.strerror or error}; nothing changed") from None
        return self._read_once[path]

    def read_as(self, path: Path, source: Source) -> None:
        """Take ``source`` as this plan's read of ``path`` (a spec read and
        parsed before planning): what is computed from it expects it."""
        if path not in self._read_once and any(source.identity):
            self._read_once[path] = atomic.Snapshot(*source.identity, source.raw)

    def write(self, path: Path, text: str, step: Step) -> None:
        """Plan ``path`` to hold ``text`` (edited, or created when missing)."""
        utf8(text, f"{self.shown(path)}: the new text")
        self.originals.setdefault(path, self._snapshot(path))
        self.texts[path] = text
        self.steps.append(step)

    def rename(self, old: Path, new: Path, source: Source | None = None) -> None:
        """Plan ``old`` to move to ``new``; ``source``, when given, is what
        was read of it (the move is refused if it changes meanwhile)."""
        if self.exists(new):
            raise ConfigError(f"{self.shown(new)} already exists: nothing changed")
        if source is not None:
            self.read_as(old, source)
        self.originals.setdefault(old, self._snapshot(old, self.config.base.max_bytes))
        self.renames.append((old, new))
        self.steps.append(Step("moved", "would move", f"{self.shown(old)} -> {self.shown(new)}"))

    def remove_link(self, path: Path, step: Step) -> bool:
        """Plan the symbolic link ``path`` to go; False (nothing planned)
        when ``path`` is not a link."""
        target = atomic.read_link(path, self.config.repo)
        if target is None:
            return False
        self.links[path] = target
        self.steps.append(step)
        return True

    def report(self, dry_run: bool) -> str:
        """A line a step; names from the repository shown printable."""
        return "".join(f"{step.would if dry_run else step.done} {printable(step.what)}\n" for step in self.steps)

    def check(self) -> None:
        """Whether every change can be made now: a ConfigError saying why
        not (nothing has changed), else None."""
        repo = self.config.repo
        for path, original in self.originals.items():
            try:
                atomic.check_write(path, repo, original, _DURING)
            except atomic.Refused as reason:
                raise ConfigError(f"{self.shown(path)}: {reason}; nothing changed") from None
            if original is None and any(new == path for _, new in self.renames):
                raise ConfigError(f"{self.shown(path)} is both moved to and written: nothing changed")
        for _, new in self.renames:
            try:
                atomic.check_write(new, repo, None, _DURING)
            except atomic.Refused as reason:
                raise ConfigError(f"{self.shown(new)}: {reason}; nothing changed") from None
        for path, target in self.links.items():
            if atomic.read_link(path, repo) != target:
                raise ConfigError(f"{self.shown(path)}: changed while {_DURING}: left as it is now; nothing changed")
        if self._git():
            self._check_clean()
    def _git(self) -> bool:
        return (self.config.repo / ".git").exists()

    def _git_path(self, path: Path) -> str:
        parts = atomic.inside(path, self.config.repo)
        assert parts is not None, "a plan changes only files inside the repository"
        return "/".join(parts)

    def _check_clean(self) -> None:
        """In a git work tree, a file the plan edits (or moves) has no
        change that is not staged: the plan stages what it does, and must
        not stage an edit of the user's with it. Staged changes (an earlier
        move) are the user's next commit, and stay. A spec not yet added to
        git may move."""
        from speckeeper.files import gitrepo

        moved = {old for old, _ in self.renames}
        names = {self._git_path(path): path for path in self.originals if self.originals[path] is not None}
        if not names:
            return
        out = gitrepo.git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *names, cwd=self.config.repo)
        fields = out.decode("utf-8", "surrogateescape").split("\0")
        index = 0
        while index < len(fields):
            entry = fields[index]
            index += 2 if entry[:1] in ("R", "C") else 1
            if len(entry) < 4 or entry[3:] not in names:
                continue
            path, status = names[entry[3:]], entry[:2]
            if status == "??" and path not in moved:
                raise ConfigError(f"{self.shown(path)} is not in git: add it first; nothing changed")
            if status[1] not in " ?":
                raise ConfigError(f"{self.shown(path)} has changes not staged: stage or stash them first; nothing changed")

    def apply(self) -> None:
        """Make every change; on any failure, undo what was made and raise
        a ConfigError. Each write expects the file as the plan read it, and
        each undo the file as the plan wrote it: a file changed meanwhile
        is left as it is now (and named)."""
        repo = self.config.repo
        undo: list[tuple[Path, Callable[[], object]]] = []
        at = repo
        try:
            for path, text in self.texts.items():
                at = path
                original = self.originals[path]
                data = text.encode("utf-8")
                if original is None:
                    made = atomic.create_file(path, data, repo)
                    undo.append((path, partial(atomic.remove_file, path, repo, made, _DURING)))
                else:
                    made = atomic.replace_file(path, data, repo, original, during=_DURING)
                    undo.append((path, partial(atomic.replace_file, path, original.data, repo, made, during=_DURING)))
            for old, new in self.renames:
                at = old
                atomic.move_file(old, new, repo)
                undo.append((new, partial(atomic.move_file, new, old, repo)))
            for path, target in self.links.items():
                at = path
                atomic.remove_link(path, repo, target)
                undo.append((path, partial(atomic.make_link, path, target, repo)))
            if self._git():
                self._record_in_git()
        except (atomic.Refused, OSError, ConfigError) as error:
            left = []
            for path, step in reversed(undo):
                try:
                    step()
                except (atomic.Refused, OSError) as failed:
                    why = failed.strerror if isinstance(failed, OSError) and failed.strerror else str(failed)
                    left.append(f"{self.shown(path)}: {why}")
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            if isinstance(error, atomic.Refused):
                reason = f"{self.shown(at)}: {reason}"
            kept = f", except {'; '.join(left)}" if left else ""
            raise ConfigError(f"{reason}: what was changed is undone{kept}") from None

    def _record_in_git(self) -> None:
        """The renames and edits in git's index, as ``git mv`` and ``git
        add`` would leave it; a spec git did not know stays unknown."""
        from speckeeper.files import gitrepo

        names = [self._git_path(path) for path in [*self.texts, *self.links]]
        for old, new in self.renames:
            if gitrepo.git("ls-files", "-z", "--", self._git_path(old), cwd=self.config.repo):
                names += [self._git_path(old), self._git_path(new)]
        # Edited files and tracked specs were clean (checked): the index
        # takes the work tree's content, which is the plan's.
        gitrepo.git("update-index", "--add", "--remove", "--", *names, cwd=self.config.repo)
