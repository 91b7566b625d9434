"""Does a change of speckeeper's engine change anything a user sees?

Runs this working tree's package and another git ref's side by side, each
as ``python -m speckeeper`` in a process of its own, over a copy of the
nova-specs corpus configured as nova's gate (``tests/conftest.py``'s
``NOVA_GATE_CONFIG``):

- ``check specs`` with the default rules and with every rule on
  (``--select SK``): the findings (path, line, col, code, message) and the
  exit code must be the same, in the same order;
- ``fix specs`` over a copy given deterministic mutations that the fixable
  rules repair (trailing spaces, short underlines, a paragraph joined into
  one long line, a near-miss title, a deleted subsection, CRLF endings, no
  final newline), with each selection: what fix prints, its exit code and
  the bytes of every file after it must be the same.

    .venv/bin/python benchmarks/engine_compare.py              # against origin/main, else main
    .venv/bin/python benchmarks/engine_compare.py --vs HEAD~3

Prints a unified diff of whatever differs and a short summary; exits 0
when everything is identical, 1 when something differs, 2 on a usage
error (a ref git does not know, a ``--corpus`` that is not there). Both
packages run on this Python and its installed dependencies; only the
package (``hooks/``) comes from the ref, by ``git archive``. Without the
corpus at its default place it says so and compares nothing (exit 0).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "nova-specs"

sys.path.insert(0, str(REPO))
from tests.conftest import NOVA_GATE_CONFIG  # noqa: E402  (the gate, as the tests configure it)

# (name, the options that select it): the default rules, and every rule.
SELECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (("default rules", ()), ("every rule (--select SK)", ("--select", "SK")))

# A title's underline or overline: one punctuation character repeated.
ADORNMENT = re.compile(r"([!-/:-@\[-`{-~])\1{2,}[ \t]*")
# A row that starts something other than plain paragraph text.
NOT_PROSE = re.compile(r"\s|\.\.|[-*+#|:>]|\d+[.)]|[a-zA-Z][.)] |\(")
LIMIT = 79  # nova's line length: a joined paragraph must pass it.
SHOWN = 60  # Diff lines shown for each file that differs.


@dataclass(frozen=True)
class Package:
    """A speckeeper package to run: its ``hooks/`` folder and a name."""

    name: str
    hooks: Path


@dataclass(frozen=True)
class Title:
    row: int  # 0-based row of the title's text
    text: str
    style: tuple[str, bool]  # (adornment character, has an overline)


@dataclass(frozen=True)
class Outcome:
    """What a user sees of one command, and for fix the files after it."""

    code: int
    lines: tuple[str, ...]
    files: dict[str, bytes]


# -- the mutations -------------------------------------------------------


def titles(rows: Sequence[str]) -> list[Title]:
    """The section titles of reStructuredText rows, found as docutils finds
    them (text, an underline at least as long, an optional overline)."""
    found = []
    for row in range(len(rows) - 1):
        text, under = rows[row].rstrip(), rows[row + 1].rstrip()
        if not text or text[0].isspace() or ADORNMENT.fullmatch(text) or not ADORNMENT.fullmatch(under):
            continue
        if len(under) < len(text) or row and rows[row - 1].strip() and rows[row - 1].rstrip() != under:
            continue
        over = row > 0 and rows[row - 1].rstrip() == under
        found.append(Title(row, text.strip(), (under[0], over)))
    return found


def levels(found: Sequence[Title]) -> dict[int, int]:
    """Each title's level (1: the document title), by the order its
    adornment style first appears, as docutils assigns them."""
    order: list[tuple[str, bool]] = []
    for title in found:
        if title.style not in order:
            order.append(title.style)
    return {title.row: order.index(title.style) + 1 for title in found}


def near_miss(title: str) -> str:
    """The title as a near miss: its last word's first letter in the other case."""
    head, _, last = title.rpartition(" ")
    return f"{head} {last[0].swapcase()}{last[1:]}".lstrip()


