"""The package is typed and the code linted: mypy and ruff, configured in
pyproject.toml, find nothing. Both come with the test extra; where one is
not installed its test skips, saying so."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from .conftest import REPO


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(tool) is None:
        pytest.skip(f"{tool} is not installed (the test extra has it: bash scripts/test installs it)")
    return subprocess.run(
        [sys.executable, "-m", tool, *args], cwd=REPO, capture_output=True, text=True, timeout=600, check=False
    )


def test_ruff_finds_nothing() -> None:
    done = _run("ruff", "check", "--no-fix", "--output-format", "concise", "--quiet")
    assert done.returncode == 0, f"ruff check found:\n{done.stdout}{done.stderr}"


# Cold, mypy takes tens of seconds (its cache, .mypy_cache/, makes the next
# run a few): with the end-to-end tests, out of the fast set.
@pytest.mark.slow
def test_mypy_finds_nothing_in_the_package() -> None:
    done = _run("mypy")  # The files and options are pyproject.toml's [tool.mypy].
    assert done.returncode == 0, f"mypy found:\n{done.stdout}{done.stderr}"
    assert "Success: no issues found" in done.stdout
