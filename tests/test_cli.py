"""The command line: exit codes, formats, selection, rule docs."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from speckeeper import rules
from speckeeper.rules import docs as ruledocs
from speckeeper.cli import main

from .conftest import REPO, FIXTURES

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
        (["rules", "SK999"], "unknown rule code 'SK999' (see 'speckeeper rules')"),
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
    assert out[0].split(None, 2)[:2] == ["SK001", "unreadable"]


def test_rules_of_a_prefix_are_those_select_would_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "sk2"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == [
        rule.code for rule in rules.ALL if rule.code.startswith("SK2")
    ]
    assert main(["rules", "SK9"]) == 2
    assert capsys.readouterr().err == "speckeeper: error: unknown rule code 'SK9' (see 'speckeeper rules')\n"


def test_rules_shows_one_in_full(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "SK203"]) == 0
    assert capsys.readouterr().out == (
        "SK203 trailing-whitespace (lines; on, fixable)\n\n"
        "A line ends in spaces or tabs.\n\n"
        "Invisible, and noise in every diff that touches the line; nova's gate\n"
        "rejects trailing spaces. Spaces and tabs only: other Unicode spaces (a\n"
        "thin space ending a diagram's line) are text. A repo whose gate counts\n"
        'spaces only says ``trailing-whitespace = "spaces"``.\n\n'
        "Bad:\n\n    None···\n\n"
        "Good:\n\n    None\n\n"
        "Fix (speckeeper fix): Each flagged line without its trailing spaces (and tabs, unless the repo counts spaces only)."
        " In Markdown, two spaces that end a line inside a paragraph or a heading of several lines are a hard line break:"
        " they become a backslash,"
        " CommonMark's visible way to write one.\n"
    )


@pytest.mark.parametrize("rule", rules.ALL, ids=[rule.code for rule in rules.ALL])
def test_every_rule_documents_what_why_bad_and_good(rule: rules.Rule) -> None:
    """As on Ruff's rule pages; and a fixable rule says how it is fixed."""
    doc = ruledocs.parts(rule)
    assert doc.what.endswith("."), "a one-line summary"
    assert len(doc.why.split()) >= 8, "why it matters"
    assert doc.bad and doc.good, "a bad and a good example"
    assert bool(doc.fix) == rule.fixable


def test_the_docs_rule_tables_are_the_codes(capsys: pytest.CaptureFixture[str]) -> None:
    """`speckeeper rules --format markdown` is the docs' rules page's tables,
    less the links to each rule's page."""
    assert main(["rules", "--format", "markdown"]) == 0
    generated = capsys.readouterr().out
    page = re.sub(r"\| \[(SK\d+)\]\(SK\d+\.md\) \|", r"| \1 |", (REPO / "docs/rules/index.md").read_text(encoding="utf-8"))
    for table in generated.strip().split("\n\n"):
        assert table in page, f"docs/rules/index.md differs from `speckeeper rules --format markdown`:\n{table}"
    assert page.count("<!-- speckeeper rules --format markdown:") == generated.count("<!--") // 2


# Testing and Dependencies swapped: only SK106 (off by default) sees it.
OUT_OF_ORDER = GOOD.replace("Dependencies\n============\n\nNone\n\n", "").replace(
    "Documentation Impact\n", "Dependencies\n============\n\nNone\n\nDocumentation Impact\n"
)


def test_group_narrows_what_would_run(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "a.rst").write_text(BROKEN)
    assert main(["check", "a.rst", "--group", "structure"]) == 1
    assert main(["check", "a.rst", "--group", "rst"]) == 0
    assert main(["check", "a.rst", "--group", "rst,structure"]) == 1


def test_group_keeps_opt_in_rules_off_unlike_select(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "a.rst").write_text(OUT_OF_ORDER)
    assert main(["check", "a.rst", "--group", "structure"]) == 0
    assert main(["check", "a.rst", "--select", "SK1"]) == 1
    assert " SK106 " in capsys.readouterr().out


def test_group_keeps_the_configs_selection(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / ".speckeeper.toml").write_text('ignore = ["SK103"]\n')
    (in_tmp / "a.rst").write_text(BROKEN)
    assert main(["check", "a.rst", "--group", "structure"]) == 1
    out = capsys.readouterr().out
    assert " SK101 " in out and " SK103 " not in out


