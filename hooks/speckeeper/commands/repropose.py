"""``speckeeper repropose``: a spec that slipped, copied into the next
release's first state (``approved/``), brought to that release's template.

The copy gets the sections the next template has and the spec lacks,
inserted with "None" where the template puts them (the fixer's own
insertion, proved to change nothing else), and a row in its History table
saying it was re-proposed, in the form the template's History table shows
(``2027.1 Indri``); a History section is added where the spec has none. A
section the next template renamed or dropped is never removed: the check
of the copy, printed after, reports it (a near miss, an unexpected
section) for the author to settle. The original stays where it is, as spec
repos keep it; the spec's copier answers, if it has them, follow the copy.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path


from speckeeper.engine import baseline
from speckeeper.reporting import output
from speckeeper.engine.check import Checker
from speckeeper.config.settings import Config, ConfigError
from speckeeper.config.settings import load as load_config
from speckeeper.copier.data import FILLS
from speckeeper.engine.decide import Selection
from speckeeper.findings import Finding
from speckeeper.fixing.fix import Fixer, NotFixed
from speckeeper.config.layout import fill
from speckeeper.commands.move import Place, add_dry_run, baseline_entries, finish, locate, move_answers, place_for
from speckeeper.document.rst.parse import RstParser
from speckeeper.commands.plan import Plan, Step, folder_name
from speckeeper.files.source import Limits, Source, read
from speckeeper.document.model import Block, Section, fold
from speckeeper.document.model import Document as Spec
from speckeeper.document.rst.build import build
from speckeeper.document.template import TemplateSection
from speckeeper.rules.structure import INSERTS_MISSING, TELLS_FROM_MISSING

REPROPOSED = "Re-proposed"
_HISTORY = re.compile(dict(FILLS)["history"])
_ROW = re.compile(r"^(\s*)\*\s+-\s+(\S.*)$")
_CELL = re.compile(r"^(\s*)-(\s|$)")
_LIST_TABLE = re.compile(r"^(\s*)\.\.\s+list-table::")
_TABLE = (
    ".. list-table:: Revisions",
    "   :header-rows: 1",
    "",
    "   * - Release Name",
    "     - Description",
)


def configure_repropose(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", metavar="SPEC", help="the spec to re-propose")
    parser.add_argument("--release", required=True, metavar="NEXT", help="the release it is re-proposed for")
    add_dry_run(parser)


def run_repropose(args: argparse.Namespace) -> int:
    config = load_config(args.config, [args.spec])
    before = locate(config, args.spec)
    after = _next_place(config, before, folder_name(args.release, "release"))
    settings = config.for_path(before.relpath)
    source = read(before.path, Limits.of(settings), config.repo)
    if not isinstance(source, Source):
        raise ConfigError(f"{before.relpath}: {source.message}; nothing changed")
    plan = Plan(config)
    text, steps = reproposed(config, after, source)
    plan.write(after.path, text, Step("created", "would create", f"{after.relpath}, re-proposed from {before.relpath}"))
    plan.steps.extend(steps)
    move_answers(plan, before, after)
    # The copy as check shows it, named from here.
    checker = Checker(config)
    findings = checker.reported(checker.load_source(Path(os.path.relpath(after.path)), Source(text.encode("utf-8"), text)))
    findings = carry_baseline(plan, before, after, findings)
    finish(plan, args.dry_run)
    sys.stdout.write(output.text(findings))
    return 1 if findings else 0


def carry_baseline(plan: Plan, before: Place, after: Place, findings: list[Finding]) -> list[Finding]:
    """Plan the baseline entries of the original that the copy still earns
    to be recorded for the copy too; the copy's findings not recorded.

    The copy is a new file, but not new text: the findings the team chose
    to record for the spec are the same findings in the copy, and a commit
    of the copy must pass the hooks the original passes. What the next
    template asks that the spec lacks is not recorded: it is reported."""
    recorded = [entry for entry in baseline_entries(plan) if entry.path == before.relpath]
    if not recorded:
        return findings
    as_copy = [entry._replace(path=after.relpath) for entry in recorded]
    left = baseline.unrecorded(as_copy, findings, plan.config)
    reported = {id(finding) for finding in left}
    carried = [entry for entry, finding in baseline.entries(findings, plan.config) if id(finding) not in reported]
    if carried:
        path = plan.config.baseline_file()
        assert path is not None, "entries come from the baseline file"
        count = f"{len(carried)} entr{'y' if len(carried) == 1 else 'ies'}"
        step = Step("updated", "would update", f"{plan.shown(path)}: {count} of {before.relpath} also of {after.relpath}")
        plan.write(path, baseline.dumps([*baseline_entries(plan), *carried]), step)
    return left


def _next_place(config: Config, before: Place, release: str) -> Place:
    """Where the copy goes: the release's first state; refused when the
    release is the spec's own or holds the spec already."""
    spec_layout = config.base.layout
    if "{release}" not in spec_layout:
        raise ConfigError(f"repropose needs a layout with {{release}}, not {spec_layout!r}")
    if release == before.parts["release"]:
        raise ConfigError(f"{before.relpath} is in release {release} already: nothing changed")
    parts = dict(before.parts, release=release)
    if "{state}" in spec_layout:
        states = config.for_path(fill(spec_layout, parts)).states
        for state in states:
            there = config.root / fill(spec_layout, dict(parts, state=state))
            if there.exists() or there.is_symlink():
                raise ConfigError(f"{config.relpath(there)} exists: the spec is in release {release} already; nothing changed")
        parts["state"] = states[0]
    return place_for(config, parts)