def _paragraph(rows: Sequence[str], taken: set[int]) -> tuple[int, int] | None:
    """The first paragraph of three or more rows of plain text at the left
    margin, none of them taken, whose rows joined pass the line length."""
    start = 0
    while start < len(rows):
        end = start
        while end < len(rows) and rows[end].strip():
            end += 1
        block = rows[start:end]
        plain = all(not NOT_PROSE.match(row) and not ADORNMENT.fullmatch(row.rstrip()) for row in block)
        if (
            end - start >= 3
            and plain
            and not taken & set(range(start - 1, end + 1))
            and (start == 0 or not rows[start - 1].strip())
            and len(" ".join(row.strip() for row in block)) > LIMIT
            and not block[-1].rstrip().endswith("::")
        ):
            return start, end
        start = end + 1
    return None


def mutate(text: str, template_titles: frozenset[str], index: int) -> tuple[str, frozenset[str]]:
    """The spec's text given fixable mutations, and the codes of the rules
    whose fixes repair them. ``index`` (the spec's place in the corpus)
    picks which mutations beyond the first two, so that every kind occurs
    and the same spec is always mutated the same way."""
    rows = text.split("\n")
    found = titles(rows)
    level = levels(found)
    codes: set[str] = set()
    dropped: set[int] = set()  # Rows removed at the end, so rows keep their numbers until then.
    taken = {t.row for t in found} | {t.row + 1 for t in found} | {t.row - 1 for t in found if t.style[1]}
    sections = [t for t in found if level[t.row] > 1 and t.text in template_titles]
    if index % 5 == 0:  # A subsection the template has, deleted: SK102 inserts it.
        deepest = [t for t in sections if level[t.row] >= 3]
        if deepest:
            gone = deepest[-1]
            # To the next title at its level or above (from its overline, if any).
            after = [t.row - t.style[1] for t in found if t.row > gone.row and level[t.row] <= level[gone.row]]
            dropped |= set(range(gone.row - gone.style[1], after[0] if after else len(rows)))
            taken |= dropped
            sections = [t for t in sections if t.row not in dropped]
            codes.add("SK102")
    if index % 3 == 0 and sections:  # A near-miss title: SK104 renames it.
        title = sections[0]
        if not title.style[1]:
            rows[title.row] = near_miss(title.text)
            codes.add("SK104")
    for number, title in enumerate(found):  # Every third title's underline short: SK109.
        if number % 3 == 2 and not title.style[1] and len(title.text) > 5 and title.row not in dropped:
            under = rows[title.row + 1].rstrip()
            rows[title.row + 1] = under[0] * max(4, len(title.text) - 2)
            codes.add("SK109")
    if index % 2 == 0:  # A paragraph joined into one long line: SK201 rewraps it.
        paragraph = _paragraph(rows, taken)
        if paragraph:
            start, end = paragraph
            rows[start] = " ".join(row.strip() for row in rows[start:end])
            dropped |= set(range(start + 1, end))
            taken |= set(range(start, end))
            codes.add("SK201")
    for row in range(3, len(rows), 7):  # Trailing spaces on every seventh row of text: SK203.
        if rows[row].strip() and row not in taken:
            rows[row] += "  " if row % 2 else " \t"
            codes.add("SK203")
    mutated = "\n".join(row for number, row in enumerate(rows) if number not in dropped)
    if index % 11 == 0:  # CRLF line endings: SK205.
        mutated = mutated.replace("\n", "\r\n")
        codes.add("SK205")
    if index % 13 == 0 and mutated.endswith("\n"):  # No final newline: SK207 (off by default).
        mutated = mutated.rstrip("\r\n")
        codes.add("SK207")
    return mutated, frozenset(codes)


def template_of(spec: Path) -> Path:
    """The release template nova keeps beside a spec's release folder
    (``specs/<release>/<state>/x.rst`` -> ``specs/<release>-template.rst``)."""
    release = spec.parent.parent
    return release.parent / f"{release.name}-template.rst"


def specs_of(repo: Path) -> list[Path]:
    """The specs nova's gate checks (its templates and abandoned specs aside)."""
    return [
        path
        for path in sorted((repo / "specs").rglob("*.rst"))
        if not path.name.endswith("-template.rst") and "abandoned" not in path.relative_to(repo).parts
    ]


def mutate_tree(repo: Path) -> dict[str, frozenset[str]]:
    """Every spec of ``repo`` mutated in place; the codes each one's
    mutations should make the fixer repair, by path from ``repo``."""
    template_titles: dict[Path, frozenset[str]] = {}
    expected = {}
    for index, path in enumerate(specs_of(repo)):
        template = template_of(path)
        if template not in template_titles:
            rows = template.read_text(encoding="utf-8").split("\n") if template.is_file() else []
            template_titles[template] = frozenset(t.text for t in titles(rows))
        text, codes = mutate(path.read_text(encoding="utf-8"), template_titles[template], index)
        path.write_bytes(text.encode("utf-8"))
        expected[path.relative_to(repo).as_posix()] = codes
    return expected


