"""What the copier template renders: the data read from a template .rst.

The copier template (``copier/`` beside this module; ``copier.yml`` at the
repository's top level points at it) draws every section of the spec it
writes from a ``spec_template`` value: the sections, adornments and guidance
that :mod:`speckeeper.document.template` reads from a template .rst, plus which
answer fills which section. ``copier copy`` takes that value from
``copier/nova.sections.json``, written from the packaged nova template by
``speckeeper export-template`` (here too); ``speckeeper new``
(:mod:`speckeeper.commands.new`) reads the repo's own template file and passes the
value to copier directly. One reading of one file, one renderer.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import unicodedata
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any


from speckeeper.document import template
from speckeeper.files.atomic import replace_file, writing
from speckeeper.document.rst.parse import RstParser
from speckeeper.document.model import Block, fold
from speckeeper.document.model import Document as Spec
from speckeeper.document.rst.build import build
from speckeeper.document.rst.adornment import adornment

# Which answer fills which section: the first section, in template order,
# whose title (case and spacing aside) matches. Impact answers go only to a
# title that says "impact". A section no answer fills gets "None".
FILLS: tuple[tuple[str, str], ...] = (
    ("use_cases", r"\buse[ -]cases?\b"),
    ("problem", r"\bproblem\b"),
    ("proposed_change", r"\bproposed change\b|\bproposal\b"),
    ("data_model_impact", r"\bdata ?model\b.*\bimpact\b"),
    ("rest_api_impact", r"\bapi\b.*\bimpact\b"),
    ("security_impact", r"\bsecurity\b.*\bimpact\b"),
    ("notifications_impact", r"\bnotifications?\b.*\bimpact\b"),
    ("end_user_impact", r"\bend[ -]?users?\b.*\bimpact\b"),
    ("performance_impact", r"\bperformance\b.*\bimpact\b"),
    ("deployer_impact", r"\bdeployer\b.*\bimpact\b"),
    ("developer_impact", r"\bdeveloper\b.*\bimpact\b"),
    ("upgrade_impact", r"\bupgrades?\b.*\bimpact\b"),
    ("assignee", r"\bassignees?\b"),
    ("liaison", r"\bliaisons?\b"),
    ("history", r"^history$|\brevisions?\b"),
)

# Where the copier template lives inside the package, and its data files:
# JSON, which copier reads through a Jinja include with the C parser (as
# YAML they took a sixth of a `copier copy`).
COPIER_DIR = "copier"
SECTIONS_FILE = "nova.sections.json"
COLUMNS_FILE = "columns.json"
QUESTIONS_FILE = "questions.yml"

_LAUNCHPAD = re.compile(r"https?://blueprints\.launchpad\.net/(?P<project>[^/\s]+)/\+spec/")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z])")

# Jinja reads the data files as templates: no "{{", "{%" or "{#" may stay.
_JINJA_OPENING = re.compile(r"\{(?=[{%#])")


def copier_root() -> Path:
    """The packaged copier template that ``speckeeper new`` renders."""
    return Path(str(resources.files("speckeeper") / COPIER_DIR))


def questions() -> dict[str, Any]:
    """The copier template's questions (and its ``_`` settings), as
    ``questions.yml`` has them."""
    import yaml  # copier's own dependency: only for ``new``.

    loaded = yaml.safe_load((copier_root() / QUESTIONS_FILE).read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else {}


def assign_fills(sections: list[dict[str, Any]]) -> list[str]:
    """Give each section the answer it takes (``fill``); return those used."""
    used: list[str] = []

    def visit(section: dict[str, Any]) -> None:
        title = fold(section["title"])
        section["fill"] = ""
        for name, pattern in FILLS:
            if name not in used and re.search(pattern, title):
                section["fill"] = name
                used.append(name)
                break
        for child in section["children"]:
            visit(child)

    for section in sections:
        visit(section)
    return used


def _first_sentence(text: str) -> str:
    return _SENTENCE_END.split(" ".join(text.split()), maxsplit=1)[0]


def _bullets(block: Block) -> bool:
    return block.kind == "list" and block.name == "bullet"


def _items(bullets: Block) -> list[Block]:
    return [item for item in bullets.children if item.kind == "item"]


def _text(item: Block) -> str:
    """The first sentence of a list item's first paragraph, as plain text."""
    paragraph = next((c for c in item.children if c.kind == "paragraph"), None)
    return _first_sentence(paragraph.text) if paragraph is not None else ""


def _point(item: Block, depth: int) -> dict[str, Any]:
    nested = [i for sub in item.children if _bullets(sub) for i in _items(sub)]
    return {"text": _text(item), "points": [_point(i, depth - 1) for i in nested if depth and _text(i)]}


def points(guidance: str, parser: RstParser) -> list[dict[str, Any]]:
    """What the guidance's bullet lists ask, as plain text, two levels deep.

    A section answered "yes" gets these as a skeleton for the author.
    """
    document = build("<guidance>", guidance, parser)
    return [
        _point(item, 1)
        for bullets in document.preamble
        if _bullets(bullets)
        for item in _items(bullets)
        if _text(item)
    ]


