"""What the lifecycle commands (``move``, ``abandon``, ``repropose``) promise
beyond their own steps (issue 23): every write expects the file as the plan
read it, so a line added meanwhile is never lost, by the command or by its
undo, and two commands at once cannot undo each other; the baseline's
entries go with a spec; ``move --implemented`` removes the release's
template links as nova's tool does; a stray byte is refused before any write."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from speckeeper.files import atomic
from speckeeper.cli import main
from speckeeper.commands.plan import Plan

from .conftest import FIXTURES, Ran, git, speckeeper, tree_state
from .test_move import build, spec, status

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
REDIRECTS = "approved/b.rst ../implemented/b.rst\n"
# A line another command (or the author) adds to the redirects file.
THEIRS = "approved/c.rst ../implemented/c.rst\n"
TOO_LONG = "This line of the paragraph is too long: it runs well past the seventy-ninth column."


def long_spec(slug: str) -> str:
    """A spec with one finding a baseline can record (SK201, a long line)."""
    return spec(slug).replace("None\n", TOO_LONG + "\n", 1)


# Item 1: a line added to the redirects file while move runs.


def test_a_redirect_added_between_check_and_write_is_kept_and_the_move_refused(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    build(in_tmp, {"specs/zed/approved/a.rst": "", "specs/zed/redirects": REDIRECTS})
    redirects = in_tmp / "specs/zed/redirects"
    real = Plan.check

    def check_then_someone_appends(plan: Plan) -> None:
        real(plan)
        with redirects.open("a", encoding="utf-8") as file:
            file.write(THEIRS)

    monkeypatch.setattr(Plan, "check", check_then_someone_appends)
    before = tree_state(in_tmp)
    ran = speckeeper(capsys, "move", "specs/zed/approved/a.rst", "implemented")
    assert ran == Ran(
        2,
        [],
        [
            "speckeeper: error: specs/zed/redirects: changed while planning this: left as it is now:"
            " what was changed is undone"
        ],
    )
    assert redirects.read_text(encoding="utf-8") == REDIRECTS + THEIRS
    assert tree_state(in_tmp) == {**before, "specs/zed/redirects": (REDIRECTS + THEIRS).encode()}


# Item 2: two moves of one spec at once. The first pauses at a point of
# its own; the second runs whole meanwhile; then the first goes on.


def race(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], owner: object, name: str) -> list[str]:
    """Move a.rst to implemented/ in a thread that pauses when it first
    calls ``owner.name``; meanwhile move it to 2025.2/approved/ whole; then
    let the first go on. The second must win whole, the first change
    nothing of it: what the first printed on stderr."""
    paused, resume, codes = threading.Event(), threading.Event(), []
    real = getattr(owner, name)

    def hook(*args: object, **kwargs: object) -> object:
        if threading.current_thread() is first and not paused.is_set():
            paused.set()
            assert resume.wait(60), "never told to go on"
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, hook)
    first = threading.Thread(target=lambda: codes.append(main(["move", "specs/zed/approved/a.rst", "implemented"])))
    first.start()
    try:
        assert paused.wait(60), "the first move never reached its pause"
        second = main(["move", "specs/zed/approved/a.rst", "2025.2/approved"])
    finally:
        resume.set()
        first.join(60)
    out, err = capsys.readouterr()
    assert (second, codes) == (0, [2]), (out, err)
    assert Path("specs/zed/redirects").read_text() == REDIRECTS + "approved/a.rst ../../2025.2/approved/a.rst\n"
    assert Path("specs/2025.2/approved/a.rst").read_text() == spec("a")
    assert not Path("specs/zed/implemented/a.rst").exists()
    return err.splitlines()


def test_two_moves_planned_together_the_second_to_write_changes_nothing(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both planned and checked before either writes: the one that writes
    second finds the redirects file changed and leaves it as it is."""
    build(in_tmp, {"specs/zed/approved/a.rst": "", "specs/zed/redirects": REDIRECTS})
    assert race(monkeypatch, capsys, Plan, "apply") == [
        "speckeeper: error: specs/zed/redirects: changed while planning this (replaced by another file): left as it is now:"
        " what was changed is undone"
    ]
    assert status(in_tmp) == ["R  specs/zed/approved/a.rst -> specs/2025.2/approved/a.rst", "M  specs/zed/redirects"]


