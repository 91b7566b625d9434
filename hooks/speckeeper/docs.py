"""The documentation written from the code: a page per rule (from its
docstring, in Ruff's What / Why / Example / Fix shape), and the blocks of
other pages that say what the code declares: the rule tables of the rules
page, the configuration reference and the keys ``[[overrides]]`` may set
(from config.py's keys), the output formats (from output.py's) and the
copier questions (from copier/questions.yml).

``python -m speckeeper.docs`` writes them under ``docs/``; ``--check``
writes nothing and exits 1 naming each page or block that differs from what
the code says (the tests run it), so the docs never drift from the code. A
block is the lines between its two marker lines (HTML comments); the prose
around it is the page's own.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from speckeeper import rules
from speckeeper.config import settings as config
from speckeeper.copier import data as copier_data
from speckeeper.reporting import output
from speckeeper.rules import docs as ruledocs
from speckeeper.rules.registry import Rule

RULES_INDEX = "rules/index.md"
_FIX_NONE = "None automatic: `speckeeper fix` leaves it to the author."
_AN = {"error": "an error", "warning": "a warning", "information": "information", "hint": "a hint"}


@dataclass(frozen=True)
class Block:
    """A part of a page the code writes: the lines between two markers."""

    # How --check names it.
    name: str
    # The marker lines before and after it, as written (indentation aside).
    start: str
    end: str
    # Its lines, as the code has them (indented as the start marker is).
    text: str


class MissingMarker(Exception):
    """A page lacks a block's marker lines: nothing to rewrite."""


def rule_page(rule: Rule) -> str:
    """A rule's page: what it does, why it matters, an example, the fix."""
    doc = ruledocs.parts(rule)
    lines = [
        f"# {rule.code} `{rule.name}`",
        "",
        f"Group `{rule.group}`; {'on' if rule.default else 'off (opt-in)'} by default;"
        f" {'fixable' if rule.fixable else 'not fixable'}; an editor shows it as {_AN[rule.severity]}."
        f" `speckeeper rules {rule.code}` prints this page.",
        "",
        "## What it does",
        "",
        doc.what,
    ]
    if doc.why:
        lines += ["", "## Why it matters", "", doc.why]
    if doc.bad or doc.good:
        lines += ["", "## Example"]
        for title, example in (("Bad", doc.bad), ("Good", doc.good)):
            if example:
                # A Markdown rule's example may hold a fence: the page's is longer.
                fence = "````" if "```" in example else "```"
                language = {"markdown": "markdown", "metadata": "yaml"}.get(rule.group, "rst")
                lines += ["", f"{title}:", "", f"{fence}{language}", example, fence]
    lines += ["", "## Fix", "", doc.fix or _FIX_NONE]
    return "\n".join(lines) + "\n"


def rule_tables() -> list[Block]:
    """Each group's table of the rules page, every code linked to its page,
    as ``speckeeper rules --format markdown`` writes it with its markers."""
    found = []
    for table in ruledocs.tables(rules.ALL, link=lambda rule: f"{rule.code}.md").split("\n\n"):
        start, *rows, end = table.strip("\n").split("\n")
        group = start.rsplit(": ", 1)[1].removesuffix(" -->")
        found.append(Block(f"the {group} rules table", start, end, "\n".join(rows) + "\n"))
    return found


def overridable_keys() -> str:
    """The keys an ``[[overrides]]`` table may set, in the reference's order."""
    return _wrap(", ".join(f"`{key.toml}`" for key in config.KEYS.values() if key.overrides) + ".")


def formats() -> str:
    """The output formats, an item each: what it writes, from its function's
    docstring, and whether its paths are from the repository's top."""
    items = []
    for name, chosen in output.FORMATS.items():
        default = " (the default)" if name == "text" else ""
        top = " Paths are from the repository's top." if chosen.from_top else ""
        items.append(_wrap(f"- `{name}`{default}: {chosen.doc}{top}", "  "))
    return "".join(items)


def questions_tables() -> str:
    """copier's questions in the order it asks them, then the settings it
    does not ask, from ``questions.yml``: a question's name, its help's
    first line and its default as copier has them; what the default is
    where it is computed, and where the answer goes, from the question's
    ``# docs: DEFAULT | WHERE`` line (DEFAULT empty: the default as written).
    A hidden value with no such line is the template's own data."""
    said = _docs_lines(_questions_file().read_text(encoding="utf-8"))
    asked = ["| question | what it asks | default | where the answer goes |", "| --- | --- | --- | --- |"]
    settings = ["| setting | default | what it is |", "| --- | --- | --- |"]
    for name, question in copier_data.questions().items():
        if name.startswith("_") or not isinstance(question, dict):
            continue
        if name not in said:
            if "help" in question:
                raise MissingMarker(f"{_questions_file()}: question {name!r} has no '# docs: DEFAULT | WHERE' line above it")
            continue
        default, where = said[name]
        shown = _cell(default) or _default(name, question.get("default"))
        if "help" in question:
            asked.append(f"| `{name}` | {_cell(str(question['help']).splitlines()[0])} | {shown} | {_cell(where)} |")
        else:
            settings.append(f"| `{name}` | {shown} | {_cell(where)} |")
    intro = (
        "Not asked (the repo's settings, with nova's defaults; `--data` sets them,\n"
        "`speckeeper new` takes them from the repo's configuration):\n"
    )
    return "\n".join(asked) + "\n\n" + intro + "\n" + "\n".join(settings) + "\n"


