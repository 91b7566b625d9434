"""``speckeeper move`` and ``speckeeper abandon``: a spec to another state
or release, or to the abandoned folder, leaving the repo as the docs build
and ``speckeeper check`` want it.

Moving a spec renames it (recorded in git's index as ``git mv`` would, in
a git work tree), adds the redirect the docs build turns into an HTML
redirect (``<state>/<slug>.rst <path to the new place>`` in the redirects
file one folder up, as nova's ``tools/move_spec.py`` writes it), points the
redirects that led to the old path at the new one (no chain is left to
break), drops a redirect away from the new path (the spec is back there)
and moves the spec's copier answers entry (``release``, ``state``). Paths
come from the layout, never from a spec's content. Everything is planned
and checked first (:mod:`speckeeper.commands.plan`): all or nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from speckeeper.engine import baseline
from speckeeper.config import layout
from speckeeper.files import yamlfile
from speckeeper.config.layout import fill
from speckeeper.config.settings import Config, ConfigError
from speckeeper.config.settings import load as load_config
from speckeeper.commands.plan import Plan, Step, folder_name, utf8
from speckeeper.rules.lifecycle import ChainEnds, normal, split_redirect, target_of
from speckeeper.files.source import Limits, Source, read

ANSWERS_FOLDER = ".copier-answers"
# Names read from a file or standard input: a few hundred at most.
_MAX_NAMES_BYTES = 1_000_000


@dataclass(frozen=True)
class Place:
    """A spec where the layout keeps specs: its path and the layout's parts."""

    path: Path
    relpath: str
    parts: Mapping[str, str]


def locate(config: Config, name: str) -> Place:
    """The spec at ``name``, which must be a regular file where the layout
    keeps specs, inside the repository."""
    path = Path(os.path.abspath(name))
    relpath = config.relpath(path)
    if Path(relpath).is_absolute() or relpath.startswith("../"):
        raise ConfigError(f"{name} is outside the repository at {config.root}: nothing changed")
    if not os.path.lexists(path):
        raise ConfigError(f"no such spec: {relpath}")
    spec_layout = config.base.layout
    found = layout.parts(spec_layout, relpath)
    if found is None or fill(spec_layout, found) != relpath:
        raise ConfigError(f"{relpath} is not where the layout {spec_layout!r} keeps specs: nothing changed")
    if path.is_symlink() or not path.is_file():
        raise ConfigError(f"{relpath} is not a regular file: nothing changed")
    if config.excluded(relpath):
        raise ConfigError(f"{relpath} is excluded by the configuration (exclude), not a spec: nothing changed")
    folder_name(found["slug"], "the spec's name")
    return Place(config.root / relpath, relpath, found)


def place_for(config: Config, parts: Mapping[str, str]) -> Place:
    """Where the layout puts a spec of these parts; each part one folder
    name, the release one the ``release-pattern`` allows, the state one of
    the ``states``."""
    spec_layout = config.base.layout
    for key in ("release", "state", "slug"):
        if "{" + key + "}" in spec_layout:
            folder_name(parts[key], "slug" if key == "slug" else key)
    relpath = fill(spec_layout, parts)
    settings = config.for_path(relpath)
    if "{release}" in spec_layout and not layout.is_release(settings.release_pattern, parts["release"]):
        raise ConfigError(
            f"release {parts['release']!r} does not match release-pattern {settings.release_pattern!r}: nothing changed"
        )
    if "{state}" in spec_layout and parts["state"] not in settings.states:
        raise ConfigError(f"state {parts['state']!r} is not one of the states: {', '.join(settings.states)}; nothing changed")
    return Place(config.root / relpath, relpath, dict(parts))


def _relative(target: str, source: str) -> str:
    """``target`` as a redirect writes it: from the folder of ``source``, with "/"."""
    return os.path.relpath(target, os.path.dirname(source)).replace(os.sep, "/")


def _redirects_files(config: Config, name: str) -> list[Path]:
    """Every redirects file under the folder the layout keeps specs in."""
    top = config.root / config.base.layout.split("{", 1)[0]
    found = []
    for folder, subfolders, names in os.walk(top):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        if name in names:
            found.append(Path(folder) / name)
    return found


