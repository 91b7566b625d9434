"""Checking in several processes: the same findings, in the same order, as
in one; a one-file check stays light."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from speckeeper.engine import parallel
from speckeeper.cli import main

from .conftest import FIXTURES, NOVA_GATE_CONFIG

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def mixed_repo(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release of real specs, with broken, undecodable, unreadable and
    template-less files among them."""
    root = tmp_path_factory.mktemp("mixed")
    shutil.copytree(corpus / "specs" / "2023.2", root / "specs" / "2023.2")
    shutil.copy(corpus / "specs" / "2023.2-template.rst", root / "specs")
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (root / ".speckeeper.toml").write_text(NOVA_GATE_CONFIG, encoding="utf-8")
    approved = root / "specs" / "2023.2" / "approved"
    (approved / "a-renamed-section.rst").write_text(GOOD.replace("Testing\n=======\n", "Tests\n=====\n"))
    (approved / "b-latin.rst").write_bytes(GOOD.encode() + b"caf\xe9\n")
    (approved / "c-gone.rst").symlink_to(approved / "nowhere.rst")
    (approved / "d-no-heading.rst").write_text("Just text.\n\n*unclosed emphasis\n")
    # In two states at once: a repo-level finding, found in the main process.
    (root / "specs" / "2023.2" / "implemented").mkdir(exist_ok=True)
    (root / "specs" / "2023.2" / "implemented" / "a-renamed-section.rst").write_text(GOOD)
    (root / "specs" / "1999.1" / "approved").mkdir(parents=True)
    (root / "specs" / "1999.1" / "approved" / "orphan.rst").write_text(GOOD)
    return root


