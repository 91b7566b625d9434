"""Reading specs: any file gives text or one clear finding, in bounds, and
the other files are still checked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


from .conftest import FIXTURES, speckeeper

GOOD = (FIXTURES / "good-spec.rst").read_bytes()


def check(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, list[str]]:
    ran = speckeeper(capsys, "check", *paths, "--select", "SK1")
    return ran.code, ran.out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"bom", None),
        (b"utf16", "bad.rst:1:1: SK002 UTF-16 text (byte order mark), expected UTF-8"),
        (b"Title\n=====\n\nsome\x00thing\n", "bad.rst:4:5: SK002 NUL byte: a binary file, expected UTF-8 text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "bad.rst:3:1: SK002 NUL byte: a binary file, expected UTF-8 text"),
        (b"Title\n=====\n\ncaf\xe9\n", "bad.rst:4:4: SK002 not UTF-8: byte 0xe9 cannot be decoded"),
    ],
    ids=["bom", "utf-16", "nul", "binary", "latin-1"],
)
def test_encodings(in_tmp: Path, capsys: pytest.CaptureFixture[str], content: bytes, expected: str | None) -> None:
    if content == b"bom":
        content = b"\xef\xbb\xbf" + GOOD
    elif content == b"utf16":
        content = GOOD.decode().encode("utf-16")
    (in_tmp / "bad.rst").write_bytes(content)
    (in_tmp / "good.rst").write_bytes(GOOD)
    code, out = check(capsys, "bad.rst", "good.rst")
    assert out == ([expected] if expected else [])
    assert code == (1 if expected else 0)


def test_empty_file_and_title_only_file(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "empty.rst").write_bytes(b"")
    (in_tmp / "title.rst").write_bytes(b"=====\nTitle\n=====\n")
    code, out = check(capsys, "empty.rst", "title.rst")
    assert code == 1
    assert "empty.rst:1:1: SK107 no document title: expected one over- and underlined title before the first section" in out
    assert 'empty.rst:1:1: SK101 missing section "Problem description": the template has it here, at the end of the spec' in out
    assert 'title.rst:3:1: SK101 missing section "Problem description": the template has it here, at the end of the spec' in out


def test_too_large(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "big.rst").write_bytes(GOOD + b"word " * 250_000)
    code, out = check(capsys, "big.rst")
    size = len(GOOD) + 5 * 250_000
    assert out == [f"big.rst:1:1: SK004 file is {size:,} bytes, larger than the limit of 1,000,000 (max-bytes)"]


def test_limits_are_configuration(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / ".speckeeper.toml").write_text("max-bytes = 100\n")
    (in_tmp / "good.rst").write_bytes(GOOD)
    code, out = check(capsys, "good.rst")
    assert out == [f"good.rst:1:1: SK004 file is {len(GOOD):,} bytes, larger than the limit of 100 (max-bytes)"]


def test_too_many_sections_is_refused_before_parsing(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """docutils' parse time grows with the square of the section count."""
    (in_tmp / "many.rst").write_text("T\n=\n\n" + "".join(f"S{i}\n-----------\n\nx\n\n" for i in range(20_000)))
    code, out = check(capsys, "many.rst")
    assert out == ["many.rst:1:1: SK004 20,000 title adornments, more than the limit of 1,000 (max-sections)"]


@pytest.mark.parametrize("unit", ["x\n\n", "* x\n\n"], ids=["block quotes", "lists"])
def test_deep_nesting_is_one_finding(in_tmp: Path, capsys: pytest.CaptureFixture[str], unit: str) -> None:
    (in_tmp / "deep.rst").write_text("T\n=\n\n" + "".join(" " * (2 * i) + unit for i in range(600)))
    (in_tmp / "good.rst").write_bytes(GOOD)
    code, out = check(capsys, "deep.rst", "good.rst")
    assert out == ["deep.rst:1:1: SK004 nested too deeply to parse (block quotes or lists)"]


def test_symlink_outside_the_repo_is_not_read(in_tmp: Path, capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.rst"
    outside.write_bytes(GOOD)
    (in_tmp / "link.rst").symlink_to(outside)
    (in_tmp / "inside.rst").symlink_to(in_tmp / "real.rst")
    (in_tmp / "real.rst").write_bytes(GOOD)
    code, out = check(capsys, ".")
    assert out == [f"link.rst:1:1: SK001 symlink to {outside}, outside the repository: not read"]


def test_fifo_and_device_are_not_read(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(in_tmp / "fifo.rst")
    (in_tmp / "zero.rst").symlink_to("/dev/zero")
    code, out = check(capsys, "fifo.rst")
    assert out == ["fifo.rst:1:1: SK001 not a regular file (a device, FIFO or socket): not read"]
    code, out = check(capsys, "zero.rst")
    assert out == ["zero.rst:1:1: SK001 symlink to /dev/zero, outside the repository: not read"]


def test_folder_named_like_a_spec(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "specs" / "x.rst").mkdir(parents=True)
    (in_tmp / "specs" / "x.rst" / "inner.rst").write_bytes(b"")
    code, out = check(capsys, "specs")
    assert out == ["specs/x.rst:1:1: SK001 is a folder, expected an .rst file"]


def test_unreadable_file(in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (in_tmp / "locked.rst").write_bytes(GOOD)
    real_open = os.open

    def refuse(path: str | Path, *args: int, **kwargs: int) -> int:
        if Path(path).name == "locked.rst":  # Root reads a file of mode 000.
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    code, out = check(capsys, "locked.rst")
    assert out == ["locked.rst:1:1: SK001 cannot read: Permission denied"]


def test_a_spec_deleted_while_the_run_goes_on_is_one_finding(in_tmp: Path) -> None:
    """Found by the walk, gone when its turn comes (a checkout under way)."""
    from speckeeper.engine.check import Checker, collect
    from speckeeper.config.settings import discover

    for name in ("a.rst", "b.rst"):
        (in_tmp / name).write_bytes(GOOD)
    config = discover(in_tmp)
    files = list(collect([Path(".")], config))
    assert [f.name for f in files] == ["a.rst", "b.rst"]
    (in_tmp / "a.rst").unlink()
    checker = Checker(config)
    gone, kept = (checker.check_file(path).findings for path in files)
    assert [(f.path, f.line, f.code, f.message) for f in gone] == [("a.rst", 1, "SK001", "cannot read: No such file or directory")]
    assert kept == []
