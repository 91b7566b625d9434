"""The baseline: written findings pass, new ones fail, entries survive line
shifts, stale entries are listed; over a small repo and the real corpus."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from speckeeper import rules
from speckeeper.cli import main

from .conftest import FIXTURES, Found, Ran, examples, speckeeper, speckeeper_bounded

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
URL = "https://blueprints.launchpad.net/nova/+spec/awesome-thing"


def spec(root: Path, relpath: str, text: str) -> Path:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], list[str]]:
    ran = speckeeper(capsys, "check", *args)
    return ran.code, ran.out, ran.err


@pytest.fixture()
def mismatched(in_tmp: Path) -> Path:
    """A repo with one spec named after another blueprint (SK303)."""
    spec(in_tmp, "specs/zed/approved/awesome-thing.rst", GOOD.replace(URL, URL + "-2"))
    spec(in_tmp, "specs/zed/approved/other.rst", GOOD.replace(URL, URL.replace("awesome-thing", "other")))
    return in_tmp


def test_written_baseline_makes_the_next_check_pass(mismatched: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "specs")[0] == 1
    code, out, err = run(capsys, "specs", "--write-baseline", "baseline.json")
    assert (code, out, err) == (0, [], ["wrote 1 finding(s) to the baseline baseline.json"])
    data = json.loads((mismatched / "baseline.json").read_text())
    assert data["speckeeper-baseline"] == 1
    assert [(e["path"], e["code"]) for e in data["entries"]] == [("specs/zed/approved/awesome-thing.rst", "SK303")]
    assert run(capsys, "specs", "--baseline", "baseline.json") == (0, [], [])


def test_a_new_finding_fails_and_only_it_is_shown(mismatched: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "specs", "--write-baseline", "baseline.json")
    spec(mismatched, "specs/zed/approved/new.rst", GOOD)
    code, out, err = run(capsys, "specs", "--baseline", "baseline.json")
    assert code == 1
    assert [line.split()[:2] for line in out] == [["specs/zed/approved/new.rst:11:1:", "SK303"]]
    assert err == ["1 finding(s) in 1 file(s)"]


def test_entries_survive_lines_added_above(mismatched: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "specs", "--write-baseline", "baseline.json")
    path = mismatched / "specs/zed/approved/awesome-thing.rst"
    path.write_text(path.read_text().replace("\n\nhttps://", "\n\nA line.\n\nAnother.\n\nhttps://", 1))
    assert run(capsys, "specs", "--baseline", "baseline.json") == (0, [], [])


def test_a_changed_finding_is_new_and_its_entry_stale(mismatched: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "specs", "--write-baseline", "baseline.json")
    path = mismatched / "specs/zed/approved/awesome-thing.rst"
    path.write_text(path.read_text().replace("awesome-thing-2", "awesome-thing-3"))
    code, out, err = run(capsys, "specs", "--baseline", "baseline.json")
    assert code == 1
    assert [line.split()[1] for line in out] == ["SK303"] and "awesome-thing-3" in out[0]
    assert err[0].startswith('specs/zed/approved/awesome-thing.rst: SK303 tracker URL names "awesome-thing-2"')
    assert err[0].endswith("(in the baseline, no longer found)")
    assert err[1:] == ["1 baseline entry no longer occurs: write the baseline again to drop them", "1 finding(s) in 1 file(s)"]


def test_a_fixed_finding_is_stale_and_the_check_passes(mismatched: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "specs", "--write-baseline", "baseline.json")
    (mismatched / "specs/zed/approved/awesome-thing.rst").write_text(GOOD)
    code, out, err = run(capsys, "specs", "--baseline", "baseline.json")
    assert (code, out) == (0, [])
    assert err[-1] == "1 baseline entry no longer occurs: write the baseline again to drop them"
    # Written again, the baseline is empty: it only shrinks as specs are fixed.
    run(capsys, "specs", "--write-baseline", "baseline.json")
    assert json.loads((mismatched / "baseline.json").read_text())["entries"] == []


def test_stale_only_where_the_run_looked(mismatched: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A pre-commit run names a few files, or selects a few rules: entries
    for other paths and codes are not stale."""
    spec(mismatched, "specs/yoga/approved/third.rst", GOOD)
    run(capsys, "specs", "--write-baseline", "baseline.json")
    assert run(capsys, "specs/zed/approved/other.rst", "--baseline", "baseline.json") == (0, [], [])
    assert run(capsys, "specs/yoga", "--baseline", "baseline.json") == (0, [], [])
    assert run(capsys, "specs", "--select", "SK301", "--baseline", "baseline.json") == (0, [], [])


