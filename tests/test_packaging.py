"""Packaging as a release has it: the version is the git tag, and the wheel,
``speckeeper --version`` and copier's answers all say it; the wheel and the
sdist build offline and pass ``twine check``.

Tags may not travel with a checkout, so each test makes its own in a copy
of the working tree.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import copier
import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _copy_tree(dst: Path) -> Path:
    """The working tree, committed or not, as a fresh git repository."""
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.skip("needs a git checkout of speckeeper and git")
    listed = _git(REPO, "ls-files", "--cached", "--others", "--exclude-standard", "-z").split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (dst / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dst / name)
    _git(dst, "init", "-q", "-b", "main")
    _git(dst, "add", "-A")
    _git(dst, "commit", "-q", "-m", "release")
    return dst


def _build(src: Path, out: Path) -> list[Path]:
    """``python -m build`` offline, with this venv's build requirements."""
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(src)],
        check=True,
        capture_output=True,
    )
    return sorted(out.iterdir())


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = _copy_tree(tmp_path_factory.mktemp("src"))
    _git(src, "tag", "v9.8.7")
    return src


@pytest.fixture(scope="module")
def dist(tagged: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return _build(tagged, tmp_path_factory.mktemp("dist"))


def test_wheel_and_sdist_are_named_for_the_tag(dist: list[Path]) -> None:
    assert [path.name for path in dist] == ["speckeeper-9.8.7-py3-none-any.whl", "speckeeper-9.8.7.tar.gz"]


def test_wheel_and_sdist_pass_twine_check(dist: list[Path]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, dist)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2


def test_installed_wheel_says_the_tag_as_its_version(dist: list[Path], tmp_path: Path) -> None:
    with zipfile.ZipFile(dist[0]) as wheel:
        wheel.extractall(tmp_path / "site")
        metadata = wheel.read("speckeeper-9.8.7.dist-info/METADATA").decode()
    assert "\nVersion: 9.8.7\n" in metadata
    done = subprocess.run(
        [sys.executable, "-m", "speckeeper", "--version"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stdout) == (0, "speckeeper 9.8.7\n")


def test_copier_answers_name_the_tag_copied_from(tagged: Path, tmp_path: Path) -> None:
    copier.run_copy(str(tagged), tmp_path, data={"blueprint": "x"}, defaults=True, quiet=True, unsafe=False)
    answers = (tmp_path / ".copier-answers/x.yml").read_text(encoding="utf-8")
    assert "# template of speckeeper 9.8.7. When" in answers
    assert "\n_commit: v9.8.7\n" in answers


def test_sdist_builds_the_same_version_without_git(dist: list[Path], tmp_path: Path) -> None:
    shutil.unpack_archive(dist[1], tmp_path)
    built = _build(tmp_path / "speckeeper-9.8.7", tmp_path / "out")
    assert [path.name for path in built] == ["speckeeper-9.8.7-py3-none-any.whl", "speckeeper-9.8.7.tar.gz"]


def test_untagged_tree_gets_a_development_version_below_any_release(tmp_path: Path) -> None:
    src = _copy_tree(tmp_path / "src")
    built = _build(src, tmp_path / "dist")
    assert built[0].name.startswith("speckeeper-0.1.0.dev1+g")
    shutil.rmtree(src / ".git")  # A tarball of the tree: neither git nor PKG-INFO.
    assert [path.name for path in _build(src, tmp_path / "bare")][0] == "speckeeper-0.1.0.dev0-py3-none-any.whl"