def test_a_move_undone_leaves_the_redirect_another_move_wrote_since(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first has written the redirects file and not yet moved the spec
    when the second (reading what the first wrote) moves it elsewhere,
    dropping the first's line: the first cannot move the spec, and its
    undo leaves the file the second wrote. (Outside git: in a work tree
    the second refuses, the redirects file having changes not staged.)"""
    build(in_tmp, {"specs/zed/approved/a.rst": "", "specs/zed/redirects": REDIRECTS}, in_git=False)
    assert race(monkeypatch, capsys, atomic, "move_file") == [
        "speckeeper: error: specs/zed/approved/a.rst: is gone: not moved: what was changed is undone, except"
        " specs/zed/redirects: changed while planning this (replaced by another file): left as it is now"
    ]


# Item 17: a reason holding a byte that is not UTF-8.


def test_abandon_with_a_stray_byte_in_the_reason_is_refused_before_any_write(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build(in_tmp, {"specs/zed/approved/a.rst": "", "specs/zed/redirects": REDIRECTS})
    before = tree_state(in_tmp)
    # What Python makes of the argument b"Superseded \xff." on a UTF-8 system.
    reason = b"Superseded \xff.".decode("utf-8", "surrogateescape")
    ran = speckeeper(capsys, "abandon", "specs/zed/approved/a.rst", "--reason", reason)
    assert ran == Ran(
        2, [], ["speckeeper: error: --reason: not UTF-8 text (the byte 0xff at character 12): nothing changed"]
    )
    assert tree_state(in_tmp) == before and status(in_tmp) == []


# Item 5: the baseline's entries go with the spec.


def baselined(root: Path, files: dict[str, str], capsys: pytest.CaptureFixture[str], config: str = "") -> Path:
    """A git repo of ``files`` whose baseline records their findings. With
    no configuration, a doc8 gate in tox.ini, so that long lines count
    (read off the tree as the repo's own line gate)."""
    files = {**files, ".speckeeper.toml": config} if config else {**files, "tox.ini": "[doc8]\nmax-line-length = 79\n"}
    build(root, files, in_git=False)
    assert speckeeper(capsys, "baseline").code == 0
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "as it is")
    return root / ".speckeeper-baseline.json"


def recorded(path: Path) -> list[tuple[str, str]]:
    return [(entry["path"], entry["code"]) for entry in json.loads(path.read_text())["entries"]]


def test_a_moved_spec_takes_its_baseline_entries_and_check_stays_clean(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = baselined(in_tmp, {"specs/zed/approved/a.rst": long_spec("a"), "specs/zed/approved/b.rst": long_spec("b")}, capsys)
    assert recorded(path) == [("specs/zed/approved/a.rst", "SK201"), ("specs/zed/approved/b.rst", "SK201")]
    assert speckeeper(capsys, "check", "specs").code == 0
    ran = speckeeper(capsys, "move", "specs/zed/approved/a.rst", "implemented")
    assert ran.code == 0 and ran.out[-1] == (
        "updated .speckeeper-baseline.json: 1 entry of specs/zed/approved/a.rst now of specs/zed/implemented/a.rst"
    )
    assert recorded(path) == [("specs/zed/approved/b.rst", "SK201"), ("specs/zed/implemented/a.rst", "SK201")]
    assert speckeeper(capsys, "check", "specs") == Ran(0, [], [])
    assert "M  .speckeeper-baseline.json" in status(in_tmp)


def test_move_implemented_carries_each_specs_entries(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = baselined(in_tmp, {"specs/zed/approved/a.rst": long_spec("a"), "specs/zed/approved/b.rst": long_spec("b")}, capsys)
    assert speckeeper(capsys, "move", "--implemented", "zed", "a", "b").code == 0
    assert recorded(path) == [("specs/zed/implemented/a.rst", "SK201"), ("specs/zed/implemented/b.rst", "SK201")]
    assert speckeeper(capsys, "check", "specs") == Ran(0, [], [])


def test_abandon_carries_the_entries_where_abandoned_specs_are_checked(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = baselined(in_tmp, {"specs/zed/approved/a.rst": long_spec("a")}, capsys, 'other-layouts = ["specs/abandoned/{slug}.rst"]\n')
    assert speckeeper(capsys, "abandon", "specs/zed/approved/a.rst", "--reason", "Superseded.").code == 0
    assert recorded(path) == [("specs/abandoned/a.rst", "SK201")]
    assert speckeeper(capsys, "check", "specs") == Ran(0, [], [])


@pytest.mark.parametrize(
    "config",
    ['exclude = ["*-template.rst", "specs/abandoned/**"]\n', ""],
    ids=["excluded by the config", "no config: excluded once the folder is made"],
)
def test_abandon_drops_the_entries_where_abandoned_specs_are_not_checked(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], config: str
) -> None:
    path = baselined(in_tmp, {"specs/zed/approved/a.rst": long_spec("a"), "specs/zed/approved/b.rst": long_spec("b")}, capsys, config)
    ran = speckeeper(capsys, "abandon", "specs/zed/approved/a.rst")
    assert ran.code == 0 and ran.out[-1] == (
        "dropped from .speckeeper-baseline.json: 1 entry of specs/zed/approved/a.rst, not checked at specs/abandoned/a.rst"
    )
    assert recorded(path) == [("specs/zed/approved/b.rst", "SK201")]
    assert speckeeper(capsys, "check", "specs") == Ran(0, [], [])


def test_a_reproposed_copy_is_recorded_for_the_findings_it_keeps(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The copy is the same text re-dated: the findings recorded for the
    original are recorded for the copy, which its commit then passes."""
    path = baselined(in_tmp, {"specs/zed/approved/a.rst": long_spec("a")}, capsys)
    ran = speckeeper(capsys, "repropose", "specs/zed/approved/a.rst", "--release", "2027.2")
    assert ran.code == 0, ran
    assert "updated .speckeeper-baseline.json: 1 entry of specs/zed/approved/a.rst also of specs/2027.2/approved/a.rst" in ran.out
    assert not any(" SK201 " in line for line in ran.out)
    assert recorded(path) == [("specs/2027.2/approved/a.rst", "SK201"), ("specs/zed/approved/a.rst", "SK201")]
    assert speckeeper(capsys, "check", "specs") == Ran(0, [], [])


def test_a_baseline_changed_meanwhile_refuses_the_move(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = baselined(in_tmp, {"specs/zed/approved/a.rst": long_spec("a")}, capsys)
    real = Plan.check

    def check_then_rewrite(plan: Plan) -> None:
        real(plan)
        path.write_text(path.read_text() + " ")

    monkeypatch.setattr(Plan, "check", check_then_rewrite)
    before = path.read_text()
    ran = speckeeper(capsys, "move", "specs/zed/approved/a.rst", "implemented")
    assert ran.code == 2 and "specs/zed/approved/a.rst" in tree_state(in_tmp)
    assert ran.err == [
        "speckeeper: error: .speckeeper-baseline.json: changed while planning this: left as it is now:"
        " what was changed is undone"
    ]
    assert path.read_text() == before + " "


# Item 6: move --implemented removes the release's template links.


def with_template_links(root: Path) -> None:
    build(root, {"specs/zed/approved/a.rst": "", "specs/zed/approved/b.rst": "", "specs/zed-template.rst": GOOD}, in_git=False)
    (root / "specs/zed/implemented").mkdir()
    for state in ("approved", "implemented"):
        (root / f"specs/zed/{state}/zed-template.rst").symlink_to("../../zed-template.rst")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "as it is")


def test_move_implemented_removes_the_releases_template_links(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with_template_links(in_tmp)
    ran = speckeeper(capsys, "move", "--implemented", "zed", "a")
    assert ran.code == 0, ran
    assert ran.out[-2:] == [
        "removed the template link specs/zed/approved/zed-template.rst",
        "removed the template link specs/zed/implemented/zed-template.rst",
    ]
    assert sorted(os.listdir(in_tmp / "specs/zed/approved")) == ["b.rst"]
    assert sorted(os.listdir(in_tmp / "specs/zed/implemented")) == ["a.rst"]
    assert sorted(status(in_tmp)) == [
        "A  specs/zed/redirects",
        "D  specs/zed/approved/zed-template.rst",
        "D  specs/zed/implemented/zed-template.rst",
        "R  specs/zed/approved/a.rst -> specs/zed/implemented/a.rst",
    ]
    assert (in_tmp / "specs/zed-template.rst").read_text() == GOOD


def test_a_failed_implemented_move_puts_the_template_links_back(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with_template_links(in_tmp)
    before = tree_state(in_tmp)
    (in_tmp / ".git/index.lock").write_text("")
    ran = speckeeper(capsys, "move", "--implemented", "zed", "a")
    assert ran.code == 2 and "what was changed is undone" in ran.err[0] and "except" not in ran.err[0]
    assert tree_state(in_tmp) == before


def test_move_implemented_dry_run_names_the_template_links(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with_template_links(in_tmp)
    before = tree_state(in_tmp)
    ran = speckeeper(capsys, "move", "--dry-run", "--implemented", "zed", "a")
    assert ran.out[-1] == "would remove the template link specs/zed/implemented/zed-template.rst"
    assert tree_state(in_tmp) == before
