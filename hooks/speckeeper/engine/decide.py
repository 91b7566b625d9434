"""The one place that decides what is reported: :class:`Gate` applies,
in order, the selection (the configuration's, its overrides for a path,
the command line's), the codes a spec's own ``speckeeper: ignore``
comments silence, and the baseline.

Rules never ask whether they are enabled, and output formats never
filter: the runner runs only the codes :func:`enabled_codes` selects (a
saving: the gate would drop the others), and ``check``, ``fix``, the
hooks, the language server and the Sphinx extension pass what the rules
found through one :meth:`Gate.decide`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from speckeeper import rules
from speckeeper.config.settings import Config, ConfigError, Settings
from speckeeper.findings import Finding
from speckeeper.document.model import Document as Spec

if TYPE_CHECKING:
    from speckeeper.engine.baseline import Entry

# ``.. speckeeper: ignore SK106, SK110`` anywhere in a spec silences those
# codes for that spec.
_SUPPRESS = re.compile(r"^speckeeper:\s*ignore[\s=:]+(?P<codes>[A-Z0-9, ]+)$", re.IGNORECASE)


class Selection(NamedTuple):
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


# A baseline's entries (``read_baseline``); () where there is none.
Recorded = tuple["Entry", ...]


def read_baseline(path: Path) -> Recorded:
    """The entries of the baseline file at ``path``; a file that is not
    one is a ConfigError."""
    from speckeeper.engine import baseline  # hashlib and json: only with a baseline.

    return tuple(baseline.load(path))


class Verdict(NamedTuple):
    """What the gate made of a run's findings: what is reported, what it
    held back, and the baseline's entries the run no longer found."""

    reported: list[Finding]
    silenced: list[Finding]  # By their spec's ``speckeeper: ignore``.
    baselined: list[Finding]  # Recorded in the baseline.
    stale: list[Entry]  # Recorded, in scope, not found.


class Gate:
    """The one place that decides what is reported, after the rules and
    before the output, for ``check``, ``fix``, the hooks, the language
    server and the Sphinx extension alike: a finding is reported when its
    code is selected for its file, its spec's comments do not silence it,
    and the baseline does not record it."""

    def __init__(self, config: Config, selection: Selection = Selection(), recorded: Recorded = ()) -> None:
        self.config = config
        self.selection = selection
        self.recorded = recorded

    def decide(
        self,
        findings: Iterable[Finding],
        silencing: Mapping[str, frozenset[str]] | None = None,
        looked_at: Iterable[Path] = (),
        touched: Iterable[Path] | None = None,
    ) -> Verdict:
        """What of ``findings`` is reported. In order: the selection (the
        configuration's, its overrides for the finding's path, the command
        line's); the codes each spec's comments silence (``silencing``: by
        a file's path as findings name it); the baseline, whose entries
        under the paths ``looked_at`` (and of codes selected there) that no
        finding matches are stale; last, with ``touched``, only findings
        about the files a change touches."""
        codes = _Codes(self.config, self.selection)
        selected = [f for f in findings if f.code in codes.of(self.config.relpath(Path(f.path)))]
        silencing = silencing or {}
        silenced = [f for f in selected if f.code in silencing.get(f.path, frozenset())]
        kept = [f for f in selected if f.code not in silencing.get(f.path, frozenset())]
        if not self.recorded:
            return Verdict(kept if touched is None else about(kept, touched), silenced, [], [])
        from speckeeper.engine import baseline  # hashlib and json: only with a baseline.

        roots = [self.config.relpath(path).rstrip("/") for path in looked_at]
        # With no path looked at, no entry can be stale: those of the
        # findings' own files are all that can match one.
        recorded = self.recorded if roots else self._recorded_of({self.config.relpath(Path(f.path)) for f in kept})

        def under(path: str) -> bool:
            return any(root in ("", ".") or path == root or path.startswith(root + "/") for root in roots)

        def looked_for(entry: Entry) -> bool:
            """Whether the run looked for ``entry``: its path is under one
            of ``roots`` and its code was selected there."""
            return under(entry.path) and entry.code in codes.of(entry.path)

        if touched is not None:
            # The baseline is matched against what the change touches and
            # every finding under the paths looked at, and only then
            # narrowed to what the change touches: an entry about an
            # untouched file looked at is still found, not stale. (An entry
            # elsewhere can be neither.)
            touching = {id(f) for f in about(kept, touched)}
            kept = [f for f in kept if id(f) in touching or under(self.config.relpath(Path(f.path)))]
        reported, stale = baseline.compare(recorded, kept, self.config, looked_for)
        new = {id(f) for f in reported}
        baselined = [f for f in kept if id(f) not in new]
        if touched is not None:
            reported, baselined = about(reported, touched), about(baselined, touched)
        return Verdict(reported, silenced, baselined, stale)

    @cached_property
    def _by_path(self) -> dict[str, list[Entry]]:
        found: dict[str, list[Entry]] = {}
        for entry in self.recorded:
            found.setdefault(entry.path, []).append(entry)
        return found

    def _recorded_of(self, relpaths: Iterable[str]) -> list[Entry]:
        return [entry for relpath in sorted(relpaths) for entry in self._by_path.get(relpath, ())]


class Enabled:
    """:func:`enabled_codes` of one selection, found once for each settings
    (most files have the configuration's own: no override names them)."""

    __slots__ = ("selection", "found")

    def __init__(self, selection: Selection) -> None:
        self.selection = selection
        self.found: dict[Settings, frozenset[str]] = {}

    def __call__(self, settings: Settings) -> frozenset[str]:
        try:
            codes = self.found.get(settings)
        except TypeError:  # A value that cannot be hashed: found each time.
            return enabled_codes(settings, self.selection)
        if codes is None:
            codes = self.found[settings] = enabled_codes(settings, self.selection)
        return codes


class _Codes:
    """The codes selected for each file, found once a file in a run."""

    __slots__ = ("config", "enabled", "found")

    def __init__(self, config: Config, selection: Selection) -> None:
        self.config = config
        self.enabled = Enabled(selection)
        self.found: dict[str, frozenset[str]] = {}

    def of(self, relpath: str) -> frozenset[str]:
        if relpath not in self.found:
            self.found[relpath] = self.enabled(self.config.for_path(relpath))
        return self.found[relpath]
