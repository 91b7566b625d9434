"""A configuration read off a spec repository that has none.

A maintainer trying speckeeper has no ``.speckeeper.toml`` yet. What a
spec repo holds says most of what one would: its templates, kept at a
conventional path (``specs/<release>-template.rst`` as nova keeps them,
``specs/templates/<release>-template.rst``, or one ``specs/template.rst``);
its project, in the example tracker URL of its template; and its layout, in
how deep its specs lie under ``specs/``. Only where the repo has no
template does nova's packaged one apply.

What is read here is the tree and a template's first lines, never a spec.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .source import read_regular

SPECS = "specs"
# Where abandoned specs go, not checked once the folder is there.
ABANDONED = f"{SPECS}/abandoned/**"
# State folders spec repos use; only these are taken for states when found.
KNOWN_STATES = ("approved", "implemented", "proposed", "backlog", "deferred", "superseded", "abandoned", "rejected")
_NUMERIC_RELEASE = re.compile(r"\d+(\.\d+)*")
_TRACKER = re.compile(r"https?://blueprints\.launchpad\.net/(?P<project>[^/\s]+)/\+spec/")
# What a template's example tracker URL needs: the top of the file.
_HEAD_BYTES = 64_000


@dataclass(frozen=True)
class Detected:
    """The configuration the tree implies, and what it was read from."""

    table: dict[str, Any]
    notes: tuple[str, ...]


def detect(root: Path) -> Detected:
    """What the spec repo at ``root`` implies; nothing (nova's defaults)
    where it has no ``specs/`` folder."""
    specs = root / SPECS
    if not specs.is_dir():
        return Detected({}, ("no specs/ folder: nova's defaults and packaged template",))
    table: dict[str, Any] = {}
    notes: list[str] = []
    template, newest = _templates(root, specs)
    if template:
        table["template"] = template
        notes.append(f"template: {template}")
    else:
        notes.append("template: none in the repo, nova's packaged one")
    project = _project(newest) if newest is not None else None
    if project:
        table["project"] = project
        notes.append(f"project: {project} (from {newest.relative_to(root).as_posix()})")
    table.update(_layout(specs, notes))
    if (specs / "abandoned").is_dir():
        # Kept apart from releases, as nova's gate keeps them: no template judges them.
        table["exclude"] = ["*-template.rst", "template.rst", "index.rst", ABANDONED]
        notes.append(f"excluded: {ABANDONED}")
    return Detected(table, tuple(notes))


def excluded_once_made(relpath: str) -> bool:
    """Whether a configuration read off the tree excludes ``relpath`` once
    its folder exists (a spec about to be abandoned, the first one)."""
    return fnmatch.fnmatchcase(relpath, ABANDONED)


def release_key(release: str) -> tuple[int, tuple[int, ...], str]:
    """How releases sort: numbered ones (2027.1) after named ones (zed), as
    in nova."""
    if _NUMERIC_RELEASE.fullmatch(release):
        return (1, tuple(int(part) for part in release.split(".")), "")
    return (0, (), release)


def _templates(root: Path, specs: Path) -> tuple[str, Path | None]:
    """The ``template`` setting the tree implies, and its newest template."""
    for folder, pattern in ((specs, "specs/{release}-template.rst"), (specs / "templates", "specs/templates/{release}-template.rst")):
        found = sorted(folder.glob("*-template.rst")) if folder.is_dir() else []
        if found:
            newest = max(found, key=lambda path: release_key(path.name.removesuffix("-template.rst")))
            return pattern, newest
    single = specs / "template.rst"
    return ("specs/template.rst", single) if single.is_file() else ("", None)


def _project(template: Path) -> str | None:
    """The launchpad project a template's example tracker URL names."""
    try:
        head = read_regular(template, 10_000_000)[:_HEAD_BYTES].decode("utf-8", "replace")
    except OSError:
        return None
    match = _TRACKER.search(head)
    return match.group("project") if match else None


def _layout(specs: Path, notes: list[str]) -> dict[str, Any]:
    """The ``layout`` (and ``states``) that how deep the specs lie implies."""
    depths: Counter[int] = Counter()
    second: set[str] = set()
    first: set[str] = set()
    for folder, subfolders, names in os.walk(specs):
        depth = len(Path(folder).relative_to(specs).parts)
        subfolders[:] = [name for name in subfolders if not name.startswith(".")] if depth < 2 else []
        specs_here = [name for name in names if name.endswith(".rst") and not name.endswith("template.rst")]
        if specs_here and depth in (1, 2):
            depths[depth + 1] += len(specs_here)
            parts = Path(folder).relative_to(specs).parts
            first.add(parts[0])
            if depth == 2:
                second.add(parts[1])
    if depths[3] >= depths[2]:
        found: dict[str, Any] = {}
        nova = {"approved", "implemented"}
        if second - nova and second <= set(KNOWN_STATES):
            # State folders beyond nova's two, all of them ones spec repos use.
            found["states"] = sorted(nova | second, key=KNOWN_STATES.index)
        states = f", states {', '.join(found['states'])}" if found else ""
        notes.append(f"layout: specs/{{release}}/{{state}}/{{slug}}.rst{states}")
        return found
    if first <= set(KNOWN_STATES):
        states = sorted(first, key=KNOWN_STATES.index)
        notes.append(f"layout: specs/{{state}}/{{slug}}.rst, states {', '.join(states)}")
        return {"layout": "specs/{state}/{slug}.rst", "states": states}
    notes.append("layout: specs/{release}/{slug}.rst")
    return {"layout": "specs/{release}/{slug}.rst"}
