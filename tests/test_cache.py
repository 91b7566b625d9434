"""The opt-in content-hash cache: reused while nothing a file's findings
depend on changes, missed as soon as something does, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from speckeeper.check import Checker
from speckeeper.cli import main

from .conftest import FIXTURES

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
RENAMED = GOOD.replace("Testing\n=======\n", "Tests\n=====\n")


@pytest.fixture()
def repo(in_tmp: Path) -> Path:
    (in_tmp / "specs").mkdir()
    (in_tmp / "specs" / "good.rst").write_text(GOOD)
    (in_tmp / "specs" / "renamed.rst").write_text(RENAMED)
    return in_tmp


def _run(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    # Structure rules: these specs are not where naming rules want them.
    code = main(["check", "specs", "--select", "SK1", "--cache", ".cache", "--jobs", "1", *extra])
    return code, capsys.readouterr().out


def _entries(repo: Path) -> list[Path]:
    return sorted((repo / ".cache").glob("*/*.json"))


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(self: Checker, path: Path) -> None:
        raise AssertionError(f"{path} was checked again")

    monkeypatch.setattr(Checker, "check_file", fail)


def test_a_second_run_reuses_every_file(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cold = _run(capsys)
    assert cold[0] == 1 and "specs/renamed.rst" in cold[1] and "SK103" in cold[1]
    assert len(_entries(repo)) == 2
    _no_parsing(monkeypatch)
    assert _run(capsys) == cold


def test_the_cache_folder_is_marked_as_a_cache(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys)
    assert (repo / ".cache" / ".gitignore").read_text().endswith("\n*\n")
    assert (repo / ".cache" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")


def test_an_edited_file_is_checked_again(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys)
    (repo / "specs" / "good.rst").write_text(RENAMED)
    code, out = _run(capsys)
    assert code == 1
    assert "specs/good.rst" in out and "specs/renamed.rst" in out


def test_a_config_change_checks_again(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, before = _run(capsys)
    (repo / ".speckeeper.toml").write_text('ignore = ["SK103"]\n')
    code, after = _run(capsys)
    assert "SK103" in before and "SK103" not in after
    assert code == 1  # The missing "Testing" section is still reported.
    assert main(["check", "specs", "--select", "SK1", "--cache", ".cache", "--ignore", "SK101"]) == 0


def test_a_template_change_checks_again(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = repo / "template.rst"
    template.write_text(GOOD)
    (repo / ".speckeeper.toml").write_text('template = "template.rst"\n')
    assert _run(capsys)[0] == 1
    template.write_text(RENAMED)
    code, out = _run(capsys)
    assert code == 1 and out.startswith("specs/good.rst:")  # Now good.rst is the odd one.
    assert "specs/renamed.rst" not in out


@pytest.mark.parametrize("garbage", [b"", b"{not json", b'{"a": 1}', b'[["x", "1", 1, "SK1", "m"]]', b"\xff\xfe"])
def test_a_corrupt_entry_is_ignored_and_replaced(repo: Path, capsys: pytest.CaptureFixture[str], garbage: bytes) -> None:
    cold = _run(capsys)
    for entry in _entries(repo):
        entry.write_bytes(garbage)
    assert _run(capsys) == cold
    assert all(entry.read_bytes() != garbage for entry in _entries(repo))


def test_a_cache_that_cannot_be_written_is_a_warning(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".cache").write_text("a file, not a folder")
    assert main(["check", "specs", "--select", "SK1", "--cache", ".cache"]) == 1
    out, err = capsys.readouterr()
    assert "SK103" in out
    assert err.count("speckeeper: warning: cannot write the cache in .cache:") == 1


def test_findings_are_reported_against_the_path_as_given(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys)
    spec = repo / "specs" / "renamed.rst"
    assert main(["check", str(spec), "--select", "SK1", "--cache", ".cache"]) == 1
    assert capsys.readouterr().out.startswith(f"{spec}:")
