"""``speckeeper status``: what a spec repo holds, release by release.

For each release and state folder the layout names: how many specs, how
many pass every rule the configuration enables, and the findings most
common among them; then the findings about other files (a redirects file,
a release folder). The baseline is not applied: the report says where the
repo stands, not what is new. Text, JSON, or one self-contained HTML page
(:mod:`speckeeper.reporting.status_html`).
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from speckeeper.config import layout
from speckeeper.document import markdown
from speckeeper.engine import parallel
from speckeeper.engine.check import Checker, collect
from speckeeper.config.settings import DEFAULTS, Config, ConfigError
from speckeeper.config.settings import load as load_config
from speckeeper.engine.decide import Selection, validate
from speckeeper.config.detect import release_key
from speckeeper.findings import Finding
from speckeeper.reporting.status import Group, Report, as_json, text

if TYPE_CHECKING:
    from speckeeper.engine.cache import Cache

FORMATS = ("text", "json", "html")
OUTSIDE = "(outside the layout)"


def place(config: Config, relpath: str) -> tuple[str, str]:
    """The release and state a spec's path gives (by the layout, else the
    other layouts, named by their folder); a Markdown document's group is
    the folder its process keeps them in (``keps``, ``decisions``)."""
    if relpath.endswith(markdown.SUFFIXES) and config.base.markdown_template:
        folder = _markdown_top(config)
        return "", folder.rsplit("/", 1)[-1] or "."
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
    tops = [config.root / config.base.layout.split("{", 1)[0]]
    if config.base.markdown_template:
        tops.append(config.root / _markdown_top(config))
    paths = list(dict.fromkeys(Path(os.path.relpath(top)) for top in tops if top.is_dir()))
    files = {str(path): config.relpath(path) for path in collect(paths, config)}
    findings = Checker(config, cache=cache).check(paths, jobs=jobs) if paths else []
    # A finding in a document's metadata file (a KEP's kep.yaml) is the document's.
    metadata_files = {str(Path(path).parent / name): relpath for path, relpath in files.items() for name in _metadata_file(config, relpath)}
    by_spec: dict[str, list[Finding]] = {}
    other: list[Finding] = []
    for finding in findings:
        spec = files.get(finding.path) or metadata_files.get(finding.path)
        if spec is not None:
            by_spec.setdefault(spec, []).append(finding)
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


def _metadata_file(config: Config, relpath: str) -> list[str]:
    """The name of a Markdown document's metadata file, if it has one."""
    name = config.for_path(relpath).metadata_file if relpath.endswith(markdown.SUFFIXES) else ""
    return [name] if name else []


def _markdown_top(config: Config) -> str:
    """The folder a Markdown process's documents are under."""
    return layout.top_folder(layout.markdown_layout(config.base.markdown_layout, config.base.markdown_template))


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
            if any(fnmatch.fnmatch(name, pattern) for pattern in DEFAULTS.exclude):
                continue
            label = folder.rstrip("/").rsplit("/", 1)[-1]
            counts[label] = counts.get(label, 0) + 1
    return counts


def provenance(config: Config) -> tuple[str, str]:
    """When the report is made (``SOURCE_DATE_EPOCH`` when set, for a
    reproducible page), and the commit checked out, if any."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    made = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(epoch) if epoch.isdigit() else None))
    from speckeeper.files import gitrepo  # subprocess: only for the report's header.

    try:
        commit = gitrepo.git("rev-parse", "--short=12", "HEAD", cwd=config.root).decode("ascii", "replace").strip()
    except ConfigError:  # Not a git work tree, or no commit yet.
        commit = ""
    return made, commit


def configure_status(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="text", help="text, json, or one self-contained HTML page")
    parser.add_argument("--cache", metavar="DIR", help="keep each file's findings in DIR, as check --cache does")


def run_status(args: argparse.Namespace) -> int:
    """The report on standard output; exit 0 whatever it says."""
    config = load_config(args.config)
    validate(config, Selection())
    cache = None
    if args.cache:
        from speckeeper.engine.cache import open_cache

        cache = open_cache(Path(args.cache), config.repo)
    report = gather(config, args.jobs or parallel.default_jobs(), cache)
    report.made, report.commit = provenance(config)
    if args.format == "html":
        from speckeeper.reporting import status_html

        sys.stdout.write(status_html.page(report))
    else:
        sys.stdout.write(as_json(report) if args.format == "json" else text(report))
    return 0
