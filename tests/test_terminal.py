"""At a terminal: findings in colour as ruff colours them, progress over
many files; piped, in CI or with NO_COLOR: plain text, no progress, and
rich never imported (tested through a pseudo-terminal with pexpect)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from speckeeper.reporting import terminal

from .conftest import FIXTURES

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pexpect drives a POSIX terminal")

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
BROKEN = GOOD.replace("Testing\n=======\n", "Tests\n=====\n")
LINE = BROKEN.splitlines().index("Tests") + 1
# Ruff's colours: the path bold, the colons cyan, the code bold red.
COLOURED = (
    f"\x1b[1ma.rst\x1b[0m\x1b[36m:\x1b[0m{LINE}\x1b[36m:\x1b[0m1\x1b[36m:\x1b[0m \x1b[1;31mSK103\x1b[0m"
    ' unexpected top-level section "Tests"'
)
PLAIN = f'a.rst:{LINE}:1: SK103 unexpected top-level section "Tests"'


def _environment(**extra: str) -> dict[str, str]:
    """This environment as a person's terminal has it: not CI (CI runs the
    tests with CI=true), no NO_COLOR, a terminal that draws."""
    environment = {key: value for key, value in os.environ.items() if key not in ("CI", "NO_COLOR", "FORCE_COLOR")}
    return {**environment, "TERM": "xterm", **extra}


def at_terminal(cwd: Path, *argv: str, **extra: str) -> str:
    """What ``python -m speckeeper ARGV`` shows at a terminal (stdout and
    stderr both), once it has ended."""
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "speckeeper", *argv],
        cwd=str(cwd),
        env=_environment(**extra),
        encoding="utf-8",
        timeout=120,
        dimensions=(24, 200),
    )
    child.expect(pexpect.EOF)
    child.close()
    return child.before.replace("\r\n", "\n")


def piped(cwd: Path, *argv: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "speckeeper", *argv],
        cwd=cwd,
        env=_environment(**extra),
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture()
def broken(in_tmp: Path) -> Path:
    (in_tmp / "a.rst").write_text(BROKEN, encoding="utf-8")
    return in_tmp


def test_findings_are_in_colour_at_a_terminal(broken: Path) -> None:
    shown = at_terminal(broken, "check", "a.rst")
    assert COLOURED in shown
    assert PLAIN not in shown


@pytest.mark.parametrize(("argv", "extra"), [(["--color", "never"], {}), ([], {"NO_COLOR": "1"}), ([], {"TERM": "dumb"})])
def test_no_colour_when_asked_for_none(broken: Path, argv: list[str], extra: dict[str, str]) -> None:
    shown = at_terminal(broken, "check", *argv, "a.rst", **extra)
    assert PLAIN in shown
    assert "\x1b[" not in shown


def test_piped_findings_are_plain_unless_colour_is_asked_for(broken: Path) -> None:
    assert piped(broken, "check", "a.rst").stdout.startswith(PLAIN)
    assert piped(broken, "check", "--color", "always", "a.rst").stdout.startswith(COLOURED)
    # --color always overrides NO_COLOR, as no-color.org asks of a command-line option.
    assert piped(broken, "check", "--color", "always", "a.rst", NO_COLOR="1").stdout.startswith(COLOURED)


def test_fix_colours_what_it_could_not_fix_and_what_it_fixed(in_tmp: Path) -> None:
    long_line = "This line of the paragraph is too long: it runs well past the seventy-ninth column.   \n"
    (in_tmp / "a.rst").write_text(GOOD.replace("None\n", long_line, 1), encoding="utf-8")
    shown = at_terminal(in_tmp, "fix", "a.rst")
    assert "Fixing a.rst" in shown
    assert "\x1b[1;31mSK203\x1b[0m trailing whitespace" in shown


# A check over many files at a terminal takes seconds: the tests of its
# progress are marked slow (the fast set keeps the piped one).
@pytest.fixture()
def many(in_tmp: Path) -> Path:
    (in_tmp / "specs").mkdir()
    for number in range(terminal.MANY_FILES + 10):
        (in_tmp / "specs" / f"s{number:03}.rst").write_text(BROKEN, encoding="utf-8")
    return in_tmp


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_progress_at_a_terminal_over_many_files(many: Path, jobs: str) -> None:
    total = terminal.MANY_FILES + 10
    shown = at_terminal(many, "check", "-j", jobs, "specs")
    assert "checking" in shown and f"/{total}" in shown
    # Gone before the findings are printed: they follow it, whole.
    after = shown.rsplit(f"/{total}", 1)[1]
    assert after.count("SK103") == total
    assert after.endswith(piped(many, "check", "specs").stderr)


@pytest.mark.slow
@pytest.mark.parametrize(("argv", "extra"), [(["-q"], {}), ([], {"CI": "true"}), ([], {"PRE_COMMIT": "1"})])
def test_no_progress_when_quiet_in_ci_or_under_pre_commit(many: Path, argv: list[str], extra: dict[str, str]) -> None:
    shown = at_terminal(many, "check", *argv, "specs", **extra)
    assert "checking" not in shown and "SK103" in shown


def test_no_progress_when_piped(many: Path) -> None:
    done = piped(many, "check", "specs")
    assert done.returncode == 1
    assert done.stderr.endswith(f" finding(s) in {terminal.MANY_FILES + 10} file(s)\n")
    assert "checking" not in done.stderr and "\x1b" not in done.stderr


@pytest.mark.slow
def test_fix_shows_progress_too(many: Path) -> None:
    assert "fixing" in at_terminal(many, "fix", "--check", "specs")


def test_a_piped_one_file_check_never_imports_rich(broken: Path) -> None:
    """What ``python -X importtime`` lists: not rich, findings or none."""
    (broken / "b.rst").write_text(GOOD, encoding="utf-8")
    for spec, code in (("a.rst", 1), ("b.rst", 0)):
        done = piped(broken, "check", spec, PYTHONPROFILEIMPORTTIME="1")
        assert done.returncode == code
        imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
        assert "docutils" in imported
        assert not {name for name in imported if name.split(".")[0] == "rich"}


def test_at_a_terminal_rich_is_imported_only_to_colour_findings(broken: Path) -> None:
    (broken / "b.rst").write_text(GOOD, encoding="utf-8")
    script = "import sys; from speckeeper.cli import main; main(sys.argv[1:]); print('rich' in sys.modules)"
    pexpect = pytest.importorskip("pexpect")
    for spec, imported in (("b.rst", "False"), ("a.rst", "True")):
        child = pexpect.spawn(
            sys.executable, ["-c", script, "check", spec], cwd=str(broken), env=_environment(), encoding="utf-8"
        )
        child.expect(pexpect.EOF)
        assert child.before.splitlines()[-1].strip() == imported
