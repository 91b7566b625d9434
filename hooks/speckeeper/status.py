"""``speckeeper status``: what a spec repo holds, release by release.

For each release and state folder the layout names: how many specs, how
many pass every rule the configuration enables, and the findings most
common among them; then the findings about other files (a redirects file,
a release folder). The baseline is not applied: the report says where the
repo stands, not what is new. Text, JSON, or one self-contained HTML page
(:mod:`speckeeper.status_html`).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import layout, parallel, rules
from .check import Checker, collect
from .config import Config, ConfigError, Settings
from .config import load as load_config
from .decide import Selection, validate
from .detect import release_key
from .findings import Finding
from .output import printable

if TYPE_CHECKING:
    from .findings_cache import Cache

FORMATS = ("text", "json", "html")
# A group's most common findings, as the text and HTML reports list them.
MOST_COMMON = 3
OUTSIDE = "(outside the layout)"


@dataclass
class Group:
    """The specs of one release and state folder."""

    release: str
    state: str
    specs: list[str] = field(default_factory=list)  # Paths from the repo's top, sorted.
    passing: int = 0
    codes: Counter[str] = field(default_factory=Counter)  # Findings by code.

    @property
    def findings(self) -> int:
        return sum(self.codes.values())


@dataclass
class Report:
    """What ``status`` reports: groups in release order, each spec's
    findings, and the findings about files that are not specs."""

    project: str
    groups: list[Group]
    by_spec: dict[str, list[Finding]]  # Paths from the repo's top; specs with findings only.
    other: list[Finding]
    # Specs the configuration excludes where other-layouts keeps them
    # (nova's gate excludes abandoned/): counted by folder, not checked.
    unchecked: dict[str, int] = field(default_factory=dict)
    made: str = ""  # When: "2026-12-07 05:45 UTC".
    commit: str = ""  # At which commit of the repo, when it is a git work tree.

    def total(self) -> Group:
        total = Group("", "total")
        for group in self.groups:
            total.specs.extend(group.specs)
            total.passing += group.passing
            total.codes.update(group.codes)
        return total

    def releases(self) -> list[str]:
        return list(dict.fromkeys(group.release for group in self.groups if group.release))


def place(config: Config, relpath: str) -> tuple[str, str]:
    """The release and state a spec's path gives (by the layout, else the
    other layouts, named by their folder)."""
    spec_layout = config.base.layout
    found = layout.parts(spec_layout, relpath)
    if found is not None and layout.fill(spec_layout, found) == relpath:
        return found.get("release", ""), found.get("state", "")
    for other in config.base.other_layouts:
        if layout.parts(other, relpath) is not None:
            return "", other.split("{", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return "", OUTSIDE


def gather(config: Config, jobs: int, cache: Cache | None = None) -> Report:
    """Check every spec under the folder the layout keeps specs in, and
    sort what was found by release and state."""
    top = config.root / config.base.layout.split("{", 1)[0]
    paths = [Path(os.path.relpath(top))] if top.is_dir() else []
    files = {str(path): config.relpath(path) for path in collect(paths, config)}
    findings = Checker(config, cache=cache).check(paths, jobs=jobs) if paths else []
    by_spec: dict[str, list[Finding]] = {}
    other: list[Finding] = []
    for finding in findings:
        if finding.path in files:
            by_spec.setdefault(files[finding.path], []).append(finding)
        else:
            other.append(finding)
    groups: dict[tuple[str, str], Group] = {}
    for relpath in sorted(files.values()):
        release, state = place(config, relpath)
        group = groups.setdefault((release, state), Group(release, state))
        group.specs.append(relpath)
        found = by_spec.get(relpath, [])
        group.passing += not found
        group.codes.update(f.code for f in found)
    states = list(config.base.states)
    ordered = sorted(
        groups.values(),
        key=lambda g: (not g.release, release_key(g.release), states.index(g.state) if g.state in states else len(states), g.state),
    )
    return Report(config.base.project, ordered, by_spec, other, unchecked(config, set(files.values())))


def unchecked(config: Config, checked: set[str]) -> dict[str, int]:
    """The specs where ``other-layouts`` keeps them (``specs/abandoned/``)
    that the check did not read, by folder: what the configuration
    excludes, but for what no configuration counts as a spec (a template,
    an index)."""
    counts: dict[str, int] = {}
    for other in config.base.other_layouts:
        folder = other.split("{", 1)[0]
        try:
            names = sorted(entry.name for entry in os.scandir(config.root / folder) if entry.is_file(follow_symlinks=False))
        except OSError:
            continue
        for name in names:
            relpath = folder + name
            if relpath in checked or layout.parts(other, relpath) is None:
                continue
            if any(fnmatch.fnmatch(name, pattern) for pattern in Settings.exclude):
                continue
            label = folder.rstrip("/").rsplit("/", 1)[-1]
            counts[label] = counts.get(label, 0) + 1
    return counts


def provenance(config: Config) -> tuple[str, str]:
    """When the report is made (``SOURCE_DATE_EPOCH`` when set, for a
    reproducible page), and the commit checked out, if any."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    made = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(epoch) if epoch.isdigit() else None))
    from . import gitrepo  # subprocess: only for the report's header.

    try:
        commit = gitrepo.git("rev-parse", "--short=12", "HEAD", cwd=config.root).decode("ascii", "replace").strip()
    except ConfigError:  # Not a git work tree, or no commit yet.
        commit = ""
    return made, commit


