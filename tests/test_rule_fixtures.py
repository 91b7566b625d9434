"""Every rule shown by a small spec that marks its expected findings itself.

``tests/fixtures/rules/`` is a spec repo with a small template and every
rule on. Each spec there is whole but for what its rule finds, and says so
in comments (sphinx-lint's ``.. expect:`` comments are the model; a
Markdown one writes ``<!-- expect: ... -->``)::

    .. expect: SK203 trailing whitespace (3 character(s)), expected none

    Copy memory while the server runs.···

An expectation is about the next line that is not blank, or about the line
it names (``.. expect at line 1: ...``), and may go on over indented lines;
messages compare whitespace aside. Findings on files that cannot hold a
comment (a redirects file, a folder) are listed in ``expected.txt``, in
the output format.

A fixable rule's Markdown fixture has its fixed form beside it
(``sk203-trailing-whitespace.md.fixed``): what ``speckeeper fix`` makes
of the fixture, byte for byte.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from speckeeper import rules
from speckeeper.cli import main
from speckeeper.engine.check import Checker
from speckeeper.config.settings import load_file

from .conftest import FIXTURES

RULES = FIXTURES / "rules"
SPECS = sorted([*RULES.rglob("*.rst"), *RULES.rglob("*.md")])
SPECS = [path for path in SPECS if path.is_file() and path.name not in ("template.rst", "template.md")]
# Reported by `fix`, not `check`: shown in tests/test_safety.py.
NOT_IN_A_CHECK = {"SK005"}
# Each fixture's fixed form: the fixture's name and ".fixed".
FIXED = sorted(RULES.rglob("*.fixed"))

# In RST ``.. expect: ...``; in Markdown ``<!-- expect: ... -->``, on one line.
_EXPECT = re.compile(r"^(?P<indent>\s*)(?:\.\.|<!--) expect(?: at line (?P<line>\d+))?: (?P<text>.*?)(?: -->)?$")
_OUTPUT = re.compile(r"^(?P<path>.+?):(?P<line>\d+):\d+: (?P<code>SK\d{3}) (?P<message>.*)$")

Expected = tuple[str, int, str, str]  # path, line, code, message whitespace aside


def _normal(text: str) -> str:
    return " ".join(text.split())


def expectations(path: Path) -> list[Expected]:
    """What a fixture's ``.. expect:`` comments say it holds."""
    relpath = path.relative_to(RULES).as_posix()
    lines = path.read_bytes().decode("utf-8-sig", "replace").splitlines()
    found: list[Expected] = []
    number = 0
    while number < len(lines):
        match = _EXPECT.match(lines[number])
        number += 1
        if match is None:
            continue
        text = [match.group("text")]
        while number < len(lines) and len(lines[number]) - len(lines[number].lstrip()) > len(match.group("indent")):
            text.append(lines[number])
            number += 1
        target = int(match.group("line")) if match.group("line") else _next_line(lines, number)
        code, _, message = _normal(" ".join(text)).partition(" ")
        found.append((relpath, target, code, message))
    return found


def _next_line(lines: list[str], number: int) -> int:
    """The 1-based number of the first line from ``number`` (0-based) on
    that is neither blank nor an expectation."""
    while number < len(lines) and (not lines[number].strip() or _EXPECT.match(lines[number])):
        number += 1
    return number + 1


def listed() -> list[Expected]:
    """The expectations of ``expected.txt``."""
    found = []
    for line in (RULES / "expected.txt").read_text(encoding="utf-8").splitlines():
        match = _OUTPUT.match(line)
        assert match, f"expected.txt: not a finding: {line}"
        found.append((match["path"], int(match["line"]), match["code"], _normal(match["message"])))
    return found


@pytest.fixture(scope="module")
def findings() -> Counter[Expected]:
    """What a check of the whole fixture repo finds, every rule on."""
    config = load_file(RULES / ".speckeeper.toml")
    # Markdown documents (docs/) beside the specs: where a repo keeps them.
    found = Checker(config).check([RULES / "specs", RULES / "docs"], jobs=1)
    return Counter((config.relpath(Path(f.path)), f.line, f.code, _normal(f.message)) for f in found)


@pytest.mark.parametrize("path", SPECS, ids=[path.relative_to(RULES).as_posix() for path in SPECS])
def test_a_fixture_holds_what_it_says(findings: Counter[Expected], path: Path) -> None:
    relpath = path.relative_to(RULES).as_posix()
    found = sorted(finding for finding in findings.elements() if finding[0] == relpath)
    assert found == sorted(expectations(path))


def test_files_without_comments_hold_what_expected_txt_says(findings: Counter[Expected]) -> None:
    specs = {path.relative_to(RULES).as_posix() for path in SPECS}
    found = sorted(finding for finding in findings.elements() if finding[0] not in specs)
    assert found == sorted(listed())


def test_every_rule_has_a_fixture() -> None:
    shown = {code for path in SPECS for _, _, code, _ in expectations(path)} | {code for _, _, code, _ in listed()}
    assert {rule.code for rule in rules.ALL} - NOT_IN_A_CHECK == shown


def test_an_expectation_goes_on_over_indented_lines() -> None:
    # The parser of the fixtures, on a fixture of its own.
    relpath, line, code, message = expectations(RULES / "specs/2027.1/approved/sk102-missing-subsection.rst")[0]
    assert (code, message) == (
        "SK102",
        'missing subsection "Use Cases" in "Problem description": the template has it here,'
        ' at the end of "Problem description"',
    )
    assert (RULES / relpath).read_text(encoding="utf-8").splitlines()[line - 1] == "Proposed change"


@pytest.mark.parametrize("fixed", FIXED, ids=[path.relative_to(RULES).as_posix() for path in FIXED])
def test_a_fixture_fixed_is_its_fixed_form_byte_for_byte(fixed, tmp_path, monkeypatch, capsys):
    repo = tmp_path / "rules"
    shutil.copytree(RULES, repo)
    monkeypatch.chdir(repo)
    relpath = fixed.relative_to(RULES).with_suffix("").as_posix()
    assert main(["fix", relpath]) == 1
    assert capsys.readouterr().out == f"Fixing {relpath}\n"
    assert (repo / relpath).read_bytes() == fixed.read_bytes()
    # Fixed: what the fixture showed is gone, and a second fix changes nothing.
    left = Checker(load_file(repo / ".speckeeper.toml")).check([repo / relpath])
    assert {f.code for f in left} & {code for _, _, code, _ in expectations(RULES / relpath)} == set()
    assert main(["fix", relpath]) == 0
    assert (repo / relpath).read_bytes() == fixed.read_bytes()


def test_every_fixable_rule_on_markdown_shows_its_fix_on_a_fixture():
    fixable = {rule.code for rule in rules.ALL if rule.fixable and rule.code in rules.MARKDOWN_READY}
    shown = {
        code
        for fixed in FIXED
        if fixed.name.endswith(".md.fixed")
        for _, _, code, _ in expectations(fixed.with_suffix(""))
    }
    assert fixable == shown
