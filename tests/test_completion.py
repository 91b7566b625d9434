"""``speckeeper completion bash|zsh|fish``: scripts made from the parser,
tried in a real bash the way bash calls a completion function, in a real
fish with ``complete -C``, in zsh at a terminal."""

from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from speckeeper.reporting import output
from speckeeper.cli import COMMANDS

from .conftest import speckeeper

BASH = shutil.which("bash")
FISH = shutil.which("fish")
needs_shtab = pytest.mark.skipif(
    importlib.util.find_spec("shtab") is None, reason="completion is the optional extra speckeeper[completion]"
)


def script(capsys: pytest.CaptureFixture[str], shell: str) -> str:
    ran = speckeeper(capsys, "completion", shell)
    assert (ran.code, ran.err) == (0, [])
    return "\n".join(ran.out) + "\n"


def complete(source: str, line: str, cwd: Path) -> list[str]:
    """What bash offers at the end of ``line`` (a trailing space: a new word),
    calling the script's function as bash's ``complete -F`` does."""
    words = line.split() + ([""] if line.endswith(" ") else [])
    program = (
        f"{source}\n"
        f"COMP_WORDS=({' '.join(repr(word) for word in words)})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        "_shtab_speckeeper\n"
        "printf '%s\\n' \"${COMPREPLY[@]}\"\n"
    )
    done = subprocess.run([BASH, "--norc", "--noprofile", "-c", program], cwd=cwd, capture_output=True, text=True, check=True, timeout=30)
    return [word for word in done.stdout.splitlines() if word]


