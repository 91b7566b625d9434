"""A configuration read off a spec repository that has none.

A maintainer trying speckeeper has no ``.speckeeper.toml`` yet. What a
spec repo holds says most of what one would: its templates, kept at a
conventional path (``specs/<release>-template.rst`` as nova keeps them,
``specs/templates/<release>-template.rst``, or one ``specs/template.rst``);
its trackers and project, in the example tracker URLs of its template; its
layout, in how deep its specs lie under ``specs/``; and its line-length
gate. Only where the repo has no template does nova's packaged one apply.

What is read here is the tree, a template's first lines, the top of
``specs/`` (for pages of contents) and the repo's line gate
(:mod:`speckeeper.config.gates`), never a spec in a release folder.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

from speckeeper.config import SPECS, gates
from speckeeper.files.source import read_regular

# Where abandoned specs go, not checked once the folder is there.
ABANDONED = f"{SPECS}/abandoned/**"
# State folders spec repos use; only these are taken for states when found.
KNOWN_STATES = ("approved", "implemented", "proposed", "backlog", "deferred", "superseded", "abandoned", "rejected")
_NUMERIC_RELEASE = re.compile(r"\d+(\.\d+)*")
_NOVA_NUMBERED = re.compile(r"\d{4}\.[12]")
_DEFAULT_EXCLUDE = ("*-template.rst", "template.rst", "index.rst")
_EXAMPLE = re.compile(r"(?i).*example[_-]spec\.rst")
_TOCTREE = re.compile(r"(?m)^\s*\.\.\s+toctree::")


class _Kind(NamedTuple):
    name: str
    regex: re.Pattern[str]
    pattern: str  # The ``tracker-urls`` entry.


# The trackers spec repos use, the first as the default ``tracker-urls``.
_TRACKERS = (
    _Kind("launchpad blueprints", re.compile(r"https?://blueprints\.launchpad\.net/(?P<project>[\w.-]+)/\+spec/"), "https://blueprints.launchpad.net/{project}/+spec/{slug}"),
    _Kind("launchpad bugs", re.compile(r"https?://bugs\.launchpad\.net/(?P<project>[\w.-]+)/\+bug/"), "https://bugs.launchpad.net/{project}/+bug/{id}"),
    _Kind("storyboard", re.compile(r"https?://storyboard\.openstack\.org/#!/story/"), "https://storyboard.openstack.org/#!/story/{id}"),
)
# What a template's example tracker URL needs: the top of the file.
_HEAD_BYTES = 64_000


class Detected(NamedTuple):
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
    found = _templates(root, specs)
    if found.setting:
        table["template"] = found.setting
        notes.append(f"template: {found.setting}")
    else:
        notes.append("template: none in the repo, nova's packaged one")
    if found.overrides:
        table["overrides"] = [dict(paths=[f"{SPECS}/{folder}/**"], template=path) for folder, path in found.overrides]
        notes.extend(f"template: {path} for specs/{folder}/" for folder, path in found.overrides)
    table.update(_tracker(root, found.newest, notes))
    tree = _tree(specs)
    table.update(_layout(tree, notes))
    table.update(_releases(specs, notes))
    table.update(_line_gate(root, notes))
    exclude = [*_DEFAULT_EXCLUDE, *_not_specs(specs, tree, found)]
    if (specs / "abandoned").is_dir():
        # Kept apart from releases, as nova's gate keeps them: no template judges them.
        exclude.append(ABANDONED)
        notes.append("excluded: specs/abandoned/**")
    extra = exclude[len(_DEFAULT_EXCLUDE):]
    if extra:
        table["exclude"] = exclude
        notes.extend(f"excluded: {pattern}" for pattern in extra if pattern != ABANDONED)
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


class _Templates(NamedTuple):
    """The templates found: the ``template`` setting, the newest template
    (whose example URL names the tracker), the release folders with a
    template of their own beside a shared one, and the files that are
    templates (never specs)."""

    setting: str = ""
    newest: Path | None = None
    overrides: tuple[tuple[str, str], ...] = ()
    files: tuple[str, ...] = ()


def _templates(root: Path, specs: Path) -> _Templates:
    """The templates the tree holds, by the names spec repos give them."""
    for folder, pattern in ((specs, "specs/{release}-template.rst"), (specs / "templates", "specs/templates/{release}-template.rst")):
        found = sorted(folder.glob("*-template.rst")) if folder.is_dir() else []
        if found:
            newest = max(found, key=lambda path: release_key(path.name.removesuffix("-template.rst")))
            return _Templates(pattern, newest)
    top = _top_template(specs)
    # A repo whose template changed keeps one in each release folder.
    own = [
        (path.parent.name, path)
        for path in sorted(specs.glob("*/template.rst"))
        if path.parent.name not in KNOWN_STATES and _literal(path.parent.name)
    ]
    if own and top is None:
        newest = max((path for _, path in own), key=lambda path: release_key(path.parent.name))
        if len(own) == len(_release_folders(specs)):
            return _Templates("specs/{release}/template.rst", newest)
        # Releases without one of their own: the newest one judges them.
        top = newest
        own = [(folder, path) for folder, path in own if path != newest]
    if top is None:
        return _Templates()
    relpath = top.relative_to(root).as_posix()
    overrides = tuple((folder, path.relative_to(root).as_posix()) for folder, path in own)
    return _Templates(relpath, top, overrides, (top.name,))


def _top_template(specs: Path) -> Path | None:
    """One template at the top of ``specs/``: ``template.rst``, another
    ``template*.rst``, or an example spec (``STX_Example_Spec.rst``)."""
    if (specs / "template.rst").is_file():
        return specs / "template.rst"
    named = sorted(path for path in specs.glob("template*.rst") if path.is_file() and _literal(path.name))
    examples = sorted(path for path in specs.glob("*.rst") if _EXAMPLE.fullmatch(path.name) and path.is_file() and _literal(path.name))
    found = named or examples
    return found[0] if found else None


def _literal(name: str) -> bool:
    """A name that, in the ``template`` setting, means itself: no
    ``{part}`` braces, no glob characters, no control characters."""
    return name.isprintable() and not set(name) & set("{}*?[]")


def _release_folders(specs: Path) -> list[Path]:
    """The folders of ``specs/`` that are not state folders or hidden."""
    return [path for path in specs.iterdir() if path.is_dir() and path.name not in KNOWN_STATES and not path.name.startswith(".")]


def _tracker(root: Path, template: Path | None, notes: list[str]) -> dict[str, Any]:
    """The ``tracker-urls`` and ``project`` a template's example URLs
    imply: one pattern for each kind of tracker it shows, in its order,
    and the project the first URL that names one names; never nova's
    unless it says so (no project: any)."""
    head = _head(template) if template is not None else ""
    shown = sorted((match.start(), kind) for kind in _TRACKERS for match in [kind.regex.search(head)] if match)
    kinds = [kind for _, kind in shown]
    found: dict[str, Any] = {}
    if kinds and [kind.pattern for kind in kinds] != [_TRACKERS[0].pattern]:
        found["tracker_urls"] = [kind.pattern for kind in kinds]
        notes.append(f"trackers: {', '.join(kind.name for kind in kinds)}")
    projects = [match.group("project") for _, kind in shown for match in [kind.regex.search(head)] if match and "project" in kind.regex.groupindex]
    project = projects[0] if projects else ""
    found["project"] = project
    where = f" (from {template.relative_to(root).as_posix()})" if template is not None else ""
    notes.append(f"project: {project}{where}" if project else f"project: any, no tracker URL names one{where}")
    return found


def _head(template: Path) -> str:
    try:
        return read_regular(template, 10_000_000)[:_HEAD_BYTES].decode("utf-8", "replace")
    except OSError:
        return ""


def _releases(specs: Path, notes: list[str]) -> dict[str, Any]:
    """A ``release-pattern`` for releases numbered otherwise than nova's
    (``2019.03``, ``12.1``), where the tree numbers none nova's way: in a
    tree of ``2025.2`` folders, a ``2025.3`` is a mistake to report."""
    numbered = [path.name for path in _release_folders(specs) if _NUMERIC_RELEASE.fullmatch(path.name)]
    if not numbered or any(_NOVA_NUMBERED.fullmatch(name) for name in numbered):
        return {}
    notes.append(f"releases: numbered as {sorted(numbered, key=release_key)[-1]}")
    return {"release_pattern": r"[a-z]+|\d+(\.\d+)+"}


def _line_gate(root: Path, notes: list[str]) -> dict[str, Any]:
    """``line-length`` and ``ignore`` from the repo's own line gate."""
    found = gates.read_gates(root)
    table = gates.settings_of(found)
    for gate in found:
        said = f"line length {gate.limit}" if gate.limit else "no line length"
        left = f", leaves out {', '.join(gate.ignore)}" if gate.ignore else ""
        notes.append(f"line gate: {gate.where}: {said}{left}")
    if not found:
        notes.append("line gate: none (no doc8 in tox.ini, setup.cfg or .pre-commit-config.yaml, no line test): long lines not reported")
    return table


