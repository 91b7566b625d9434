"""Standard output that cannot be written (a full disk, a reader gone):
one line on standard error and exit 2, or, for a closed pipe, a quiet
stop; never a traceback, never "Exception ignored" at exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES

# Each writes its whole output to standard output at once.
COMMANDS = [
    ("rules",),
    ("completion", "bash"),
    ("check", "--format", "sarif", "specs"),
    ("status", "--format", "html"),
]


@pytest.fixture()
def specs(tmp_path: Path) -> Path:
    folder = tmp_path / "specs" / "2026.2" / "approved"
    folder.mkdir(parents=True)
    (folder / "a.rst").write_text((FIXTURES / "good-spec.rst").read_text(encoding="utf-8") + "\nTrailing \n")
    return tmp_path


def _run(cwd: Path, args: tuple[str, ...], stdout: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "speckeeper", *args],
        cwd=cwd,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux) to fill a disk")
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_full_standard_output_is_one_line_and_exit_2(specs: Path, args: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        done = _run(specs, args, full.fileno())
    if args[0] == "completion" and "needs speckeeper[completion]" in done.stderr:
        pytest.skip("the completion extra (shtab) is not installed")
    assert (done.returncode, done.stderr) == (2, "speckeeper: error: cannot write to standard output: No space left on device\n")


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_closed_pipe_stops_quietly(specs: Path, args: tuple[str, ...]) -> None:
    reader, writer = os.pipe()
    os.close(reader)  # The reader is gone before anything is written (``| head`` done).
    try:
        done = _run(specs, args, writer)
    finally:
        os.close(writer)
    if args[0] == "completion" and "needs speckeeper[completion]" in done.stderr:
        pytest.skip("the completion extra (shtab) is not installed")
    assert (done.returncode, done.stderr) == (1, "")
