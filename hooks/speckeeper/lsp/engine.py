"""The pipeline of ``check`` and ``fix``, run on an editor's text.

No protocol here: a document is a path and its text. Its configuration is
the one that governs its folder, found as ``speckeeper check`` finds it
(:func:`speckeeper.config.settings.discover`, or the file ``--config`` names), and
is kept while the files it came from are unchanged: each check first
compares their size, time and inode with what they were (a few ``stat``
calls), so an edit of ``.speckeeper.toml``, a ``pyproject.toml``, the
template or the baseline takes effect at the next check, with or without
the client's file events.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from speckeeper import rules
from speckeeper.document.markdown.pieces import Pieces
from speckeeper.document import markdown
from speckeeper.engine.check import Loaded, collect
from speckeeper.config.settings import Config, ConfigError, discover, load_file
from speckeeper.engine.decide import Selection, read_baseline, validate
from speckeeper.config import SPECS
from speckeeper.findings import Finding
from speckeeper.fixing.fix import Fixer, NotFixed

# A file's state as a check last saw it: (inode, size, mtime), or None
# where there was no file.
Stamp = tuple[int, int, int] | None
_CONFIG_FILES = (".speckeeper.toml", "pyproject.toml")


def stamp(path: Path) -> Stamp:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_ino, status.st_size, status.st_mtime_ns


@dataclass
class Engine:
    """One configuration's checker and fixer, with the files it depends on.

    ``error`` is why there is none (a configuration that does not load):
    every document it governs gets that as its one diagnostic, until one
    of the files changes.
    """

    fixer: Fixer | None
    error: str = ""
    stamps: dict[Path, Stamp] = field(default_factory=dict)

    @property
    def config(self) -> Config:
        assert self.fixer is not None
        return self.fixer.checker.config

    def watch(self, path: Path) -> None:
        """Depend on ``path`` too (a template, once a check has used it)."""
        if path not in self.stamps:
            self.stamps[path] = stamp(path)

    def stale(self) -> bool:
        return any(stamp(path) != seen for path, seen in self.stamps.items())


class Engines:
    """The engine for each folder a document is in, rebuilt when a file
    it depends on changes. Used from one thread at a time."""

    def __init__(self, config_file: str | None = None, use_baseline: bool = True) -> None:
        self.config_file = config_file
        self.use_baseline = use_baseline
        self._engines: dict[Path, Engine] = {}

    def for_document(self, path: Path) -> Engine:
        folder = path.parent.resolve()
        engine = self._engines.get(folder)
        if engine is None or engine.stale():
            engine = self._engines[folder] = self._build(folder)
        return engine

    def forget(self) -> None:
        """Build every engine again at its next use (a file event said so)."""
        self._engines.clear()

    def stale(self) -> bool:
        return any(engine.stale() for engine in self._engines.values())

    def _build(self, folder: Path) -> Engine:
        named = Path(self.config_file).resolve() if self.config_file else None
        # Stamped before reading: a change made meanwhile is seen next time.
        stamps = {path: stamp(path) for path in _depends_on(folder, named)}
        try:
            config = load_file(named) if named is not None else discover(folder)
            validate(config, Selection())
        except ConfigError as error:
            return Engine(None, f"configuration error: {error}", stamps)
        found = config.baseline_file() if self.use_baseline else None
        if found is not None:
            stamps[found] = stamp(found)
        try:
            recorded = read_baseline(found) if found is not None and found.is_file() else ()
        except ConfigError as error:
            return Engine(None, f"baseline error: {error}", stamps)
        fixer = Fixer(config, Selection(), recorded)
        # A keystroke changes one piece of a Markdown document: the others are not parsed again.
        fixer.checker.pieces = Pieces()
        engine = Engine(fixer, stamps=stamps)
        for path in _detected_from(config):
            engine.watch(path)
        return engine


def _depends_on(folder: Path, named: Path | None) -> list[Path]:
    """The files a configuration found from ``folder`` could come from:
    the one named, or each candidate up the tree (one appearing counts)."""
    if named is not None:
        return [named]
    return [place / name for place in (folder, *folder.parents) for name in _CONFIG_FILES]


def _detected_from(config: Config) -> list[Path]:
    """Without a configuration file, what it was read off: the folders
    that hold the templates (a file added there changes their time)."""
    if config.source is not None:
        return []
    specs = config.root / SPECS
    return [specs, specs / "templates"]


@dataclass(frozen=True)
class Analysis:
    """What checking one version of a document came to."""

    path: Path
    version: int | None
    text: str
    findings: tuple[Finding, ...]
    loaded: Loaded | None = None  # None: it could not be parsed (the findings say why).
    engine: Engine | None = None
    excluded: bool = False  # The configuration leaves it out, as ``check`` would.

    @property
    def fixer(self) -> Fixer | None:
        return self.engine.fixer if self.engine is not None else None


def analyse(engines: Engines, path: Path, text: str, version: int | None, saved: tuple[Finding, ...] = ()) -> Analysis:
    """Every per-spec rule on ``text``, as ``speckeeper check`` runs them
    on the file at ``path``, plus ``saved``: the repo-level findings about
    it the last save gave. Never raises: a failure is one finding."""
    try:
        return _analyse(engines, path, text, version, saved)
    except Exception as error:  # noqa: BLE001  A bug must cost one document, not the server.
        failed = Finding(str(path), 1, 1, "", f"speckeeper could not check this document: {type(error).__name__}: {error}")
        return Analysis(path, version, text, (failed,))


def _analyse(engines: Engines, path: Path, text: str, version: int | None, saved: tuple[Finding, ...]) -> Analysis:
    engine = engines.for_document(path)
    if engine.fixer is None:
        return Analysis(path, version, text, (Finding(str(path), 1, 1, "", engine.error),), engine=engine)
    config = engine.config
    if config.excluded(config.relpath(path)) or (markdown.is_markdown(str(path)) and not _checked(config, path)):
        return Analysis(path, version, text, (), engine=engine, excluded=True)
    checker = engine.fixer.checker
    opened = checker.load(path, text)
    if opened.loaded is None:
        return Analysis(path, version, text, tuple(checker.reported(opened)), engine=engine)
    loaded = opened.loaded
    template = Path(loaded.ctx.template.path)
    engine.watch(template)
    if loaded.ctx.settings.metadata_file:  # The template's own metadata, its schema.
        engine.watch(template.parent / loaded.ctx.settings.metadata_file)
    # The gate ``check`` passes findings through: what the repo's baseline
    # records, or the spec's comments silence, is not shown.
    verdict = checker.gate.decide([*checker.run_rules(loaded), *saved], {str(path): loaded.silenced})
    findings = sorted(verdict.reported, key=lambda f: (f.line, f.col))
    return Analysis(path, version, text, tuple(findings), loaded, engine)


def _checked(config: Config, path: Path) -> bool:
    """Whether ``check`` reads a Markdown file named to it as a document
    (a Markdown template applies, and it has one of ``markdown-names``):
    an editor opens every README."""
    return any(collect([path], config))


def repo_level(engines: Engines, path: Path) -> tuple[Finding, ...]:
    """The repo-level rules' findings about the saved file at ``path``
    (a spec in two states, a name no redirect reaches...): what
    ``speckeeper check`` over the file reports of them."""
    engine = engines.for_document(path)
    if engine.fixer is None or engine.config.excluded(engine.config.relpath(path)):
        return ()
    real = os.path.realpath(path)
    found = engine.fixer.checker.check_tree([path])
    return tuple(f for f in found if os.path.realpath(f.path) == real)


def fixed_text(analysis: Analysis, findings: list[Finding]) -> str | None:
    """The document's text with ``findings`` fixed, as ``speckeeper fix``
    fixes them, once proved to mean the same; None when no fix changes
    anything that way."""
    fixer, loaded = analysis.fixer, analysis.loaded
    fixable = [f for f in findings if f.code in rules.BY_CODE and rules.BY_CODE[f.code].fixable]
    if fixer is None or loaded is None or not fixable:
        return None
    try:
        after, _ = fixer.fixed(loaded, fixable)
    except NotFixed:
        return None
    text = _text(after, analysis.text)
    return text if text != analysis.text else None


@dataclass(frozen=True)
class FixedAll:
    """What ``speckeeper fix`` would make of a document: its text (None
    when it would not change it), and why what it leaves was not fixed
    (SK005 findings, at the lines of the findings they are about)."""

    text: str | None = None
    not_fixed: tuple[Finding, ...] = ()


def fix_all(analysis: Analysis) -> FixedAll:
    """The whole document as ``speckeeper fix`` would write it (what the
    baseline records left alone): every fix that proves, and why the rest
    was not made."""
    fixer, loaded = analysis.fixer, analysis.loaded
    if fixer is None or loaded is None:
        return FixedAll()
    result = fixer.fix_loaded(analysis.path, loaded)
    problems = tuple(result.problems)
    if not result.changed or result.after is None:
        return FixedAll(None, problems)
    return FixedAll(_text(result.after, analysis.text), problems)


def _text(after: bytes, before: str) -> str:
    """Fixed bytes as the editor's text: the fixer keeps a byte order mark
    the editor may not show."""
    text = after.decode("utf-8")
    return text if before.startswith("\ufeff") or not text.startswith("\ufeff") else text[1:]