def _check(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_two_jobs_find_the_same_as_one_in_the_same_order(
    mixed_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(mixed_repo)
    files = [p for p in (mixed_repo / "specs").rglob("*.rst") if not p.name.endswith("-template.rst")]
    assert parallel.jobs_for(len(files), 2) == 2  # Enough files for two workers.
    one = _check(["check", "specs", "--extend-select", "SK", "--jobs", "1"], capsys)
    two = _check(["check", "specs", "--extend-select", "SK", "--jobs", "2"], capsys)
    assert one == two
    code, out, err = two
    assert code == 1
    codes = {line.split()[1] for line in out.splitlines()}
    assert {"SK001", "SK002", "SK003", "SK103", "SK107", "SK312", "SK502"} <= codes
    assert err == f"{len(out.splitlines())} finding(s) in {len({line.split(':')[0] for line in out.splitlines()})} file(s)\n"


def test_two_jobs_fix_the_same_specs_as_one_and_report_in_order(
    mixed_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    copies = []
    for jobs in ("1", "2"):
        root = tmp_path / f"jobs-{jobs}"
        shutil.copytree(mixed_repo, root, symlinks=True)
        approved = root / "specs" / "2023.2" / "approved"
        specs = sorted(approved.glob("[!a-d]*.rst"))
        for spec in specs[::3]:  # Trailing blanks and CRLF in every third spec.
            spec.write_bytes(spec.read_bytes().replace(b"\n", b"  \r\n"))
        monkeypatch.chdir(root)
        copies.append((root, _check(["fix", "specs", "--jobs", jobs], capsys)))
    (one_root, one), (two_root, two) = copies
    assert one == two
    code, out, _ = two
    assert code == 1
    fixed = [line.removeprefix("Fixing ") for line in out.splitlines() if line.startswith("Fixing ")]
    assert fixed == sorted(fixed)
    assert {spec.relative_to(two_root).as_posix() for spec in specs[::3]} <= set(fixed)
    assert "SK001" in out and "SK002" in out  # The unreadable specs, reported in their place.
    for spec in (one_root / "specs").rglob("*.rst"):
        twin = two_root / spec.relative_to(one_root)
        if not spec.is_symlink():
            assert spec.read_bytes() == twin.read_bytes()
            assert b"\r" not in spec.read_bytes() or spec.name.startswith("b-")


def test_output_is_sorted_by_path_then_line(
    mixed_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(mixed_repo)
    approved = "specs/2023.2/approved"
    # Arguments in reverse order: the output is still by path.
    names = sorted(os.listdir(approved), reverse=True)
    _, out, _ = _check(["check", *[f"{approved}/{n}" for n in names], "--extend-select", "SK"], capsys)
    positions = [(path, int(line)) for path, line, *_ in (row.split(":", 3) for row in out.splitlines())]
    assert positions == sorted(positions)
    assert len({path for path, _ in positions}) > 3


def test_few_files_are_checked_in_this_process() -> None:
    assert parallel.jobs_for(1, 8) == 1
    assert parallel.jobs_for(parallel.MIN_FILES_PER_JOB * 2 - 1, 8) == 1
    assert parallel.jobs_for(10_000, 2) == 2


@pytest.mark.parametrize("count", [1, 16, 17, 811])
def test_chunks_cover_every_file_once_in_order_large_first(count: int) -> None:
    files = [Path(f"{n}.rst") for n in range(count)]
    found = parallel.chunks(files, 2)
    assert [path for chunk in found for path in chunk] == files
    sizes = [len(chunk) for chunk in found]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-1] <= parallel.MIN_CHUNK


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_jobs_must_be_a_positive_number(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--jobs", value]) == 2
    assert f"argument --jobs/-j: must be a whole number of processes, 1 or more, got '{value}'" in capsys.readouterr().err


def test_a_one_file_check_loads_nothing_it_does_not_use(tmp_path: Path) -> None:
    """Not copier, nor the process pool, nor what docutils would load for
    features the safe settings switch off (which others still get whole),
    nor RE2 for the default configuration's patterns. (json is used: it
    reads the stored template; pickle never is.)"""
    spec = tmp_path / "a.rst"
    spec.write_text(GOOD)
    assert ".. list-table::" in GOOD  # docutils' table directives are used.
    unused = (
        *("copier", "yaml", "concurrent.futures", "multiprocessing", "pygments", "urllib.request", "urllib.error"),
        *("pickle", "hashlib", "re2"),
    )
    script = (
        "import sys\n"
        "from speckeeper.cli import main\n"
        f"code = main(['check', {str(spec)!r}])\n"
        f"print(code, sorted(m for m in {unused!r} if m in sys.modules))\n"
        "import urllib.request, pygments.lexers\n"
        "print(urllib.request.Request.__name__, pygments.lexers.get_lexer_by_name('python').name)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout == "0 []\nRequest Python\n"


@pytest.mark.skipif(
    not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists(), reason="needs Linux /proc children lists"
)
def test_ctrl_c_stops_every_process_quietly(nova_repo: Path) -> None:
    """Interrupted, the check exits 130, with no traceback from any process
    and no worker left behind."""
    import signal
    import time

    check = subprocess.Popen(
        [sys.executable, "-m", "speckeeper", "check", "specs", "--jobs", "2"],
        cwd=nova_repo,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # As at a terminal: a test run started in the background (CI, "&")
        # inherits SIGINT ignored, and Python would keep ignoring it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    children = Path(f"/proc/{check.pid}/task/{check.pid}/children")
    deadline = time.monotonic() + 20
    while len(children.read_text().split()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = [int(pid) for pid in children.read_text().split()]
    assert len(workers) == 2, "the workers did not start"
    check.send_signal(signal.SIGINT)
    _, err = check.communicate(timeout=20)
    assert (check.returncode, err) == (130, ""), f"exit {check.returncode}, stderr: {err[-2000:]}"
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


class _Cyclic:
    """What a task may leave: garbage only the collector frees."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def arguments(self) -> tuple[object, ...]:
        return (self.path,)


def test_files_are_worked_on_without_the_collector_and_their_cycles_freed_after() -> None:
    import gc
    import weakref

    left: list[weakref.ref[_Cyclic]] = []

    def task(worker: _Cyclic, path: Path) -> bool:
        cycle = _Cyclic(path)
        cycle.path = cycle  # type: ignore[assignment]  # A cycle: reference counting never frees it.
        left.append(weakref.ref(cycle))
        if path.name == "bad":
            raise ValueError(path)
        return gc.isenabled()

    assert parallel.map_files(_Cyclic(Path()), task, [Path("a"), Path("b")], 1) == [False, False]
    assert gc.isenabled()
    with pytest.raises(ValueError):
        parallel.map_files(_Cyclic(Path()), task, [Path("bad")], 1)
    assert gc.isenabled()  # Even after a task that failed.
    gc.collect()
    assert all(ref() is None for ref in left)
