"""What a hook's run imports: only what it needs (issue 27).

Each run is a fresh process (as a commit hook runs it) that records
``sys.modules`` after ``main`` returns; a module listed as not needed
failing to stay out is a start-up cost every commit would pay.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES

SPEC = "specs/2027.1/approved/awesome-thing.rst"

# Run main(argv), then write the modules it imported, one a line, to a file
# (standard output is the command's own).
DRIVER = (
    "import sys\n"
    "from speckeeper.cli import main\n"
    "code = main(sys.argv[2:])\n"
    "open(sys.argv[1], 'w').write('\\n'.join(sorted(sys.modules)))\n"
    "sys.exit(code)\n"
)

# Other commands' modules, the optional extras, and writing: a one-file
# check that prints its findings needs none of them.
NOT_FOR_A_CHECK = (
    "speckeeper.lsp",
    "speckeeper.commands.move",
    "speckeeper.commands.repropose",
    "speckeeper.commands.plan",
    "speckeeper.commands.status",
    "speckeeper.reporting.status",
    "speckeeper.reporting.status_html",
    "speckeeper.reporting.reports",
    "speckeeper.copier.data",
    "speckeeper.commands.new",
    "speckeeper.commands.commitmsg",
    "speckeeper.fixing.fix",
    "speckeeper.engine.baseline",
    "speckeeper.engine.cache",
    "speckeeper.files.atomic",
    "speckeeper.rules.docs",
    "speckeeper.commands.explain",
    "speckeeper.commands.init",
    "yaml",
    "jinja2",
    "copier",
    "rich",
    "pygls",
    "lsprotocol",
    # The Markdown format's reading: these specs are reStructuredText.
    "speckeeper.document.markdown.build",
    "speckeeper.document.markdown.events",
    "speckeeper.document.markdown.reading",
    "speckeeper.document.markdown.pieces",
    "markdown_it",
    "pyromark",
    # Declaring a dataclass at import costs ~0.6 ms (its methods compiled),
    # importing dataclasses 5 ms more (inspect, ast, dis): a check's records
    # are NamedTuples or plain classes.
    "dataclasses",
    "inspect",
    # argparse's help formatter imports shutil (with bz2 and lzma) to size
    # help that a run does not print: speckeeper's measures the terminal.
    "shutil",
    # Smart quotes are off: docutils' module for them is a stand-in until used.
    "docutils.utils.smartquotes",
    # OpenSSL's load (4 ms): only a finding checked against a baseline, a
    # report or the findings cache hashes; the commit facts are kept whole.
    "hashlib",
)

# A repo without a configuration file has its settings read off its tree:
# no TOML is read.
NOT_WITHOUT_A_CONFIG_FILE = ("tomllib", "tomli")

# A commit-message hook that needs no spec needs no parser either.
PARSING = ("docutils", "speckeeper.document.rst.parse", "speckeeper.document.rst.build", "speckeeper.rules", "speckeeper.engine.check")

# A commit-message hook whose answer needs no configuration (a message
# already written, a message with APIImpact) reads none, nor the output
# formats; with its message written, prepare-commit-msg does not run git.
CONFIGURING = (*PARSING, "speckeeper.config.settings", "speckeeper.config.detect", *NOT_WITHOUT_A_CONFIG_FILE, "speckeeper.reporting.output")


def imported(cwd: Path, tmp_path: Path, *argv: str) -> tuple[int, set[str]]:
    record = tmp_path / "modules.txt"
    ran = subprocess.run(
        (sys.executable, "-c", DRIVER, str(record), *argv),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert record.exists(), ran.stderr
    return ran.returncode, set(record.read_text().splitlines())


def git(repo: Path, *args: str) -> None:
    subprocess.run(("git", *args), cwd=repo, check=True, capture_output=True)


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A spec repo holding one good spec, committed; git sees no outside config."""
    for name in list(os.environ):
        if name.startswith(("GIT_", "PRE_COMMIT")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    root = tmp_path / "specs-repo"
    (root / SPEC).parent.mkdir(parents=True)
    (root / SPEC).write_bytes((FIXTURES / "good-spec.rst").read_bytes())
    git(root, "init", "-q", "-b", "main")
    git(root, "-c", "user.name=A", "-c", "user.email=a@example.com", "add", ".")
    git(root, "-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-q", "--no-verify", "-m", "Spec")
    return root


def test_one_file_check_imports_no_other_command_nor_extra(repo: Path, tmp_path: Path) -> None:
    code, modules = imported(repo, tmp_path, "check", SPEC)
    assert code == 0
    assert "speckeeper.engine.check" in modules  # The driver saw the check run.
    assert sorted(modules.intersection(NOT_FOR_A_CHECK)) == []
    assert sorted(modules.intersection(NOT_WITHOUT_A_CONFIG_FILE)) == []


def test_the_commit_hook_imports_no_other_command_nor_extra(repo: Path, tmp_path: Path) -> None:
    # What the docs' snippet runs at a commit: fix, check, the folder-level rules.
    (repo / SPEC).write_text((repo / SPEC).read_text() + "\nMore.\n")
    git(repo, "add", SPEC)
    code, modules = imported(repo, tmp_path, "check", "--fix", "--staged", SPEC)
    assert code == 0
    assert "speckeeper.fixing.fix" in modules and "speckeeper.rules.lifecycle" in modules
    # commitmsg: the hook works out, for commit-msg, whether the commit needs anything of its message.
    needed = {"speckeeper.fixing.fix", "speckeeper.files.atomic", "speckeeper.engine.baseline", "speckeeper.commands.commitmsg"}
    unneeded = set(NOT_FOR_A_CHECK) - needed
    assert sorted(modules.intersection(unneeded | set(NOT_WITHOUT_A_CONFIG_FILE))) == []


def test_the_commit_hook_hashes_no_finding_the_baseline_cannot_hold(repo: Path, tmp_path: Path) -> None:
    """A repo's baseline records another spec's finding (its own folder's
    redirect included): a commit of a clean spec fingerprints nothing, and
    imports no hashlib; a finding the baseline may hold is matched."""
    other = "specs/2027.1/approved/other-thing.rst"
    (repo / other).write_text((FIXTURES / "good-spec.rst").read_text())  # Its tracker URL names awesome-thing: SK303.
    (repo / "specs/2027.1/redirects").write_text("approved/gone.rst ../implemented/gone.rst\n")  # SK311.
    assert imported(repo, tmp_path, "baseline")[0] == 0
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-q", "--no-verify", "-m", "More")
    (repo / SPEC).write_text((repo / SPEC).read_text() + "\nMore.\n")
    git(repo, "add", SPEC)
    code, modules = imported(repo, tmp_path, "check", "--fix", "--staged", SPEC)
    assert code == 0 and "speckeeper.engine.baseline" in modules
    assert "hashlib" not in modules
    (repo / other).write_text((repo / other).read_text() + "\nMore.\n")
    git(repo, "add", other)
    code, modules = imported(repo, tmp_path, "check", "--fix", "--staged", other)
    assert code == 0 and "hashlib" in modules  # Its SK303 is recorded: matched, held back.


def test_commit_msg_with_apiimpact_parses_no_spec(repo: Path, tmp_path: Path) -> None:
    (repo / SPEC).write_text((repo / SPEC).read_text() + "\nMore.\n")
    git(repo, "add", SPEC)
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text("Change the spec\n\nAPIImpact\n")
    code, modules = imported(repo, tmp_path, "commit-msg", str(message))
    assert code == 0
    assert "speckeeper.commands.commitmsg" in modules
    assert sorted(modules.intersection(CONFIGURING)) == []


def test_commit_msg_of_a_commit_touching_no_spec_parses_none(repo: Path, tmp_path: Path) -> None:
    (repo / "README.rst").write_text("Specs\n=====\n")
    git(repo, "add", "README.rst")
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text("Say what the repo is\n")
    code, modules = imported(repo, tmp_path, "commit-msg", str(message))
    assert code == 0
    assert sorted(modules.intersection(PARSING)) == []


def test_prepare_commit_msg_of_a_written_message_parses_no_spec(repo: Path, tmp_path: Path) -> None:
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text("Already written\n")
    code, modules = imported(repo, tmp_path, "prepare-commit-msg", str(message), "message")
    assert code == 0
    assert message.read_text() == "Already written\n"
    assert sorted(modules.intersection((*CONFIGURING, "subprocess", "speckeeper.files.gitrepo"))) == []


def test_commit_msg_reads_the_facts_the_commit_hook_kept_and_parses_no_spec(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The docs' snippet at a commit changing a spec's REST API impact:
    the pre-commit stage keeps what commit-msg reads of the staged spec
    (and kept HEAD's when it was staged), so commit-msg imports no parser."""
    monkeypatch.setenv("SPECKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text("Grow the API\n")
    text = (repo / SPEC).read_text()
    for said in ("A new call.", "A new call and a new field."):  # HEAD's copy, then the staged one.
        (repo / SPEC).write_text(text.replace("REST API impact\n---------------\n\nNone\n", f"REST API impact\n---------------\n\n{said}\n"))
        git(repo, "add", SPEC)
        assert imported(repo, tmp_path, "check", "--fix", "--staged", "--quiet", SPEC)[0] == 0
        if said == "A new call.":
            git(repo, "-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-q", "--no-verify", "-m", "APIImpact")
    code, modules = imported(repo, tmp_path, "commit-msg", str(message))
    assert code == 1  # It needs the flag: the spec was read.
    assert sorted(modules.intersection((*PARSING, "hashlib"))) == []
    monkeypatch.setenv("SPECKEEPER_CACHE_DIR", "")  # Nothing kept: the spec is parsed.
    code, modules = imported(repo, tmp_path, "commit-msg", str(message))
    assert code == 1
    assert "docutils" in modules


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_a_run_naming_no_command_sets_up_no_command(repo: Path, tmp_path: Path, option: str) -> None:
    # What a newcomer types first: the names and help of the commands are
    # all it shows, so no command's options (and their imports) are set up.
    code, modules = imported(repo, tmp_path, option)
    assert code == 0
    assert "speckeeper.cli" in modules
    assert sorted(modules.intersection((*PARSING, *NOT_FOR_A_CHECK, "speckeeper.config.settings"))) == []


# The ``speckeeper`` command itself (its entry point), the modules it
# imported written at exit.
LAUNCHER = (
    "import atexit, sys\n"
    "record = sys.argv.pop(1)\n"
    "atexit.register(lambda: open(record, 'w').write('\\n'.join(sorted(sys.modules))))\n"
    "from speckeeper.launch import entry\n"
    "entry()\n"
)


def launched(cwd: Path, tmp_path: Path, *argv: str, env: dict[str, str] | None = None) -> tuple[int, set[str]]:
    record = tmp_path / "launched.txt"
    ran = subprocess.run(
        (sys.executable, "-c", LAUNCHER, str(record), *argv),
        cwd=cwd, capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})},
    )  # fmt: skip
    assert record.exists(), ran.stderr
    return ran.returncode, set(record.read_text().splitlines())


@pytest.mark.parametrize(("argv", "env"), [(["message"], {}), ([], {"PRE_COMMIT_COMMIT_MSG_SOURCE": "merge"})])
def test_prepare_commit_msg_of_a_written_message_sets_up_no_command_line(
    repo: Path, tmp_path: Path, argv: list[str], env: dict[str, str]
) -> None:
    """A commit made with -m (or a merge): the entry point answers before
    the command line, the configuration's option or pathlib is imported."""
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text("Already written\n")
    code, modules = launched(repo, tmp_path, "prepare-commit-msg", str(message), *argv, env=env)
    assert code == 0
    assert message.read_text() == "Already written\n"
    # Nor typing, re or contextlib, which the entry point's own module does without.
    unneeded = ("speckeeper.cli", "argparse", "pathlib", "speckeeper.config.option", "typing", "re", "contextlib")
    assert sorted(modules.intersection(unneeded)) == []


@pytest.mark.parametrize("argv", [["--config", "nowhere.toml", "{message}", "message"], ["{message}"], ["{message}", "template"]])
def test_prepare_commit_msg_otherwise_goes_through_the_command_line(repo: Path, tmp_path: Path, argv: list[str]) -> None:
    """An option, or a message not yet written: the command line as usual."""
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text("")
    code, modules = launched(repo, tmp_path, "prepare-commit-msg", *(word.format(message=message) for word in argv))
    assert code == 0
    assert "speckeeper.cli" in modules