def _lines(text: str) -> list[str]:
    return text.split("\n")[:-1] if text.endswith("\n") else text.split("\n") if text else []


def redirect(plan: Plan, old: Path, new: Path) -> None:
    """Plan the redirects for a spec moved from ``old`` to ``new``."""
    config = plan.config
    name = config.for_path(plan.shown(old)).redirects
    if not name:
        return
    home = old.parent.parent / name
    top = config.root / config.base.layout.split("{", 1)[0]
    if not home.parent.is_relative_to(top):
        raise ConfigError(f"{plan.shown(old)}: no folder above it under {plan.shown(top)} to hold its redirect: nothing changed")
    files = sorted({*_redirects_files(config, name), home})
    index: dict[str, str] = {}
    for path in files:
        for line in _lines(plan.text(path)):
            fields = split_redirect(line)
            if fields is not None:
                source, target = target_of(path, *fields)
                index.setdefault(source, target)
    gone, back = normal(old), normal(new)
    # Where each target ends once the plan is made: each path looked at once.
    ends = ChainEnds(index.get, lambda path: plan.exists(Path(path)))
    for path in files:
        _retarget(plan, path, ends, gone, back)
    text = plan.text(home)
    line = f"{old.parent.name}/{old.name} {_relative(back, gone)}"
    separator = "\n" if text and not text.endswith("\n") else ""
    plan.write(home, f"{text}{separator}{line}\n", Step("added to", "would add to", f"{plan.shown(home)}: {line}"))


def _retarget(plan: Plan, path: Path, ends: ChainEnds, gone: str, back: str) -> None:
    """In one redirects file: a redirect that led to ``gone`` leads to
    ``back``; one away from ``gone`` or ``back`` (a spec is there again,
    or the new line replaces it) is dropped. Other lines stay as they are."""
    text = plan.text(path)
    kept: list[str] = []
    steps: list[Step] = []
    for number, line in enumerate(_lines(text), 1):
        fields = split_redirect(line)
        if fields is None:
            kept.append(line)
            continue
        source, target = target_of(path, *fields)
        where = f"{plan.shown(path)}:{number}"
        if source in (gone, back):
            steps.append(Step("dropped from", "would drop from", f"{where}: {line.rstrip()}"))
            continue
        if target and (ends(target) or ("", False))[0] == gone:
            end = line[len(line.rstrip("\r")) :]
            line = f"{fields[0]} {_relative(back, source)}{end}"
            steps.append(Step("retargeted in", "would retarget in", f"{where}: {line.rstrip()}"))
        kept.append(line)
    if steps:
        plan.write(path, "".join(f"{line}\n" for line in kept), steps[0])
        plan.steps.extend(steps[1:])


def move_answers(plan: Plan, before: Place, after: Place) -> None:
    """Plan the spec's copier answers (``.copier-answers/<slug>.yml``, when
    it has one that describes it where it is) to say where it goes."""
    path = plan.config.root / ANSWERS_FOLDER / f"{before.parts['slug']}.yml"
    if not plan.exists(path):
        return
    text = plan.text(path)
    data = _yaml(text, plan.shown(path))
    keys = [key for key in ("release", "state") if key in before.parts]
    if not isinstance(data, dict) or data.get("blueprint") != before.parts["slug"]:
        return
    if any(key not in after.parts for key in keys):
        return  # Out of the layout (abandoned): no answers describe it there.
    if any(str(data.get(key)) != before.parts[key] for key in keys if key in data):
        return  # The answers of another copy of the spec (re-proposed, say).
    changes = {key: after.parts[key] for key in keys if key in data and after.parts[key] != before.parts[key]}
    for key, value in changes.items():
        line = _answer_line(key, value)
        text, count = re.subn(rf"(?m)^{key}:[^\n]*$", lambda _: line, text)  # noqa: B023 - called at once, by subn
        if count != 1:
            raise ConfigError(f"{plan.shown(path)}: {key} is not on one line of its own; nothing changed")
    if _yaml(text, plan.shown(path)) != {**data, **changes}:
        raise ConfigError(f"{plan.shown(path)}: cannot change {', '.join(changes)} without changing more; nothing changed")
    if changes:
        said = ", ".join(f"{key} {value}" for key, value in changes.items())
        plan.write(path, text, Step("updated", "would update", f"{plan.shown(path)}: {said}"))


