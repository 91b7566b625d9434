"""Shared fixtures: the real nova-specs corpus, and small spec files.

A test that needs the corpus is marked ``corpus`` (by the fixtures it
uses, see :func:`pytest_collection_modifyitems`); end-to-end tests are
marked ``slow``. ``pytest -m "not corpus and not slow"`` is the fast set.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from speckeeper.cli import main

# Property tests: CI runs each test's whole count of examples (the figure
# its ``examples()`` call gives), the same ones at each run (derandomized),
# so that what lands is judged on what was run there. A local run ("dev")
# runs a quarter of them, new ones at each run: the edit-test loop stays
# fast, and run after run explores further. ``pytest
# --hypothesis-profile=ci`` runs CI's locally.
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("dev", max_examples=25)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def examples(count: int) -> int:
    """A property test's count of examples under the profile loaded:
    ``count`` under CI's (Hypothesis' default of 100), a quarter under
    "dev", never fewer than 5."""
    return max(5, count * settings.default.max_examples // 100)


REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = REPO.parent / "shared" / "corpus" / "nova-specs"

# What nova-specs' own gate enforces (see ../shared/corpus/nova-specs/SOURCE.md),
# as a speckeeper configuration.
NOVA_GATE_CONFIG = """\
template = "specs/{release}-template.rst"
exclude = ["*-template.rst", "specs/abandoned/**"]

[[overrides]]
paths = ["specs/queens/**"]
optional-sections = ["History", "Feature Liaison", "Upgrade impact"]
"""


def _session_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this test session's that every pytest-xdist worker of it
    shares (each worker's own temporary folders are under it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def _one_worker_at_a_time(lock: Path) -> Iterator[None]:
    """Held by one process of the session at a time (where the platform
    can lock a file; elsewhere each worker does the work itself)."""
    try:
        import fcntl
    except ImportError:  # Windows: no shared work, the same results.
        yield
        return
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)


@pytest.fixture(scope="session", autouse=True)
def template_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Parsed templates (and the corpus' findings, :func:`nova_cache`) are
    kept in a folder of the test session's, which its workers share, not
    the user's cache folder; subprocesses inherit it."""
    folder = _session_folder(tmp_path_factory) / "speckeeper-cache"
    folder.mkdir(mode=0o700, exist_ok=True)  # As private as pytest makes its own.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPECKEEPER_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def jinja_compiled_once() -> Iterator[None]:
    """Each Jinja template source compiled once a test module, not once a
    rendering: copier makes a new Jinja environment for each spec it
    writes and compiles the same template and questions again (three
    quarters of a rendering's CPU). A compiled template is Python code
    made from its source, its name and the environment's settings that
    the compiler reads, so it is kept under all of them; the rendering
    itself runs as it would, with each test's answers."""
    from jinja2 import Environment

    try:  # Jinja's internals: where they are not as read here, renderings compile as they would.
        from jinja2.lexer import get_lexer
        from jinja2.utils import _PassArg
    except ImportError:
        yield
        return
    compile_anew = Environment.compile
    compiled: dict[tuple[object, ...], object] = {}

    def passing(functions: dict[str, object]) -> tuple[tuple[str, object], ...]:
        return tuple(sorted((name, _PassArg.from_obj(function)) for name, function in functions.items()))

    def compile_once(env: Environment, source: object, name: str | None = None, filename: str | None = None,
                     raw: bool = False, defer_init: bool = False) -> object:  # fmt: skip
        if not isinstance(source, str):  # A parsed tree: not a key.
            return compile_anew(env, source, name, filename, raw, defer_init)
        settings = (
            type(env), env.code_generator_class, tuple(sorted(env.extensions)), get_lexer(env), env.optimized,
            env.is_async, env.autoescape, env.finalize, passing(env.filters), passing(env.tests),
        )  # fmt: skip
        key = (source, name, filename, raw, defer_init, settings)
        if key not in compiled:
            compiled[key] = compile_anew(env, source, name, filename, raw, defer_init)
        return compiled[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Environment, "compile", compile_once)
        yield


@pytest.fixture(scope="module")
def copier_yml_read_once() -> Iterator[None]:
    """copier.yml (and the files it includes) read once a test module for
    each content it has: copier reads it with PyYAML's pure-Python loader
    at each spec it writes (about a tenth of a second each). Kept under the
    bytes of every file the reading takes in; each rendering gets a copy
    of its own, as copier would make it."""
    import copy
    import re

    from copier import _template

    read_anew = getattr(_template, "load_template_config", None)
    if read_anew is None:  # copier's internals moved: each rendering reads copier.yml, as copier would.
        yield
        return
    loaded: dict[tuple[object, ...], Any] = {}

    def files_read(conf_path: Path) -> tuple[tuple[Path, bytes], ...]:
        """copier.yml and, as copier's ``!include`` finds them (globs from
        the template's folder), the files it includes, their includes too."""
        root = conf_path.parent.resolve()
        read: dict[Path, bytes] = {}
        waiting = [conf_path.resolve()]
        while waiting:
            path = waiting.pop()
            if path not in read:
                read[path] = path.read_bytes()
                for pattern in re.findall(rb"!include\s+[\"']?([^\s\"']+)", read[path]):
                    waiting.extend(sorted(found.resolve() for found in root.glob(pattern.decode())))
        return tuple(sorted(read.items()))

    def read_once(conf_path: Path, quiet: bool = False) -> Any:
        try:
            key = (conf_path.resolve(), quiet, files_read(conf_path))
        except (OSError, ValueError, NotImplementedError):  # Not read here (an absolute include): copier says why.
            return read_anew(conf_path, quiet)
        if key not in loaded:
            loaded[key] = read_anew(conf_path, quiet)
        return copy.deepcopy(loaded[key])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_template, "load_template_config", read_once)
        yield


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The read-only nova-specs corpus; tests that need it skip without it."""
    if not (CORPUS / "specs").is_dir():
        pytest.skip(f"the nova-specs corpus is not at {CORPUS} (../shared/ beside the repo)")
    return CORPUS


@pytest.fixture(scope="session")
def nova_repo(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable copy of the corpus with the nova-gate configuration.

    Session-scoped: tests must not modify it; copy what you mutate.
    """
    root = tmp_path_factory.mktemp("nova-specs")
    shutil.copytree(corpus / "specs", root / "specs")
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (root / ".speckeeper.toml").write_text(NOVA_GATE_CONFIG, encoding="utf-8")
    return root


