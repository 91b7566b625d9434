"""The documentation pages written from the code: a page per rule (from its
docstring, in Ruff's What / Why / Example / Fix shape), the rule tables of
the rules page, and the configuration reference (from config.py's keys).

``python -m speckeeper.docs`` writes them under ``docs/``; ``--check``
writes nothing and exits 1 naming each page that differs from what the code
says (the tests run it), so the docs never drift from the code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import config, ruledocs, rules
from .rules.registry import Rule

RULES_INDEX = "rules/index.md"
REFERENCE = "configuration-reference.md"
_FIX_NONE = "None automatic: `speckeeper fix` leaves it to the author."


def rule_page(rule: Rule) -> str:
    """A rule's page: what it does, why it matters, an example, the fix."""
    doc = ruledocs.parts(rule)
    lines = [
        f"# {rule.code} `{rule.name}`",
        "",
        f"Group `{rule.group}`; {'on' if rule.default else 'off (opt-in)'} by default;"
        f" {'fixable' if rule.fixable else 'not fixable'}. `speckeeper rules {rule.code}` prints this page.",
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


def rules_index(current: str) -> str:
    """The rules page with each group's table as the code has it, every code
    linked to its page; the prose around the tables is kept."""
    tables = ruledocs.tables(rules.ALL, link=lambda rule: f"{rule.code}.md").split("\n\n")
    out = current
    for table in (table.rstrip("\n") + "\n" for table in tables):
        start = table.split("\n", 1)[0]
        if start not in out:
            raise ValueError(f"{RULES_INDEX} has no line {start!r}")
        before, _, rest = out.partition(start)
        _, _, after = rest.partition(ruledocs.TABLE_END + "\n")
        out = before + table + after
    return out


def configuration_reference() -> str:
    return (
        "# Configuration reference\n\n"
        "Every key of `.speckeeper.toml` (or `[tool.speckeeper]` in `pyproject.toml`),\n"
        "as the code has it: written by `python -m speckeeper.docs` from\n"
        "`speckeeper.config`, and a test fails when this page differs from the code.\n"
        "How the keys combine, with examples: [Configuration](maintainers.md#configuration).\n\n"
        "<!-- speckeeper configuration keys -->\n" + config.reference_table() + "<!-- end of configuration keys -->\n"
    )


def pages(docs: Path) -> dict[Path, str]:
    """Every generated page, by path, as the code writes it."""
    found = {docs / "rules" / f"{rule.code}.md": rule_page(rule) for rule in rules.ALL}
    index = docs / RULES_INDEX
    found[index] = rules_index(index.read_text(encoding="utf-8"))
    found[docs / REFERENCE] = configuration_reference()
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m speckeeper.docs", description=__doc__.split("\n\n")[0])
    parser.add_argument("docs", nargs="?", default="docs", help="the docs folder (default: docs)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a page differs from the code")
    args = parser.parse_args(argv)
    docs = Path(args.docs)
    if not (docs / RULES_INDEX).is_file():
        print(f"{docs}: not speckeeper's docs folder (no {RULES_INDEX})", file=sys.stderr)
        return 2
    stale = []
    written = pages(docs)
    for path, text in written.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    extra = sorted(set((docs / "rules").glob("SK*.md")) - set(written))
    for path in extra:
        print(f"{path}: a page for no rule the code has", file=sys.stderr)
        if not args.check:
            path.unlink()
    for path in stale:
        print(f"{path}: {'differs from the code' if args.check else 'written'}")
    return 1 if args.check and (stale or extra) else 0


if __name__ == "__main__":
    raise SystemExit(main())
