"""Where the findings cache (``--cache DIR``) may be: inside the repository
or in the user's cache folder, never reached through a symbolic link,
never in a version control folder. Anywhere else it is not used, with one
warning, and the check goes on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from speckeeper.files import usercache

from .conftest import FIXTURES, git, speckeeper

RENAMED = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8").replace("Testing\n=======\n", "Tests\n=====\n")


@pytest.fixture()
def repo(in_tmp: Path) -> Path:
    (in_tmp / "specs").mkdir()
    (in_tmp / "specs" / "renamed.rst").write_text(RENAMED, encoding="utf-8")
    git(in_tmp, "init", "-q")
    return in_tmp


def _check(capsys: pytest.CaptureFixture[str], cache: str) -> list[str]:
    """Check with the cache; the findings are there whatever the cache does."""
    ran = speckeeper(capsys, "check", "specs", "--select", "SK1", "--jobs", "1", "--cache", cache)
    assert ran.code == 1 and any("SK103" in line for line in ran.out)
    return ran.err


def _files(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def test_a_cache_folder_linked_to_git_is_never_written(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _files(repo / ".git")
    (repo / ".skcache").symlink_to(".git", target_is_directory=True)
    err = _check(capsys, ".skcache")
    assert err[0] == "speckeeper: warning: cannot write the cache in .skcache: .skcache is a symbolic link, never followed"
    assert _files(repo / ".git") == before


def test_a_cache_folder_linked_out_of_the_repository_is_never_written(
    repo: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (repo / "build").mkdir()
    (repo / "build" / "cache").symlink_to(outside, target_is_directory=True)
    err = _check(capsys, "build/cache/speckeeper")
    assert err[0] == "speckeeper: warning: cannot write the cache in build/cache/speckeeper: cache is a symbolic link, never followed"
    assert list(outside.iterdir()) == []


def test_a_cache_folder_in_git_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _files(repo / ".git")
    err = _check(capsys, ".git/speckeeper")
    assert err == [
        "speckeeper: warning: not using the cache in .git/speckeeper: inside the version control folder .git/: not written;"
        " a cache folder must be inside the repository or in the user's cache folder"
        f" ({os.environ[usercache.ENV]})",
        "2 finding(s) in 1 file(s)",
    ]
    assert _files(repo / ".git") == before


def test_a_cache_folder_outside_the_repository_is_refused(
    repo: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    err = _check(capsys, str(outside / "cache"))
    assert err[0].startswith(f"speckeeper: warning: not using the cache in {outside / 'cache'}: outside the repository")
    assert list(outside.iterdir()) == []


def test_a_cache_folder_in_the_users_cache_folder_is_used(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = Path(os.environ[usercache.ENV]) / "findings" / repo.name
    assert _check(capsys, str(mine)) == ["2 finding(s) in 1 file(s)"]
    assert list(mine.glob("*/*.json"))
    assert (mine.stat().st_mode & 0o777) == 0o700