def test_unknown_group_exits_2(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--group", "structur"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("speckeeper: error: --group: unknown rule group 'structur' (known: ")
    assert err.count("\n") == 1


def test_group_of_repo_rules_needs_no_template(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The lifecycle hook walks a whole folder: files outside the layout have
    no template, and need none when only repo-level rules run."""
    (in_tmp / ".speckeeper.toml").write_text('template = "specs/{release}-template.rst"\n')
    (in_tmp / "README.rst").write_text("Read me\n")
    assert main(["check", "--group", "lifecycle", "."]) == 0
    assert main(["check", "README.rst"]) == 1
    assert " SK003 " in capsys.readouterr().out


# Output options, as flake8 and ruff users type them (issue 17, item 2).

TRAILING = GOOD.replace("None\n", "日本 x   \n", 1)


def test_statistics_counts_each_code_as_ruff_does(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "a.rst").write_text(BROKEN)
    (in_tmp / "b.rst").write_text(BROKEN.replace("None\n", "trailing   \n", 1))
    assert main(["check", "--statistics", "a.rst", "b.rst"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == ["2\tSK101\t[*] missing-section", "2\tSK103\t[ ] unexpected-section", "1\tSK203\t[*] trailing-whitespace"]
    assert err == "5 finding(s) in 2 file(s)\n"
    assert main(["check", "--statistics", "--format", "json", "a.rst"]) == 1
    assert json.loads(capsys.readouterr().out) == [
        {"code": "SK101", "name": "missing-section", "count": 1, "fixable": True},
        {"code": "SK103", "name": "unexpected-section", "count": 1, "fixable": False},
    ]


def test_show_source_puts_a_caret_under_the_column(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "a.rst").write_text(TRAILING)
    assert main(["check", "--show-source", "--select", "SK203", "a.rst"]) == 1
    line = TRAILING.splitlines().index("日本 x   ") + 1
    # Two wide characters take four columns: the caret stands under the first space.
    assert capsys.readouterr().out.splitlines() == [
        f"a.rst:{line}:5: SK203 trailing whitespace (3 character(s)), expected none",
        "日本 x   ",
        "      ^",
    ]


def test_show_source_escapes_the_line_like_every_other_text(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "a.rst").write_text(GOOD.replace("None\n", "\x1b[2J\tx   \n", 1))
    assert main(["check", "--show-source", "--select", "SK203", "a.rst"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[1:] == ["\\x1b[2J\\tx   ", " " * len("\\x1b[2J\\tx") + "^"]


@pytest.mark.parametrize("argv", [["--statistics", "--format", "github"], ["--show-source", "--format", "json"]])
def test_options_a_format_cannot_show_are_usage_errors(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    (in_tmp / "a.rst").write_text(BROKEN)
    assert main(["check", *argv, "a.rst"]) == 2
    assert capsys.readouterr().err.startswith("speckeeper: error: --s")


def test_quiet_prints_the_findings_and_nothing_else(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "a.rst").write_text(BROKEN)
    (in_tmp / "b.rst").write_text(BROKEN)
    assert main(["check", "--write-baseline", "base.json", "b.rst"]) == 0
    (in_tmp / "b.rst").write_text(GOOD)  # Its entries are stale now: said, unless quiet.
    capsys.readouterr()
    assert main(["check", "--baseline", "base.json", "a.rst", "b.rst"]) == 1
    assert "no longer found" in capsys.readouterr().err
    assert main(["check", "-q", "--baseline", "base.json", "a.rst", "b.rst"]) == 1
    out, err = capsys.readouterr()
    assert [line.split(": ", 1)[1].split()[0] for line in out.splitlines()] == ["SK103", "SK101"]
    assert err == ""


def test_exit_zero_reports_and_exits_0(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "a.rst").write_text(BROKEN)
    assert main(["check", "--exit-zero", "a.rst"]) == 0
    assert "SK103" in capsys.readouterr().out
    assert main(["check", "--exit-zero", "--select", "SK999", "a.rst"]) == 2


@pytest.fixture()
def git_repo(in_tmp: Path) -> Path:
    (in_tmp / ".git").mkdir()
    (in_tmp / ".git" / "config").write_text("[core]\n")
    (in_tmp / "a.rst").write_text(BROKEN)
    return in_tmp


def test_output_file_holds_what_stdout_would(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "a.rst"]) == 1
    printed = capsys.readouterr().out
    assert main(["check", "--output-file", "report.txt", "a.rst"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.endswith("finding(s) in 1 file(s)\n")
    assert (git_repo / "report.txt").read_text() == printed
    # Replaced whole on the next run, readable by what uploads it.
    assert main(["check", "--output-file", "report.txt", "--format", "json", "a.rst"]) == 1
    assert json.loads((git_repo / "report.txt").read_text())[0]["code"] == "SK103"
    assert (git_repo / "report.txt").stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_output_file_outside_the_repository_is_written_where_told(
    git_repo: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path_factory.mktemp("reports")
    (elsewhere / "latest").symlink_to(elsewhere / "report.xml")  # The user's own link, outside.
    assert main(["check", "--output-file", str(elsewhere / "latest"), "--format", "junit", "a.rst"]) == 1
    assert (elsewhere / "report.xml").read_text().startswith('<?xml version="1.0" encoding="UTF-8"?>')


def test_output_file_never_goes_through_a_link_in_the_repo_or_into_git(
    git_repo: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    config = git_repo / ".git" / "config"
    (git_repo / "report.txt").symlink_to(config)
    assert main(["check", "--output-file", "report.txt", "a.rst"]) == 2
    assert capsys.readouterr().err == (
        "speckeeper: error: --output-file report.txt: is a symbolic link: checked, never written through\n"
    )
    assert main(["check", "--output-file", ".git/report.txt", "a.rst"]) == 2
    assert "inside the version control folder .git/" in capsys.readouterr().err
    outside = tmp_path_factory.mktemp("out") / "report.txt"
    outside.symlink_to(config)
    assert main(["check", "--output-file", str(outside), "a.rst"]) == 2
    assert capsys.readouterr().err.endswith(": leads into the version control folder .git/: not written\n")
    assert config.read_text() == "[core]\n"
    assert not (git_repo / ".git" / "report.txt").exists()
def test_lsp_without_its_extra_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As where pygls is not installed: importing it fails.
    monkeypatch.setitem(sys.modules, "pygls.lsp.server", None)
    monkeypatch.delitem(sys.modules, "speckeeper.lsp.server", raising=False)
    assert main(["lsp"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("speckeeper: error: speckeeper lsp needs pygls and lsprotocol (")
    assert err.endswith("pip install 'speckeeper[lsp]'\n") and err.count("\n") == 1
