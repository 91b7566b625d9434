"""speckeeper's benchmark: how fast, against what, with how much memory.

Run it with the Python of the environment speckeeper is installed in:

    .venv/bin/python benchmarks/run.py              # median of 5 runs each
    .venv/bin/python benchmarks/run.py --repeat 7
    .venv/bin/python benchmarks/run.py --quick      # a smoke run, not figures
    .venv/bin/python benchmarks/run.py --only 2,6,7 # some items (and item 1)
    .venv/bin/python benchmarks/run.py --markdown benchmarks/RESULTS.md

On a copy of the nova-specs corpus (``../shared/corpus/nova-specs`` beside
the repository, or ``--corpus``) configured as nova's gate, it measures:

1. ``speckeeper check``, every rule, the whole corpus, in 1 and in all jobs;
2. the same through ``pre-commit run --all-files`` with the shipped hooks;
3. doc8 over the same files (doc8 in an environment of its own: ``--doc8``);
4. a bare docutils parse of the same files in as many processes
   (``benchmarks/floor.py``): the floor for any doctree-based checker;
5. a one-file check, against ``python -c "import docutils.core"``;
6. ``copier copy --defaults`` of a spec, against copier copying a minimal
   one-file template kept in a repository of this one's files (copier
   checks out a template's whole repository: that is its floor for a
   template kept here), and against one in a repository of its own;
7. ``speckeeper fix`` over a mutated copy of the corpus;
8. growth: 1x, 2x and 4x copies of the corpus;

and, beyond those, ``--cache`` warm against cold, and item 1 with every
template parsed again (speckeeper keeps parsed templates between runs; here
in the work folder, so the first run of each item parses them). Each command runs as a
child process, in rounds (one run of each a round) so that a slow spell of
the machine spreads over all of them. It reports the median wall time, the
CPU time, the peak memory of the largest process (``ru_maxrss``) and of the
whole process tree (sampled from /proc), then the ratios the targets are
about. What the repository does not have yet is reported as skipped.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "nova-specs"
BIN = Path(sys.executable).parent
# doc8 pins an older docutils than speckeeper's: it gets an environment of its own.
DOC8_VENV = REPO / "benchmarks" / ".venv-doc8" / "bin" / "doc8"
DOC8_SETUP = "python3 -m venv benchmarks/.venv-doc8 && benchmarks/.venv-doc8/bin/pip install doc8==2.0.0"
MB = 1024  # ru_maxrss and VmRSS are in KiB.

sys.path.insert(0, str(REPO))
from tests.conftest import NOVA_GATE_CONFIG  # noqa: E402  (the gate, as the tests configure it)

from speckeeper.files.usercache import ENV as STORE_ENV  # noqa: E402


@dataclass
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds, children included
    rss: int  # KiB, the largest single process
    tree_rss: int  # KiB, the whole process tree at its peak (sampled)


@dataclass
class Bench:
    key: str
    label: str
    cmd: list[str]
    cwd: Path
    prepare: Callable[[], None] | None = None  # Before each run, not timed.
    ok: tuple[int, ...] = (0, 1)  # Exit codes of a run that did its job (1: findings, files fixed).
    skipped: str = ""
    failed: str = ""
    samples: list[Sample] = field(default_factory=list)

    def median(self, attribute: str = "wall") -> float:
        return statistics.median(getattr(s, attribute) for s in self.samples)


def _tree_rss(root: int) -> int:
    """The resident memory of a process and all its descendants, in KiB."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"^VmRSS:\s+(\d+)", status, re.MULTILINE)
            total += int(match.group(1)) if match else 0
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


