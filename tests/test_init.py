"""``speckeeper init``: a first .speckeeper.toml from what the tree says
(only what differs from the defaults), the first check's findings counted
by rule, and never an existing configuration overwritten."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .conftest import speckeeper
from .test_repo_layouts import copy

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


def test_init_writes_only_what_differs_from_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = copy("zero-doc8-section", tmp_path, monkeypatch)
    zero = speckeeper(capsys, "check", "--quiet").out
    ran = speckeeper(capsys, "init")
    assert ran.code == 0
    text = (repo / ".speckeeper.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text) == {
        "template": "specs/template.rst",
        "tracker-urls": ["https://bugs.launchpad.net/{project}/+bug/{id}"],
        "project": "keystone",
        "layout": "specs/{release}/{slug}.rst",
        "line-length": 99,
    }
    # Commented: what was read, and what each key is.
    assert "#   line gate: setup.cfg [doc8]: line length 99\n" in text
    assert "# the longest line (SK201, SK202)\nline-length = 99\n" in text
    # The file says what the tree said: the check finds the same with it.
    assert speckeeper(capsys, "check", "--quiet").out == zero


def test_init_prints_the_first_checks_findings_by_rule_and_offers_a_baseline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    copy("zero-doc8-section", tmp_path, monkeypatch)
    ran = speckeeper(capsys, "init")
    assert ran.out == [
        "wrote .speckeeper.toml: what was read off the tree",
        "the first check finds 1 finding(s) in 1 file(s):",
        "  1\tSK201\t[*] line-too-long",
        "to fail only on new ones, record these: speckeeper baseline",
    ]


def test_init_with_a_clean_repo_says_so_and_writes_the_release_templates_as_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = copy("zero-bugs-release-templates", tmp_path, monkeypatch)
    ran = speckeeper(capsys, "init")
    assert ran.code == 0 and ran.out[-1] == "the first check finds nothing: every spec passes"
    data = tomllib.loads((repo / ".speckeeper.toml").read_text(encoding="utf-8"))
    assert data["overrides"] == [{"paths": ["specs/newton/**"], "template": "specs/newton/template.rst"}]
    assert "line-length" not in data  # nova's test's 79 is the default.


@pytest.mark.parametrize(
    ("name", "text"),
    [(".speckeeper.toml", "line-length = 120\n"), ("pyproject.toml", "[tool.speckeeper]\nline-length = 120\n")],
)
def test_init_never_overwrites_an_existing_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, text: str
) -> None:
    repo = copy("zero-doc8-section", tmp_path, monkeypatch)
    (repo / name).write_text(text, encoding="utf-8")
    ran = speckeeper(capsys, "init")
    assert ran.code == 2 and ran.out == []
    assert ran.err == [f"speckeeper: error: {repo.resolve() / name}: a configuration exists already: not overwritten"]
    assert (repo / name).read_text(encoding="utf-8") == text
    assert not (repo / ".speckeeper.toml").exists() or name == ".speckeeper.toml"


def test_init_never_writes_through_a_link_left_as_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = copy("zero-doc8-section", tmp_path, monkeypatch)
    (repo / ".speckeeper.toml").symlink_to(tmp_path / "outside.toml")
    ran = speckeeper(capsys, "init")
    assert ran.code == 2 and len(ran.err) == 1
    assert not (tmp_path / "outside.toml").exists()


def test_init_dry_run_prints_the_file_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = copy("zero-doc8-section", tmp_path, monkeypatch)
    ran = speckeeper(capsys, "init", "--dry-run")
    assert ran.code == 0
    assert not (repo / ".speckeeper.toml").exists()
    assert tomllib.loads("\n".join(ran.out))["line-length"] == 99
    assert ran.err[-1] == "to fail only on new ones, record these: speckeeper baseline"


def test_init_is_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    ran = speckeeper(capsys, "--help")
    assert any(line.split()[:1] == ["init"] for line in ran.out)
