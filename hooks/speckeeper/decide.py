"""The one place that decides what is reported: which codes run for a
path (the configuration's selection and the command line's), and which
findings a spec's own ``speckeeper: ignore`` comments silence.

Rules never ask whether they are enabled, and output formats never
filter: the runner runs the codes :func:`enabled_codes` gives, and passes
what the rules found through :func:`unsilenced`. The baseline, last, is
:mod:`speckeeper.baseline`'s.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import rules
from .config import Config, ConfigError, Settings
from .findings import Finding
from .document.model import Document as Spec

# ``.. speckeeper: ignore SK106, SK110`` anywhere in a spec silences those
# codes for that spec.
_SUPPRESS = re.compile(r"^speckeeper:\s*ignore[\s=:]+(?P<codes>[A-Z0-9, ]+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Selection:
    """Rule selection from the command line, on top of the config's."""

    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # Rule groups ("structure", "lines", ...): of the codes that would run,
    # only those of these groups. What a pre-commit hook per group runs.
    groups: tuple[str, ...] = ()
    # ruff's --extend-ignore: as --ignore, on top of it and the config's.
    extend_ignore: tuple[str, ...] = ()


def expand(patterns: Iterable[str], where: str) -> set[str]:
    """The codes that codes or prefixes name; an unknown one is an error."""
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
        codes = expand(selection.select, "--select")
    elif settings.select:
        codes = expand(settings.select, "select")
    else:
        codes = {rule.code for rule in rules.ALL if rule.default}
    codes |= expand(settings.extend_select, "extend-select") | expand(selection.extend_select, "--extend-select")
    if selection.groups:
        codes &= {rule.code for rule in rules.ALL if rule.group in selection.groups}
    codes |= {rule.code for rule in rules.ALL if rule.group == "files"}
    codes -= expand(settings.ignore, "ignore") | expand(selection.ignore, "--ignore")
    codes -= expand(selection.extend_ignore, "--extend-ignore")
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
            expand(override.values.get(key, ()), f"overrides {key.replace('_', '-')}")


def may_silence(text: str) -> bool:
    """Whether a spec's text can hold a ``speckeeper: ignore`` comment:
    most cannot, and need no look at their comments."""
    return "speckeeper" in text.lower()


def silenced(spec: Spec) -> frozenset[str]:
    """The codes a spec's ``speckeeper: ignore`` comments silence."""
    if not may_silence(spec.text):
        return frozenset()
    codes: set[str] = set()
    for _, text in spec.comments:
        match = _SUPPRESS.match(text.strip())
        if match:
            codes.update(c for c in re.split(r"[\s,]+", match.group("codes").upper()) if c)
    return frozenset(codes)


def unsilenced(findings: Iterable[Finding], silencing: Mapping[str, frozenset[str]]) -> list[Finding]:
    """The findings whose code their file does not silence; ``silencing``
    maps a file's path, as the findings name it, to the codes it silences."""
    return [finding for finding in findings if finding.code not in silencing.get(finding.path, frozenset())]


def about(findings: Iterable[Finding], touched: Iterable[Path]) -> list[Finding]:
    """The findings about files a change touches: the file a finding is
    on, a file it is also about (a redirect's target), or a folder holding
    one of them."""
    changed = {os.path.abspath(path) for path in touched}
    folders = {folder for path in changed for folder in _folders(path)}

    def concerns(finding: Finding) -> bool:
        named = {os.path.abspath(path) for path in (finding.path, *finding.about)}
        return bool(named & changed) or bool(named & folders)

    return [finding for finding in findings if concerns(finding)]


def _folders(path: str) -> Iterator[str]:
    parent = os.path.dirname(path)
    while parent and parent != path:
        yield parent
        path, parent = parent, os.path.dirname(parent)
