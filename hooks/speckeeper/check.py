"""Running the rules: find the specs, read and parse each once, collect
findings, honour selections and in-file suppressions."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import rules
from .rules.files import NO_TEMPLATE
from .config import Config, ConfigError, Settings
from .parallel import check_files
from .parse import RstParser
from .rule import Context, Finding, Tree
from .source import TOO_LARGE, UNREADABLE, Limits, Refusal, Source, read
from .spec import Spec, build
from .template import NoTemplate, TemplateLoader

if TYPE_CHECKING:
    from .cache import Cache

# ``.. speckeeper: ignore SK106, SK110`` anywhere in a spec silences those
# codes for that spec.
_SUPPRESS = re.compile(r"^speckeeper:\s*ignore[\s=:]+(?P<codes>[A-Z0-9, ]+)$", re.IGNORECASE)
_SKIPPED_DIRS = frozenset({".git", ".tox", ".venv", "venv", "node_modules", "__pycache__", "build"})


@dataclass(frozen=True)
class Selection:
    """Rule selection from the command line, on top of the config's."""

    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # Rule groups ("structure", "lines", ...): of the codes that would run,
    # only those of these groups. What a pre-commit hook per group runs.
    groups: tuple[str, ...] = ()


def _expand(patterns: Iterable[str], where: str) -> set[str]:
    codes: set[str] = set()
    for pattern in patterns:
        found = {code for code in rules.BY_CODE if code.startswith(pattern.upper())}
        if not found:
            raise ConfigError(f"{where}: unknown rule code {pattern!r} (see 'speckeeper rules')")
        codes |= found
    return codes


def enabled_codes(settings: Settings, selection: Selection) -> frozenset[str]:
    """The codes that run for one spec: config first, command line on top.

    What is found about a file as a whole (SK00x: it cannot be read, has no
    template) is reported whatever ``select`` and ``--group`` choose, as a
    file that cannot be checked is news to every check; ``ignore`` drops it.
    """
    if selection.select:
        codes = _expand(selection.select, "--select")
    elif settings.select:
        codes = _expand(settings.select, "select")
    else:
        codes = {rule.code for rule in rules.ALL if rule.default}
    codes |= _expand(settings.extend_select, "extend-select") | _expand(selection.extend_select, "--extend-select")
    if selection.groups:
        codes &= {rule.code for rule in rules.ALL if rule.group in selection.groups}
    codes |= {rule.code for rule in rules.ALL if rule.group == "files"}
    codes -= _expand(settings.ignore, "ignore") | _expand(selection.ignore, "--ignore")
    return frozenset(codes)


def validate(config: Config, selection: Selection) -> None:
    """Fail early, once, on codes that do not exist anywhere in the config."""
    known = sorted({rule.group for rule in rules.ALL})
    for group in selection.groups:
        if group not in known:
            raise ConfigError(f"--group: unknown rule group {group!r} (known: {', '.join(known)})")
    enabled_codes(config.base, selection)
    for override in config.overrides:
        for key in ("select", "extend_select", "ignore"):
            _expand(override.values.get(key, ()), f"overrides {key.replace('_', '-')}")


def walk(
    paths: Iterable[Path], config: Config, suffix: str = "", unreadable: list[Finding] | None = None
) -> Iterator[Path]:
    """The files under ``paths`` (ending in ``suffix``), excluded ones aside,
    each once however many ways it is named (``a.rst``, ``./a.rst``, through
    a linked folder): the first name given is kept.

    Folders recurse, skipping hidden and tool folders, never through a
    link; files named directly are yielded whatever their name ends in. A
    folder that cannot be listed (no permission, a path too long) is one
    SK001 finding in ``unreadable``, never skipped in silence.
    """
    seen: set[str] = set()

    def first(candidate: Path) -> bool:
        real = os.path.realpath(candidate)
        if real in seen:
            return False
        seen.add(real)
        return True

    def failed(error: OSError) -> None:
        if unreadable is not None:
            where = error.filename if isinstance(error.filename, str) else str(error.filename)
            unreadable.append(Finding(where, 1, 1, UNREADABLE, f"cannot read folder: {error.strerror or error}"))

    for path in paths:
        if path.is_dir():
            for folder, subfolders, names in os.walk(path, onerror=failed):
                subfolders[:] = sorted(d for d in subfolders if d not in _SKIPPED_DIRS and not d.startswith("."))
                # A folder named like a spec is reported (reading refuses it),
                # not entered.
                names = [*names, *(d for d in subfolders if d.endswith(".rst"))]
                subfolders[:] = [d for d in subfolders if not d.endswith(".rst")]
                for name in sorted(names):
                    candidate = Path(folder) / name
                    if name.endswith(suffix) and not config.excluded(config.relpath(candidate)) and first(candidate):
                        yield candidate
        elif not config.excluded(config.relpath(path)) and first(path):
            yield path


def collect(paths: Iterable[Path], config: Config, unreadable: list[Finding] | None = None) -> Iterator[Path]:
    """The spec files under ``paths``: folders recurse to ``.rst`` files."""
    return walk(paths, config, ".rst", unreadable)


def _may_suppress(text: str) -> bool:
    """Whether a spec's text can hold a ``speckeeper: ignore`` comment:
    most cannot, and need no look at their comments."""
    return "speckeeper" in text.lower()


def suppressed(spec: Spec) -> frozenset[str]:
    """The codes a spec's ``speckeeper: ignore`` comments silence."""
    if not _may_suppress(spec.text):
        return frozenset()
    codes: set[str] = set()
    for _, text in spec.comments():
        match = _SUPPRESS.match(text.strip())
        if match:
            codes.update(c for c in re.split(r"[\s,]+", match.group("codes").upper()) if c)
    return frozenset(codes)