@needs_shtab
@pytest.mark.skipif(BASH is None, reason="no bash on this machine")
def test_bash_completes_commands_options_and_choices(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = script(capsys, "bash")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs/my-feature.rst").write_text("x\n")
    assert complete(source, "speckeeper ", tmp_path) == list(COMMANDS)
    assert complete(source, "speckeeper ch", tmp_path) == ["check"]
    assert complete(source, "speckeeper co", tmp_path) == ["commit-msg", "completion"]
    options = complete(source, "speckeeper check --", tmp_path)
    assert {"--format", "--select", "--ignore", "--group", "--baseline", "--jobs", "--show-settings"} <= set(options)
    assert "--diff" not in options  # fix's, not check's
    assert "--diff" in complete(source, "speckeeper fix --", tmp_path)
    assert sorted(complete(source, "speckeeper check --format ", tmp_path)) == sorted(output.FORMATS)
    assert complete(source, "speckeeper check --format s", tmp_path) == ["sarif"]
    assert complete(source, "speckeeper completion ", tmp_path) == ["bash", "zsh", "fish"]
    assert complete(source, "speckeeper check specs/my", tmp_path) == ["specs/my-feature.rst"]


@needs_shtab
@pytest.mark.skipif(shutil.which("zsh") is None, reason="no zsh on this machine")
@pytest.mark.skipif(sys.platform == "win32", reason="pexpect drives a POSIX terminal")
def test_zsh_completes_at_a_terminal(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """zsh completes only inside its line editor: type, press Tab, read the line."""
    pexpect = pytest.importorskip("pexpect")
    (tmp_path / "_speckeeper").write_text(script(capsys, "zsh"))
    shell = pexpect.spawn("zsh", ["-f", "-i"], cwd=str(tmp_path), encoding="utf-8", timeout=20, dimensions=(24, 200), env={**os.environ, "TERM": "dumb"})
    shell.sendline(f"PS1='%% '; fpath=({tmp_path} $fpath); autoload -Uz compinit; compinit -u -D; echo READY")
    shell.expect("READY\r\n")
    shell.send("speckeeper check --form\t")
    shell.expect("speckeeper check --format ")  # completed in place
    shell.send("\t")
    shell.expect(" +".join(sorted(output.FORMATS)))  # the choices, listed
    shell.send("\x03")
    shell.send("speckeeper comp\t")
    shell.expect("speckeeper completion ")
    shell.send("\x03")
    shell.send("speckeeper check --select SK101,SK20\t")
    shell.expect(" +".join(f"SK20{n}" for n in range(1, 10)))  # the codes after the comma, listed
    shell.send("\x03")
    shell.send("speckeeper rules SK10\t")
    shell.expect(" +".join(f"SK10{n}" for n in range(1, 10)))
    shell.send("\x03")
    spec_tree(tmp_path)
    shell.send("speckeeper abandon specs/2026.2/approved/\t")
    shell.expect("speckeeper abandon specs/2026.2/approved/my-feature.rst ")
    shell.close(force=True)


def spec_tree(root: Path) -> None:
    """A spec, a file that is no spec, and the folders on the way."""
    (root / "specs/2026.2/approved").mkdir(parents=True)
    (root / "specs/2026.2/approved/my-feature.rst").write_text("x\n")
    (root / "specs/2026.2/approved/notes.txt").write_text("x\n")


# What each shell must offer at the end of a line, whatever the shell.
SPECS_CODES_AND_GROUPS = [
    *(
        (f"speckeeper {command} specs/2026.2/approved/", ["specs/2026.2/approved/my-feature.rst"])
        for command in ("check", "fix", "move", "repropose", "abandon", "baseline")
    ),
    ("speckeeper rules SK10", [f"SK10{n}" for n in range(1, 10)]),
    ("speckeeper check --select SK10", [f"SK10{n}" for n in range(1, 10)]),
    ("speckeeper fix --ignore SK101,SK20", [f"SK101,SK20{n}" for n in range(1, 10)]),
    ("speckeeper check --extend-select SK00", ["SK001", "SK002", "SK003", "SK004", "SK005"]),
    ("speckeeper check --group le", ["leftovers"]),
    ("speckeeper check --group lines,", ["lines,structure", "lines,lines", "lines,naming", "lines,lifecycle", "lines,leftovers", "lines,rst", "lines,markdown", "lines,metadata"]),
]


def fish_complete(source: str, line: str, cwd: Path) -> list[str]:
    """What fish offers at the end of ``line`` (``complete -C``), without
    the descriptions."""
    (cwd / "speckeeper.fish").write_text(source)
    program = f"source speckeeper.fish; complete -C {shlex.quote(line)}"
    done = subprocess.run([FISH, "--no-config", "-c", program], cwd=cwd, capture_output=True, text=True, check=True, timeout=30)
    return [word.split("\t")[0] for word in done.stdout.splitlines() if word]


needs_fish = pytest.mark.skipif(FISH is None, reason="no fish on this machine (apt-get install fish)")


@needs_shtab
@needs_fish
def test_fish_completes_commands_options_and_choices(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = script(capsys, "fish")
    assert fish_complete(source, "speckeeper ch", tmp_path) == ["check"]
    assert "--extend-select" in fish_complete(source, "speckeeper check --ext", tmp_path)
    assert "--diff" not in fish_complete(source, "speckeeper check --", tmp_path)
    assert fish_complete(source, "speckeeper check --format s", tmp_path) == ["sarif"]
    assert fish_complete(source, "speckeeper completion ", tmp_path) == ["bash", "zsh", "fish"]


SHELLS = [
    pytest.param("bash", complete, marks=pytest.mark.skipif(BASH is None, reason="no bash on this machine")),
    pytest.param("fish", fish_complete, marks=needs_fish),
]


@needs_shtab
@pytest.mark.parametrize(("shell", "completer"), SHELLS)
@pytest.mark.parametrize(("line", "offered"), SPECS_CODES_AND_GROUPS)
def test_spec_paths_rule_codes_and_groups_complete(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, shell: str, completer: Any, line: str, offered: list[str]
) -> None:
    spec_tree(tmp_path)
    assert sorted(completer(script(capsys, shell), line, tmp_path)) == sorted(offered)


def test_an_unknown_shell_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    ran = speckeeper(capsys, "completion", "tcsh")
    assert ran.code == 2
    assert "invalid choice: 'tcsh'" in ran.err[-1]


def test_without_shtab_it_says_what_to_install(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "shtab", None)  # what an install without the extra has
    ran = speckeeper(capsys, "completion", "bash")
    assert (ran.code, ran.out) == (2, [])
    assert ran.err == ["speckeeper: error: completion needs shtab: pip install 'speckeeper[completion]'"]


def test_a_check_does_not_import_shtab() -> None:
    """The one-file hook's start-up does not pay for completion."""
    code = "import sys; from speckeeper.cli import main; main(['check', '--help']); print('shtab' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60)
    assert done.stdout.splitlines()[-1] == "False"