_ORDER = ("title", "char", "overline", "width", "fill", "points", "guidance", "children")


def _with_points(sections: list[dict[str, Any]], parser: RstParser) -> list[dict[str, Any]]:
    """Add each impact section's skeleton points, keys in a readable order."""
    done = []
    for section in sections:
        is_impact = section["fill"].endswith("_impact")
        section["points"] = points(section["guidance"], parser) if is_impact else []
        section["children"] = _with_points(section["children"], parser)
        done.append({key: section[key] for key in _ORDER})
    return done


def _history_release(parsed: Spec, history: str) -> str:
    """The first cell of the last row of the History section's table."""
    for section in parsed.all_sections():
        if section.title != history:
            continue
        for table in (block for part in section.walk() for top in part.blocks for block in top.walk()):
            rows = table.rows if table.kind == "table" else ()
            if len(rows) > 1:
                return rows[-1][0] if rows[-1] else ""
    return ""


def _title_style(spec: Spec) -> tuple[str, bool]:
    """The document title's adornment character and whether it has an overline."""
    found = adornment(spec.lines, spec.titles[0].line) if spec.titles else None
    return (found.char, bool(found.over)) if found is not None else ("=", True)


def _preamble(spec: Spec, overline: bool) -> str:
    """What the template has before its title: its license comment."""
    if not spec.titles:
        return ""
    first = spec.titles[0].line - (2 if overline else 1)
    return "\n".join(spec.lines[:first]).strip("\n")


def spec_template_data(spec_template: template.Template, parsed: Spec, parser: RstParser) -> dict[str, Any]:
    """Everything the copier template needs from one template .rst (and
    its parse: see :func:`template.parse_file`)."""
    sections = template.sections_data(spec_template.sections)
    fills = assign_fills(sections)
    sections = _with_points(sections, parser)
    history = next((s["title"] for s in _walk(sections) if s["fill"] == "history"), "")
    release_name = _history_release(parsed, history) if history else ""
    char, overline = _title_style(parsed)
    project = _LAUNCHPAD.search(parsed.text)
    return {
        "source": Path(spec_template.path).name,
        "example_title": spec_template.title,
        "preamble": _preamble(parsed, overline),
        "title_char": char,
        "title_overline": overline,
        "project": project.group("project") if project else "",
        "release": release_name.split()[0] if release_name else "",
        "release_name": release_name,
        "api_flag": "APIImpact" if "APIImpact" in parsed.text else "",
        "fills": fills,
        "sections": sections,
    }


def _walk(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for section in sections:
        found.append(section)
        found.extend(_walk(section["children"]))
    return found


def _ranges(chars: Sequence[int]) -> str:
    """A regular-expression character class for these code points."""
    parts: list[str] = []
    start = previous = -2
    for code in [*chars, -2]:
        if code == previous + 1:
            previous = code
            continue
        if start >= 0:
            parts.append(_escape(start) if start == previous else f"{_escape(start)}-{_escape(previous)}")
        start = previous = code
    return "[" + "".join(parts) + "]"


def _escape(code: int) -> str:
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def columns_data() -> dict[str, Any]:
    """Which characters are wide and which combining, as docutils counts
    columns, so that Jinja can size title adornments and wrap lines."""
    every = range(0x110000)
    wide = [c for c in every if unicodedata.east_asian_width(chr(c)) in "WF"]
    zero = [c for c in every if unicodedata.combining(chr(c))]
    return {"unicode": unicodedata.unidata_version, "wide": _ranges(wide), "zero": _ranges(zero)}


def data_json(value: dict[str, Any]) -> str:
    """A data file of the copier template. Outside strings JSON never puts
    "{" before "{", "%" or "#"; inside them, that "{" is written escaped."""
    text = json.dumps(value, ensure_ascii=False, indent=1)
    return _JINJA_OPENING.sub(r"\\u007b", text) + "\n"


def export_sections(path: Path, parser: RstParser) -> str:
    """The ``spec_template`` value for one template .rst, as its data file."""
    return data_json(spec_template_data(*template.parse_file(path, parser), parser))


def export_columns() -> str:
    return data_json(columns_data())


# ``speckeeper export-template``


def configure_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "template",
        nargs="?",
        metavar="TEMPLATE",
        help="a template .rst (default: the packaged nova template)",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of to standard output")
    parser.add_argument(
        "--columns", action="store_true", help="write the character-width tables instead (columns.json)"
    )


def run_export(args: argparse.Namespace) -> int:
    """Write the copier data read from a template (or the width tables)."""
    if args.columns:
        text = export_columns()
    else:
        path = Path(args.template) if args.template else template.packaged_path()
        text = export_sections(path, RstParser())
    if args.output:
        output = Path(os.path.abspath(args.output))
        # Where the user says, as a shell redirection would write, but
        # never through a link.
        with writing(args.output):
            replace_file(output, text.encode("utf-8"), output.parent)
    else:
        sys.stdout.write(text)
    return 0
