"""Line rules (SK2xx), and SK109: what each finds, where, and what it says."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from speckeeper.cli import main

from .conftest import FIXTURES, speckeeper



LINES = Path(__file__).resolve().parent / "fixtures" / "lines"


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    ran = speckeeper(capsys, "check", *argv)
    return ran.code, ran.out


@pytest.fixture()
def long_lines(in_tmp: Path) -> str:
    shutil.copy(LINES / "long-lines.rst", in_tmp / "spec.rst")
    return "spec.rst"


def test_long_prose_line_is_reported_with_its_length(capsys, long_lines):
    code, out = check(capsys, long_lines, "--select", "SK201")
    assert code == 1
    assert out == [
        "spec.rst:5:80: SK201 line is 81 characters long, expected at most 79",
        "spec.rst:33:80: SK201 line is 82 characters long, expected at most 79",
        "spec.rst:34:80: SK201 line is 81 characters long, expected at most 79",
    ]


def test_urls_single_tokens_and_literal_blocks_are_exempt(capsys, long_lines):
    # Lines 6-7 (URLs), 11 (::), 15 (code-block), 19 (parsed-literal) are long.
    code, out = check(capsys, long_lines, "--select", "SK201,SK202")
    assert code == 1
    assert {line.split(":")[1] for line in out} == {"5", "22", "30", "33", "34"}


def test_prose_in_directive_bodies_has_its_own_code(capsys, long_lines):
    code, out = check(capsys, long_lines, "--select", "SK202")
    assert code == 1
    assert out == [
        "spec.rst:22:80: SK202 line in a directive body is 83 characters long, expected at most 79",
        "spec.rst:30:80: SK202 line in a directive body is 84 characters long, expected at most 79",
    ]


def test_directive_bodies_are_not_checked_by_default(capsys, long_lines):
    _, out = check(capsys, long_lines)
    assert not [line for line in out if " SK202 " in line]


def test_line_length_is_configurable(capsys, long_lines):
    Path(".speckeeper.toml").write_text("line-length = 90\n", encoding="utf-8")
    code, out = check(capsys, long_lines, "--select", "SK201,SK202")
    assert (code, out) == (0, [])


def test_line_length_can_be_overridden_per_path(capsys, long_lines):
    Path(".speckeeper.toml").write_text(
        '[[overrides]]\npaths = ["spec.rst"]\nline-length = 81\n', encoding="utf-8"
    )
    _, out = check(capsys, long_lines, "--select", "SK201")
    assert out == ["spec.rst:33:82: SK201 line is 82 characters long, expected at most 81"]


def test_line_length_must_be_a_positive_integer(capsys, long_lines):
    Path(".speckeeper.toml").write_text('line-length = "long"\n', encoding="utf-8")
    assert main(["check", long_lines]) == 2
    assert "line-length must be a positive integer" in capsys.readouterr().err


def test_whitespace_rules(capsys, in_tmp):
    shutil.copy(LINES / "whitespace.rst", "spec.rst")
    code, out = check(capsys, "spec.rst", "--select", "SK2,SK109", "--extend-select", "SK204,SK209")
    assert code == 1
    assert out == [
        "spec.rst:5:22: SK203 trailing whitespace (3 character(s)), expected none",
        "spec.rst:6:6: SK204 tab character, expected spaces",
        "spec.rst:7:13: SK206 zero-width space (U+200B), expected none",
        'spec.rst:9:1: SK109 title underline is 5 characters, expected at least 15 (the width of "Short underline")',
        "spec.rst:13:15: SK209 title underline is 19 characters, expected 14 (the title's width)",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"Title\r\n=====\r\n\r\nText.\r\n", "spec.rst:1:6: SK205 4 carriage return(s) (\\r) in the file, first here"),
        (b"Title\n=====\n\nText.\r\n", "spec.rst:4:6: SK205 1 carriage return(s) (\\r) in the file, first here"),
        (b"\xef\xbb\xbfTitle\n=====\n", "spec.rst:1:1: SK208 byte order mark at the start of the file"),
        (b"Title\n=====\n\nNo newline.", "spec.rst:4:12: SK207 no newline at end of file, expected one"),
    ],
)
def test_byte_rules_read_the_bytes(capsys, in_tmp, content, expected):
    Path("spec.rst").write_bytes(content)
    code, out = check(capsys, "spec.rst", "--select", "SK205,SK207,SK208")
    assert code == 1
    assert len(out) == 1 and out[0].startswith(expected)


def test_a_clean_file_has_no_line_finding(capsys, in_tmp):
    Path("spec.rst").write_bytes(b"Title\n=====\n\nText.\n")
    assert check(capsys, "spec.rst", "--select", "SK2") == (0, [])


def test_short_overline_is_reported_at_the_title(capsys, in_tmp):
    Path("spec.rst").write_text("====\n Title here\n====\n\nText.\n", encoding="utf-8")
    _, out = check(capsys, "spec.rst", "--select", "SK109")
    assert out == [
        'spec.rst:2:1: SK109 title overline is 4 characters, expected at least 11 (the width of "Title here")'
    ]


def test_wide_characters_count_double_in_adornments(capsys, in_tmp):
    Path("spec.rst").write_text("Title\n=====\n\nSub 漢字\n------\n\nText.\n", encoding="utf-8")
    _, out = check(capsys, "spec.rst", "--select", "SK109")
    assert out == [
        'spec.rst:4:1: SK109 title underline is 6 characters, expected at least 8 (the width of "Sub 漢字")'
    ]


def test_default_line_rules_over_the_corpus_find_only_what_the_gate_misses(capsys, nova_repo, monkeypatch):
    """The specs pass nova's gate; the default line rules report only what
    its text-mode reading and its "after ::" shortcut miss."""
    monkeypatch.chdir(nova_repo)
    code, out = check(capsys, "specs", "--select", ",".join(_default_line_codes()))
    assert code == 1
    assert Counter((line.split(":")[0], line.split()[1]) for line in out) == {
        # 238 CRs, invisible to a gate that reads in text mode.
        ("specs/ussuri/implemented/action-event-fault-details.rst", "SK205"): 1,
        # Prose in a list after a literal block: the gate skips every
        # indented line after a "::" line.
        ("specs/queens/implemented/add-support-for-vgpu.rst", "SK201"): 2,
    }


def _default_line_codes() -> list[str]:
    from speckeeper import rules

    return [rule.code for rule in rules.ALL if rule.group == "lines" and rule.default]


def test_trailing_whitespace_is_spaces_and_tabs_not_any_unicode_space(capsys, in_tmp):
    """A diagram's line ending in a thin space (U+2009) is text, not
    trailing whitespace; a gate that counts spaces only can say so."""
    good = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
    text = good.replace("None\n", "None\u2009\n", 1).replace("None\n", "None\t\n", 1).replace("None\n", "None  \n", 1)
    Path("spec.rst").write_text(text, encoding="utf-8")
    code, out = check(capsys, "spec.rst", "--select", "SK203")
    assert [line.split(": ", 1)[1] for line in out] == [
        "SK203 trailing whitespace (1 character(s)), expected none",
        "SK203 trailing whitespace (2 character(s)), expected none",
    ]
    Path(".speckeeper.toml").write_text('trailing-whitespace = "spaces"\n', encoding="utf-8")
    code, out = check(capsys, "spec.rst", "--select", "SK203")
    assert [line.split(": ", 1)[1] for line in out] == ["SK203 trailing whitespace (2 character(s)), expected none"]
    Path(".speckeeper.toml").write_text('trailing-whitespace = "tabs"\n', encoding="utf-8")
    assert speckeeper(capsys, "check", "spec.rst").err == [
        f"speckeeper: error: {Path('.speckeeper.toml').resolve()}: trailing-whitespace must be 'spaces and tabs' or 'spaces', got 'tabs'"
    ]
