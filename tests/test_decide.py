"""The gate (``decide.Gate``): what of the rules' findings is reported,
and what it holds back, in order: the selection and a path's overrides,
a spec's ``speckeeper: ignore`` comments, a change's files, the baseline."""

from __future__ import annotations

from pathlib import Path

from speckeeper.engine.baseline import Entry
from speckeeper.config.settings import Config, Override, Settings
from speckeeper.engine.decide import Gate, Selection
from speckeeper.findings import Finding, fingerprint

A = "specs/zed/approved/a.rst"
B = "specs/zed/approved/b.rst"
LEGACY = "specs/yoga/approved/legacy.rst"


def found(path: str, code: str, message: str = "m") -> Finding:
    return Finding(path, 3, 1, code, message, "a line")


def entry(path: str, code: str, message: str = "m") -> Entry:
    return Entry(path, code, fingerprint(code, message, "a line"), message)


def config(root: Path) -> Config:
    # SK203 (trailing whitespace) is off under yoga/ only.
    return Config(root, base=Settings(select=("SK",)), overrides=(Override(("specs/yoga/**",), {"ignore": ("SK203",)}),))


def test_each_step_holds_back_its_own(in_tmp: Path) -> None:
    findings = [found(A, "SK203"), found(LEGACY, "SK203"), found(A, "SK201"), found(B, "SK201"), found(B, "SK203")]
    recorded = (entry(B, "SK203"),)
    verdict = Gate(config(in_tmp), Selection(ignore=("SK202",)), recorded).decide(findings, {A: frozenset({"SK201"})})
    assert verdict.reported == [found(A, "SK203"), found(B, "SK201")]  # Not LEGACY's: its override ignores SK203.
    assert verdict.silenced == [found(A, "SK201")]
    assert verdict.baselined == [found(B, "SK203")]
    assert verdict.stale == []  # No path looked at: nothing can be stale.


def test_the_command_line_selects_on_top_of_the_configuration(in_tmp: Path) -> None:
    findings = [found(A, "SK203"), found(A, "SK201")]
    assert Gate(config(in_tmp), Selection(ignore=("SK2",))).decide(findings).reported == []
    assert Gate(config(in_tmp), Selection(select=("SK201",))).decide(findings).reported == [found(A, "SK201")]


def test_an_entry_is_stale_only_where_the_run_looked_and_its_code_ran(in_tmp: Path) -> None:
    recorded = (entry(A, "SK203", "gone"), entry(B, "SK203", "gone"), entry(LEGACY, "SK203", "gone"), entry(A, "SK201"))
    gate = Gate(config(in_tmp), Selection(), recorded)
    verdict = gate.decide([found(A, "SK201")], looked_at=[Path("specs/zed/approved/a.rst"), Path("specs/yoga")])
    # Not B's (not looked at), not LEGACY's (SK203 does not run there).
    assert (verdict.reported, verdict.baselined) == ([], [found(A, "SK201")])
    assert verdict.stale == [entry(A, "SK203", "gone")]
    assert gate.decide([], looked_at=[Path(".")]).stale == sorted([*recorded[:2], recorded[3]])


def test_identical_findings_each_need_an_entry(in_tmp: Path) -> None:
    verdict = Gate(config(in_tmp), Selection(), (entry(A, "SK203"),)).decide([found(A, "SK203"), found(A, "SK203")])
    assert (len(verdict.reported), len(verdict.baselined)) == (1, 1)


def test_a_change_reports_only_findings_about_what_it_touches(in_tmp: Path) -> None:
    about_b = Finding("specs/zed/redirects", 1, 1, "SK311", "m", "", (B,))
    findings = [found(A, "SK203"), about_b]
    gate = Gate(config(in_tmp))
    assert gate.decide(findings, touched=[in_tmp / B]).reported == [about_b]
    assert gate.decide(findings, touched=None).reported == findings


def test_a_change_leaves_the_baseline_entries_of_files_it_did_not_touch(in_tmp: Path) -> None:
    """A commit's check looks at the whole folder and reports what the
    commit touches: an entry about another file, found again, is neither
    reported nor stale (else the author is told to drop it, and the next
    whole-folder check fails on it)."""
    recorded = (entry(A, "SK203"), entry(B, "SK203"), entry(B, "SK201", "gone"))
    findings = [found(A, "SK203"), found(B, "SK203"), found(A, "SK201")]
    verdict = Gate(config(in_tmp), Selection(), recorded).decide(findings, looked_at=[Path("specs")], touched=[in_tmp / A])
    assert verdict.reported == [found(A, "SK201")]
    assert verdict.baselined == [found(A, "SK203")]
    assert verdict.stale == [entry(B, "SK201", "gone")]  # Looked for everywhere, truly gone.
