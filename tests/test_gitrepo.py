"""Reading what git holds: a file as staged or as HEAD has it, within a
limit, one at a time or several by one git process."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from speckeeper.errors import ConfigError
from speckeeper.files.gitrepo import blob, blobs


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