def _not_specs(specs: Path, tree: list[tuple[tuple[str, ...], list[str]]], templates: _Templates) -> list[str]:
    """Files under ``specs/`` that are not specs, beyond the default
    exclusions: the repo's templates and other templates at the top, index
    pages (``*_idx.rst``) and a folder's own page of contents (``specs/zed.rst`` beside ``specs/zed/``,
    or a top page holding a ``toctree``)."""
    patterns = [name for name in templates.files if name not in _DEFAULT_EXCLUDE]
    if any(name.endswith("_idx.rst") for _, names in tree for name in names):
        patterns.append("*_idx.rst")
    for path in sorted(specs.glob("*.rst")):
        relpath = f"{SPECS}/{path.name}"
        if any(fnmatch.fnmatchcase(path.name, pattern) for pattern in (*patterns, *_DEFAULT_EXCLUDE)):
            continue
        # A template of another kind of document (``postmortem_template.rst``).
        other_template = "template" in path.stem.casefold()
        if other_template or (specs / path.stem).is_dir() or _TOCTREE.search(_head(path)):
            patterns.append(relpath)
    return patterns


def _tree(specs: Path) -> list[tuple[tuple[str, ...], list[str]]]:
    """The ``.rst`` names of ``specs/`` and the two levels of folders
    below it (hidden ones and links to folders not entered), by folder,
    top down: walked once, as names (a Path a folder costs a hook 1 ms)."""
    found = []
    waiting: list[tuple[tuple[str, ...], str]] = [((), os.fspath(specs))]
    while waiting:
        parts, folder = waiting.pop()
        names, below = [], []
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if not entry.is_dir():
                        if entry.name.endswith(".rst"):
                            names.append(entry.name)
                    elif len(parts) < 2 and not entry.name.startswith(".") and not entry.is_symlink():
                        below.append(entry.name)
        except OSError:
            continue  # As os.walk: a folder that cannot be listed is left out.
        found.append((parts, names))
        waiting.extend(((*parts, name), os.path.join(folder, name)) for name in reversed(below))
    return found


def _layout(tree: list[tuple[tuple[str, ...], list[str]]], notes: list[str]) -> dict[str, Any]:
    """The ``layout`` (and ``states``) that how deep the specs lie implies."""
    depths: Counter[int] = Counter()
    second: set[str] = set()
    first: set[str] = set()
    for parts, names in tree:
        depth = len(parts)
        specs_here = [name for name in names if not name.endswith("template.rst")]
        if specs_here and depth in (1, 2):
            depths[depth + 1] += len(specs_here)
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
        ordered = sorted(first, key=KNOWN_STATES.index)
        notes.append(f"layout: specs/{{state}}/{{slug}}.rst, states {', '.join(ordered)}")
        return {"layout": "specs/{state}/{slug}.rst", "states": ordered}
    notes.append("layout: specs/{release}/{slug}.rst")
    return {"layout": "specs/{release}/{slug}.rst"}