def _questions_file() -> Path:
    return copier_data.copier_root() / copier_data.QUESTIONS_FILE


def _docs_lines(text: str) -> dict[str, tuple[str, str]]:
    """Each question's ``# docs: DEFAULT | WHERE`` line (the line right
    above its name), split at its last ``|``."""
    said = {}
    lines = text.splitlines()
    for above, line in zip(lines, lines[1:]):
        if above.startswith("# docs:") and line.endswith(":") and not line.startswith((" ", "#")):
            default, _, where = above.removeprefix("# docs:").rpartition("|")
            said[line[:-1]] = (default.strip(), where.strip())
    return said


def _default(name: str, value: Any) -> str:
    """A default as written in questions.yml, said as the docs say it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return _cell(f"`[{', '.join(str(item) for item in value)}]`")
    if value is None or "{{" in str(value):
        raise MissingMarker(f"{_questions_file()}: {name!r} has a computed default: say it on its '# docs:' line")
    return _cell(f"`{value}`") if value != "" else "empty"


def _wrap(text: str, indent: str = "") -> str:
    """A paragraph as the docs' prose is written: lines of at most 76
    columns (a list item's continuation lines indented under its text)."""
    return textwrap.fill(text, 76, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def blocks() -> dict[str, list[Block]]:
    """Every generated block, by the page (under ``docs/``) that holds it."""
    return {
        RULES_INDEX: rule_tables(),
        "configuration-reference.md": [
            Block("the configuration keys", "<!-- speckeeper configuration keys -->", "<!-- end of configuration keys -->", config.reference_table()),
        ],
        "maintainers.md": [
            Block("the keys overrides may set", "<!-- speckeeper overridable keys -->", "<!-- end of overridable keys -->", overridable_keys()),
        ],
        "authors.md": [
            Block("the copier questions", "<!-- questions: start -->", "<!-- questions: end -->", questions_tables()),
            Block("the output formats", "<!-- speckeeper formats -->", "<!-- end of formats -->", formats()),
        ],
    }


def splice(current: str, block: Block) -> str:
    """``current`` with the block's lines as the code has them, indented as
    its start marker is (a block inside a list item stays in it)."""
    lines = current.splitlines(keepends=True)
    stripped = [line.strip() for line in lines]
    if block.start not in stripped:
        raise MissingMarker(f"no line {block.start!r} for {block.name}")
    first = stripped.index(block.start)
    if block.end not in stripped[first + 1 :]:
        raise MissingMarker(f"no line {block.end!r} after {block.start!r} ({block.name})")
    last = stripped.index(block.end, first + 1)
    indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
    body = [indent + line if line else line for line in block.text.splitlines()]
    return "".join(lines[: first + 1]) + "".join(line + "\n" for line in body) + "".join(lines[last:])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m speckeeper.docs", description=__doc__.split("\n\n")[0])
    parser.add_argument("docs", nargs="?", default="docs", help="the docs folder (default: docs)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a page or block differs from the code")
    args = parser.parse_args(argv)
    docs = Path(args.docs)
    if not (docs / RULES_INDEX).is_file():
        print(f"{docs}: not speckeeper's docs folder (no {RULES_INDEX})", file=sys.stderr)
        return 2
    stale = _pages(docs, args.check)
    try:
        stale += _blocks(docs, args.check)
    except MissingMarker as error:
        print(error, file=sys.stderr)
        return 1
    extra = sorted(set((docs / "rules").glob("SK*.md")) - {docs / "rules" / f"{rule.code}.md" for rule in rules.ALL})
    for path in extra:
        print(f"{path}: a page for no rule the code has", file=sys.stderr)
        if not args.check:
            path.unlink()
    for what in stale:
        print(f"{what}: {'differs from the code' if args.check else 'written'}")
    return 1 if args.check and (stale or extra) else 0


def _pages(docs: Path, check: bool) -> list[str]:
    """The rule pages that differ from the code (written unless ``check``)."""
    stale = []
    for rule in rules.ALL:
        path = docs / "rules" / f"{rule.code}.md"
        text = rule_page(rule)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(str(path))
            if not check:
                path.write_text(text, encoding="utf-8")
    return stale


def _blocks(docs: Path, check: bool) -> list[str]:
    """The blocks that differ from the code, as ``page: block`` (their
    pages written unless ``check``)."""
    stale = []
    for page, found in blocks().items():
        path = docs / page
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        text = current
        for block in found:
            try:
                spliced = splice(text, block)
            except MissingMarker as error:
                raise MissingMarker(f"{path}: {error}") from None
            if spliced != text:
                stale.append(f"{path}: {block.name}")
            text = spliced
        if text != current and not check:
            path.write_text(text, encoding="utf-8")
    return stale


if __name__ == "__main__":
    raise SystemExit(main())