# -- running a package ---------------------------------------------------


def nova_copy(corpus: Path, dest: Path) -> Path:
    """A writable copy of the corpus's specs with nova's gate configured
    (and no baseline: every finding counts, with no option an older ref
    may not know)."""
    shutil.copytree(corpus / "specs", dest / "specs")
    for path in dest.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (dest / ".speckeeper.toml").write_text(NOVA_GATE_CONFIG, encoding="utf-8")
    return dest


def speckeeper(package: Package, cwd: Path, store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``speckeeper ARGS`` run from ``package``, in ``cwd``, with a store of
    parsed templates of its own (``store``), no colour."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CI", "FORCE_COLOR")}
    env.update(PYTHONPATH=str(package.hooks), SPECKEEPER_CACHE_DIR=str(store), NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, "-m", "speckeeper", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def runs_from(package: Package) -> str | None:
    """None when ``python -m speckeeper`` imports ``package`` itself (an
    installed speckeeper must not win over the folder given), else why not."""
    probe = subprocess.run(
        [sys.executable, "-c", "import speckeeper; print(speckeeper.__file__)"],
        env={**os.environ, "PYTHONPATH": str(package.hooks)},
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        return probe.stderr.strip().splitlines()[-1] if probe.stderr.strip() else f"exit {probe.returncode}"
    where = Path(probe.stdout.strip()).resolve()
    return None if package.hooks.resolve() in where.parents else f"speckeeper is imported from {where}"


def findings(package: Package, repo: Path, store: Path, select: Sequence[str]) -> Outcome:
    """``speckeeper check specs`` in ``repo``: its exit code and findings,
    each as the text format prints it, in the order it prints them."""
    done = speckeeper(package, repo, store, "check", "specs", "--format", "json", *select)
    if done.returncode not in (0, 1):
        return Outcome(done.returncode, tuple(done.stderr.splitlines()), {})
    keys = ("path", "line", "col", "code", "message")
    lines = tuple("{}:{}:{}: {} {}".format(*(record[k] for k in keys)) for record in json.loads(done.stdout))
    return Outcome(done.returncode, lines, {})


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under ``root``, by path from it, with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def fixed(package: Package, repo: Path, store: Path, select: Sequence[str]) -> Outcome:
    """``speckeeper fix specs`` in ``repo``: exit code, what it printed, and
    every file after it."""
    done = speckeeper(package, repo, store, "fix", "specs", *select)
    return Outcome(done.returncode, tuple((done.stdout + done.stderr).splitlines()), tree_bytes(repo))


# -- comparing -----------------------------------------------------------


def _text(data: bytes) -> list[str]:
    return data.decode("utf-8", errors="replace").replace("\r", "\\r").split("\n")


def differences(ref: Outcome, here: Outcome, ref_name: str, here_name: str) -> Iterator[str]:
    """A unified diff of two outcomes: exit code, printed lines, then each
    file whose bytes differ."""
    if ref.code != here.code:
        yield f"exit code: {ref_name} {ref.code}, {here_name} {here.code}"
    if ref.lines != here.lines:
        yield from difflib.unified_diff(ref.lines, here.lines, f"{ref_name} output", f"{here_name} output", lineterm="")
    for name in sorted(set(ref.files) | set(here.files)):
        before, after = ref.files.get(name), here.files.get(name)
        if before == after:
            continue
        if before is None or after is None:
            yield f"{name}: only with {ref_name if after is None else here_name}"
            continue
        diff = list(difflib.unified_diff(_text(before), _text(after), f"{ref_name}/{name}", f"{here_name}/{name}", lineterm=""))
        yield from diff[:SHOWN] or [f"{name}: the bytes differ (line endings or encoding)"]
        if len(diff) > SHOWN:
            yield f"... {len(diff) - SHOWN} more diff lines of {name}"


def default_ref() -> str:
    """``origin/main`` where the clone has it, else ``main``."""
    known = subprocess.run(["git", "rev-parse", "--verify", "-q", "origin/main"], cwd=REPO, capture_output=True, check=False)
    return "origin/main" if known.returncode == 0 else "main"


def commit_of(ref: str) -> str | None:
    """The commit ``ref`` names, or None where git does not know it."""
    done = subprocess.run(["git", "rev-parse", "--verify", "-q", f"{ref}^{{commit}}"], cwd=REPO, capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else None


def export(ref: str, commit: str, dest: Path) -> Package:
    """The commit's package (``hooks/``), by ``git archive``, under ``dest``."""
    dest.mkdir()
    archive = subprocess.run(["git", "archive", commit, "hooks"], cwd=REPO, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return Package(f"{ref} ({commit[:10]})", dest / "hooks")


def compare(ref: Package, here: Package, corpus: Path, work: Path) -> bool:
    """Run both packages over the corpus and its mutated copy; print each
    step's verdict and a diff of what differs. True when all is identical."""
    stores = {package.name: work / f"store-{n}" for n, package in enumerate((ref, here))}
    for store in stores.values():
        store.mkdir()
    checked = nova_copy(corpus, work / "checked")
    pristine = nova_copy(corpus, work / "mutated")
    expected = mutate_tree(pristine)
    kinds = sorted({code for codes in expected.values() for code in codes})
    print(f"corpus: {len(specs_of(checked))} specs, copied from {corpus}")
    print(f"mutations: {len(expected)} specs, repaired by {', '.join(kinds)}")
    identical = True
    for label, select in SELECTIONS:
        started = time.monotonic()
        ran = (findings(ref, checked, stores[ref.name], select), findings(here, checked, stores[here.name], select))
        summary = f"findings {len(ran[0].lines)}, {len(ran[1].lines)}"
        identical &= report(f"check, {label}", ref, here, ran, summary, started)
    before = tree_bytes(pristine)
    for number, (label, select) in enumerate(SELECTIONS):
        started = time.monotonic()
        copies = [work / f"fix-{number}-{side}" for side in ("ref", "here")]
        for copy in copies:
            shutil.copytree(pristine, copy)
        ran = (fixed(ref, copies[0], stores[ref.name], select), fixed(here, copies[1], stores[here.name], select))
        changed = [sum(data != before.get(name) for name, data in outcome.files.items()) for outcome in ran]
        summary = f"files changed {changed[0]}, {changed[1]}"
        identical &= report(f"fix, {label}", ref, here, ran, summary, started)
    return identical


def report(step: str, ref: Package, here: Package, ran: tuple[Outcome, Outcome], summary: str, started: float) -> bool:
    """Print what differs between the two runs of a step, then the step's
    line of the summary; True when nothing differs."""
    diff = list(differences(ran[0], ran[1], ref.name, here.name))
    for line in diff:
        print(line)
    verdict = "identical" if not diff else "DIFFERENT"
    print(f"{step}: {summary} (exit {ran[0].code}, {ran[1].code}): {verdict} [{time.monotonic() - started:.0f} s]")
    return not diff


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--vs", metavar="REF", help="the git ref to compare with (default: origin/main, else main)")
    parser.add_argument("--corpus", type=Path, help=f"the nova-specs corpus (default: {DEFAULT_CORPUS})")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and say where it is")
    args = parser.parse_args(argv)
    corpus = args.corpus or DEFAULT_CORPUS
    if not (corpus / "specs").is_dir():
        if args.corpus:
            print(f"engine_compare: no corpus at {corpus} (a folder holding specs/)", file=sys.stderr)
            return 2
        print(f"engine_compare: skipped, the nova-specs corpus is not at {corpus} (give --corpus PATH)")
        return 0
    ref_name = args.vs or default_ref()
    commit = commit_of(ref_name)
    if commit is None:
        print(f"engine_compare: git does not know the ref {ref_name!r}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="engine-compare-"))
    started = time.monotonic()
    try:
        ref = export(ref_name, commit, work / "ref")
        here = Package("working tree", REPO / "hooks")
        for package in (ref, here):
            why = runs_from(package)
            if why:
                print(f"engine_compare: {package.name} does not run from {package.hooks}: {why}", file=sys.stderr)
                return 2
        print(f"engine_compare: {here.name} ({REPO}) against {ref.name}")
        identical = compare(ref, here, corpus, work)
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"identical: {'yes' if identical else 'no'} [{time.monotonic() - started:.0f} s in all]")
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
