"""The Sphinx extension's share of a docs build.

    .venv/bin/python benchmarks/sphinx.py                 # 3 pairs of builds
    .venv/bin/python benchmarks/sphinx.py --runs 5 --releases all

On a copy of the nova-specs corpus (``../shared/corpus/nova-specs``) made
a Sphinx project with nova-specs' own settings (its ``conf.py``'s
``sphinx.ext.todo``, ``todo_include_todos``, ``pygments_style``, the
templates and ``abandoned/`` left out; its theme and its two other
extensions, ``redirect`` and ``yasfb``, are not here: the default theme,
and neither writes what the checks read), it builds the HTML with and
without ``speckeeper.sphinx``, in turns (one without, one with, ...), each
from nothing (a fresh output folder). "with, cold" starts from an empty
cache folder (``SPECKEEPER_CACHE_DIR``: no template parsed, no finding
kept), as a CI machine's first build; "with, warm" keeps the folder
between its builds, as a rebuild on an author's machine does. Sphinx
runs from ``.venv-docs`` (scripts/test makes it), with this checkout's
``hooks/`` on its path (a copy made at the start, so that an edit
meanwhile changes no run). Reports the median wall and CPU seconds (the
build's own and its children's) and the share: with / without - 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "nova-specs"
SPHINX = REPO / ".venv-docs" / "bin" / "python"
# The releases from stein on: a third of the corpus (283 files), so that a
# pair of builds takes a minute or two, not ten.
RECENT = ("stein", "train", "ussuri", "victoria", "wallaby", "xena", "yoga", "zed", "2023.1", "2023.2", "2024.1", "2024.2", "2025.1", "2025.2", "2026.1", "2026.2", "2027.1")
CONFIG = """\
template = "specs/{release}-template.rst"
exclude = ["*-template.rst", "specs/abandoned/**", "index.rst", "_build/**"]

[[overrides]]
paths = ["specs/queens/**"]
optional-sections = ["History", "Feature Liaison", "Upgrade impact"]
"""
CONF_PY = """\
extensions = {extensions!r}
todo_include_todos = True
master_doc = "index"
project = "Nova Specs"
exclude_patterns = ["_build", "specs/*-template.rst", "specs/abandoned/**"]
pygments_style = "native"
"""
INDEX = "Nova Specs\n==========\n\n.. toctree::\n   :glob:\n   :maxdepth: 1\n\n   specs/*/approved/*\n   specs/*/implemented/*\n"


def project(root: Path, releases: tuple[str, ...] | None) -> Path:
    """The corpus (the ``releases`` named, or all) as a Sphinx project."""
    specs = root / "specs"
    specs.mkdir(parents=True)
    for entry in sorted((CORPUS / "specs").iterdir()):
        release = entry.name.removesuffix("-template.rst")
        if releases is None or release in releases:
            (shutil.copytree if entry.is_dir() else shutil.copy)(entry, specs / entry.name)
    (root / ".speckeeper.toml").write_text(CONFIG, encoding="utf-8")
    (root / "index.rst").write_text(INDEX, encoding="utf-8")
    return root


def build(root: Path, with_extension: bool, cache: Path, hooks: Path) -> tuple[float, str]:
    """One build from nothing: its wall seconds and what it printed."""
    extensions = ["sphinx.ext.todo", *(["speckeeper.sphinx"] if with_extension else [])]
    (root / "conf.py").write_text(CONF_PY.format(extensions=extensions), encoding="utf-8")
    shutil.rmtree(root / "_build", ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(hooks), "SPECKEEPER_CACHE_DIR": str(cache)}
    command = [str(SPHINX), "-m", "sphinx", "-q", "--no-color", "-b", "html", str(root), str(root / "_build")]
    began = time.monotonic()
    done = subprocess.run(command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    return time.monotonic() - began, done.stderr.decode("utf-8", "replace")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="builds of each kind (default 3)")
    parser.add_argument("--releases", default="recent", help='"recent" (from stein on, default) or "all"')
    args = parser.parse_args()
    releases = None if args.releases == "all" else RECENT
    with tempfile.TemporaryDirectory(prefix="speckeeper-sphinx-bench-") as work:
        root = project(Path(work) / "nova", releases)
        hooks = Path(shutil.copytree(REPO / "hooks", Path(work) / "hooks"))
        warm = Path(work) / "warm-cache"
        kinds: dict[str, list[tuple[float, float]]] = {"without": [], "with, cold": [], "with, warm": []}
        build(root, True, warm, hooks)  # Fills the warm cache folder.
        for run in range(args.runs):
            for kind in kinds:
                cache = warm if kind == "with, warm" else Path(work) / f"cold-{run}-{len(kinds[kind])}"
                kinds[kind].append(_timed(root, kind != "without", cache, hooks))
        print(f"{sum(1 for _ in (root / 'specs').rglob('*.rst'))} files; load average after: {os.getloadavg()[0]:.2f}")
        base_wall = statistics.median(w for w, _ in kinds["without"])
        base_cpu = statistics.median(c for _, c in kinds["without"])
        print("| build | wall s, median (min-max) | CPU s, median (min-max) | share of wall | share of CPU |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for kind, runs in kinds.items():
            walls, cpus = [w for w, _ in runs], [c for _, c in runs]
            wall, cpu = statistics.median(walls), statistics.median(cpus)
            print(
                f"| {kind} | {wall:.1f} ({min(walls):.1f}-{max(walls):.1f}) | {cpu:.1f} ({min(cpus):.1f}-{max(cpus):.1f})"
                f" | {wall / base_wall - 1:+.0%} | {cpu / base_cpu - 1:+.0%} |"
            )
    return 0


def _timed(root: Path, with_extension: bool, cache: Path, hooks: Path) -> tuple[float, float]:
    # The CPU of the build and of what it waited for (the checks' process).
    before = os.times()
    wall, stderr = build(root, with_extension, cache, hooks)
    after = os.times()
    if with_extension and "speckeeper." not in stderr:
        raise SystemExit("the build with the extension reported no finding: is speckeeper.sphinx loaded?")
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


if __name__ == "__main__":
    raise SystemExit(main())
