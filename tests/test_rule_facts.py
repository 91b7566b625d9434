"""Everything about a rule is in the rules package (issue 26): no other
module of the package names a rule, and what the editor shows of a finding
(its severity, what it underlines, its quick fix's title) comes from the
rule's declaration and from what the finding quotes, never its message."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from speckeeper import rules
from speckeeper.engine.check import Checker
from speckeeper.config.settings import load_file
from speckeeper.findings import Finding

from .conftest import FIXTURES, REPO

PACKAGE = REPO / "hooks" / "speckeeper"
_CODE = re.compile(r"SK\d{3}")
# Names of more than one word only: a one-word name (layout, image, tab) is
# also a setting, a directive or a word.
_NAME = re.compile(
    "|".join(rf"(?<![\w-]){re.escape(rule.name)}(?![\w-])" for rule in rules.ALL if "-" in rule.name)
)
# The modules below the rules package in the import order, which cannot ask
# it (the rules read the configuration), and why they name codes.
# A format's validity rules are rules, kept with the format they check.
FORMAT_RULES = ("document/rst/rules.py", "document/markdown/rules.py")

BELOW_THE_RULES = {
    # The repo's own line gates (doc8's D001 ...) as the rules they stand for.
    "config/gates.py": "doc8's codes as speckeeper's",
    # A setting's documentation names the rules it tunes, and its example
    # is a setting a user writes (item 4 of issue 26: one declaration a key).
    "config/settings.py": "a setting's documentation and example",
    # A preset is the keys a repo could write itself, its `select` too.
    "config/presets.py": "a preset's rule selection",
    # Its error names the key, metadata-schema, as SK707 is named.
    "config/metadata_schema.py": "the metadata-schema key, named in its error",
}


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of the module's, classes' and functions' docstrings (prose)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


def _strings(path: Path) -> Iterator[tuple[int, str]]:
    """Each string written in a module's code (f-strings' parts too), by
    line; docstrings and comments aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    prose = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            yield node.lineno, node.value


def naming_a_rule(package: Path) -> list[str]:
    """``file:line: text`` of each string outside ``rules/`` that writes a
    rule's code or name."""
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] == "rules" or relative.as_posix() in (*BELOW_THE_RULES, *FORMAT_RULES):
            continue
        for line, text in _strings(path):
            if _CODE.search(text) or _NAME.search(text):
                found.append(f"{relative}:{line}: {text!r}")
    return sorted(found)


def test_no_module_outside_the_rules_names_a_rule() -> None:
    assert naming_a_rule(PACKAGE) == []


def test_the_scan_finds_a_code_and_a_name_in_code_and_not_in_prose(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "lines.py").write_text('LINE_TOO_LONG = "SK201"\n', encoding="utf-8")
    (tmp_path / "lsp.py").write_text(
        '"""SK502 in a docstring is prose."""\n'
        "# SK502 in a comment too.\n"
        '_WARNING_RULES = frozenset({"rst-warning"})\n'
        'def title(code: str) -> str:\n    return f"Fix {code}" if code != "SK104" else "Rename"\n'
        'LAYOUT_KEY = "layout"\n',
        encoding="utf-8",
    )
    assert naming_a_rule(tmp_path) == ["lsp.py:3: 'rst-warning'", "lsp.py:5: 'SK104'"]


@pytest.fixture(scope="module")
def fixture_findings() -> list[Finding]:
    """What a check of the rules' fixture repo finds, every rule on."""
    config = load_file(FIXTURES / "rules" / ".speckeeper.toml")
    return Checker(config).check([FIXTURES / "rules" / "specs", FIXTURES / "rules" / "docs"], jobs=1)


def test_a_quick_fix_title_quotes_what_its_finding_quotes(fixture_findings: list[Finding]) -> None:
    """Each fixable finding of the fixtures has the texts its rule's title
    names, and its message quotes each of them."""
    fixable = [f for f in fixture_findings if rules.BY_CODE[f.code].fixable]
    assert {f.code for f in fixable} == {rule.code for rule in rules.ALL if rule.fixable}
    for finding in fixable:
        title = rules.BY_CODE[finding.code].quick_fix_title(finding.quoted)
        assert "{" not in title
        assert [text for text in finding.quoted.values() if f'"{text}"' not in finding.message] == []


def test_a_near_miss_with_a_quote_in_its_title_is_renamed_to_the_templates(tmp_path: Path) -> None:
    """The title comes from what the finding quotes, not from the message's
    quotation marks (which the spec's own title may hold)."""
    spec = FIXTURES / "rules" / "specs" / "2027.1" / "approved" / "sk104-near-miss-title.rst"
    text = spec.read_text(encoding="utf-8")
    assert "Use cases\n---------" in text
    moved = tmp_path / "specs" / "2027.1" / "approved" / spec.name
    moved.parent.mkdir(parents=True)
    moved.write_text(text.replace("Use cases\n---------", 'Use Case"s\n----------'), encoding="utf-8")
    (tmp_path / "template.rst").write_bytes((FIXTURES / "rules" / "template.rst").read_bytes())
    (tmp_path / ".speckeeper.toml").write_text('template = "template.rst"\nselect = ["SK1"]\n', encoding="utf-8")
    (tmp_path / ".git").mkdir()
    found = Checker(load_file(tmp_path / ".speckeeper.toml")).check([moved], jobs=1)
    (near,) = [f for f in found if f.code == "SK104"]
    assert near.message.startswith('title "Use Case"s" should be "Use Cases"')
    assert rules.BY_CODE[near.code].quick_fix_title(near.quoted) == 'Rename to "Use Cases", as in the template'


def test_an_editor_shows_docutils_warnings_as_warnings_and_the_rest_as_errors() -> None:
    pytest.importorskip("lsprotocol", reason="the lsp extra is not installed")
    from lsprotocol import types

    from speckeeper.lsp.features import Lines, diagnostic

    lines = Lines("Title\n=====\n\nThis is *not closed.\n", len)
    shown = {code: diagnostic(Finding("x.rst", 4, 1, code, "m"), lines).severity for code in ("SK502", "SK501", "SK203", "")}
    assert shown == {
        "SK502": types.DiagnosticSeverity.Warning,
        "SK501": types.DiagnosticSeverity.Error,
        "SK203": types.DiagnosticSeverity.Error,
        "": types.DiagnosticSeverity.Error,  # The document could not be checked.
    }


@pytest.mark.parametrize(
    ("code", "line", "col", "underlined"),
    [
        ("SK204", 2, 3, "\t"),
        ("SK206", 2, 5, "\u200b"),
        ("SK203", 3, 5, "   "),
        ("SK201", 1, 4, "defg"),
    ],
)
def test_a_finding_about_one_character_underlines_that_character(code: str, line: int, col: int, underlined: str) -> None:
    from speckeeper.findings import Finding
    from speckeeper.lsp.features import Lines, finding_span

    text = "abcdefg\nab\tc\u200bd\nnone   \n"
    lines = Lines(text, len)
    start, end = finding_span(Finding("x.rst", line, col, code, "m"), lines)
    assert text[start:end] == underlined
