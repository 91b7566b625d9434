"""Changing a spec repo all at once, or not at all: the lifecycle commands
(``move``, ``abandon``, ``repropose``) plan every file they would change,
check that each change can be made, and only then make them.

A :class:`Plan` holds the renames, the new text of each file to edit or
create, and a line for each step (what ``--dry-run`` prints). Checking it
asks :mod:`speckeeper.atomic` whether each write would be refused (a link,
a file changed meanwhile, a destination that exists) and, in a git work
tree, git whether a file to edit has changes not committed. Applying it
writes through :mod:`speckeeper.atomic`, then records the renames and
edits in git's index, as ``git mv`` and ``git add`` would; on any failure
what was done is undone. Any reason not to go on is one ConfigError line
(exit 2), and nothing changes.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import atomic
from .config import Config, ConfigError, plain, read_small_file
from .output import printable
from .source import Source

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


@dataclass(frozen=True)
class Step:
    """One thing a plan does, as printed: ``moved ...`` or ``would move ...``."""

    done: str
    would: str
    what: str


@dataclass
class Plan:
    """What a lifecycle command would change, checked before anything is."""

    config: Config
    renames: list[tuple[Path, Path]] = field(default_factory=list)
    texts: dict[Path, str] = field(default_factory=dict)  # The new text of each file edited or created.
    originals: dict[Path, bytes | None] = field(default_factory=dict)  # None: created.
    steps: list[Step] = field(default_factory=list)

    def shown(self, path: Path) -> str:
        """A path as the plan prints it: from the repo's top folder."""
        return self.config.relpath(path)

    def exists(self, path: Path) -> bool:
        """Whether ``path`` is a file once the plan's steps so far are made."""
        if path in self.texts:
            return True
        if any(old == path for old, _ in self.renames):
            return False
        return any(new == path for _, new in self.renames) or os.path.lexists(path)

    def text(self, path: Path) -> str:
        """The text of a file as the plan leaves it so far ("" for a file
        that does not exist)."""
        if path in self.texts:
            return self.texts[path]
        if not os.path.lexists(path):
            return ""
        raw = self._read(path)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError(f"{self.shown(path)}: not UTF-8 text, cannot edit it: nothing changed") from None

    def _read(self, path: Path) -> bytes:
        try:
            return read_small_file(path, _SMALL_FILE, "a file to change", "it")
        except ConfigError as error:
            raise ConfigError(f"{error}; nothing changed") from None

    def write(self, path: Path, text: str, step: Step) -> None:
        """Plan ``path`` to hold ``text`` (edited, or created when missing)."""
        if path not in self.originals:
            self.originals[path] = self._read(path) if os.path.lexists(path) else None
        self.texts[path] = text
        self.steps.append(step)

    def rename(self, old: Path, new: Path, source: Source | None = None) -> None:
        """Plan ``old`` to move to ``new``; ``source``, when given, is what
        was read of it (the move is refused if it changes meanwhile)."""
        if self.exists(new):
            raise ConfigError(f"{self.shown(new)} already exists: nothing changed")
        self.originals.setdefault(old, source.raw if source is not None else self._read(old))
        self.renames.append((old, new))
        self.steps.append(Step("moved", "would move", f"{self.shown(old)} -> {self.shown(new)}"))

    def report(self, dry_run: bool) -> str:
        """A line a step; names from the repository shown printable."""
        return "".join(f"{step.would if dry_run else step.done} {printable(step.what)}\n" for step in self.steps)

    def check(self) -> None:
        """Whether every change can be made now: a ConfigError saying why
        not (nothing has changed), else None."""
        repo = self.config.repo
        for path, original in self.originals.items():
            created = original is None
            try:
                atomic.check_write(path, repo, original)
            except atomic.Refused as reason:
                raise ConfigError(f"{self.shown(path)}: {reason}; nothing changed") from None
            if created and any(new == path for _, new in self.renames):
                raise ConfigError(f"{self.shown(path)} is both moved to and written: nothing changed")
        for _, new in self.renames:
            try:
                atomic.check_write(new, repo, None)
            except atomic.Refused as reason:
                raise ConfigError(f"{self.shown(new)}: {reason}; nothing changed") from None
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
        from . import gitrepo

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
        a ConfigError."""
        repo = self.config.repo
        undo: list[Callable[[], None]] = []
        try:
            for path, text in self.texts.items():
                original = self.originals[path]
                data = text.encode("utf-8")
                if original is None:
                    atomic.create_file(path, data, repo)
                    undo.append(lambda path=path: atomic.remove_file(path, repo))
                else:
                    atomic.replace_file(path, data, repo)
                    undo.append(lambda path=path, original=original: atomic.replace_file(path, original, repo))
            for old, new in self.renames:
                atomic.move_file(old, new, repo)
                undo.append(lambda old=old, new=new: atomic.move_file(new, old, repo))
            if self._git():
                self._record_in_git()
        except (atomic.Refused, OSError, ConfigError) as error:
            for step in reversed(undo):
                with contextlib.suppress(atomic.Refused, OSError):
                    step()
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            raise ConfigError(f"{reason}: what was changed is undone") from None

    def _record_in_git(self) -> None:
        """The renames and edits in git's index, as ``git mv`` and ``git
        add`` would leave it; a spec git did not know stays unknown."""
        from . import gitrepo

        names = [self._git_path(path) for path in self.texts]
        for old, new in self.renames:
            if gitrepo.git("ls-files", "-z", "--", self._git_path(old), cwd=self.config.repo):
                names += [self._git_path(old), self._git_path(new)]
        # Edited files and tracked specs were clean (checked): the index
        # takes the work tree's content, which is the plan's.
        gitrepo.git("update-index", "--add", "--remove", "--", *names, cwd=self.config.repo)