def reproposed(config: Config, after: Place, source: Source) -> tuple[str, list[Step]]:
    """The copy's text, brought to its template, with the History row; and
    what was done to it."""
    checker = Checker(config)
    template = checker.templates.for_spec(after.relpath, config.for_path(after.relpath))
    history = next((s for s in template.sections if _HISTORY.search(fold(s.title))), None)
    strict = _requiring(config, history.title) if history is not None else config
    fixer = Fixer(strict, Selection(select=(*INSERTS_MISSING, *TELLS_FROM_MISSING)))
    opened = fixer.checker.load_source(after.path, source)
    if opened.loaded is None:
        raise ConfigError(f"{after.relpath}: {opened.problems[0].message}; nothing changed")
    loaded = opened.loaded
    missing = [f for f in fixer.checker.reported(opened) if f.code in INSERTS_MISSING]
    text = source.text
    steps = []
    if missing:
        try:
            text = fixer.fixed(loaded, missing)[0].decode("utf-8")
        except NotFixed as reason:
            raise ConfigError(f"{after.relpath}: the template's new sections cannot be inserted: {reason}; nothing changed") from None
        text_under = config.for_path(after.relpath).missing_section_text
        steps = [Step("inserted in", "would insert in", f"{after.relpath}: {_what(f, text_under)}") for f in missing]
    if history is not None:
        label = _label(history, after.parts["release"])
        text = history_row(fixer.checker.parser, after.relpath, text, history, label)
        steps.append(Step("added to", "would add to", f"{after.relpath}: a {history.title} row, {label}: {REPROPOSED}"))
    return text, steps


def _what(missing: Finding, text_under: str) -> str:
    """What was inserted for a missing section: 'section "X", with "None"'
    ('subsection "X" in "Y", ...' for one in a section; "None" is
    ``missing-section-text``)."""
    section, parent = missing.quoted["section"], missing.quoted.get("parent")
    inserted = f'subsection "{section}" in "{parent}"' if parent is not None else f'section "{section}"'
    return inserted + (f', with "{text_under}"' if text_under else "")


