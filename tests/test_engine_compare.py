"""benchmarks/engine_compare.py's mutations are ones ``speckeeper fix``
repairs: mutated corpus specs have the findings each mutation should give,
and after the script's fix step none of them is left. (The comparison of
two refs over the whole corpus is run by hand: see benchmarks/RESULTS.md.)
What differs between two runs is shown as a diff."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks import engine_compare

from .conftest import REPO

# Two specs of one release, mutated as the corpus's first spec (index 0:
# every kind of mutation, CRLF endings and no final newline among them)
# and its thirtieth (a deleted subsection, a near miss, a joined paragraph).
SPECS = (("2025.1/approved/vtpm-live-migration.rst", 0), ("2025.1/approved/per-process-healthchecks.rst", 30))
ALL_KINDS = {"SK102", "SK104", "SK109", "SK201", "SK203", "SK205", "SK207"}


def codes_found(repo: Path, store: Path, codes: set[str]) -> dict[str, set[str]]:
    """The codes among ``codes`` that ``speckeeper check`` finds, by spec."""
    here = engine_compare.Package("working tree", REPO / "hooks")
    found = engine_compare.findings(here, repo, store, ("--select", ",".join(sorted(codes))))
    assert found.code in (0, 1), found.lines
    by_spec: dict[str, set[str]] = {}
    for line in found.lines:  # path:line:col: CODE message
        where, what = line.split(": ", 1)
        by_spec.setdefault(where.split(":")[0], set()).add(what.split(" ", 1)[0])
    return by_spec


@pytest.mark.slow
def test_the_fixer_repairs_what_the_comparison_mutates(corpus: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "specs" / "2025.1" / "approved").mkdir(parents=True)
    shutil.copy(corpus / "specs" / "2025.1-template.rst", repo / "specs")
    (repo / ".speckeeper.toml").write_text(engine_compare.NOVA_GATE_CONFIG, encoding="utf-8")
    template = engine_compare.template_of(repo / "specs" / SPECS[0][0])
    titles = frozenset(t.text for t in engine_compare.titles(template.read_text(encoding="utf-8").split("\n")))
    expected = {}
    for name, index in SPECS:
        text, codes = engine_compare.mutate((corpus / "specs" / name).read_text(encoding="utf-8"), titles, index)
        (repo / "specs" / name).write_bytes(text.encode("utf-8"))
        expected[f"specs/{name}"] = codes
    assert expected["specs/" + SPECS[0][0]] == ALL_KINDS
    assert {"SK102", "SK104", "SK201"} <= expected["specs/" + SPECS[1][0]]
    store = tmp_path / "store"
    store.mkdir()

    assert codes_found(repo, store, ALL_KINDS) == expected, "each mutation gives its finding"
    here = engine_compare.Package("working tree", REPO / "hooks")
    done = engine_compare.fixed(here, repo, store, ("--select", "SK"))

    assert done.code == 1, done.lines  # Files fixed.
    refused = [line for line in done.lines if "SK005" in line]
    assert codes_found(repo, store, ALL_KINDS) == {}, refused


def test_what_differs_between_two_runs_is_a_diff_and_nothing_else_is() -> None:
    ref = engine_compare.Outcome(1, ("a.rst:1:1: SK104 x", "a.rst:2:1: SK203 y"), {"a.rst": b"T\n=\n", "b.rst": b"b\n"})
    same = engine_compare.Outcome(1, ref.lines, dict(ref.files))
    assert list(engine_compare.differences(ref, same, "main", "here")) == []

    here = engine_compare.Outcome(0, ("a.rst:1:1: SK104 x",), {"a.rst": b"T\r\n=\r\n", "b.rst": b"b\n"})
    diff = list(engine_compare.differences(ref, here, "main", "here"))
    assert diff[0] == "exit code: main 1, here 0"
    assert "-a.rst:2:1: SK203 y" in diff
    assert "+++ here/a.rst" in diff and "-T" in diff and "+T\\r" in diff
    assert not [line for line in diff if "b.rst" in line]
