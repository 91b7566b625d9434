"""Reading what git holds: a file as staged or as HEAD has it, within a
limit, one at a time or several by one git process."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from speckeeper.errors import ConfigError
from speckeeper.files.gitrepo import Change, blob, blobs, staged


def git(repo: Path, *args: str) -> None:
    subprocess.run(("git", "-c", "user.name=A", "-c", "user.email=a@example.com", *args), cwd=repo, check=True, capture_output=True)


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("GIT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    root = tmp_path / "repo"
    (root / "specs").mkdir(parents=True)
    (root / "specs" / "a.rst").write_bytes(b"A as committed\n")
    (root / "specs" / "big.rst").write_bytes(b"x" * 5000)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "one")
    (root / "specs" / "a.rst").write_bytes(b"A as staged\n")
    git(root, "add", ".")
    return root


def test_several_files_by_one_process_as_one_at_a_time(repo: Path) -> None:
    named = [(":specs/a.rst", 100), ("HEAD:specs/a.rst", 100), (":specs/big.rst", 4999), (":specs/big.rst", 5000)]
    found = blobs([*named, (":specs/none.rst", 100), ("HEAD:specs", 100), (":specs/a.rst", 100)], cwd=repo)
    assert found == [b"A as staged\n", b"A as committed\n", None, b"x" * 5000, None, None, b"A as staged\n"]
    assert [blob(name, limit, cwd=repo) for name, limit in named] == found[:4]
    assert blobs([], cwd=repo) == []


def test_a_name_with_a_newline_is_read_alone(repo: Path) -> None:
    assert blobs([(":specs/a.rst", 100), (":specs/new\nline.rst", 100)], cwd=repo) == [b"A as staged\n", None]


def test_outside_a_repository_it_says_why_in_a_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        blobs([(":specs/a.rst", 100)], cwd=tmp_path)
    assert str(raised.value).startswith("git cat-file failed: ") and "\n" not in str(raised.value)


def test_what_is_staged_its_changes_and_the_blobs_that_say_it_whole(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A change, a rename (git finds it whatever diff.renames says), a
    deletion and an addition with a newline in its name; the raw diff
    changes with any staged byte."""
    monkeypatch.chdir(repo)
    (repo / "specs" / "c d.rst").write_bytes(b"C\n" * 20)
    (repo / "specs" / "gone.rst").write_bytes(b"gone\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "two")
    git(repo, "config", "diff.renames", "false")
    git(repo, "mv", "specs/c d.rst", "specs/e f.rst")
    git(repo, "rm", "-q", "specs/gone.rst")
    (repo / "specs" / "new\nline.rst").write_bytes(b"new\n")
    (repo / "specs" / "a.rst").write_bytes(b"A staged again\n")
    git(repo, "add", ".")
    found = staged()
    assert found.changes == [
        Change("specs/a.rst", "M", "specs/a.rst"),
        Change("specs/e f.rst", "R", "specs/c d.rst"),
        Change("specs/gone.rst", "D", "specs/gone.rst"),
        Change("specs/new\nline.rst", "A", ""),
    ]
    assert found.touched() == ["specs/a.rst", "specs/c d.rst", "specs/e f.rst", "specs/gone.rst", "specs/new\nline.rst"]
    assert [change.status for change in found.kept()] == ["M", "R", "A"]
    (repo / "specs" / "a.rst").write_bytes(b"A staged once more\n")
    assert staged().raw == found.raw  # Not staged: the same commit.
    git(repo, "add", "specs/a.rst")
    assert staged().raw != found.raw and staged().changes == found.changes
