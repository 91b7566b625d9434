"""What speckeeper costs an author at ``git commit`` (issue 27).

Three upstream-like nova-specs checkouts are built from the corpus (its
``specs/`` and a README, committed, a baseline recorded as the docs'
"Adopting" says): one with the docs' pre-commit snippet (docs/ci.md)
installed by pre-commit from this checkout's HEAD; one with a no-op hook at
each of the same stages (``language: system``, ``true``: pre-commit's own
cost, the issue's measure); and one with a no-op Python hook at each
(``language: python``, ``python -c pass`` in a virtualenv pre-commit
made): what any Python hook costs under pre-commit before it does anything
(its interpreter starting with the virtualenv's site-packages, and
pre-commit's health check of the virtualenv, two ``python -S`` runs a
stage). Each run commits a one-line edit of one spec in each, in turn
(A B C A B C ...); speckeeper's share is the difference of the medians,
against each control, and the median of each round's difference. CPU is the children's user+system time (git,
pre-commit and the hooks), less noisy than wall time on a busy machine.

    python benchmarks/commit.py --runs 7
    python benchmarks/commit.py --runs 5 --vs 34d679c   # and the hooks at another commit, interleaved
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
CORPUS = REPO.parent / "shared" / "corpus" / "nova-specs"
# pre-commit beside this Python (a venv's), else on PATH.
PRE_COMMIT = str(Path(sys.executable).with_name("pre-commit")) if Path(sys.executable).with_name("pre-commit").exists() else "pre-commit"
SPEC = "specs/2023.1/approved/assisted-volume-extend.rst"
NOOP_CONFIG = """\
default_install_hook_types: [pre-commit, prepare-commit-msg, commit-msg]
repos:
  - repo: local
    hooks:
      - {id: noop, name: noop, entry: "true", language: system, files: ^specs/}
      - {id: noop-prepare, name: noop, entry: "true", language: system, stages: [prepare-commit-msg]}
      - {id: noop-msg, name: noop, entry: "true", language: system, stages: [commit-msg]}
"""
# The same stages, each with a Python hook that does nothing.
NOOP_PYTHON_CONFIG = """\
default_install_hook_types: [pre-commit, prepare-commit-msg, commit-msg]
repos:
  - repo: local
    hooks:
      - {id: noop, name: noop, entry: python -c pass, language: python, files: ^specs/}
      - {id: noop-prepare, name: noop, entry: python -c pass, language: python, stages: [prepare-commit-msg]}
      - {id: noop-msg, name: noop, entry: python -c pass, language: python, stages: [commit-msg]}
