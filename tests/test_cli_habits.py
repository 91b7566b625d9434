"""What ruff's users type works: ``check --fix`` (a pre-commit fixer),
``--output-format``, ``--extend-select`` and ``--extend-ignore``, paths
printed from where the command runs, options refused before any work."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from speckeeper.engine import check

from .conftest import Ran, git_repo, speckeeper

# The line rules on by default, and SK109.
LINE_RULES_ONLY = 'select = ["SK201", "SK203", "SK205", "SK207", "SK208", "SK109"]\n'
LONG = "This line of the paragraph is too long: it runs well past the seventy-ninth column.\n"
WRAPPED = "This line of the paragraph is too long: it runs well past the seventy-ninth\ncolumn.\n"
# A title no fix may rewrap: its long line is left for the check to report.
LONG_TITLE = ("Title " * 15).rstrip() + "\n" + "=" * 90 + "\n"


@pytest.fixture()
def repo(in_tmp: Path) -> Path:
    """A git repo whose config runs the line rules only, specs in the
    default layout's folder."""
    (in_tmp / ".speckeeper.toml").write_text(LINE_RULES_ONLY, encoding="utf-8")
    (in_tmp / "specs/2026.2/implemented").mkdir(parents=True)
    return git_repo(in_tmp)


def spec(root: Path, relpath: str, text: str) -> Path:
    path = root / relpath
    path.write_text(text, encoding="utf-8")
    return path