def _answer_line(key: str, value: str) -> str:
    """``key: value`` as copier writes its answers file (the template's
    ``to_nice_yaml``, jinja2-ansible-filters' ``yaml.dump`` settings), so
    ``copier update`` rewrites the line as it is: ``state: implemented``,
    ``release: '2026.2'``."""
    import yaml  # Loaded already by yamlfile's reading of the same file.

    return yaml.dump({key: value}, indent=4, allow_unicode=True, default_flow_style=False).rstrip("\n")


def _yaml(text: str, shown: str) -> Any:
    try:
        return yamlfile.load(text)
    except yamlfile.Refused as refused:
        where = f"{shown}:{refused.line}" if refused.line else shown
        raise ConfigError(f"{where}: cannot read the copier answers: {refused.reason}; nothing changed") from None


def plan_move(plan: Plan, before: Place, after: Place) -> None:
    """Plan one spec's move, with its redirects, answers and baseline entries."""
    if after.relpath == before.relpath:
        raise ConfigError(f"{before.relpath} is there already: nothing changed")
    plan.rename(before.path, after.path)
    redirect(plan, before.path, after.path)
    move_answers(plan, before, after)
    recorded = baseline_entries(plan)
    mine = [entry for entry in recorded if entry.path == before.relpath]
    if not mine:
        return
    path = plan.config.baseline_file()
    assert path is not None, "entries come from the baseline file"
    others = [entry for entry in recorded if entry.path != before.relpath]
    shown, count = plan.shown(path), f"{len(mine)} entr{'y' if len(mine) == 1 else 'ies'}"
    if not checked_at(plan.config, after.relpath):
        # Not checked where it goes: its findings are never reported again,
        # and entries kept would only be listed as stale.
        said = f"{shown}: {count} of {before.relpath}, not checked at {after.relpath}"
        plan.write(path, baseline.dumps(others), Step("dropped from", "would drop from", said))
        return
    carried = [entry._replace(path=after.relpath) for entry in mine]
    step = Step("updated", "would update", f"{shown}: {count} of {before.relpath} now of {after.relpath}")
    plan.write(path, baseline.dumps([*others, *carried]), step)


def checked_at(config: Config, relpath: str) -> bool:
    """Whether a spec at ``relpath`` is checked once the plan is made: not
    excluded, and, with no configuration file, not where the tree read then
    will exclude it (the abandoned folder, made by the plan)."""
    from speckeeper.config.detect import excluded_once_made

    return not config.excluded(relpath) and not (config.detected and excluded_once_made(relpath))


def baseline_entries(plan: Plan) -> list[baseline.Entry]:
    """The entries of the repo's baseline file as the plan leaves it so
    far; none when it has none."""
    path = plan.config.baseline_file()
    if path is None or not plan.exists(path):
        return []
    return baseline.parse(plan.text(path, baseline.MAX_BYTES).encode("utf-8"), plan.shown(path))


def template_links(plan: Plan, release: str, states: tuple[str, str]) -> None:
    """Plan the release's template links in its first two state folders
    (``approved/2026.2-template.rst -> ../../2026.2-template.rst``) to go,
    as nova's ``tools/move_implemented_specs.py`` removes them once specs
    are implemented: the docs list ``implemented/*`` and would list the
    template as a spec. Only links: a file of that name is someone's text."""
    for state in states:
        folder = plan.config.root / fill(plan.config.base.layout, {"release": release, "state": state, "slug": "x"})
        link = folder.parent / f"{release}-template.rst"
        plan.remove_link(link, Step("removed", "would remove", f"the template link {plan.shown(link)}"))


def finish(plan: Plan, dry_run: bool) -> int:
    """Check the plan; print it; make it unless ``dry_run``."""
    plan.check()
    if not dry_run:
        plan.apply()
    sys.stdout.write(plan.report(dry_run))
    return 0


