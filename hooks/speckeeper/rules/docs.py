"""A rule's documentation, read from its code: what ``speckeeper rules``
shows, and the rule pages and tables of the docs (speckeeper.docs).

A rule's docstring is its documentation, as on Ruff's rule pages: its first
line says what it checks; the paragraphs after it, why it matters; then a
``Bad::`` and a ``Good::`` example. Whether it is fixable, and how, comes
from the fix the rule declares (its docstring's first paragraph).
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from speckeeper.rules.registry import Rule

# The rules page's tables sit between these lines (the group is named in the first).
TABLE_START = "<!-- speckeeper rules --format markdown: {group} -->"
TABLE_END = "<!-- end of generated table -->"
_EXAMPLE = re.compile(r"^(Bad|Good)::\s*$", re.MULTILINE)


@dataclass(frozen=True)
class RuleDoc:
    """A rule's documentation in its parts; a part it lacks is ""."""

    what: str
    why: str
    bad: str
    good: str
    fix: str  # How ``speckeeper fix`` repairs it; "" when it does not.


def parts(rule: Rule) -> RuleDoc:
    """The parts of a rule's docstring, and of its fix's."""
    what, _, rest = rule.doc.partition("\n")
    examples = {match.group(1): match for match in _EXAMPLE.finditer(rest)}
    first = min((match.start() for match in examples.values()), default=len(rest))
    return RuleDoc(
        what=what.strip(),
        why=rest[:first].strip(),
        bad=_example(rest, examples.get("Bad"), examples),
        good=_example(rest, examples.get("Good"), examples),
        fix=_paragraph(inspect.getdoc(rule.fix) or "") if rule.fix is not None else "",
    )


def _example(text: str, match: re.Match[str] | None, every: dict[str, re.Match[str]]) -> str:
    """The indented block after ``Bad::`` or ``Good::``, dedented."""
    if match is None:
        return ""
    ends = [other.start() for other in every.values() if other.start() > match.start()]
    return textwrap.dedent(text[match.end() : min(ends, default=len(text))]).strip("\n")


def _paragraph(text: str) -> str:
    return " ".join(text.split("\n\n", 1)[0].split())


def flags(rule: Rule) -> str:
    return ("on" if rule.default else "off") + (", fixable" if rule.fixable else "")


def page(rule: Rule) -> str:
    """The rule in full, as ``speckeeper rules CODE`` shows it."""
    doc = parts(rule)
    lines = [f"{rule.code} {rule.name} ({rule.group}; {flags(rule)})", "", doc.what]
    if doc.why:
        lines += ["", doc.why]
    for title, example in (("Bad", doc.bad), ("Good", doc.good)):
        if example:
            lines += ["", f"{title}:", "", textwrap.indent(example, "    ")]
    if doc.fix:
        lines += ["", f"Fix (speckeeper fix): {doc.fix}"]
    return "\n".join(lines) + "\n"


def markdown_page(rule: Rule) -> str:
    """The page in Markdown: ``speckeeper rules --format markdown CODE``,
    and a rule's help in SARIF."""
    return f"### {rule.code} `{rule.name}`\n\n```text\n{page(rule)}```\n"


def listing(chosen: Iterable[Rule]) -> str:
    """One line a rule: code, name, group, default, what it checks."""
    return "".join(
        f"{rule.code}  {rule.name:<22} {rule.group:<10} {flags(rule):<14} {parts(rule).what}\n" for rule in chosen
    )


def tables(chosen: Sequence[Rule], link: Callable[[Rule], str] | None = None) -> str:
    """The rule tables of the docs' rules page, a group each, between marker
    lines; ``link`` gives the address each code links to."""
    blocks = []
    for group in dict.fromkeys(rule.group for rule in chosen):
        rows = [
            f"| {f'[{rule.code}]({link(rule)})' if link else rule.code} | `{rule.name}` | {_cell(parts(rule).what)} | {'on' if rule.default else 'off'} |"
            f" {'yes' if rule.fixable else ''} |"
            for rule in chosen
            if rule.group == group
        ]
        header = ["| code | name | what it checks | default | fixable |", "| --- | --- | --- | --- | --- |"]
        blocks.append("\n".join([TABLE_START.format(group=group), *header, *rows, TABLE_END]) + "\n")
    return "\n".join(blocks)


def _cell(text: str) -> str:
    return text.rstrip(".").replace("|", "\\|")
