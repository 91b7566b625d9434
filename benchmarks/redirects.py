"""``speckeeper check`` over a redirects file whose lines chain: time that
must grow with the file's length, not its square (issue 23, item 10).

    .venv/bin/python benchmarks/redirects.py                 # 10,000 lines, median of 5
    .venv/bin/python benchmarks/redirects.py --lines 2000 --repeat 3
    .venv/bin/python benchmarks/redirects.py --make DIR      # only build the repo

The repo holds one spec and ``specs/zed/redirects``: line n leads from
``approved/cNNNNN.rst`` to the next one's spec, and only the last spec
exists, so every line's target is a chain through all the lines after it
(10,000 lines, 310 KB). Before the chains were resolved once, each line
walked its own. Each run is ``speckeeper check specs`` at the repo's top,
in a process of its own; with ``--make DIR`` the repo is left in DIR for
an outside timer::

    /usr/bin/time -v sh -c 'cd DIR && exec .../speckeeper check specs'
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SPEC = REPO / "tests" / "fixtures" / "good-spec.rst"


def make(root: Path, lines: int) -> Path:
    """A git repo at ``root`` with the chained redirects file; its specs folder."""
    release = root / "specs" / "zed"
    (release / "approved").mkdir(parents=True, exist_ok=True)
    last = f"c{lines:05d}"
    text = SPEC.read_text(encoding="utf-8").replace("+spec/awesome-thing", f"+spec/{last}")
    (release / "approved" / f"{last}.rst").write_text(text, encoding="utf-8")
    chain = "".join(f"approved/c{n:05d}.rst c{n + 1:05d}.rst\n" for n in range(lines))
    (release / "redirects").write_text(chain, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root / "specs"


def _children_cpu() -> float:
    """User and system seconds of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000, help="lines in the redirects file (10,000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the median is reported (5)")
    parser.add_argument("--make", metavar="DIR", type=Path, help="build the repo in DIR and time nothing")
    args = parser.parse_args(argv)
    if args.make:
        specs = make(args.make, args.lines)
        size = (specs / "zed" / "redirects").stat().st_size
        print(f"{specs}: {args.lines:,} chained redirect lines, {size:,} bytes")
        return 0
    speckeeper = Path(sys.executable).parent / "speckeeper"
    with tempfile.TemporaryDirectory() as folder:
        specs = make(Path(folder), args.lines)
        times, cpus = [], []
        for _ in range(args.repeat):
            start, used = time.perf_counter(), _children_cpu()
            done = subprocess.run([str(speckeeper), "check", "specs"], cwd=folder, capture_output=True, check=False)
            times.append(time.perf_counter() - start)
            cpus.append(_children_cpu() - used)
            if done.returncode != 0:
                print(done.stdout.decode(errors="replace")[-2000:], done.stderr.decode(errors="replace")[-2000:])
                return 1
    print(
        f"check, {args.lines:,} chained redirect lines: median {statistics.median(times):.2f} s wall "
        f"(min {min(times):.2f}, max {max(times):.2f}), {statistics.median(cpus):.2f} s CPU, {args.repeat} runs"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
