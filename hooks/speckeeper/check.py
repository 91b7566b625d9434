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
from .config import Config, ConfigError, Settings
from .parallel import check_files
from .parse import RstParser
from .rule import Context, Finding
from .spec import build
from .template import NoTemplate, TemplateLoader

if TYPE_CHECKING:
    from .cache import Cache

# Findings about a file that could not be checked at all.
UNREADABLE = "SK001"
UNDECODABLE = "SK002"
NO_TEMPLATE = "SK003"

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


def _expand(patterns: Iterable[str], where: str) -> set[str]:
    codes: set[str] = set()
    for pattern in patterns:
        found = {code for code in rules.BY_CODE if code.startswith(pattern.upper())}
        if not found:
            raise ConfigError(f"{where}: unknown rule code {pattern!r} (see 'speckeeper rules')")
        codes |= found
    return codes


def enabled_codes(settings: Settings, selection: Selection) -> frozenset[str]:
    """The codes that run for one spec: config first, command line on top."""
    if selection.select:
        codes = _expand(selection.select, "--select")
    elif settings.select:
        codes = _expand(settings.select, "select")
    else:
        codes = {rule.code for rule in rules.ALL if rule.default}
    codes |= _expand(settings.extend_select, "extend-select") | _expand(selection.extend_select, "--extend-select")
    codes -= _expand(settings.ignore, "ignore") | _expand(selection.ignore, "--ignore")
    return frozenset(codes)


def validate(config: Config, selection: Selection) -> None:
    """Fail early, once, on codes that do not exist anywhere in the config."""
    enabled_codes(config.base, selection)
    for override in config.overrides:
        for key in ("select", "extend_select", "ignore"):
            _expand(override.values.get(key, ()), f"overrides {key.replace('_', '-')}")


def collect(paths: Iterable[Path], config: Config) -> Iterator[Path]:
    """The spec files under ``paths``: folders recurse to ``.rst`` files."""
    for path in paths:
        if path.is_dir():
            for folder, subfolders, names in os.walk(path):
                subfolders[:] = sorted(d for d in subfolders if d not in _SKIPPED_DIRS and not d.startswith("."))
                for name in sorted(names):
                    candidate = Path(folder) / name
                    if name.endswith(".rst") and not config.excluded(config.relpath(candidate)):
                        yield candidate
        elif not config.excluded(config.relpath(path)):
            yield path


def suppressed(comments: Iterable[tuple[int, str]]) -> frozenset[str]:
    codes: set[str] = set()
    for _, text in comments:
        match = _SUPPRESS.match(text.strip())
        if match:
            codes.update(c for c in re.split(r"[\s,]+", match.group("codes").upper()) if c)
    return frozenset(codes)


class Checker:
    """Checks specs under one configuration; one parser and template cache."""

    def __init__(self, config: Config, selection: Selection = Selection()) -> None:
        self.config = config
        self.selection = selection
        self.parser = RstParser(roles=config.base.roles, directives=config.base.directives)
        self.templates = TemplateLoader(config, self.parser)

    def check_file(self, path: Path) -> list[Finding]:
        shown = str(path)
        relpath = self.config.relpath(path)
        try:
            raw = path.read_bytes()
        except IsADirectoryError:
            return [Finding(shown, 1, 1, UNREADABLE, "cannot read: is a directory, expected an .rst file")]
        except OSError as error:
            return [Finding(shown, 1, 1, UNREADABLE, f"cannot read: {error.strerror or error}")]
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw.count(b"\n", 0, error.start) + 1
            col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
            return [Finding(shown, line, col, UNDECODABLE, f"not UTF-8: byte 0x{raw[error.start]:02x} cannot be decoded")]
        settings = self.config.for_path(relpath)
        try:
            template = self.templates.for_spec(relpath, settings)
        except NoTemplate as error:
            return [Finding(shown, 1, 1, NO_TEMPLATE, str(error))]
        enabled = enabled_codes(settings, self.selection)
        spec = build(shown, text, self.parser, raw=raw)
        ctx = Context(relpath=relpath, settings=settings, template=template, enabled=enabled)
        silenced = suppressed(spec.comments())
        findings = [
            Finding(shown, hit.line, hit.col, rule.code, hit.message)
            for rule in rules.ALL
            if rule.code in enabled and rule.code not in silenced
            for hit in rule.check(spec, ctx)
        ]
        # By position; at one position, in rule and template order.
        return sorted(dict.fromkeys(findings), key=lambda f: (f.line, f.col))

    def check(self, paths: Iterable[Path], jobs: int = 1, cache: Cache | None = None) -> list[Finding]:
        """Every finding under ``paths``, by path then line, whatever ``jobs``."""
        findings = check_files(self, list(collect(paths, self.config)), jobs=jobs, cache=cache)
        return sorted(findings, key=by_path)


def by_path(finding: Finding) -> tuple[str, int, int]:
    """Output order: by path, then position (stable: rule order at a tie)."""
    return (finding.path, finding.line, finding.col)