def configure_move(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "words",
        nargs="*",
        metavar="ARG",
        help="SPEC DEST (DEST a state, or RELEASE/STATE); with --implemented, RELEASE BLUEPRINT...",
    )
    parser.add_argument(
        "--implemented",
        action="store_true",
        help="move the specs of these blueprints from the release's first state (approved/) to the next (implemented/)",
    )
    parser.add_argument(
        "--from",
        dest="names_from",
        metavar="FILE",
        help="with --implemented: blueprint names, one a line, from FILE ('-': standard input)",
    )
    add_dry_run(parser)


def add_dry_run(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", "-n", action="store_true", help="print what would be done; change nothing")


def run_move(args: argparse.Namespace) -> int:
    config = load_config(args.config, () if args.implemented else args.words[:1])
    plan = Plan(config)
    if args.implemented:
        if not args.words:
            raise ConfigError("move --implemented takes RELEASE BLUEPRINT... (or --from FILE)")
        blueprints = [*args.words[1:], *(_names(args.names_from) if args.names_from else [])]
        if not blueprints:
            raise ConfigError("move --implemented: no blueprint named (as arguments or with --from FILE)")
        moves = implemented_moves(config, args.words[0], blueprints)
        for before, after in moves:
            plan_move(plan, before, after)
        template_links(plan, args.words[0], (moves[0][0].parts["state"], moves[0][1].parts["state"]))
    else:
        if args.names_from:
            raise ConfigError("--from goes with --implemented")
        if len(args.words) != 2:
            raise ConfigError("move takes SPEC DEST (DEST a state, or RELEASE/STATE), or --implemented RELEASE BLUEPRINT...")
        before = locate(config, args.words[0])
        plan_move(plan, before, destination(config, before, args.words[1]))
    return finish(plan, args.dry_run)


def destination(config: Config, before: Place, dest: str) -> Place:
    """Where ``DEST`` (a state, ``RELEASE/STATE``, or a release where the
    layout names no state) puts the spec."""
    spec_layout = config.base.layout
    words = dest.split("/")
    parts = dict(before.parts)
    if len(words) == 2 and "{release}" in spec_layout and "{state}" in spec_layout:
        parts["release"], parts["state"] = words
    elif len(words) == 1 and "{state}" in spec_layout:
        parts["state"] = words[0]
    elif len(words) == 1 and "{release}" in spec_layout:
        parts["release"] = words[0]
    else:
        wanted = "RELEASE/STATE or STATE" if "{release}" in spec_layout else "a state"
        raise ConfigError(f"destination {dest!r} is not {wanted} of the layout {spec_layout!r}: nothing changed")
    return place_for(config, parts)


def implemented_moves(config: Config, release: str, blueprints: list[str]) -> list[tuple[Place, Place]]:
    """Each blueprint's spec in the release's first state, and its place in
    the next state (nova: approved/ to implemented/)."""
    spec_layout = config.base.layout
    if "{release}" not in spec_layout or "{state}" not in spec_layout:
        raise ConfigError(f"move --implemented needs a layout with {{release}} and {{state}}, not {spec_layout!r}")
    folder_name(release, "release")
    moves = []
    for blueprint in dict.fromkeys(blueprints):
        folder_name(blueprint, "blueprint")
        states = config.for_path(fill(spec_layout, {"release": release, "state": "x", "slug": blueprint})).states
        if len(states) < 2:
            raise ConfigError(f"the states ({', '.join(states)}) name no state after {states[0]!r}: nothing changed")
        before = place_for(config, {"release": release, "state": states[0], "slug": blueprint})
        if not before.path.is_file() or before.path.is_symlink():
            raise ConfigError(f"blueprint {blueprint!r}: no spec at {before.relpath}; nothing changed")
        moves.append((before, place_for(config, {"release": release, "state": states[1], "slug": blueprint})))
    return moves


def _names(source: str) -> list[str]:
    """Blueprint names, one a line, from a file or standard input; blank
    lines and ``#`` comments aside."""
    if source == "-":
        text = sys.stdin.read(_MAX_NAMES_BYTES + 1) if sys.stdin is not None else ""
        if len(text) > _MAX_NAMES_BYTES:
            raise ConfigError(f"standard input: more than {_MAX_NAMES_BYTES:,} characters of names")
    else:
        from speckeeper.config.settings import read_small_file

        raw = read_small_file(Path(source), _MAX_NAMES_BYTES, "file of names", "the names")
        text = raw.decode("utf-8", "replace")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def configure_abandon(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", metavar="SPEC", help="the spec to abandon")
    parser.add_argument("--reason", metavar="TEXT", help="why: a note under the spec's title says it")
    add_dry_run(parser)


def run_abandon(args: argparse.Namespace) -> int:
    config = load_config(args.config, [args.spec])
    before = locate(config, args.spec)
    slug = before.parts["slug"]
    relpath = fill(abandoned_layout(config), {"slug": slug})
    after = Place(config.root / relpath, relpath, {"slug": slug})
    plan = Plan(config)
    if args.reason is not None:
        utf8(args.reason, "--reason")
        settings = config.for_path(before.relpath)
        source = read(before.path, Limits.of(settings), config.repo)
        if not isinstance(source, Source):
            raise ConfigError(f"{before.relpath}: {source.message}; nothing changed")
        text = with_note(config, before, source.text, args.reason)
        plan.read_as(before.path, source)
        plan.write(before.path, text, Step("noted in", "would note in", f"{before.relpath}: abandoned, {args.reason}"))
    plan_move(plan, before, after)
    return finish(plan, args.dry_run)


def abandoned_layout(config: Config) -> str:
    """The ``other-layouts`` pattern abandoned specs go to: the one that
    names only ``{slug}`` (``specs/abandoned/{slug}.rst``), or of several,
    the one about abandoned specs."""
    only_slug = [other for other in config.base.other_layouts if re.findall(r"\{(\w+)\}", other) == ["slug"]]
    chosen = [other for other in only_slug if "abandon" in other] or only_slug
    if len(chosen) != 1:
        raise ConfigError(
            "other-layouts names no one place for abandoned specs (a pattern with only {slug},"
            " like specs/abandoned/{slug}.rst): nothing changed"
        )
    return chosen[0]


# Inline markup in a reason given on the command line, made literal (as the
# copier template writes answers): emphasis, literals, roles, substitutions,
# references.
_MARKUP = re.compile(r"([\\*`|])|(?<![^\W_])_|_(?![^\W_])")
NOTE_START = "This spec was abandoned: "


def with_note(config: Config, place: Place, text: str, reason: str) -> str:
    """The spec's text with a note under its title saying why it was
    abandoned; checked to add that note and change nothing else."""
    from speckeeper.fixing import fix
    from speckeeper.document.rst.parse import RstParser
    from speckeeper.document.rst.adornment import adornment
    from speckeeper.document.rst.build import build

    reason = " ".join(reason.split())
    if not reason:
        raise ConfigError("--reason is empty: nothing changed")
    settings = config.for_path(place.relpath)
    parser = RstParser.for_settings(settings)
    spec = build(place.relpath, text, parser)
    found = adornment(spec.lines, spec.titles[0].line) if len(spec.titles) == 1 else None
    if found is None:
        raise ConfigError(f"{place.relpath}: no one document title to put the note under; nothing changed")
    escaped = _MARKUP.sub(lambda match: "\\" + match.group(), reason)
    note = textwrap.wrap(
        NOTE_START + escaped,
        width=settings.line_length,
        initial_indent=".. note:: ",
        subsequent_indent="   ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    lines = text.split("\n")
    after = found.under
    block = ["", *note] + ([""] if after < len(lines) and lines[after].strip() else [])
    noted = "\n".join([*lines[:after], *block, *lines[after:]])
    doctree, messages = parser.parse(noted, place.relpath)
    notes = [node for node in doctree.findall() if node.tagname == "note"]
    added = notes[0] if notes and notes[0].parent is doctree else None
    if added is None or " ".join(added.astext().split()) != NOTE_START + reason:
        raise ConfigError(f"{place.relpath}: the note would not read as given; nothing changed")
    added.parent.remove(added)
    difference = fix.difference_between(spec.doctree, doctree)
    if difference or len(messages) != len(spec.messages):
        raise ConfigError(f"{place.relpath}: the note would change more than itself ({difference or 'a docutils message'}); nothing changed")
    return noted