def test_identical_findings_count(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = "\n.. image:: flow.png\n"
    spec(in_tmp, "specs/zed/approved/awesome-thing.rst", GOOD.replace("\nAlternatives\n", image * 2 + "\nAlternatives\n"))
    run(capsys, "specs", "--select", "SK403", "--write-baseline", "baseline.json")
    assert len(json.loads((in_tmp / "baseline.json").read_text())["entries"]) == 2
    spec(in_tmp, "specs/zed/approved/awesome-thing.rst", GOOD.replace("\nAlternatives\n", image * 3 + "\nAlternatives\n"))
    code, out, _ = run(capsys, "specs", "--select", "SK403", "--baseline", "baseline.json")
    assert code == 1 and len(out) == 1


def test_json_output_shows_only_new_findings(mismatched: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "specs", "--write-baseline", "baseline.json")
    spec(mismatched, "specs/zed/approved/new.rst", GOOD)
    code = main(["check", "specs", "--format", "json", "--baseline", "baseline.json"])
    records = json.loads(capsys.readouterr().out)
    assert code == 1 and [(r["path"], r["code"]) for r in records] == [("specs/zed/approved/new.rst", "SK303")]


def test_paths_are_relative_to_the_config_wherever_the_run_starts(
    mismatched: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (mismatched / ".speckeeper.toml").write_text("")
    run(capsys, "specs", "--write-baseline", "baseline.json")
    monkeypatch.chdir(mismatched / "specs" / "zed")
    assert run(capsys, ".", "--baseline", "../../baseline.json") == (0, [], [])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the baseline"),
        ("{not json", "not a baseline (expected JSON from --write-baseline)"),
        ('{"entries": []}', "not a baseline: expected"),
        ('{"speckeeper-baseline": 1, "entries": [{"path": "a"}]}', "baseline entry #1 needs path, code and fingerprint"),
    ],
)
def test_a_bad_baseline_is_a_usage_error(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    if content is not None:
        (in_tmp / "baseline.json").write_text(content)
    code, out, err = run(capsys, ".", "--baseline", "baseline.json")
    assert (code, out) == (2, [])
    assert err[0].startswith("speckeeper: error: baseline.json: ") and message in err[0]


def test_baseline_and_write_baseline_exclude_each_other(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--baseline", "a.json", "--write-baseline", "b.json"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_corpus_baseline_passes_and_a_new_mismatch_fails(
    nova_repo: Path,
    nova_findings: tuple[Found, ...],
    nova_cache: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every rule on, nova records today's findings; the next check passes,
    and a spec added after it, named after another blueprint, fails alone.
    (The session's findings cache spares checking each spec again.)"""
    root = tmp_path / "nova"
    shutil.copytree(nova_repo, root)
    monkeypatch.chdir(root)
    every = ("--select", ",".join(rule.code for rule in rules.ALL), "--cache", str(nova_cache))
    code, _, err = run(capsys, "specs", *every, "--write-baseline", "baseline.json")
    assert code == 0
    entries = json.loads((root / "baseline.json").read_text())["entries"]
    by_code = Counter(entry["code"] for entry in entries)
    assert by_code == Counter(f.code for f in nova_findings)
    # What the rules of this issue find in nova-specs (see the report).
    assert {c: n for c, n in by_code.items() if c[:3] in ("SK3", "SK4")} == {
        "SK301": 9, "SK302": 3, "SK303": 63, "SK304": 2, "SK305": 9, "SK311": 3,
        "SK401": 3, "SK402": 31, "SK403": 12, "SK404": 6,
    }
    assert run(capsys, "specs", *every, "--baseline", "baseline.json") == (0, [], [])

    new = (root / "specs/2027.1/approved/openapi.rst")
    new.write_text((root / "specs/2026.1/implemented/openapi.rst").read_text())
    code, out, _ = run(capsys, "specs/2027.1", *every, "--baseline", "baseline.json")
    assert code == 1
    assert [line.split()[:2] for line in out] == [["specs/2027.1/approved/openapi.rst:11:1:", "SK303"]]


@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(above=st.lists(st.sampled_from(["A line.", "", "Two\nlines.", ".. a comment"]), max_size=6))
def test_any_lines_added_above_keep_the_entry(mismatched: Path, above: list[str]) -> None:
    main(["check", "specs", "--write-baseline", "baseline.json"])
    path = mismatched / "specs/zed/approved/awesome-thing.rst"
    original = path.read_text()
    try:
        added = "".join(f"{text}\n\n" for text in above)
        path.write_text(original.replace("https://", added + "https://", 1))
        assert main(["check", "specs", "--select", "SK303", "--baseline", "baseline.json"]) == 0
    finally:
        path.write_text(original)


def test_a_fifo_among_the_findings_is_not_read(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "specs").mkdir()
    os.mkfifo(in_tmp / "specs" / "pipe.rst")
    code, _, _ = run(capsys, "specs", "--write-baseline", "baseline.json")
    assert code == 0
    assert [e["code"] for e in json.loads((in_tmp / "baseline.json").read_text())["entries"]] == ["SK001"]
    assert run(capsys, "specs", "--baseline", "baseline.json")[0] == 0


def test_a_deeply_nested_baseline_is_exit_2(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec(in_tmp, "specs/zed/approved/awesome-thing.rst", GOOD)
    (in_tmp / "baseline.json").write_text('{"speckeeper-baseline": 1, "entries": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, out, err = run(capsys, "specs", "--baseline", "baseline.json")
    assert (code, out) == (2, [])
    assert err == ["speckeeper: error: baseline.json: not a baseline: JSON nested too deeply"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
def test_a_baseline_that_is_not_a_regular_file_is_exit_2(in_tmp: Path, kind: str) -> None:
    """A FIFO would block the read for ever, /dev/zero fill memory."""
    spec(in_tmp, "specs/zed/approved/awesome-thing.rst", GOOD)
    if kind == "fifo":
        os.mkfifo(in_tmp / "baseline.json")
    else:
        (in_tmp / "baseline.json").symlink_to("/dev/zero")
    done = speckeeper_bounded(in_tmp, "check", "specs", "--baseline", "baseline.json")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "speckeeper: error: baseline.json: cannot read the baseline: not a regular file (a device, FIFO or socket)\n"
    )


def test_a_baseline_over_the_bound_is_not_read(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec(in_tmp, "specs/zed/approved/awesome-thing.rst", GOOD)
    with (in_tmp / "baseline.json").open("wb") as handle:
        handle.truncate(32_000_001)  # Sparse: no disk used.
    code, out, err = run(capsys, "specs", "--baseline", "baseline.json")
    assert (code, out) == (2, [])
    assert err == ["speckeeper: error: baseline.json: the baseline is 32,000,001 bytes, over 32,000,000: not read"]


# The repo's own baseline, which the whole workflow honours (issue 15).

RENAMED = GOOD.replace("Testing\n=======\n", "Tests\n=====\n")


def test_speckeeper_baseline_writes_the_repos_baseline_and_check_honours_it(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "specs/2027.1/approved").mkdir(parents=True)
    (in_tmp / "specs/2027.1/approved/awesome-thing.rst").write_text(RENAMED, encoding="utf-8")
    assert speckeeper(capsys, "check").code == 1
    ran = speckeeper(capsys, "baseline")
    assert (ran.code, ran.err) == (0, ["wrote 2 finding(s) to the baseline .speckeeper-baseline.json"])
    assert (in_tmp / ".speckeeper-baseline.json").is_file()
    assert speckeeper(capsys, "check").code == 0  # No argument: the repo's baseline applies.
    assert speckeeper(capsys, "check", "--no-baseline").code == 1
    # A new finding still fails, and only it is reported.
    (in_tmp / "specs/2027.1/approved/other-thing.rst").write_text(RENAMED.replace("awesome-thing", "other-thing"), encoding="utf-8")
    ran = speckeeper(capsys, "check")
    assert ran.code == 1 and {line.split(":")[0] for line in ran.out} == {"specs/2027.1/approved/other-thing.rst"}


def test_fix_leaves_what_the_baseline_records(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A legacy spec is not rewritten by a commit that never touched it."""
    (in_tmp / "specs/2027.1/approved").mkdir(parents=True)
    legacy = GOOD.replace("None\n", "None   \n", 1)  # Trailing whitespace: fixable.
    spec = in_tmp / "specs/2027.1/approved/awesome-thing.rst"
    spec.write_text(legacy, encoding="utf-8")
    assert speckeeper(capsys, "baseline").code == 0
    assert speckeeper(capsys, "fix") == Ran(0, [], [])
    assert spec.read_text(encoding="utf-8") == legacy
    # What the baseline does not record is fixed; what it records stays.
    edited = legacy.replace("copy takes.\n", "copy takes.   \n", 1)
    spec.write_text(edited, encoding="utf-8")
    assert speckeeper(capsys, "fix").out == ["Fixing specs/2027.1/approved/awesome-thing.rst"]
    assert spec.read_text(encoding="utf-8") == legacy
    assert speckeeper(capsys, "fix", "--no-baseline").code == 1
    assert spec.read_text(encoding="utf-8") == GOOD


def test_check_fix_and_the_editor_agree_on_what_the_baseline_records(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One gate for all: a finding the baseline records is not reported by
    ``check``, not fixed nor counted by ``fix``, not shown in the editor;
    a new one of the same rule is, by each."""
    from speckeeper.lsp.engine import Engines, analyse

    (in_tmp / "specs/2027.1/approved").mkdir(parents=True)
    spec = in_tmp / "specs/2027.1/approved/awesome-thing.rst"
    legacy = GOOD.replace("None\n", "None   \n", 1)
    spec.write_text(legacy, encoding="utf-8")
    assert speckeeper(capsys, "baseline").code == 0
    edited = legacy.replace("copy takes.\n", "copy takes.   \n", 1)
    spec.write_text(edited, encoding="utf-8")
    line = next(n for n, row in enumerate(edited.split("\n"), 1) if row.endswith("copy takes.   "))
    col = len(edited.split("\n")[line - 1]) - 2
    new = f"specs/2027.1/approved/awesome-thing.rst:{line}:{col}: SK203 trailing whitespace (3 character(s)), expected none"

    checked = speckeeper(capsys, "check")
    assert (checked.code, checked.out) == (1, [new])
    shown = analyse(Engines(), spec, edited, 1).findings
    assert [(f.line, f.col, f.code) for f in shown] == [(line, col, "SK203")]
    fixed = speckeeper(capsys, "fix")
    assert (fixed.code, fixed.out, fixed.err) == (1, ["Fixing specs/2027.1/approved/awesome-thing.rst"], [new + " (fixed)"])
    assert spec.read_text(encoding="utf-8") == legacy


def test_the_lifecycle_check_of_a_commit_reports_what_it_touches(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A repo's broken redirect, there before, does not stop a commit of an
    unrelated spec; a commit that breaks one, by moving its target, stops."""
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=in_tmp, check=True, capture_output=True)

    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for relpath in ("specs/zed/implemented/kept.rst", "specs/zed/implemented/moved.rst"):
        (in_tmp / relpath).parent.mkdir(parents=True, exist_ok=True)
        (in_tmp / relpath).write_text(GOOD.replace("awesome-thing", Path(relpath).stem), encoding="utf-8")
    (in_tmp / "specs/zed/redirects").write_text(
        "approved/gone.rst ../implemented/gone.rst\napproved/moved.rst ../implemented/moved.rst\n", encoding="utf-8"
    )
    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "start")
    lifecycle = ("check", "--group", "lifecycle", "--staged")
    assert speckeeper(capsys, *lifecycle).code == 1  # Nothing staged: the whole folder (CI).
    (in_tmp / "specs/zed/implemented/new-thing.rst").write_text(GOOD.replace("awesome-thing", "new-thing"), encoding="utf-8")
    git("add", "-A")
    assert speckeeper(capsys, *lifecycle) == Ran(0, [], [])
    git("mv", "specs/zed/implemented/moved.rst", "specs/zed/implemented/elsewhere.rst")
    ran = speckeeper(capsys, *lifecycle)
    assert ran.code == 1 and ran.out == [
        'specs/zed/redirects:2:1: SK311 redirect target "../implemented/moved.rst" does not exist:'
        " expected a spec at specs/zed/implemented/moved.rst"
    ]


def test_a_commits_check_keeps_the_entries_of_files_it_did_not_touch(
    mismatched: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``check --staged specs`` looks at the whole folder and reports what
    is staged: another spec's recorded finding, still there, is not listed
    as gone (dropping it would fail the next CI run)."""
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=mismatched, check=True, capture_output=True)

    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    assert speckeeper(capsys, "baseline").code == 0
    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "start")
    other = mismatched / "specs/zed/approved/other.rst"
    other.write_text(other.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    git("add", "-A")
    assert speckeeper(capsys, "check", "--staged", "specs") == Ran(0, [], [])
    assert speckeeper(capsys, "check", "--fix", "--staged", "specs") == Ran(0, [], [])
    assert speckeeper(capsys, "check", "--staged") == Ran(0, [], [])
    assert speckeeper(capsys, "check") == Ran(0, [], [])  # The whole folder, as CI runs it.