def _requiring(config: Config, title: str) -> Config:
    """The configuration with the section ``title`` no longer optional, so
    that the fixer inserts it where a spec has none."""

    def without(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(value for value in values if value != title)

    overrides = tuple(
        o._replace(values={**o.values, "optional_sections": without(o.values["optional_sections"])})
        if "optional_sections" in o.values
        else o
        for o in config.overrides
    )
    base = config.base._replace(optional_sections=without(config.base.optional_sections))
    return config._replace(base=base, overrides=overrides)


def _label(history: TemplateSection, release: str) -> str:
    """How the template's History table names the release: its last row's
    first cell when that starts with the release (``2027.1 Indri``), else
    the release."""
    rows = [match.group(2).strip() for match in map(_ROW.match, history.guidance.splitlines()) if match]
    return rows[-1] if rows and rows[-1].split()[0] == release else release


def history_row(parser: RstParser, relpath: str, text: str, history: TemplateSection, label: str) -> str:
    """``text`` with a row ``label | Re-proposed`` at the end of its History
    table (a table made where the section has none); checked to add that
    row and nothing else."""
    spec = build(relpath, text, parser)
    section = next((s for s in spec.sections if s.title == history.title), None)
    if section is None:
        raise ConfigError(f"{relpath}: no {history.title} section to add the row to; nothing changed")
    lines = text.split("\n")
    final = lines.pop() if len(lines) > 1 and lines[-1] == "" else None  # After the last newline.
    start, end = section.line + 1, _end(spec, section, len(lines))  # 0-based: the rows after the underline.
    table = _table(section)
    columns = max((len(row) for row in table.rows), default=2) if table is not None else 2
    cells = [label, REPROPOSED] + [""] * (columns - 2)
    found = next((n for n in range(end - 1, start - 1, -1) if _LIST_TABLE.match(lines[n])), None)
    if table is not None and found is not None:
        last = _block_end(lines, found, end)
        row, cell = _indents(lines[found:last])
        rows = [f"{row}* - {cells[0]}", *(f"{cell}- {value}".rstrip() for value in cells[1:])]
        changed = [*lines[:last], *rows, *lines[last:]]
    else:
        rows = [*_TABLE, f"   * - {label}", f"     - {REPROPOSED}"]
        body = [line for line in lines[start:end] if line.strip()]
        if not body or body == ["None"]:
            changed = [*lines[:start], "", *rows, *([""] if end < len(lines) else []), *lines[end:]]
        else:
            last = max(n for n in range(start, end) if lines[n].strip()) + 1
            changed = [*lines[:last], "", *rows, *lines[last:]]
    result = "\n".join(changed if final is None else [*changed, final])
    _check_row(parser, relpath, result, history.title, cells, len(spec.messages))
    return result


def _table(section: Section) -> Block | None:
    """The last table directly in the section, if any."""
    return next((block for block in reversed(section.blocks) if block.kind == "table"), None)


def _end(spec: Spec, section: Section, count: int) -> int:
    """The 0-based row just past a top-level section: the next one's title."""
    following = [s for s in spec.sections if s.line > section.line]
    if not following:
        return count
    nxt = min(following, key=lambda s: s.line)
    return nxt.line - (2 if len(nxt.style) == 2 else 1)


def _block_end(lines: list[str], directive: int, end: int) -> int:
    """The 0-based row just past a directive's last non-blank line."""
    column = len(lines[directive]) - len(lines[directive].lstrip())
    last = directive
    for number in range(directive + 1, end):
        line = lines[number]
        if line.strip() and len(line) - len(line.lstrip()) <= column:
            break
        if line.strip():
            last = number
    return last + 1


def _indents(block: list[str]) -> tuple[str, str]:
    """The indentation of a list-table's rows (``* -``) and of their other
    cells (``-``), as the block writes them."""
    for number, line in enumerate(block):
        row = _ROW.match(line)
        if row is not None:
            following = _CELL.match(block[number + 1]) if number + 1 < len(block) else None
            return row.group(1), following.group(1) if following else row.group(1) + "  "
    return "   ", "     "


def _check_row(parser: RstParser, relpath: str, text: str, title: str, cells: list[str], messages: int) -> None:
    """That the History table of ``text`` ends with the row of ``cells``
    and docutils says no more than before: else nothing is written."""
    spec = build(relpath, text, parser)
    section = next((s for s in spec.sections if s.title == title), None)
    table = _table(section) if section is not None else None
    last = list(table.rows[-1]) if table is not None and table.rows else []
    if last != cells or len(spec.messages) > messages:
        raise ConfigError(f"{relpath}: the {title} row would not read as meant; nothing changed (add it by hand)")

