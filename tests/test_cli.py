"""The command line: exit codes, formats, selection, rule docs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from speckeeper import rules
from speckeeper.cli import main

from .conftest import FIXTURES

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
BROKEN = GOOD.replace("Testing\n=======\n", "Tests\n=====\n")


def test_exit_0_when_clean(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "a.rst").write_text(GOOD)
    assert main(["check", "a.rst"]) == 0
    assert capsys.readouterr() == ("", "")


def test_exit_1_with_findings_and_a_summary_on_stderr(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "a.rst").write_text(BROKEN)
    assert main(["check", "a.rst"]) == 1
    out, err = capsys.readouterr()
    line = BROKEN.splitlines().index("Tests") + 1
    assert f'a.rst:{line}:1: SK103 unexpected top-level section "Tests"' in out
    assert err.endswith("finding(s) in 1 file(s)\n")


def test_folder_defaults_to_here(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "sub").mkdir()
    (in_tmp / "sub" / "a.rst").write_text(BROKEN)
    assert main(["check"]) == 1
    assert capsys.readouterr().out.startswith("sub/a.rst:")


def test_json_format(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "a.rst").write_text(BROKEN)
    assert main(["check", "a.rst", "--format", "json"]) == 1
    records = json.loads(capsys.readouterr().out)
    assert {r["code"] for r in records} == {"SK101", "SK103"}


def test_select_and_ignore(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "a.rst").write_text(BROKEN)
    assert main(["check", "a.rst", "--ignore", "SK101,SK103"]) == 0
    assert main(["check", "a.rst", "--select", "SK103"]) == 1
    assert "SK101" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "--select", "SK999"], "--select: unknown rule code 'SK999' (see 'speckeeper rules')"),
        (["check", "nope.rst"], "no such file or folder: nope.rst"),
        (["rules", "SK999"], "unknown rule code 'SK999'"),
    ],
)
def test_usage_errors_exit_2(in_tmp: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err == f"speckeeper: error: {message}\n"


def test_argparse_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "xml"]) == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err
    assert main([]) == 2


def test_undecodable_and_unreadable_files_are_findings(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "latin.rst").write_bytes(GOOD.encode() + b"caf\xe9\n")
    (in_tmp / "good.rst").write_text(GOOD)
    (in_tmp / "gone.rst").symlink_to(in_tmp / "nowhere.rst")
    assert main(["check", "latin.rst", "gone.rst", "good.rst"]) == 1
    lines = GOOD.count("\n") + 1
    assert capsys.readouterr().out == (  # By path, whatever the order given.
        "gone.rst:1:1: SK001 cannot read: No such file or directory\n"
        f"latin.rst:{lines}:4: SK002 not UTF-8: byte 0xe9 cannot be decoded\n"
    )


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == [rule.code for rule in rules.ALL]
    assert out[0].split(None, 2)[:2] == ["SK101", "missing-section"]


def test_rules_shows_one_in_full(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "SK106"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("SK106 section-order (structure; off)\n\nSections are not in the template's order.")
    assert "Bad::" in out and "Good::" in out


def test_every_rule_documents_itself() -> None:
    for rule in rules.ALL:
        assert rule.summary and rule.summary.endswith("."), rule.code
        assert "Bad::" in rule.doc or "Good::" in rule.doc, rule.code
