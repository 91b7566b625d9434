"""Which repository a file is in, and so where speckeeper may write: the
file's own repository (not the working folder's), never outside it, never
in the folders git keeps it in, whatever they are named."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import FIXTURES, git, speckeeper

SPEC = (FIXTURES / "good-spec.rst").read_bytes()
FIXABLE = SPEC + b"\nTrailing spaces   \n"


def _repo(root: Path) -> Path:
    """A git repository with one fixable spec, specs/2026.2/approved/awesome-thing.rst."""
    folder = root / "specs" / "2026.2" / "approved"
    folder.mkdir(parents=True)
    (folder / "awesome-thing.rst").write_bytes(FIXABLE)
    git(root, "init", "-q")
    return root


@pytest.fixture()
def two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Two repositories side by side, here/ and other/; run in here/."""
    here = _repo(tmp_path / "here")
    monkeypatch.chdir(here)
    return here, _repo(tmp_path / "other")


def test_fix_from_inside_another_repository_fixes_the_file_in_its_own(
    two: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    here, other = two
    name = "../other/specs/2026.2/approved/awesome-thing.rst"
    ran = speckeeper(capsys, "fix", name)
    assert (ran.code, ran.out) == (1, [f"Fixing {name}"])
    assert (other / name[9:]).read_bytes() == SPEC + b"\nTrailing spaces\n"
    assert (here / name[9:]).read_bytes() == FIXABLE


def test_the_other_repositorys_config_governs_its_files(two: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, other = two
    (other / ".speckeeper.toml").write_text('ignore = ["SK203"]\n', encoding="utf-8")
    assert speckeeper(capsys, "check", "specs").code == 1
    assert speckeeper(capsys, "check", "../other/specs").code == 0


def test_files_of_two_repositories_at_once_are_one_error(two: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    here, other = two
    ran = speckeeper(capsys, "fix", "../other/specs", "specs")
    assert ran.code == 2
    assert ran.err == [
        f"speckeeper: error: ../other/specs is in the repository {other.resolve()}, specs is not:"
        " run speckeeper once for each repository"
    ]
    assert (here / "specs/2026.2/approved/awesome-thing.rst").read_bytes() == FIXABLE


def test_output_file_never_replaces_a_separate_git_dirs_config(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``.git`` a file that points at ``gd``: gd is git's folder, whatever its name."""
    _repo(in_tmp)
    os.rename(in_tmp / ".git", in_tmp / "gd")
    (in_tmp / ".git").write_text("gitdir: gd\n", encoding="utf-8")
    before = (in_tmp / "gd" / "config").read_bytes()
    ran = speckeeper(capsys, "check", "--output-file", "gd/config")
    assert ran.code == 2
    assert ran.err == [f"speckeeper: error: --output-file gd/config: inside git's own folder ({in_tmp.resolve() / 'gd'}): not written"]
    assert (in_tmp / "gd" / "config").read_bytes() == before


def test_output_file_never_writes_into_a_git_dir_outside_the_work_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    git(tmp_path, "init", "-q", "--separate-git-dir", str(tmp_path / "gd"), "wt")
    (tmp_path / "wt" / "specs").mkdir()
    monkeypatch.chdir(tmp_path / "wt")
    before = (tmp_path / "gd" / "config").read_bytes()
    ran = speckeeper(capsys, "check", "--output-file", "../gd/config")
    assert ran.code == 2 and "inside git's own folder" in ran.err[0]
    assert (tmp_path / "gd" / "config").read_bytes() == before


def test_fix_never_writes_into_the_folder_git_dir_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``GIT_DIR`` names git's folder: a spec-like file in it is not rewritten."""
    repo = _repo(tmp_path / "repo")
    os.rename(repo / ".git", repo / "store")
    (repo / "store" / "notes.rst").write_bytes(FIXABLE)
    monkeypatch.setenv("GIT_DIR", str(repo / "store"))
    monkeypatch.setenv("GIT_WORK_TREE", str(repo))
    (repo / ".hg").mkdir()  # The repository's top, without a folder named .git.
    monkeypatch.chdir(repo)
    ran = speckeeper(capsys, "fix", "store/notes.rst")
    assert ran.code == 1
    assert ran.out == [f"store/notes.rst:1:1: SK005 not fixed: inside git's own folder ({(repo / 'store').resolve()}): not written"]
    assert (repo / "store" / "notes.rst").read_bytes() == FIXABLE


@pytest.mark.parametrize(
    ("command", "moved_to"),
    [
        (("move", "SPEC", "implemented"), "specs/2026.2/implemented/awesome-thing.rst"),
        (("abandon", "SPEC", "--reason", "Superseded."), "specs/abandoned/awesome-thing.rst"),
        (("repropose", "SPEC", "--release", "2027.1"), "specs/2027.1/approved/awesome-thing.rst"),
    ],
    ids=["move", "abandon", "repropose"],
)
def test_lifecycle_commands_from_inside_another_repository_change_the_specs_own(
    two: tuple[Path, Path], capsys: pytest.CaptureFixture[str], command: tuple[str, ...], moved_to: str
) -> None:
    """``speckeeper move ../other/specs/...`` run in here/: the spec's own
    repository is planned and changed, here/ is left as it was."""
    here, other = two
    git(other, "add", "-A")
    git(other, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "as it is")
    name = "../other/specs/2026.2/approved/awesome-thing.rst"
    ran = speckeeper(capsys, *(name if word == "SPEC" else word for word in command))
    assert ran.code == (1 if command[0] == "repropose" else 0), ran.err  # The copy's own findings (SK203).
    assert (other / moved_to).is_file()
    assert f"../other/{moved_to}" in "\n".join(ran.out)  # Printed from where it runs.
    assert sorted(p.relative_to(here).as_posix() for p in here.rglob("*.rst")) == ["specs/2026.2/approved/awesome-thing.rst"]
