"""Lifecycle rules: the folders specs live in, and the redirects that keep
links alive as specs move from ``approved/`` to ``implemented/``.

These are repo-level rules: each runs once over every file under the
checked paths (:class:`~speckeeper.rules.registry.Tree`), not once per spec, as they
are about folders, ``redirects`` files and pairs of specs. Redirects follow
nova-specs' ``doc/source/redirect.py``: each line of
``specs/<release>/redirects`` is ``old new``, ``old`` relative to the
release folder, ``new`` relative to ``old``'s folder (or a URL). Checking a
redirect stats the file it names inside the repo; it never reads it.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

from speckeeper.config import layout
from speckeeper.config.settings import Settings
from speckeeper.rules.registry import Hit, Registry, Tree
from speckeeper.files.source import Refusal

_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# A directive naming a file as its argument (``.. image:: x.png``,
# ``.. figure::``, ``.. blockdiag:: flow.diag``, ``.. literalinclude::``),
# also in a substitution definition, as RST's explicit markup writes it.
_NAMES_FILE = re.compile(r"\s*\.\.\s+(?:\|[^|]+\|\s+)?[\w.+:-]+::[ \t]+(\S+)")
# The folder a spec's pictures are kept in: any file but a spec is at home there.
IMAGES = "images"


RULES = Registry("lifecycle", scope="repo")

class Where(NamedTuple):
    """Where a file sits among the folders specs live in."""

    level: str  # "state": in a state folder; "release": in a release folder; "other": another layout's folder.
    folder: str  # The relative path of the folder it is in.
    release: str = ""  # The release folder's name, for "state" and "release".
    release_dir: Path | None = None
    state: str = ""


def where(settings: Settings, path: Path, relpath: str) -> Where | None:
    """Which of the folders specs live in holds ``path``, if any."""
    folder = relpath.rsplit("/", 1)[0] if "/" in relpath else ""
    prefix = f"{folder}/" if folder else ""
    if any(layout.parts(other, f"{prefix}x.rst") is not None for other in settings.other_layouts):
        return Where("other", folder)
    found = layout.parts(settings.layout, f"{prefix}x.rst")
    if found is not None and "release" in found:
        # A layout's parts are folders: the release folder is as many
        # folders up from a spec as the layout has after "{release}/".
        up = settings.layout.split("{release}", 1)[1].count("/")
        return Where("state", folder, found["release"], folder_up(path, max(up, 1)), found.get("state", ""))
    found = layout.parts(settings.layout, f"{prefix}s/x.rst")
    if found is not None and "release" in found and "state" in found:
        return Where("release", folder, found["release"], path.parent)
    return None


def _places(tree: Tree) -> dict[str, Where | None]:
    """:func:`where` each file of the tree is, found once a run for the
    rules that each ask it of every file, and once a folder: it depends on
    the file's folder alone (as written, and relative to the root) and on
    the layouts that apply there."""

    def build() -> dict[str, Where | None]:
        folders: dict[tuple[object, ...], Where | None] = {}
        places: dict[str, Where | None] = {}
        for path in tree.files:
            settings, relpath = tree.settings(path), tree.relpath(path)
            key = (settings.layout, settings.other_layouts, relpath.rpartition("/")[0], _split(path)[0])
            if key not in folders:
                folders[key] = where(settings, Path(path), relpath)
            places[path] = folders[key]
        return places

    return tree.memo("places", build)


def _split(path: str) -> tuple[str, str]:
    """A tree file's folder, as the start of its path (up to and with the
    last separator; "" for a bare name), and its name: one string
    operation, where the rules ask it of every file (the tree's files
    are named as Path writes them, with no other separator)."""
    folder, separator, name = path.rpartition(os.sep)
    return folder + separator, name


def folder_up(path: Path, levels: int) -> Path:
    """The folder ``levels`` up from ``path``, written as the path was:
    ``..`` when a relative path given inside a state folder has no more
    parts (``path.parents`` would run out)."""
    return Path(os.path.normpath(os.path.join(path, *[".."] * levels)))


class Redirect(NamedTuple):
    """One line of a redirects file, resolved to absolute paths."""

    source: Path  # The redirects file.
    line: int
    old: str  # As written.
    new: str
    old_path: str  # Absolute, normalised.
    target: str  # Absolute, normalised; "" for a URL.


def normal(path: Path | str) -> str:
    """A path as redirects compare them: absolute, normalised, no link resolved."""
    return os.path.normpath(os.path.abspath(path))


def split_redirect(line: str) -> tuple[str, str] | None:
    """A well-formed redirect line's ``old`` and ``new`` (see
    :func:`format_problem`), or None."""
    if format_problem(line) is not None:
        return None
    old, new = line.rstrip().split(" ")
    return old, new


def target_of(redirects: Path, old: str, new: str) -> tuple[str, str]:
    """Where a line of the redirects file ``redirects`` leads from and to:
    absolute, normalised; the target "" for a URL. ``old`` is relative to
    the file's folder, ``new`` to ``old``'s folder, as the docs build reads them."""
    return _target_from(os.path.join(normal(os.path.dirname(redirects)), ""), old, new)


def _target_from(folder: str, old: str, new: str) -> tuple[str, str]:
    """:func:`target_of` a line of the redirects file in ``folder``
    (absolute, normalised, ending in a separator), ``old`` relative (as
    :func:`format_problem` wants it): in strings, as Path would join them,
    and from the folder found once for all its lines (every line of every
    release's file is resolved at each commit)."""
    old_path = os.path.normpath(folder + old)
    if _URL.match(new):
        return old_path, ""
    # os.path.dirname, as join reads it: up to and with the last separator.
    return old_path, os.path.normpath(os.path.join(old_path[: old_path.rfind(os.sep) + 1], new))


def format_problem(line: str) -> str | None:
    """What is wrong with one line of a redirects file, or None.

    nova's docs build splits each line on one space into exactly two
    paths; a blank line or a third field breaks the build.
    """
    fields = line.rstrip().split(" ")
    if len(fields) != 2 or not all(fields):
        shown = line if len(line) <= 60 else line[:57] + "..."
        return f'redirect line "{shown}" is not "old new": expected two paths separated by one space'
    old, new = fields
    if not old.endswith(".rst") or old.startswith("/") or ".." in old.split("/"):
        return f'redirect source "{old}" is not a spec path in this folder: expected e.g. approved/<slug>.rst'
    if not _URL.match(new) and not new.endswith(".rst"):
        return f'redirect target "{new}" is not a spec: expected a path ending in .rst, or a URL'
    return None


def read_redirects(tree: Tree, path: Path) -> list[Redirect]:
    """The well-formed lines of a redirects file (see :func:`format_problem`),
    read and resolved once a run."""

    def read() -> list[Redirect]:
        lines = tree.lines(path)
        folder = os.path.join(tree.normal(os.path.dirname(path)), "")
        found: list[Redirect] = []
        for number, line in enumerate(lines if isinstance(lines, list) else [], 1):
            fields = split_redirect(line)
            if fields is not None:
                found.append(Redirect(path, number, *fields, *_target_from(folder, *fields)))
        return found

    return list(tree.memo(f"redirects of:{tree.normal(path)}:{path}", read))


def _is_redirects(tree: Tree, path: str) -> bool:
    name = tree.settings(path).redirects
    return bool(name) and _split(path)[1] == name


def _redirects_files(tree: Tree) -> tuple[Path, ...]:
    """The redirects files among the tree's, found once a run for the rules
    that each look at them (a few among hundreds of specs)."""
    return tree.memo("redirects files", lambda: tuple(Path(path) for path in tree.files if _is_redirects(tree, path)))


def _index(tree: Tree) -> dict[str, Redirect]:
    """Every redirect of the repo by its old path: those of the checked
    files, and those of every release folder, so that chains resolve."""

    def build() -> dict[str, Redirect]:
        settings = tree.config.base
        files = {tree.normal(p): p for p in _redirects_files(tree)}
        prefix = settings.layout.split("{release}", 1)[0] if "{release}" in settings.layout else None
        if prefix is not None and settings.redirects:
            # Each project's release folders, where the layout has projects.
            prefix = prefix.replace("{project}", "*")
            for path in sorted(tree.config.root.glob(f"{prefix}*/{settings.redirects}")):
                files.setdefault(tree.normal(path), path)
        index: dict[str, Redirect] = {}
        for path in files.values():
            for redirect in read_redirects(tree, path):
                index.setdefault(redirect.old_path, redirect)
        return index

    return tree.memo("redirects", build)


class ChainEnds:
    """Where redirect targets end once chains are followed: the first path
    that exists ("" for a URL), or the last one named when the chain breaks.

    Each path is looked up (one stat) once however many redirects lead
    through it, so a file of lines chained one to the next is resolved in
    time linear in its length, not in its square.
    """

    def __init__(self, next_of: Callable[[str], str | None], exists: Callable[[str], bool]) -> None:
        self._next = next_of
        self._exists = exists
        self._known: dict[str, tuple[str, bool] | None] = {}

    def __call__(self, target: str) -> tuple[str, bool] | None:
        """(the end, whether it exists), or None for a chain that loops."""
        if target in self._known:
            return self._known[target]
        walked: list[str] = []
        on_walk: set[str] = set()
        while target not in self._known:
            if target in on_walk:
                self._known[target] = None
                break
            walked.append(target)
            on_walk.add(target)
            if not target or self._exists(target):
                self._known[target] = (target, True)
                break
            following = self._next(target)
            if following is None:
                self._known[target] = (target, False)
                break
            target = following
        end = self._known[target]
        for path in walked:
            self._known[path] = end
        return end


def _ends(tree: Tree) -> ChainEnds:
    """The repo's chain ends, one for the run, over :func:`_index`."""

    def build() -> ChainEnds:
        index = _index(tree)
        return ChainEnds(lambda path: index[path].target if path in index else None, tree.is_file)

    return tree.memo("redirect-ends", build)


def resolves(ends: ChainEnds, target: str) -> str | None:
    """Where a redirect target ends: an existing file, a URL ("") or None."""
    end = ends(target)
    return end[0] if end is not None and end[1] else None


def _redirected(tree: Tree, old: Path, new: Path) -> bool:
    """Whether a redirect (or a chain of them) leads from ``old`` to ``new``."""
    redirect = _index(tree).get(tree.normal(old))
    return redirect is not None and resolves(_ends(tree), redirect.target) == tree.normal(new)


def _repo_root(tree: Tree, redirects: Path) -> Path:
    """The folder a redirect must stay inside: the repo the file is in."""
    root = Path(tree.normal(tree.config.root))
    return root if Path(tree.normal(redirects)).is_relative_to(root) else redirects.parent.parent


@RULES.rule("SK310", "redirect-format")
def check_redirect_format(tree: Tree) -> Iterator[Hit]:
    """A line of a redirects file is not ``old new``.

    The docs build turns each line into an HTML redirect, splitting it on
    one space; a blank line, a tab or a third field fails the build, and a
    source that is not a spec path redirects nothing.

    Bad::

        approved/awesome-thing.rst  ../implemented/awesome-thing.rst

    Good::

        approved/awesome-thing.rst ../implemented/awesome-thing.rst
    """
    for path in _redirects_files(tree):
        lines = tree.lines(path)
        if isinstance(lines, Refusal):
            yield Hit(lines.line, lines.col, f"redirects file not read: {lines.message}", path=path)
            continue
        for number, line in enumerate(lines, 1):
            problem = format_problem(line)
            if problem:
                yield Hit(number, 1, problem, path=path)


@RULES.rule("SK311", "redirect-target")
def check_redirect_target(tree: Tree) -> Iterator[Hit]:
    """A redirect points at a spec that does not exist.

    A redirect keeps old links working after a spec moves; one whose target
    is gone (renamed again, or never there) leads readers to a 404. A
    target that is itself redirected counts when the chain ends at a spec;
    URL targets are not fetched.

    Bad::

        approved/awesome-thing.rst ../implemented/awesome-thing.rst
        (and no specs/<release>/implemented/awesome-thing.rst)

    Good::

        approved/awesome-thing.rst ../implemented/awesome-thing.rst
    """
    for path in _redirects_files(tree):
        # The whole repo's redirects, read only when there is one to check.
        ends = _ends(tree)
        root = _repo_root(tree, path)
        inside = os.path.join(root, "")
        for redirect in read_redirects(tree, path):
            if not redirect.target:
                continue
            # os.path.relpath, in strings for a target inside the root (most).
            shown = redirect.target[len(inside) :] if redirect.target.startswith(inside) else os.path.relpath(redirect.target, root)
            if shown.startswith(".."):
                yield Hit(redirect.line, 1, f'redirect target "{redirect.new}" is outside the repo', path=path)
            elif resolves(ends, redirect.target) is None:
                message = f'redirect target "{redirect.new}" does not exist: expected a spec at {shown}'
                # About the redirect's spec and its target too: moving either breaks it.
                yield Hit(redirect.line, 1, message, path=path, about=(Path(redirect.old_path), Path(redirect.target)))


@RULES.rule("SK312", "two-states")
def check_two_states(tree: Tree) -> Iterator[Hit]:
    """A spec is in two state folders of one release.

    When a spec is implemented it moves from ``approved/`` to
    ``implemented/`` (and a redirect keeps the old link); a copy left behind
    is two specs that will drift. A redirect between the two says the pair
    is meant.

    Bad::

        specs/zed/approved/awesome-thing.rst
        specs/zed/implemented/awesome-thing.rst

    Good::

        specs/zed/implemented/awesome-thing.rst
        specs/zed/redirects:
        approved/awesome-thing.rst ../implemented/awesome-thing.rst
    """
    places = _places(tree)
    for path in tree.files:
        if not path.endswith(".rst"):
            continue
        settings = tree.settings(path)
        place = places[path]
        if place is None or place.level != "state" or place.state not in settings.states:
            continue
        folder, name = _split(path)
        elsewhere = _other_states(tree, folder, place.state, settings.states)
        if elsewhere is not None and _loose(name) not in elsewhere:
            continue
        # The path as given for its own state, so a finding on it is shown as the user named it.
        shown = Path(path)
        copies = [(s, shown if s == place.state else folder_up(shown, 2) / s / name) for s in settings.states]
        copies = [(s, p) for s, p in copies if p.is_file() and not tree.config.excluded(tree.relpath(p))]
        if len(copies) < 2:
            continue
        (first, first_path), (second, second_path) = copies[0], copies[1]
        # The redirects are read only when a spec is in two places.
        if _redirected(tree, first_path, second_path) or _redirected(tree, second_path, first_path):
            continue
        yield Hit(
            1,
            1,
            f'spec is in both {first}/ and {second}/ of release "{place.release}": '
            f"expected it in {second}/ only (or a redirect between them)",
            path=first_path,
            about=(second_path,),
        )


def _other_states(tree: Tree, folder: str, state: str, states: tuple[str, ...]) -> frozenset[str] | None:
    """The names, loosely (:func:`_loose`), in the state folders of the
    release of ``folder`` (a spec's, of ``state``, as :func:`_split` gives
    it) but its own, listed once
    a run for all the folder's specs: a spec whose name is not among them
    is in one state, as most are (one listing a folder spares a look for
    each). None when one cannot be listed (then each spec is looked for by
    name)."""
    known: dict[tuple[str, str, tuple[str, ...]], frozenset[str] | None] = tree.memo("other states", dict)
    key = (folder, state, states)
    if key not in known:
        release = os.path.normpath(os.path.join(folder or os.curdir, os.pardir))
        known[key] = _names_in(tree, (os.path.join(release, other) for other in states if other != state))
    return known[key]


def _names_in(tree: Tree, folders: Iterator[str]) -> frozenset[str] | None:
    """The names in ``folders`` together (:func:`_listing`); None when one
    cannot be listed."""
    names: set[str] = set()
    for folder in folders:
        listing = _listing(tree, folder)
        if listing is None:
            return None
        names |= listing
    return frozenset(names)


def _listing(tree: Tree, folder: str) -> frozenset[str] | None:
    """The names in ``folder``, loosely (:func:`_loose`): none when it is
    not there; None when it cannot be listed (then each file is looked for
    by name)."""
    try:
        return frozenset(map(_loose, tree.listing(folder)))
    except (FileNotFoundError, NotADirectoryError):
        return frozenset()
    except OSError:
        return None


def _loose(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


@RULES.rule("SK313", "stray-file")
def check_stray_file(tree: Tree) -> Iterator[Hit]:
    """A file that is not a spec where specs live.

    A release folder holds only state folders and its redirects file; a
    state folder holds only ``.rst`` specs (nova's gate asks the same).
    Hidden files such as ``.gitignore`` are left alone, and so are a
    spec's pictures: a file a spec of the release names (an ``image``,
    a ``figure``, a diagram's source) and any file but a spec in an
    ``images`` folder.

    Bad::

        specs/zed/approved/awesome-thing.txt
        specs/zed/notes.md

    Good::

        specs/zed/approved/awesome-thing.rst
    """
    places = _places(tree)
    for path in tree.files:
        name = _split(path)[1]
        if name.startswith(".") or name.endswith(".rst") or _is_redirects(tree, path):
            continue
        settings = tree.settings(path)
        place = places[path]
        if place is None or IMAGES in tree.relpath(path).split("/")[:-1] or _referenced(tree, Path(path), place):
            continue
        if place.level == "release":
            expected = ", ".join([f"{s}/" for s in settings.states] + ([settings.redirects] if settings.redirects else []))
            yield Hit(1, 1, f'file "{name}" in release folder {place.folder}: expected only {expected}', path=Path(path))
        else:
            yield Hit(1, 1, f'file "{name}" where specs live ({place.folder}): expected only .rst specs', path=Path(path))


def _referenced(tree: Tree, path: Path, place: Where) -> bool:
    """Whether a spec of the release (or of the other layout's folder)
    ``path`` is in names it as a directive's file: relative to the spec,
    or from the docs' top folder (``/images/x.png``)."""
    folder = place.release_dir or path.parent
    names = tree.memo(f"named files:{normal(folder)}", lambda: _named_files(tree, folder))
    target = normal(path)
    return target in names or any(name.startswith("/") and target.endswith(name) for name in names)


def _named_files(tree: Tree, folder: Path) -> frozenset[str]:
    """The files the specs under ``folder`` name as a directive's argument:
    absolute and normalised, or as written when from the docs' top folder.
    Only the specs' lines are read; the files named are only compared."""
    found: set[str] = set()
    for spec in sorted(folder.rglob("*.rst")):
        lines = tree.lines(spec)
        for line in lines if isinstance(lines, list) else []:
            match = _NAMES_FILE.match(line)
            if match is not None:
                name = match.group(1)
                found.add(name if name.startswith("/") else normal(spec.parent / name))
    return frozenset(found)


@RULES.rule("SK314", "release-folder")
def check_release_folder(tree: Tree) -> Iterator[Hit]:
    """A release folder's name is not a release.

    Release folders are named after releases (``release-pattern``; nova's
    are ``zed`` or ``2025.1``, and ``backlog``); a typo or a new naming
    scheme puts specs where the docs index does not look.

    Bad::

        specs/2025.3/approved/awesome-thing.rst
        specs/Zed/approved/awesome-thing.rst

    Good::

        specs/2025.2/approved/awesome-thing.rst
    """
    reported: set[Path] = set()
    places = _places(tree)
    # A folder's files come together, most with its place and pattern: what
    # is true of one such file is of the next.
    previous: tuple[Where | None, str] | None = None
    for path in tree.files:
        settings = tree.settings(path)
        place = places[path]
        if previous is not None and place is previous[0] and settings.release_pattern == previous[1]:
            continue
        previous = (place, settings.release_pattern)
        if place is None or place.release_dir is None or place.release_dir in reported:
            continue
        if not layout.is_release(settings.release_pattern, place.release):
            reported.add(place.release_dir)
            yield Hit(1, 1, f'folder "{place.release}" is not a release: expected a name matching {settings.release_pattern}', path=place.release_dir)