def most_common(codes: Counter[str], named: bool = False) -> str:
    """The most common codes, with their counts (and rule names)."""

    def label(code: str) -> str:
        return f"{code} {rules.BY_CODE[code].name}" if code in rules.BY_CODE and named else code

    return ", ".join(f"{label(code)} ({count})" for code, count in codes.most_common(MOST_COMMON))


def text(report: Report) -> str:
    """A table, one row a release and state, and a total."""
    total = report.total()
    rows: list[tuple[str, ...]] = [("release", "state", "specs", "pass", "findings", "most common")]
    for group in [*report.groups, total]:
        counted = (group.release, group.state, str(len(group.specs)), str(group.passing), str(group.findings))
        rows.append((*counted, most_common(group.codes)))
    widths = [max(len(printable(row[column])) for row in rows) for column in range(5)]
    lines = []
    for row in rows:
        cells = [printable(value).ljust(width) if column < 2 else value.rjust(width) for column, (value, width) in enumerate(zip(row, widths))]
        lines.append("  ".join([*cells, row[5]]).rstrip())
    if report.other:
        codes = Counter(f.code for f in report.other)
        lines.append(f"other files: {len(report.other)} finding(s): {most_common(codes)}")
    lines.extend(f"{printable(folder)}: {count} spec(s), not checked (excluded)" for folder, count in report.unchecked.items())
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> str:
    def group(g: Group) -> dict[str, object]:
        return {"release": g.release, "state": g.state, "specs": len(g.specs), "passing": g.passing,
                "findings": g.findings, "codes": dict(g.codes.most_common())}  # fmt: skip

    def finding(f: Finding) -> dict[str, object]:
        return {"path": f.path, "line": f.line, "col": f.col, "code": f.code, "message": f.message}

    data = {
        "project": report.project,
        "groups": [group(g) for g in report.groups],
        "total": group(report.total()),
        "specs": {path: [finding(f) for f in found] for path, found in sorted(report.by_spec.items())},
        "other": [finding(f) for f in report.other],
        "unchecked": report.unchecked,
        "made": report.made,
        "commit": report.commit,
    }
    return json.dumps(data, indent=2) + "\n"


def configure_status(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="text", help="text, json, or one self-contained HTML page")
    parser.add_argument("--cache", metavar="DIR", help="keep each file's findings in DIR, as check --cache does")


def run_status(args: argparse.Namespace) -> int:
    """The report on standard output; exit 0 whatever it says."""
    config = load_config(args.config)
    validate(config, Selection())
    cache = None
    if args.cache:
        from .findings_cache import open_cache

        cache = open_cache(Path(args.cache), config.repo)
    report = gather(config, args.jobs or parallel.default_jobs(), cache)
    report.made, report.commit = provenance(config)
    if args.format == "html":
        from . import status_html

        sys.stdout.write(status_html.page(report))
    else:
        sys.stdout.write(as_json(report) if args.format == "json" else text(report))
    return 0