def measure(cmd: Sequence[str], cwd: Path, env: dict[str, str]) -> tuple[Sample, int, str]:
    """Run ``cmd`` once: its sample, exit code and the end of its stderr."""
    with tempfile.TemporaryFile() as stderr:
        peak = [0]
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True
        )
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                peak[0] = max(peak[0], _tree_rss(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Interrupted: leave nothing running.
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        finally:
            done.set()
        wall = time.perf_counter() - start
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        tail = stderr.read().decode(errors="replace").strip().splitlines()[-1:]
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(wall, cpu, usage.ru_maxrss, max(peak[0], usage.ru_maxrss)), proc.returncode, "".join(tail)


def _tool(name: str) -> str | None:
    beside = BIN / name
    return str(beside) if beside.exists() else shutil.which(name)


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def _copy_corpus(corpus: Path, dest: Path, quick: bool) -> list[str]:
    """A writable copy configured as nova's gate; the files speckeeper checks."""
    shutil.copytree(corpus / "specs", dest / "specs")
    for path in dest.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (dest / ".speckeeper.toml").write_text(NOVA_GATE_CONFIG, encoding="utf-8")
    from speckeeper.engine.check import collect
    from speckeeper.config.settings import load_file

    config = load_file(dest / ".speckeeper.toml")
    files = [p.relative_to(dest).as_posix() for p in collect([dest / "specs"], config)]
    if quick:  # Every fourth spec: enough to see that every item runs.
        for dropped in files[1::4] + files[2::4] + files[3::4]:
            (dest / dropped).unlink()
        files = files[::4]
    return files


def _lines(root: Path, files: Sequence[str]) -> int:
    return sum((root / f).read_bytes().count(b"\n") for f in files)


def _mutate(root: Path, files: Sequence[str]) -> None:
    """What ``fix`` is for: trailing spaces on every fifth text line, and
    every third title underline one character short."""
    adornment = re.compile(r"^([=\-~^\"'`#*+<>])\1{3,}$")
    for name in files:
        path = root / name
        lines = path.read_text(encoding="utf-8").split("\n")
        titles = 0
        for index, line in enumerate(lines):
            if adornment.match(line) and index and lines[index - 1].strip() and not adornment.match(lines[index - 1]):
                titles += 1
                if titles % 3 == 0:
                    lines[index] = line[:-1]
            elif line.strip() and index % 5 == 0:
                lines[index] = line + "  "
        path.write_text("\n".join(lines), encoding="utf-8")


def _has_command(speckeeper: str, command: str, env: dict[str, str]) -> str:
    """The command's help text, or "" when speckeeper has no such command."""
    done = subprocess.run([speckeeper, command, "--help"], capture_output=True, text=True, env=env)
    return done.stdout if done.returncode == 0 else ""


@dataclass
class Setup:
    """What every item's set-up shares."""

    args: argparse.Namespace
    work: Path
    env: dict[str, str]
    nova: Path  # The corpus copy, configured as nova's gate.
    files: list[str]  # What speckeeper checks there, relative to it.
    facts: dict[str, object]
    speckeeper: str = str(BIN / "speckeeper")

    @property
    def jobs(self) -> str:
        return str(self.args.jobs)

    @property
    def check(self) -> list[str]:
        return [self.speckeeper, "check", "specs", "--select", "SK"]


def _commit_all(repo: Path, message: str) -> None:
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=bench", "-c", "user.email=bench@example.org", "commit", "-qm", message)


def item_check(setup: Setup) -> list[Bench]:
    """1. speckeeper check, every rule, in one job and in all."""
    return [
        Bench("check-1", "1. speckeeper check, 1 job", [*setup.check, "--jobs", "1"], setup.nova),
        Bench("check-n", f"1. speckeeper check, {setup.jobs} jobs", [*setup.check, "--jobs", setup.jobs], setup.nova),
        # Every template parsed again, as on a first run or with the store off.
        Bench(
            "check-n-parsed",
            f"1. speckeeper check, {setup.jobs} jobs, templates parsed (no store)",
            ["env", f"{STORE_ENV}=", *setup.check, "--jobs", setup.jobs],
            setup.nova,
        ),
    ]


def item_pre_commit(setup: Setup) -> list[Bench]:
    """2. pre-commit with the shipped hooks, at this repository's HEAD."""
    bench = Bench("pre-commit", "2. pre-commit run --all-files", [], setup.work / "precommit")
    hooks_file = REPO / ".pre-commit-hooks.yaml"
    pre_commit = _tool("pre-commit")
    if not hooks_file.is_file():
        bench.skipped = "no .pre-commit-hooks.yaml in the repository yet (issue 6)"
        return [bench]
    if not pre_commit:
        bench.skipped = "pre-commit is not installed here"
        return [bench]
    import yaml

    hooks = [hook["id"] for hook in yaml.safe_load(hooks_file.read_text(encoding="utf-8"))]
    # The hook that runs every rule is item 1's command; the per-group hooks
    # would check the same files again, one group each.
    hooks = ["speckeeper"] if "speckeeper" in hooks else hooks
    repo = bench.cwd
    shutil.copytree(setup.nova, repo)
    rev = _git(REPO, "rev-parse", "HEAD")
    hook_list = "".join(f"      - id: {hook}\n        args: [--select, SK]\n" for hook in hooks)
    (repo / ".pre-commit-config.yaml").write_text(f"repos:\n  - repo: {REPO}\n    rev: {rev}\n    hooks:\n{hook_list}")
    setup.env["PRE_COMMIT_HOME"] = str(setup.work / "pre-commit-home")
    _commit_all(repo, "corpus")
    installed = subprocess.run([pre_commit, "install-hooks"], cwd=repo, env=setup.env, capture_output=True, text=True)
    if installed.returncode != 0:
        bench.skipped = f"pre-commit install-hooks failed: {(installed.stdout + installed.stderr).strip().splitlines()[-1:]}"
        return [bench]
    bench.cmd = [pre_commit, "run", "--all-files"]

    def undo_fixes() -> None:
        _git(repo, "checkout", "-q", "--", ".")

    bench.prepare = undo_fixes
    setup.facts["pre-commit hooks"] = f"{', '.join(hooks)} at {rev[:10]} (installed before timing)"
    return [bench]


def item_doc8(setup: Setup) -> list[Bench]:
    """3. doc8, the tool users run today, over the same files."""
    doc8 = setup.args.doc8 or (str(DOC8_VENV) if DOC8_VENV.exists() else _tool("doc8"))
    if not doc8:
        return [Bench("doc8", "3. doc8", [], setup.nova, skipped=f"doc8 is not installed (see --doc8: {DOC8_SETUP})")]
    version = subprocess.run([doc8, "--version"], capture_output=True, text=True).stdout.strip()
    setup.facts["doc8"] = f"{version} ({doc8})"
    return [Bench("doc8", "3. doc8", [doc8, *setup.files], setup.nova)]


def item_floor(setup: Setup) -> list[Bench]:
    """4. The docutils floor, in as many processes as item 1."""
    floor = [sys.executable, str(REPO / "benchmarks" / "floor.py"), "--files-from", str(setup.work / "files.txt")]
    return [
        Bench("floor-1", "4. docutils floor, 1 process", [*floor, "--jobs", "1"], setup.nova, ok=(0,)),
        Bench("floor-n", f"4. docutils floor, {setup.jobs} processes", [*floor, "--jobs", setup.jobs], setup.nova, ok=(0,)),
    ]


def item_one_file(setup: Setup) -> list[Bench]:
    """5. One file, against the interpreter and docutils' import."""
    sizes = sorted(((setup.nova / f).read_bytes().count(b"\n"), f) for f in setup.files)
    median_lines, one = sizes[len(sizes) // 2]
    setup.facts["one file"] = f"{one} ({median_lines} lines, the median), default rules as a commit hook runs them"
    return [
        Bench("one-file", "5. speckeeper check, one file", [setup.speckeeper, "check", one], setup.nova),
        Bench("import", '5. python -c "import docutils.core"', [sys.executable, "-c", "import docutils.core"], setup.nova, ok=(0,)),
    ]


def item_copier(setup: Setup) -> list[Bench]:
    """6. copier: a spec from this template, against a minimal template."""
    out = setup.work / "copier-out"
    spec_copy = Bench("copier-spec", "6. copier copy --defaults, a spec", [], out)
    minimal_copy = Bench("copier-minimal", "6. copier copy --defaults, a one-file template", [], out)
    # The template's own files alone (copier.yml and the package's copier
    # folder): what the questions and the spec's Jinja cost, without
    # copier's checkout of the rest of this repository's files.
    alone_copy = Bench("copier-alone", "6. copier copy --defaults, a spec, the template's files alone", [], out)
    # copier's floor for a template kept in this repository: the same
    # one-file template, in a repository of this one's files (HEAD's, with
    # the one-file template's copier.yml): copier checks out every file of
    # a template's repository, which on a slow file system costs more than
    # the template itself (472 files: 0.05 to 0.6 s on this VM's disk).
    floor_copy = Bench("copier-floor", "6. copier copy --defaults, a one-file template, in a repository of this one's files", [], out)
    benches = [spec_copy, floor_copy, minimal_copy, alone_copy]
    copier = _tool("copier")
    if not (REPO / "copier.yml").is_file():
        for bench in benches:
            bench.skipped = "no copier.yml in the repository yet (issue 5)"
        return benches
    if not copier:
        for bench in benches:
            bench.skipped = "copier is not installed here"
        return benches
    minimal_questions = 'name:\n  type: str\n  default: "example"\n  help: a name\n'
    minimal_file = ("{{ name }}.rst.jinja", "{{ name }}\n{{ '=' * name|length }}\n")
    minimal = setup.work / "minimal-template"
    minimal.mkdir()
    (minimal / "copier.yml").write_text(minimal_questions)
    (minimal / minimal_file[0]).write_text(minimal_file[1])
    _commit_all(minimal, "minimal")
    # HEAD's files as one commit, as the minimal template is: copier clones a
    # local template afresh each time (a partial clone, every commit's
    # trees), so a clone of this repository would time its history, which
    # grows with every commit (copier keeps a remote template's mirror and
    # fetches only what is new); the template's own cost is what is compared.
    speckeeper_repo = setup.work / "speckeeper-head"
    template_alone = setup.work / "speckeeper-template"
    floor_repo = setup.work / "speckeeper-floor"
    for repo, paths in ((speckeeper_repo, ()), (template_alone, ("copier.yml", "hooks/speckeeper/copier")), (floor_repo, ())):
        repo.mkdir()
        archive = subprocess.run(["git", "archive", "HEAD", *paths], cwd=REPO, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(repo)], input=archive, check=True)
        if repo == floor_repo:
            (repo / "copier.yml").write_text(minimal_questions + "_subdirectory: minimal-template\n")
            (repo / "minimal-template").mkdir()
            (repo / "minimal-template" / minimal_file[0]).write_text(minimal_file[1])
        _commit_all(repo, "speckeeper at HEAD")
    out.mkdir()
    # One answer each: the blueprint is the one question without a default.
    copies = (
        (spec_copy, speckeeper_repo, "blueprint"),
        (floor_copy, floor_repo, "name"),
        (minimal_copy, minimal, "name"),
        (alone_copy, template_alone, "blueprint"),
    )
    for bench, source, answer in copies:
        target = out / bench.key
        bench.cmd = [copier, "copy", "--quiet", "--defaults", "--data", f"{answer}=awesome-thing"]
        bench.cmd += ["--vcs-ref", "HEAD", str(source), str(target)]
        bench.ok = (0,)

        def fresh(target: Path = target) -> None:
            shutil.rmtree(target, ignore_errors=True)

        bench.prepare = fresh
    setup.facts["copier"] = (
        "each template a one-commit git repository (speckeeper's: HEAD's files; the floor: HEAD's files with the"
        " one-file template's copier.yml; alone: copier.yml and its folder), copied at HEAD"
    )
    return benches


def item_fix(setup: Setup) -> list[Bench]:
    """7. fix, over a mutated copy, afresh for each run."""
    bench = Bench("fix", "7. speckeeper fix, mutated corpus", [], setup.work / "fixing")
    fix_help = _has_command(setup.speckeeper, "fix", setup.env)
    if not fix_help:
        bench.skipped = "speckeeper has no fix command yet (issue 3)"
        return [bench]
    bench.label += f", {setup.jobs} jobs" if "--jobs" in fix_help else ", 1 process (fix has no --jobs)"
    mutated = setup.work / "mutated"
    shutil.copytree(setup.nova, mutated)
    _mutate(mutated, setup.files)
    bench.cmd = [setup.speckeeper, "fix", "specs"] + (["--jobs", setup.jobs] if "--jobs" in fix_help else [])

    def unfix() -> None:
        shutil.rmtree(bench.cwd, ignore_errors=True)
        shutil.copytree(mutated, bench.cwd)

    bench.prepare = unfix
    return [bench]


def item_growth(setup: Setup) -> list[Bench]:
    """8. Growth: the corpus 2 and 4 times over (1x is item 1 in all jobs)."""
    benches = []
    for times in (2, 4):
        grown = setup.work / f"growth-{times}x"
        shutil.copytree(setup.nova, grown)
        for copy in range(1, times):
            for name in setup.files:
                (grown / f"copy{copy}" / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(setup.nova / name, grown / f"copy{copy}" / name)
        command = [setup.speckeeper, "check", ".", "--select", "SK", "--jobs", setup.jobs]
        benches.append(Bench(f"growth-{times}x", f"8. growth {times}x, {setup.jobs} jobs", command, grown))
    return benches


def item_cache(setup: Setup) -> list[Bench]:
    """Beyond: --cache, cold (emptied before each run) and warm. The cache
    folder is inside the repository, as speckeeper requires (outside it,
    it warns and uses none: both runs would be cold)."""
    cache = setup.nova / ".speckeeper-cache"
    cached = [*setup.check, "--jobs", setup.jobs, "--cache", str(cache)]
    return [
        Bench("cache-cold", f"cache cold, {setup.jobs} jobs", cached, setup.nova, lambda: shutil.rmtree(cache, ignore_errors=True)),
        Bench("cache-warm", f"cache warm, {setup.jobs} jobs", cached, setup.nova),
    ]


# By the numbers; an item whose ratios need item 1 brings it along.
ITEMS: dict[str, Callable[[Setup], list[Bench]]] = {
    "1": item_check,
    "2": item_pre_commit,
    "3": item_doc8,
    "4": item_floor,
    "5": item_one_file,
    "6": item_copier,
    "7": item_fix,
    "8": item_growth,
    "cache": item_cache,
}
NEEDS_CHECK = {"2", "3", "4", "7", "8"}


def build(args: argparse.Namespace, work: Path, env: dict[str, str]) -> tuple[list[Bench], dict[str, object]]:
    nova = work / "nova"
    files = _copy_corpus(args.corpus, nova, args.quick)
    (work / "files.txt").write_text("\n".join(files) + "\n", encoding="utf-8")
    setup = Setup(args, work, env, nova, files, {"files": len(files), "lines": _lines(nova, files)})
    chosen = set(args.only)
    if chosen & NEEDS_CHECK:
        chosen.add("1")
    benches = [bench for key, item in ITEMS.items() if key in chosen for bench in item(setup)]
    return benches, setup.facts


def run(benches: list[Bench], repeat: int, env: dict[str, str]) -> None:
    live = [b for b in benches if not b.skipped]
    for round_ in range(1, repeat + 1):
        for bench in live:
            if bench.failed:
                continue
            if bench.prepare:
                bench.prepare()
            sample, code, tail = measure(bench.cmd, bench.cwd, env)
            if code not in bench.ok:
                bench.failed = f"exit {code}: {tail}"
                continue
            bench.samples.append(sample)
            print(f"  round {round_}/{repeat}  {bench.label:<48} {sample.wall:8.3f} s", file=sys.stderr, flush=True)


def _ratio(benches: dict[str, Bench], top: str, bottom: str) -> tuple[float, float] | None:
    """Of the medians, and of the fastest runs (the least disturbed)."""
    a, b = benches.get(top), benches.get(bottom)
    if not a or not b or not a.samples or not b.samples:
        return None
    return a.median() / b.median(), min(s.wall for s in a.samples) / min(s.wall for s in b.samples)


def report(benches: list[Bench], facts: dict[str, object], args: argparse.Namespace, argv: Sequence[str]) -> str:
    by_key = {b.key: b for b in benches}
    import docutils

    head = [
        "# speckeeper benchmark results",
        "",
        f"- command: `{' '.join(['python', 'benchmarks/run.py', *argv])}`",
        f"- date: {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        f"- machine: nproc {os.cpu_count()}, {platform.machine()}, Python {platform.python_version()}, "
        f"docutils {docutils.__version__}, load average before {facts.pop('load before'):.2f}, after {os.getloadavg()[0]:.2f}"
        " (other work on the machine slows the runs it overlaps: compare the fastest runs)",
        f"- speckeeper: {_git(REPO, 'describe', '--always', '--dirty')}",
        f"- corpus: {facts['files']} specs, {facts['lines']:,} lines{' (quick: a quarter)' if args.quick else ''}; "
        f"median of {args.repeat} runs each",
    ]
    head += [f"- {name}: {value}" for name, value in facts.items() if name not in ("files", "lines")]
    rows = ["", "| item | median s | min s | max s | CPU s | peak MB, largest process | peak MB, all processes |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for bench in benches:
        if bench.skipped or (bench.failed and not bench.samples):
            rows.append(f"| {bench.label} | {'skipped: ' + bench.skipped if bench.skipped else 'failed: ' + bench.failed} | | | | | |")
            continue
        walls = [s.wall for s in bench.samples]
        rows.append(
            f"| {bench.label} | {bench.median():.3f} | {min(walls):.3f} | {max(walls):.3f} | {bench.median('cpu'):.2f} "
            f"| {max(s.rss for s in bench.samples) / MB:.0f} | {max(s.tree_rss for s in bench.samples) / MB:.0f} |"
        )
    jobs = args.jobs
    targets: list[tuple[str, tuple[float, float] | None, float | None]] = [
        (f"check / docutils floor, {jobs} jobs each", _ratio(by_key, "check-n", "floor-n"), 1.2),
        (f"check, templates parsed / docutils floor, {jobs} jobs each", _ratio(by_key, "check-n-parsed", "floor-n"), None),
        ("check / docutils floor, 1 job each", _ratio(by_key, "check-1", "floor-1"), 1.2),
        (f"check, {jobs} jobs / doc8", _ratio(by_key, "check-n", "doc8"), 0.25),
        ("one-file check / import docutils.core", _ratio(by_key, "one-file", "import"), 2.0),  # Issue 27 (2.5 before it).
        ("copier, a spec / a one-file template, both in a repository of this one's files", _ratio(by_key, "copier-spec", "copier-floor"), 1.3),
        ("copier, a spec / a one-file template in a repository of its own", _ratio(by_key, "copier-spec", "copier-minimal"), None),
        ("copier, the template's files alone / a one-file template in a repository of its own", _ratio(by_key, "copier-alone", "copier-minimal"), 1.3),
        ("cache warm / cold", _ratio(by_key, "cache-warm", "cache-cold"), 0.1),
        (f"check, 1 job / {jobs} jobs (speed-up)", _ratio(by_key, "check-1", "check-n"), None),
        (f"pre-commit / check, {jobs} jobs", _ratio(by_key, "pre-commit", "check-n"), None),
        (f"fix / check, {jobs} jobs", _ratio(by_key, "fix", "check-n"), None),
        ("fix / check, 1 job", _ratio(by_key, "fix", "check-1"), None),
        ("growth 2x / 1x (linear: 2.0)", _ratio(by_key, "growth-2x", "check-n"), None),
        ("growth 4x / 1x (linear: 4.0)", _ratio(by_key, "growth-4x", "check-n"), None),
    ]
    lines = ["", "| ratio | of medians | of fastest runs | target | |", "| --- | ---: | ---: | ---: | --- |"]
    for name, values, target in targets:
        wanted = "" if target is None else f"<= {target}"
        if values is None:
            lines.append(f"| {name} | n/a | n/a | {wanted} | skipped |")
            continue
        value, fastest = values
        verdict = "" if target is None else ("met" if value <= target else "**not met**")
        lines.append(f"| {name} | {value:.2f} | {fastest:.2f} | {wanted} | {verdict} |")
    corpus = [by_key[k] for k in ("check-1", "check-n") if k in by_key and by_key[k].samples]
    if corpus:
        peak = max(s.tree_rss for b in corpus for s in b.samples) / MB
        verdict = "met" if peak < 200 else "**not met**"
        lines.append(f"| peak memory, corpus check, all processes | {peak:.0f} MB | | < 200 MB | {verdict} |")
    check_n = by_key.get("check-n")
    if check_n and check_n.samples:
        per = check_n.median() / int(facts["lines"]) * 100_000  # type: ignore[call-overload]
        lines.append(f"| check, {jobs} jobs, per 100,000 lines (1x) | {per:.2f} s | | | |")
    return "\n".join(head + rows + lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the nova-specs corpus (holds specs/)")
    parser.add_argument("--repeat", type=int, default=0, metavar="N", help="runs of each command (default 5; 3 with --quick)")
    parser.add_argument("--jobs", type=int, default=0, metavar="N", help="the 'all cores' job count (default: this machine's)")
    parser.add_argument("--quick", action="store_true", help="a quarter of the corpus: to see that it all runs")
    parser.add_argument(
        "--only",
        type=lambda value: [item.strip() for item in value.split(",") if item.strip()],
        default=list(ITEMS),
        metavar="ITEMS",
        help=f"only these items, by number (e.g. 2,6,7 after a merge; also 'cache'): {', '.join(ITEMS)}",
    )
    parser.add_argument("--doc8", metavar="PATH", help=f"the doc8 to run (default: {DOC8_VENV.relative_to(REPO)}, made by: {DOC8_SETUP})")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="also write the report to FILE")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and say where it is")
    args = parser.parse_args(argv)
    args.repeat = args.repeat or (3 if args.quick else 5)
    unknown = [item for item in args.only if item not in ITEMS]
    if unknown:
        parser.error(f"--only: no item {unknown[0]!r} (items: {', '.join(ITEMS)})")
    if not args.jobs:
        from speckeeper.engine.parallel import default_jobs

        args.jobs = default_jobs()
    if not (args.corpus / "specs").is_dir():
        parser.error(f"no corpus at {args.corpus} (see --corpus)")
    if not (BIN / "speckeeper").exists():
        parser.error(f"no speckeeper beside {sys.executable}: run this with the Python of speckeeper's environment")
    # As a pip install would: bytecode compiled once, and kept.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "hooks" / "speckeeper")], check=True, env=env)
    # Stopped, it still cleans up (the work folder is about 100 MB).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    work = Path(tempfile.mkdtemp(prefix="speckeeper-bench-"))
    try:
        print(f"setting up in {work}", file=sys.stderr)
        load = os.getloadavg()[0]
        # Parsed templates kept in the work folder: read back after the first run.
        env[STORE_ENV] = str(work / "speckeeper-cache")
        benches, facts = build(args, work, env)
        facts["load before"] = load
        run(benches, args.repeat, env)
        text = report(benches, facts, args, argv)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    sys.stdout.write(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
