"""speckeeper on Markdown: the whole of kubernetes/enhancements checked
with ``preset = "kep"`` and nothing else.

    .venv/bin/python benchmarks/markdown.py               # median of 3 runs each
    .venv/bin/python benchmarks/markdown.py --repeat 5
    .venv/bin/python benchmarks/markdown.py --snapshot PATH   # a checkout of it

The KEPs are the snapshot's (a checkout, or the HEAD of a fetched mirror
at /work/.mirror/kubernetes+enhancements/repo); without one, a generated
set: the KEP fixtures of tests/fixtures/markdown/kep copied to 600 KEP
folders. Each command runs as a child process, in rounds; it reports the
median wall time and the CPU time (user + system, children included) of:

1. ``speckeeper check`` in one process (``--jobs 1``), cold;
2. the same in one process a CPU (the default), cold;
3. the same with ``--cache``, warm (the findings of an earlier run kept);
4. item 1 read by markdown-it-py (pyromark hidden), where pyromark is installed.

"Cold" is without the findings cache; speckeeper's store of parsed
templates (one template here) is warm after the first round either way.
The Markdown reading is pulldown-cmark's where pyromark is installed (the
``markdown-fast`` extra), else markdown-it-py's: the report says which.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MIRROR = Path("/work/.mirror/kubernetes+enhancements/repo")
KEP = REPO / "tests" / "fixtures" / "markdown" / "kep"
SPECKEEPER = [sys.executable, "-m", "speckeeper"]


def snapshot(work: Path, given: str) -> tuple[Path, str]:
    """The repo to check, and what it is."""
    if given:
        root = Path(given)
        (root / ".speckeeper.toml").write_text('preset = "kep"\n')
        return root, str(root)
    if (MIRROR / "HEAD").is_file():
        root = work / "enhancements"
        root.mkdir()
        archive = subprocess.run(["git", "--git-dir", str(MIRROR), "archive", "HEAD"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(root)], input=archive.stdout, check=True)
        commit = subprocess.run(["git", "--git-dir", str(MIRROR), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        (root / ".git").mkdir()
        (root / ".speckeeper.toml").write_text('preset = "kep"\n')
        return root, f"kubernetes/enhancements at {commit.stdout.strip()}"
    root = generated(work / "generated")
    (root / ".speckeeper.toml").write_text('preset = "kep"\n')
    return root, "generated: 600 copies of tests/fixtures/markdown/kep"


def generated(root: Path, count: int = 600) -> Path:
    """A repo of ``count`` KEPs made of the fixtures (three kinds, each
    with its kep.yaml), the template in its place."""
    (root / ".git").mkdir(parents=True)
    (root / "keps/NNNN-kep-template").mkdir(parents=True)
    shutil.copy(KEP / "template.md", root / "keps/NNNN-kep-template/README.md")
    shutil.copy(KEP / "template-kep.yaml", root / "keps/NNNN-kep-template/kep.yaml")
    kinds = [("4026-conforming.md", "4026-kep.yaml"), ("5495-missing-one.md", "5495-kep.yaml"), ("4009-missing-two.md", "4009-kep.yaml")]
    for number in range(count):
        readme, metadata = kinds[number % len(kinds)]
        folder = root / f"keps/sig-{number % 20}/{number}-kep"
        folder.mkdir(parents=True)
        shutil.copy(KEP / readme, folder / "README.md")
        text = (KEP / metadata).read_text()
        (folder / "kep.yaml").write_text("\n".join(
            f"kep-number: {number}" if line.startswith("kep-number:") else line for line in text.splitlines()
        ) + "\n")
    return root


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system of the child and its
    children), exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command (the median is reported)")
    parser.add_argument("--snapshot", default="", help="a checkout of kubernetes/enhancements")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="speckeeper-md-bench-") as folder:
        work = Path(folder)
        root, what = snapshot(work, args.snapshot)
        cache = root / ".speckeeper-bench-cache"  # Inside the repository, as --cache asks.
        shutil.rmtree(cache, ignore_errors=True)
        items = {
            "check, 1 job, cold": [*SPECKEEPER, "check", "--jobs", "1"],
            f"check, {os.cpu_count()} jobs (default), cold": [*SPECKEEPER, "check"],
            f"check --cache, {os.cpu_count()} jobs, warm": [*SPECKEEPER, "check", "--cache", str(cache)],
        }
        envs: dict[str, dict[str, str] | None] = dict.fromkeys(items)
        from speckeeper.document.markdown import events

        if events.available():
            # A pyromark that cannot be imported, first on the path.
            hidden = work / "no-pyromark"
            hidden.mkdir()
            (hidden / "pyromark.py").write_text('raise ImportError("hidden by benchmarks/markdown.py")\n')
            items["check, 1 job, cold, markdown-it-py"] = [*SPECKEEPER, "check", "--jobs", "1"]
            envs["check, 1 job, cold, markdown-it-py"] = {**os.environ, "PYTHONPATH": str(hidden)}
        subprocess.run(items[list(items)[2]], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in items}
        for _ in range(args.repeat):
            for name, command in items.items():
                results[name].append(timed(command, root, envs[name]))
        readmes = sum(1 for _ in root.glob("keps/**/README.md"))
        reading = "pulldown-cmark (pyromark)" if events.available() else "markdown-it-py"
        print(f"{what}: {readmes} README.md under keps/, read by {reading}; Python {sys.version.split()[0]}, nproc {os.cpu_count()},"
              f" load average {os.getloadavg()[0]:.1f}; median of {args.repeat}")
        print("| command | wall s | CPU s | exit |")
        print("| --- | ---: | ---: | ---: |")
        for name, runs in results.items():
            print(f"| {name} | {statistics.median(r[0] for r in runs):.2f} | {statistics.median(r[1] for r in runs):.2f}"
                  f" | {runs[0][2]} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