def test_check_fix_fixes_and_exits_1_when_it_changed_a_file_as_pre_commit_fixers_do(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = spec(repo, "specs/2026.2/implemented/a.rst", "Title\n=====\n\n" + LONG)
    ran = speckeeper(capsys, "check", "--fix", "specs/2026.2/implemented/a.rst")
    assert (ran.code, ran.out, ran.err) == (1, [], ["Fixing specs/2026.2/implemented/a.rst"])
    assert path.read_text(encoding="utf-8") == "Title\n=====\n\n" + WRAPPED
    # Nothing left, nothing changed: the commit goes through.
    assert speckeeper(capsys, "check", "--fix", "specs/2026.2/implemented/a.rst").code == 0


def test_check_fix_reports_what_is_left_once(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = spec(repo, "specs/2026.2/implemented/a.rst", LONG_TITLE + "\nTrailing space. \n")
    ran = speckeeper(capsys, "check", "--fix", "--output-format", "json")
    assert ran.code == 1
    left = json.loads("\n".join(ran.out))
    assert [(f["path"], f["line"], f["code"]) for f in left] == [("specs/2026.2/implemented/a.rst", 1, "SK201")]
    assert ran.err == ["Fixing specs/2026.2/implemented/a.rst"]  # Not "not fixed" too: the check says it.
    assert path.read_text(encoding="utf-8") == LONG_TITLE + "\nTrailing space.\n"


def test_check_fix_exits_0_when_there_is_nothing_to_do(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec(repo, "specs/2026.2/implemented/a.rst", "Title\n=====\n\nFine.\n")
    assert speckeeper(capsys, "check", "--fix") == speckeeper(capsys, "check") == Ran(0, [], [])


def test_output_format_is_format(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec(repo, "specs/2026.2/implemented/a.rst", "Title\n=====\n\n" + LONG)
    assert speckeeper(capsys, "check", "--output-format", "sarif") == speckeeper(capsys, "check", "--format", "sarif")


def test_extend_ignore_drops_codes_on_top_of_the_configs_selection(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec(repo, "specs/2026.2/implemented/a.rst", "Title\n=====\n\n" + LONG + "Trailing space. \n")
    codes = lambda ran: [line.split()[1] for line in ran.out]  # noqa: E731
    assert codes(speckeeper(capsys, "check")) == ["SK201", "SK203"]
    assert codes(speckeeper(capsys, "check", "--extend-ignore", "SK201")) == ["SK203"]
    assert codes(speckeeper(capsys, "check", "--ignore", "SK203", "--extend-ignore", "SK201")) == []
    # And fix leaves what it is told to ignore.
    assert speckeeper(capsys, "fix", "--extend-ignore", "SK201,SK203").code == 0


def test_extend_select_adds_to_the_configs_selection_in_fix_too(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = spec(repo, "specs/2026.2/implemented/a.rst", "Title\n=====\n\nNo final newline.")
    assert speckeeper(capsys, "check", "--select", "SK201").code == 0
    assert speckeeper(capsys, "check", "--select", "SK201", "--extend-select", "SK207").code == 1
    assert speckeeper(capsys, "fix", "--select", "SK201", "--extend-select", "SK207").code == 1
    assert path.read_text(encoding="utf-8").endswith("No final newline.\n")


def test_paths_are_printed_from_where_the_command_runs(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec(repo, "specs/2026.2/implemented/a.rst", "Title\n=====\n\n" + LONG)
    monkeypatch.chdir(repo / "specs/2026.2")
    expected = ["implemented/a.rst:4:80: SK201 line is 83 characters long, expected at most 79"]
    assert speckeeper(capsys, "check").out == expected
    assert speckeeper(capsys, "check", "../2026.2/implemented/a.rst").out == expected
    assert speckeeper(capsys, "check", "../2026.2").out == expected


def test_a_dotdot_after_a_link_keeps_the_name_given(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """``link/../a.rst`` is the file beside the link's target, not ``a.rst``."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "inner").mkdir()
    (elsewhere / "a.rst").write_text("theirs\n", encoding="utf-8")
    (repo / "a.rst").write_text("mine\n", encoding="utf-8")
    os.symlink(elsewhere / "inner", repo / "link")
    assert check.from_here(Path("link/../a.rst")) == Path("link/../a.rst")
    assert check.from_here(Path("specs/../a.rst")) == Path("a.rst")


def no_check(*_: object, **__: object) -> None:
    pytest.fail("the check ran before the options were refused")


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (("--write-baseline", "{outside}/baseline.json"), "{outside}/baseline.json: cannot write the baseline: outside the repository"),
        (("--write-baseline", "missing/baseline.json"), "missing/baseline.json: cannot write the baseline: folder missing is gone"),
        (("--output-file", ".git/report.txt"), "--output-file .git/report.txt: inside the version control folder .git/"),
        (("--fix", "--write-baseline", "b.json"), "--fix changes specs, --write-baseline records them as they are"),
    ],
)
def test_options_are_refused_before_any_spec_is_read(
    repo: Path,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    options: tuple[str, ...],
    error: str,
) -> None:
    outside = str(tmp_path_factory.mktemp("outside"))
    spec(repo, "specs/2026.2/implemented/a.rst", "Title\n=====\n\n" + LONG)
    monkeypatch.setattr(check.Checker, "check", no_check)
    monkeypatch.setattr(check.Checker, "load", no_check)
    ran = speckeeper(capsys, "check", *(option.format(outside=outside) for option in options))
    assert (ran.code, ran.out, len(ran.err)) == (2, [], 1)
    assert ran.err[0].startswith("speckeeper: error: " + error.format(outside=outside))


def test_an_unknown_code_in_extend_ignore_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ran = speckeeper(capsys, "check", "--extend-ignore", "SK999")
    assert ran == Ran(2, [], ["speckeeper: error: --extend-ignore: unknown rule code 'SK999' (see 'speckeeper rules')"])


def test_check_fix_leaves_what_the_baseline_records_as_fix_does(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A legacy spec is not rewritten by a commit that never touched it."""
    path = spec(repo, "specs/2026.2/implemented/a.rst", "Title\n=====\n\n" + LONG)
    assert speckeeper(capsys, "baseline").code == 0
    assert speckeeper(capsys, "check", "--fix") == Ran(0, [], [])
    assert path.read_text(encoding="utf-8") == "Title\n=====\n\n" + LONG
    ran = speckeeper(capsys, "check", "--fix", "--no-baseline")
    assert (ran.code, ran.out, ran.err) == (1, [], ["Fixing specs/2026.2/implemented/a.rst"])
    assert path.read_text(encoding="utf-8") == "Title\n=====\n\n" + WRAPPED
