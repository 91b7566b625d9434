"""What a rule is, what it reports, and what it is given.

A rule is one small function ``check(spec, ctx)`` that yields :class:`Hit`
tuples, and one :class:`Rule` entry in its module's ``RULES`` tuple. Its
docstring is its documentation: the first line says what it checks, the
rest explains why and gives a ``Bad:`` and ``Good:`` example;
``speckeeper rules`` prints it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from .config import Config, Settings
from .spec import Spec
from .template import Template


class Hit(NamedTuple):
    """Where a rule found a problem, and what it says about it."""

    line: int
    col: int
    message: str


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in one file, as every output format reports it."""

    path: str
    line: int
    col: int
    code: str
    message: str


@dataclass
class Context:
    """What a rule may consult besides the spec itself."""

    relpath: str
    settings: Settings
    template: Template
    enabled: frozenset[str]
    _memo: dict[str, Any] = field(default_factory=dict)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute an analysis once per file, however many rules read it."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


Check = Callable[[Spec, Context], Iterator[Hit]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    group: str  # "structure", "lines", "naming", "rst"
    check: Check
    default: bool = True  # Run unless a repo selects otherwise.
    fixable: bool = False  # ``speckeeper fix`` repairs it.

    @property
    def summary(self) -> str:
        return self.doc.split("\n", 1)[0]

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.check) or ""


@dataclass
class Tree:
    """What a repo-level rule is given: every file under the checked paths.

    Files of any kind (redirects, stray ``.txt`` files), excluded ones
    aside, as the paths were given. A rule may also look at the files beside
    them (the other state folder, every release's redirects file); a path a
    redirects line names is only tested for existence inside the repo, and
    nothing is read because a spec's content names it.
    """

    config: Config
    files: tuple[Path, ...]
    _memo: dict[str, Any] = field(default_factory=dict)
    _relpaths: dict[Path, str] = field(default_factory=dict)

    def relpath(self, path: Path) -> str:
        # Resolving a path costs system calls; rules ask for each many times.
        if path not in self._relpaths:
            self._relpaths[path] = self.config.relpath(path)
        return self._relpaths[path]

    def settings(self, path: Path) -> Settings:
        return self.config.for_path(self.relpath(path))

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


class Place(NamedTuple):
    """A repo-level hit: the file or folder it is about, and where in it."""

    path: Path
    hit: Hit


RepoCheck = Callable[[Tree], Iterator[Place]]


@dataclass(frozen=True)
class RepoRule(Rule):
    """A rule over the checked files together (folders, redirects, a spec's
    lifecycle), run once per check rather than once per spec. Whether it
    applies to a place is decided by the settings of that place's path."""

    check: RepoCheck  # type: ignore[assignment]
