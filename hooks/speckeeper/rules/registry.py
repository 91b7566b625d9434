"""The registry's parts: what a rule is, what it reports, what it is given,
and how it is fixed.

A rule is one small function ``check(spec, ctx)`` that yields :class:`Hit`
tuples, declared with everything about it by its module's registry::

    RULES = Registry("lines")

    @RULES.rule("SK203", "trailing-whitespace", fix=strip_trailing_whitespace)
    def check_trailing_whitespace(spec: Spec, ctx: Context) -> Iterator[Hit]:
        # Its docstring: "A line ends in spaces or tabs." and why, Bad, Good.

Its docstring is its documentation: the first line says what it checks, the
rest explains why and gives a ``Bad:`` and ``Good:`` example;
``speckeeper rules`` prints it. A fix is a function of :class:`FixInput`
that yields :class:`Edit` s; ``speckeeper fix`` asks the registry for the
fixes of the findings it has, and proves their result means the same.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Set as AbstractSet
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar, cast

from speckeeper.config.settings import Config, Settings
from speckeeper.files.source import Limits, Refusal, read
from speckeeper.document.model import Document as Spec
from speckeeper.document.template import Template


class Hit(NamedTuple):
    """What a rule reports: where it found a problem, and what it says.

    A rule over one spec leaves ``path`` out (the spec's); a rule over the
    checked files together names the file or folder it is about.
    """

    line: int
    col: int
    message: str
    path: Path | None = None
    # Other files the finding is about (a redirect's spec and target): a
    # change to one of them is a change the finding concerns.
    about: tuple[Path, ...] = ()
    # The texts the message quotes, by name ({"meant": "Use Cases"}): what
    # the rule's ``fix_title`` and the commands that act on the finding read,
    # never the message itself.
    quoted: Mapping[str, str] = {}


class Context:
    """What a rule may consult besides the spec itself."""

    __slots__ = ("relpath", "settings", "template", "enabled", "template_name", "_memo")

    def __init__(self, relpath: str, settings: Settings, template: Template, enabled: frozenset[str], template_name: str = "") -> None:
        self.relpath = relpath
        self.settings = settings
        self.template = template
        self.enabled = enabled
        # The template's path, where a repo has one per release; "" where it
        # has one for all, which messages call "the template".
        self.template_name = template_name
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute an analysis once per file, however many rules read it."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


Check = Callable[[Spec, Context], Iterator[Hit]]


class Edit(NamedTuple):
    """Rows ``start:end`` (0-based) of a file replaced by ``rows``.

    ``ends``, when given, are the new rows' line endings (one a row); else
    they keep the file's. ``underlines`` index the last row of each
    inserted title (its underline; a Markdown ``#`` heading's own row):
    that section is new, and the proof leaves it out. ``settles`` says the
    edit is meant to settle the parser's messages about its rows (a title
    adornment made long enough, a Markdown heading level no longer
    skipped). ``retitles`` says it renames the title whose last row is its
    own last row: that title's text, and the names docutils gives its
    section, may change, and nothing else.
    """

    start: int
    end: int
    rows: tuple[str, ...]
    ends: tuple[str, ...] | None = None
    underlines: tuple[int, ...] = ()
    settles: bool = False
    retitles: bool = False

    @classmethod
    def row(cls, line: int, text: str, settles: bool = False) -> Edit:
        """Line ``line`` (1-based, as findings count) becomes ``text``."""
        return cls(line - 1, line, (text,), settles=settles)


class FixInput(NamedTuple):
    """What a fix is given: the spec as parsed, its context, the file's rows
    as the fixes before it left them, and the lines its findings are on."""

    spec: Spec
    ctx: Context
    rows: tuple[str, ...]
    ends: tuple[str, ...]  # Each row's line ending; "" after a last row without one.
    lines: frozenset[int]  # 1-based.
    codes: frozenset[str]  # The codes of those findings (rules may share a fix).

    @property
    def newline(self) -> str:
        """The line ending most rows have (LF in a file without one)."""
        counts = Counter(end for end in self.ends if end)
        return counts.most_common(1)[0][0] if counts else "\n"


Fix = Callable[[FixInput], Iterable[Edit]]
# A rule's check: over one spec (Check), or over the checked files (RepoCheck).
CheckFunction = TypeVar("CheckFunction", bound=Callable[..., Iterator[Any]])
# How an editor marks a rule's findings (the Language Server Protocol's
# four severities).
Severity = Literal["error", "warning", "information", "hint"]
# What of its line an editor underlines for a finding: "text", from its
# column to the end of the line's text (at column 1, from the first
# character after the indentation: a title, the part of a line past the
# limit, the trailing whitespace); "character", the one character at its
# column (a tab, a zero-width space).
Highlight = Literal["text", "character"]


class Rule(NamedTuple):
    code: str
    name: str
    group: str  # "files", "structure", "lines", "naming", "lifecycle", "leftovers", "rst"
    # None for what the run itself reports about a file (it cannot be read,
    # has no template, cannot be fixed): such a rule is documented by
    # ``documentation`` and selected like any other.
    check: Check | RepoCheck | None
    default: bool = True  # Run unless a repo selects otherwise.
    # ``speckeeper fix`` repairs its findings with this. A fix whose edits
    # keep each row a row runs first, and the next fix sees its result; a
    # fix that adds or joins rows (``fix_moves_rows``) sees every such
    # edit made, and its edits are applied last, bottom up.
    fix: Fix | None = None
    fix_moves_rows: bool = False
    # What an editor's quick fix for one finding is called; ``{meant}``
    # and the like are the texts the finding quotes (``Hit.quoted``).
    fix_title: str = ""
    documentation: str = ""
    # "spec": ``check(spec, ctx)`` runs on each spec; "repo": ``check(tree)``
    # runs once over the checked files together (folders, redirects, a
    # spec's lifecycle), and the settings of each place it reports decide
    # whether it applies there; "file": reported by the run itself.
    scope: str = "spec"
    # Every finding fails ``check``; an editor shows it at this severity.
    severity: Severity = "error"
    highlight: Highlight = "text"

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def quick_fix_title(self, quoted: Mapping[str, str]) -> str:
        """What an editor's quick fix of one finding is called, given the
        texts the finding quotes."""
        return self.fix_title.format_map(quoted) if self.fix_title else f"Fix {self.name}"

    @property
    def summary(self) -> str:
        return self.doc.split("\n", 1)[0]

    @property
    def doc(self) -> str:
        import inspect  # Only where a rule's docs are read: a check's start-up would pay 5 ms for it.

        return inspect.cleandoc(self.documentation or getattr(self.check, "__doc__", None) or "")

    # ``check``'s two kinds, typed by scope (the registry gives a rule its
    # scope with its check).
    def check_spec(self, spec: Spec, ctx: Context) -> Iterator[Hit]:
        """The findings of a rule of scope "spec" on one spec."""
        return cast(Check, self.check)(spec, ctx)

    def check_tree(self, tree: Tree) -> Iterator[Hit]:
        """The findings of a rule of scope "repo" on the checked files."""
        return cast(RepoCheck, self.check)(tree)


class Registry:
    """The rules of one group, in the order they are declared; ``scope``
    says what their checks run on (see :class:`Rule`)."""

    def __init__(self, group: str, scope: str = "spec") -> None:
        self.group = group
        self.scope = scope
        self._rules: list[Rule] = []

    def rule(
        self,
        code: str,
        name: str,
        *,
        default: bool = True,
        fix: Fix | None = None,
        fix_moves_rows: bool = False,
        fix_title: str = "",
        severity: Severity = "error",
        highlight: Highlight = "text",
    ) -> Callable[[CheckFunction], CheckFunction]:
        """Declare the decorated check function as rule ``code``."""

        def declare(check: CheckFunction) -> CheckFunction:
            self._rules.append(
                Rule(
                    code,
                    name,
                    self.group,
                    check,
                    default,
                    fix,
                    fix_moves_rows,
                    fix_title,
                    scope=self.scope,
                    severity=severity,
                    highlight=highlight,
                )
            )
            return check

        return declare

    def reported(self, code: str, name: str, documentation: str) -> str:
        """Declare a finding the run itself reports (no check function);
        its code, for the code that reports it."""
        self._rules.append(Rule(code, name, self.group, None, documentation=documentation, scope="file"))
        return code

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules)


# A file's path relative to the root, and the settings that apply to it.
Placed = tuple[str, Settings]


class Tree:
    """What a repo-level rule is given: every file under the checked paths.

    Files of any kind (redirects, stray ``.txt`` files), excluded ones
    aside, as the paths were given, each as a string (the ``str`` of the
    path a finding names: a rule asks things of hundreds of files, and a
    Path costs its parsing). A rule may also look at the files beside
    them (the other state folder, every release's redirects file); a path a
    redirects line names is only tested for existence inside the repo, and
    nothing is read because a spec's content names it.
    """

    __slots__ = ("config", "files", "_memo", "_relpaths", "_settings", "_listings", "_regular", "_here")

    def __init__(
        self,
        config: Config,
        files: tuple[str, ...],
        known: Mapping[str, Placed] | None = None,
        listings: Mapping[str, tuple[str, ...]] | None = None,
        regular: AbstractSet[str] = frozenset(),
    ) -> None:
        """What the walk that found the files saw on the way, each a system
        call spared where a rule asks it again: ``known``, the relpaths and
        settings of files; ``listings``, the names in each folder listed (by
        the folder as walked); ``regular``, the real paths of the regular
        files it listed."""
        self.config = config
        self.files = files
        self._memo: dict[str, Any] = {}
        self._listings = listings or {}
        self._regular = regular
        # The working folder, asked once: rules make absolute the paths of
        # every line of every redirects file.
        self._here = os.getcwd()
        known = known or {}
        self._relpaths: dict[str, str] = {name: relpath for name, (relpath, _) in known.items()}
        # By file as the tree names it: the rules ask each file's several times.
        self._settings: dict[str, Settings] = {name: settings for name, (_, settings) in known.items()}

    def relpath(self, path: str | Path) -> str:
        # Resolving a path costs system calls; rules ask for each many times.
        name = os.fspath(path)
        if name not in self._relpaths:
            self._relpaths[name] = self.config.relpath(Path(name))
        return self._relpaths[name]

    def settings(self, path: str | Path) -> Settings:
        name = os.fspath(path)
        if name not in self._settings:
            self._settings[name] = self.config.for_path(self.relpath(name))
        return self._settings[name]

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def normal(self, path: str | Path) -> str:
        """``os.path.normpath(os.path.abspath(path))``: absolute, normalised,
        no link resolved."""
        return os.path.normpath(os.path.join(self._here, path))

    def listing(self, folder: str) -> tuple[str, ...] | list[str]:
        """``os.listdir(folder)``, as the walk listed it where it did."""
        found = self._listings.get(folder)
        return found if found is not None else os.listdir(folder)

    def is_file(self, path: str) -> bool:
        """``os.path.isfile(path)``; of a real path (absolute, no link on
        the way) of a regular file the walk listed, without asking again."""
        return path in self._regular or os.path.isfile(path)

    def lines(self, path: str | Path) -> list[str] | Refusal:
        """A file's lines, read as carefully as a spec (no FIFO, no symlink
        out of the repo, bounded size), without the final newline; each
        file once per run, however many rules and findings ask."""

        def read_lines() -> list[str] | Refusal:
            found = read(Path(path), Limits.of(self.settings(path)), self.config.repo)
            if isinstance(found, Refusal):
                return found
            text = found.text.split("\n")
            return text[:-1] if text and text[-1] == "" else text

        return self.memo(f"lines:{self.normal(path)}", read_lines)


RepoCheck = Callable[[Tree], Iterator[Hit]]