@dataclass(frozen=True)
class Found:
    """One finding of a check, as its JSON output gives it."""

    path: str
    line: int
    col: int
    code: str
    message: str

    def __str__(self) -> str:
        """The line the text format prints."""
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"


@pytest.fixture(scope="session")
def nova_cache(template_store: Path) -> Path:
    """A findings cache (``--cache``) for checks of the corpus with every
    rule on, shared by the session's workers: the first check fills it, a
    copy of the corpus checked again reads it."""
    return template_store / "nova-findings"


@pytest.fixture(scope="session")
def nova_findings(nova_repo: Path, nova_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Found, ...]:
    """What ``speckeeper check specs`` finds in the corpus under nova's
    configuration with every rule on, in the order it prints them.

    Checked once a session, by whichever worker asks first (the others
    wait, then read what it printed): a test about some rules filters this
    by code instead of checking all 814 specs again with its own ``--select``.
    """
    shared = _session_folder(tmp_path_factory)
    printed = shared / "nova-findings.json"
    with _one_worker_at_a_time(shared / "nova-findings.lock"):
        if not printed.exists():
            out = io.StringIO()
            with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out):
                patch.chdir(nova_repo)
                argv = ["check", "specs", "--select", "SK", "--format", "json", "--no-baseline", "--cache", str(nova_cache)]
                code = main(argv)
            assert code == 1, "nova-specs has findings with every rule on"
            partial = printed.with_suffix(".partial")
            partial.write_text(out.getvalue(), encoding="utf-8")
            partial.replace(printed)  # Whole or not there, whatever stops this worker.
        records = json.loads(printed.read_text(encoding="utf-8"))
    return tuple(Found(**record) for record in records)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``corpus`` every test that needs the corpus, through whichever
    fixture (``corpus``, ``nova_repo``, ``nova_git``, ``nova_findings``)."""
    for item in items:
        if "corpus" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.corpus)


@pytest.fixture()
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder, so that no config up the tree applies."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def speckeeper_bounded(cwd: Path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """``speckeeper ARGS`` in a process of its own, with a time limit and a
    memory cap: what would hang or fill memory fails the test, not the run."""

    def cap_memory() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run(
        [sys.executable, "-m", "speckeeper", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=cap_memory if sys.platform != "win32" else None,
        check=False,
    )


def run_driver(driver: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The Python code ``driver`` run with ``args`` in a process of its
    own (a fresh interpreter: what it imports, what it reads from the
    user's cache folder), without colour."""
    return subprocess.run(
        (sys.executable, "-c", driver, *args),
        cwd=cwd, capture_output=True, text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"}, check=False,
    )  # fmt: skip


@dataclass(frozen=True)
class Ran:
    """What a user sees of one speckeeper command: its exit code, and the
    lines it printed to stdout and stderr."""

    code: int
    out: list[str]
    err: list[str]


def speckeeper(capsys: pytest.CaptureFixture[str], *argv: str) -> Ran:
    """Run ``speckeeper argv`` in this process, as a user would; whatever
    the input, what they see is never a traceback."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return Ran(code, out.splitlines(), err.splitlines())


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with no configuration from outside; its output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    done = subprocess.run(("git", *args), cwd=repo, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def git_repo(root: Path) -> Path:
    """``root`` made a git work tree with everything in it committed."""
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "as it is")
    return root


def tree_state(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` but .git's, by relative path, with its
    bytes (a link as where it leads): what "nothing changed" compares."""
    state = {}
    for path in sorted(root.rglob("*")):
        if ".git" in path.relative_to(root).parts or path.is_dir() and not path.is_symlink():
            continue
        relpath = path.relative_to(root).as_posix()
        state[relpath] = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
    return state


@pytest.fixture(scope="module")
def nova_git(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git work tree holding a copy of the corpus, with the nova-gate
    configuration, committed: one a test module (copying and committing
    814 specs takes seconds). Tests reset it with :func:`reset`."""
    root = tmp_path_factory.mktemp("nova-git")
    shutil.copytree(corpus / "specs", root / "specs")
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (root / ".speckeeper.toml").write_text(NOVA_GATE_CONFIG, encoding="utf-8")
    return git_repo(root)


def reset(repo: Path) -> None:
    """The work tree and index back to the last commit."""
    git(repo, "reset", "-q", "--hard")
    git(repo, "clean", "-qfdx")