@dataclass(frozen=True)
class Loaded:
    """One spec, read and parsed, with what its rules are given."""

    spec: Spec
    ctx: Context
    silenced: frozenset[str]  # Codes its ``speckeeper: ignore`` comments silence.
    identity: tuple[int, int] = (0, 0)  # The file read: (device, inode).

    def active(self, code: str) -> bool:
        return code in self.ctx.enabled and code not in self.silenced


class Checker:
    """Checks specs under one configuration; one parser and template cache."""

    def __init__(self, config: Config, selection: Selection = Selection()) -> None:
        self.config = config
        self.selection = selection
        self.parser = RstParser(roles=config.base.roles, directives=config.base.directives)
        self.templates = TemplateLoader(config, self.parser)

    def check_file(self, path: Path) -> list[Finding]:
        loaded = self.load(path)
        return loaded if isinstance(loaded, list) else self.run_rules(loaded)

    def load(self, path: Path) -> Loaded | list[Finding]:
        """Read and parse one spec, once; the findings if it cannot be."""
        shown = str(path)
        relpath = self.config.relpath(path)
        settings = self.config.for_path(relpath)
        enabled = enabled_codes(settings, self.selection)
        source = self.read_source(path, settings)
        if isinstance(source, Refusal):
            return _enabled([Finding(shown, source.line, source.col, source.code, source.message)], enabled)
        if not any(rule.code in enabled for rule in rules.PER_SPEC):
            return []  # Only repo-level rules run: no need for a template or a parse.
        try:
            template = self.templates.for_spec(relpath, settings)
        except NoTemplate as error:
            return _enabled([Finding(shown, 1, 1, NO_TEMPLATE, str(error))], enabled)
        spec = self._build(shown, source)
        if isinstance(spec, Finding):
            return _enabled([spec], enabled)
        ctx = Context(relpath=relpath, settings=settings, template=template, enabled=enabled)
        return Loaded(spec, ctx, suppressed(spec), source.identity)

    def read_source(self, path: Path, settings: Settings) -> Source | Refusal:
        """A spec's content, read within the bounds its settings set."""
        return read(path, Limits.of(settings), self.config.repo)

    def _build(self, shown: str, source: Source) -> Spec | Finding:
        """The spec model; nesting too deep for docutils is one finding."""
        try:
            return build(shown, source.text, self.parser, raw=source.raw)
        except RecursionError:
            return Finding(shown, 1, 1, TOO_LARGE, "nested too deeply to parse (block quotes or lists)")

    def run_rules(self, loaded: Loaded) -> list[Finding]:
        """Every enabled rule over one loaded spec, its suppressions honoured."""
        spec, ctx, silenced = loaded.spec, loaded.ctx, loaded.silenced
        shown, enabled = spec.path, ctx.enabled
        findings = [
            Finding(shown, hit.line, hit.col, rule.code, hit.message)
            for rule in rules.PER_SPEC
            if rule.code in enabled and rule.code not in silenced
            for hit in rule.check(spec, ctx)
        ]
        # By position; at one position, in rule and template order.
        return sorted(dict.fromkeys(findings), key=lambda f: (f.line, f.col))

    def check_tree(self, paths: Iterable[Path]) -> list[Finding]:
        """Run the repo-level rules once over every file under ``paths``."""
        tree = Tree(self.config, tuple(walk(paths, self.config)))
        findings = set()
        silenced: dict[Path, frozenset[str]] = {}
        for rule in rules.PER_REPO:
            for place, hit in rule.check(tree):
                relpath = self.config.relpath(place)
                if rule.code not in enabled_codes(self.config.for_path(relpath), self.selection):
                    continue
                if place not in silenced:
                    silenced[place] = self._silenced_in(place)
                if rule.code not in silenced[place]:
                    findings.add(Finding(str(place), hit.line, hit.col, rule.code, hit.message))
        return sorted(findings)

    def _silenced_in(self, place: Path) -> frozenset[str]:
        """The codes a spec's ``speckeeper: ignore`` comments silence; read
        only for the few specs a repo-level rule has a finding on."""
        if place.suffix != ".rst" or not place.is_file():
            return frozenset()
        source = self.read_source(place, self.config.for_path(self.config.relpath(place)))
        if isinstance(source, Refusal) or not _may_suppress(source.text):
            return frozenset()  # No parse for a spec that cannot silence anything.
        spec = self._build(str(place), source)
        return suppressed(spec) if isinstance(spec, Spec) else frozenset()

    def check(self, paths: Iterable[Path], jobs: int = 1, cache: Cache | None = None) -> list[Finding]:
        """Every finding under ``paths``, by path then line, whatever ``jobs``."""
        paths = list(paths)
        tree: list[Finding] = []

        def repo_level() -> None:  # In this process, while the workers check the files.
            tree.extend(self.check_tree(paths))

        unreadable: list[Finding] = []
        files = list(collect(paths, self.config, unreadable))
        findings = check_files(self, files, jobs=jobs, cache=cache, meanwhile=repo_level)
        return sorted(findings + tree + unreadable, key=by_path)


def _enabled(findings: list[Finding], enabled: frozenset[str]) -> list[Finding]:
    return [finding for finding in findings if finding.code in enabled]


def by_path(finding: Finding) -> tuple[str, int, int]:
    """Output order: by path, then position (stable: rule order at a tie)."""
    return (finding.path, finding.line, finding.col)