"""


def run(cwd: Path, env: dict[str, str], *cmd: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done


def snippet(hook_repo: Path, ref: str = "HEAD") -> str:
    """The docs' .pre-commit-config.yaml, as its shell command writes it,
    installing speckeeper at ``ref``."""
    page = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    body = page.split("$ cat > .pre-commit-config.yaml <<EOF\n", 1)[1].split("\nEOF\n", 1)[0]
    rev = subprocess.run(("git", "rev-parse", ref), cwd=hook_repo, capture_output=True, text=True, check=True)
    body = body.replace('$(git ls-remote "$SPECKEEPER_GIT" HEAD | cut -f1)', rev.stdout.strip())
    return body.replace("$SPECKEEPER_GIT", str(hook_repo)) + "\n"


def checkout(where: Path, corpus: Path, config: str, env: dict[str, str]) -> Path:
    """The corpus as upstream holds it, committed, with ``config`` installed."""
    shutil.copytree(corpus / "specs", where / "specs", symlinks=True)
    for path in [where, *where.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    (where / "README.rst").write_text("nova-specs\n==========\n", encoding="utf-8")
    (where / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    run(where, env, "git", "init", "-q", "-b", "master")
    run(where, env, sys.executable, "-m", "speckeeper", "baseline")
    run(where, env, "git", "add", "-A")
    run(where, env, "git", "commit", "-qm", "nova-specs as it is", "--no-verify")
    run(where, env, PRE_COMMIT, "install")
    run(where, env, PRE_COMMIT, "install-hooks")
    return where


def commit_once(repo: Path, env: dict[str, str], number: int) -> tuple[float, float]:
    """A one-line edit of one spec, committed through the hooks: wall and
    CPU seconds of ``git commit`` and everything it ran."""
    # The edit: the spec's last line, a comment, says which run this is.
    spec = repo / SPEC
    text = spec.read_text(encoding="utf-8").split("\n.. edit ")[0].rstrip("\n")
    spec.write_text(f"{text}\n\n.. edit {number}\n", encoding="utf-8")
    run(repo, env, "git", "add", SPEC)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(("git", "commit", "-q", "-m", f"Edit {number}"), cwd=repo, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"git commit failed in {repo}:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--vs", metavar="REF", help="also the docs' hooks at REF (a commit of this checkout), interleaved")
    args = parser.parse_args(argv)
    if not (args.corpus / SPEC).is_file():
        print(f"no nova-specs corpus at {args.corpus}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="speckeeper-commit-") as tmp:
        work = Path(tmp)
        # As on an author's machine: no git or pre-commit settings from outside, bytecode cached.
        drop = ("GIT_", "PRE_COMMIT", "PYTHONDONTWRITEBYTECODE")
        env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
        env.update(
            GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", PRE_COMMIT_HOME=str(work / "pre-commit-home"),
            GIT_AUTHOR_NAME="A", GIT_AUTHOR_EMAIL="a@example.com", GIT_COMMITTER_NAME="A", GIT_COMMITTER_EMAIL="a@example.com",
        )  # fmt: skip
        hooks = checkout(work / "with-hooks", args.corpus, snippet(REPO), env)
        repos = {
            "hooks": hooks,
            "noop": checkout(work / "no-op", args.corpus, NOOP_CONFIG, env),
            "noop-py": checkout(work / "no-op-python", args.corpus, NOOP_PYTHON_CONFIG, env),
        }
        if args.vs:
            repos["hooks@vs"] = checkout(work / "with-hooks-vs", args.corpus, snippet(REPO, args.vs), env)
        for repo in repos.values():  # Warm-up: pre-commit's environments, the template store.
            commit_once(repo, env, 0)
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in repos}
        for number in range(1, args.runs + 1):
            for name, repo in repos.items():
                samples[name].append(commit_once(repo, env, number))
    print(f"commit of a one-line edit of {SPEC}, {args.runs} runs each, interleaved; median (min-max) seconds")
    medians = {}
    for name, rows in samples.items():
        walls, cpus = [r[0] for r in rows], [r[1] for r in rows]
        medians[name] = (statistics.median(walls), statistics.median(cpus))
        print(
            f"{name:8s} wall {medians[name][0]:.3f} ({min(walls):.3f}-{max(walls):.3f})"
            f"  cpu {medians[name][1]:.3f} ({min(cpus):.3f}-{max(cpus):.3f})"
        )
    for hooks in [name for name in medians if name.startswith("hooks")]:
        for control, said in (("noop", "the issue's measure"), ("noop-py", "over Python no-op hooks")):
            # Each round's commits ran one after another: the median of the
            # rounds' differences drifts less with the machine than the
            # difference of the medians.
            paired = [[h[i] - c[i] for h, c in zip(samples[hooks], samples[control])] for i in (0, 1)]
            print(
                f"speckeeper's share ({hooks}), {said}: wall {medians[hooks][0] - medians[control][0]:.3f}"
                f"  cpu {medians[hooks][1] - medians[control][1]:.3f};"
                f" median of the rounds' differences: wall {statistics.median(paired[0]):.3f}"
                f"  cpu {statistics.median(paired[1]):.3f} (target: at most 0.25, against noop)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
