"""``speckeeper move`` and ``abandon``: on small repos built here (git work
trees and plain folders), then on a git copy of the nova corpus, where the
repo is left passing the lifecycle rules."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from speckeeper import rules

from .conftest import FIXTURES, Ran, git, git_repo, reset, speckeeper, speckeeper_bounded, tree_state

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
LIFECYCLE = ",".join(r.code for r in rules.ALL if r.group == "lifecycle")


def spec(slug: str) -> str:
    """A good spec whose tracker URL names ``slug``."""
    return GOOD.replace("+spec/awesome-thing", f"+spec/{slug}")


def build(root: Path, files: dict[str, str], in_git: bool = True) -> Path:
    """Files by relative path (a ".rst" with no text: a good spec named
    after it), committed to a new git repo unless ``in_git`` is false."""
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text or spec(path.stem) if relpath.endswith(".rst") else text, encoding="utf-8")
    return git_repo(root) if in_git else root


def status(repo: Path) -> list[str]:
    """``git status``, short; nothing outside git."""
    return git(repo, "status", "--porcelain").splitlines() if (repo / ".git").exists() else []


def refused(capsys: pytest.CaptureFixture[str], repo: Path, *argv: str) -> str:
    """Run a command that must change nothing: exit 2, one line on stderr."""
    before, staged = tree_state(repo), status(repo)
    ran = speckeeper(capsys, *argv)
    assert (ran.code, ran.out, len(ran.err)) == (2, [], 1), ran
    assert tree_state(repo) == before and status(repo) == staged
    return ran.err[0]


def test_move_renames_in_git_and_adds_the_redirect(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build(in_tmp, {"specs/zed/approved/a.rst": "", "specs/zed/redirects": "approved/b.rst ../implemented/b.rst\n", "specs/zed/implemented/b.rst": ""})
    ran = speckeeper(capsys, "move", "specs/zed/approved/a.rst", "implemented")
    assert ran == Ran(
        0,
        [
            "moved specs/zed/approved/a.rst -> specs/zed/implemented/a.rst",
            "added to specs/zed/redirects: approved/a.rst ../implemented/a.rst",
        ],
        [],
    )
    assert (in_tmp / "specs/zed/redirects").read_text() == (
        "approved/b.rst ../implemented/b.rst\napproved/a.rst ../implemented/a.rst\n"
    )
    assert (in_tmp / "specs/zed/implemented/a.rst").read_text() == spec("a")
    assert status(in_tmp) == ["R  specs/zed/approved/a.rst -> specs/zed/implemented/a.rst", "M  specs/zed/redirects"]
    assert speckeeper(capsys, "check", "specs").code == 0


def test_dry_run_says_what_it_would_do_and_does_nothing(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build(in_tmp, {"specs/zed/approved/a.rst": ""})
    before = tree_state(in_tmp)
    ran = speckeeper(capsys, "move", "--dry-run", "specs/zed/approved/a.rst", "2025.1/approved")
    assert ran == Ran(
        0,
        [
            "would move specs/zed/approved/a.rst -> specs/2025.1/approved/a.rst",
            "would add to specs/zed/redirects: approved/a.rst ../../2025.1/approved/a.rst",
        ],
        [],
    )
    assert tree_state(in_tmp) == before and status(in_tmp) == []


def test_redirects_to_the_old_path_follow_it_and_none_leaves_the_new(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Abandoning an implemented spec: the redirect that led to it from
    approved/ now leads to the abandoned folder (no chain), and moving a
    spec back to approved/ drops the redirect away from there."""
    build(
        in_tmp,
        {
            "specs/zed/implemented/a.rst": "",
            "specs/zed/implemented/b.rst": "",
            "specs/zed/redirects": "approved/a.rst ../implemented/a.rst\napproved/b.rst ../implemented/b.rst\n",
            "specs/yoga/redirects": "approved/a.rst ../../zed/approved/a.rst\n",
        },
    )
    ran = speckeeper(capsys, "abandon", "specs/zed/implemented/a.rst")
    assert ran.code == 0
    assert (in_tmp / "specs/zed/redirects").read_text() == (
        "approved/a.rst ../../abandoned/a.rst\n"
        "approved/b.rst ../implemented/b.rst\n"
        "implemented/a.rst ../../abandoned/a.rst\n"
    )
    # The chain yoga -> zed/approved -> zed/implemented ends at the spec: it follows too.
    assert (in_tmp / "specs/yoga/redirects").read_text() == "approved/a.rst ../../abandoned/a.rst\n"
    assert "retargeted in specs/yoga/redirects:1: approved/a.rst ../../abandoned/a.rst" in ran.out

    ran = speckeeper(capsys, "move", "specs/zed/implemented/b.rst", "approved")
    assert ran.code == 0, ran
    assert "dropped from specs/zed/redirects:2: approved/b.rst ../implemented/b.rst" in ran.out
    assert (in_tmp / "specs/zed/redirects").read_text() == (
        "approved/a.rst ../../abandoned/a.rst\n"
        "implemented/a.rst ../../abandoned/a.rst\n"
        "implemented/b.rst ../approved/b.rst\n"
    )
    assert speckeeper(capsys, "check", "specs", "--select", LIFECYCLE).code == 0


def test_the_copier_answers_follow_the_spec(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = "# Comment kept.\n_commit: abc\nblueprint: a\nrelease: 'zed'\nstate: approved\ntitle: A\n"
    other = "blueprint: b\nrelease: '2025.1'\nstate: approved\n"  # Describes another copy: left alone.
    build(
        in_tmp,
        {
            "specs/zed/approved/a.rst": "",
            "specs/zed/approved/b.rst": "",
            ".copier-answers/a.yml": answers,
            ".copier-answers/b.yml": other,
        },
    )
    assert speckeeper(capsys, "move", "specs/zed/approved/a.rst", "implemented").out[-1] == (
        "updated .copier-answers/a.yml: state implemented"
    )
    assert (in_tmp / ".copier-answers/a.yml").read_text() == answers.replace("state: approved", "state: implemented")
    assert speckeeper(capsys, "move", "specs/zed/approved/b.rst", "2025.2/implemented").code == 0
    assert (in_tmp / ".copier-answers/b.yml").read_text() == other
    assert "M  .copier-answers/a.yml" in status(in_tmp)


def test_moved_answers_are_what_copier_writes_for_the_new_place(
    in_tmp: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """``copier update`` rewrites the answers file whole; after a move it
    must find nothing to change: the bytes copier writes for a spec
    rendered where the spec now is."""
    copier = pytest.importorskip("copier")
    from speckeeper.copier.data import copier_root

    def render(dst: Path, release: str, state: str) -> bytes:
        data = {"blueprint": "a", "release": release, "state": state}
        copier.run_copy(str(copier_root()), dst, data=data, defaults=True, quiet=True, unsafe=False)
        return (dst / ".copier-answers/a.yml").read_bytes()

    render(in_tmp, "2026.2", "approved")
    git_repo(in_tmp)
    assert speckeeper(capsys, "move", "specs/2026.2/approved/a.rst", "2027.1/implemented").code == 0
    assert (in_tmp / ".copier-answers/a.yml").read_bytes() == render(tmp_path_factory.mktemp("fresh"), "2027.1", "implemented")



def test_a_long_chain_of_redirects_to_the_moved_spec_is_retargeted_in_linear_time(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each line leads to the next, the last to the spec moved: every line
    is pointed at its new place, each path of the chain looked at once (the
    walk was once per line, the square of the file's length)."""
    from speckeeper.commands.plan import Plan

    count = 400
    chain = "".join(f"approved/c{n}.rst ../approved/c{n + 1}.rst\n" for n in range(count))
    build(in_tmp, {"specs/zed/approved/c400.rst": "", "specs/zed/redirects": chain})
    looked: list[Path] = []
    exists = Plan.exists

    def counted(plan: Plan, path: Path) -> bool:
        looked.append(path)
        return exists(plan, path)

    monkeypatch.setattr(Plan, "exists", counted)
    assert speckeeper(capsys, "move", "specs/zed/approved/c400.rst", "implemented").code == 0
    retargeted = "".join(f"approved/c{n}.rst ../implemented/c400.rst\n" for n in range(count))
    assert (in_tmp / "specs/zed/redirects").read_text() == retargeted + "approved/c400.rst ../implemented/c400.rst\n"
    chain_looks = sum("/approved/c" in str(path) for path in looked)
    assert chain_looks <= count + 1, f"{chain_looks} looks for {count} chained lines"


def _laughs() -> str:
    """527 bytes that expand to 10^9 strings: each anchor names nine of the last."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("answers", "line", "reason"),
    [
        (_laughs(), 5, "an alias (*a0): aliases are not allowed"),
        ("deep: " + "[" * 5_000 + "]" * 5_000 + "\n", 4, "nested more than 50 levels deep"),
        ("".join(f"{'  ' * n}k{n}:\n" for n in range(120)) + "  " * 120 + "v\n", 53, "nested more than 50 levels deep"),
        ("pad: '" + "x" * 200_000 + "'\n", 0, "larger than 100,000 bytes"),
    ],
    ids=["billion laughs", "deep flow", "deep block", "too large"],
)
def test_a_hostile_copier_answers_file_is_refused_naming_its_line_and_nothing_changes(
    in_tmp: Path, answers: str, line: int, reason: str
) -> None:
    """Aliases, nesting and size are bounded as in the TOML and JSON readers:
    one line, exit 2, no memory blow-up, no RecursionError."""
    header = "blueprint: a\nrelease: zed\nstate: approved\n"
    build(in_tmp, {"specs/zed/approved/a.rst": "", ".copier-answers/a.yml": header + answers})
    before = tree_state(in_tmp)
    ran = speckeeper_bounded(in_tmp, "move", "specs/zed/approved/a.rst", "implemented")
    where = f".copier-answers/a.yml:{line}" if line else ".copier-answers/a.yml"
    assert (ran.returncode, ran.stdout) == (2, ""), ran.stderr
    assert ran.stderr == f"speckeeper: error: {where}: cannot read the copier answers: {reason}; nothing changed\n"
    assert tree_state(in_tmp) == before


def test_implemented_moves_the_blueprints_named(in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    build(in_tmp, {"specs/zed/approved/a.rst": "", "specs/zed/approved/b.rst": "", "specs/zed/approved/c.rst": ""})
    (in_tmp / "names.txt").write_text("# done this cycle\nb\n\n")
    assert "blueprint 'x': no spec at specs/zed/approved/x.rst" in refused(
        capsys, in_tmp, "move", "--implemented", "zed", "a", "x", "--from", "names.txt"
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("c\n"))
    ran = speckeeper(capsys, "move", "--implemented", "zed", "a", "--from", "-")
    assert ran.code == 0
    assert (in_tmp / "specs/zed/redirects").read_text() == (
        "approved/a.rst ../implemented/a.rst\napproved/c.rst ../implemented/c.rst\n"
    )
    assert sorted(p.name for p in (in_tmp / "specs/zed/implemented").iterdir()) == ["a.rst", "c.rst"]
    assert speckeeper(capsys, "check", "specs").code == 0


def test_abandon_with_a_reason_notes_it_under_the_title(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build(in_tmp, {"specs/backlog/approved/awesome-thing.rst": GOOD})
    ran = speckeeper(capsys, "abandon", "specs/backlog/approved/awesome-thing.rst", "--reason", "Left in the *backlog* since 2015.")
    assert ran.code == 0, ran
    text = (in_tmp / "specs/abandoned/awesome-thing.rst").read_text()
    assert text == GOOD.replace(
        "===================================\n\nhttps",
        "===================================\n\n"
        ".. note:: This spec was abandoned: Left in the \\*backlog\\* since 2015.\n\nhttps",
        1,
    )
    assert (in_tmp / "specs/backlog/redirects").read_text() == "approved/awesome-thing.rst ../../abandoned/awesome-thing.rst\n"
    assert status(in_tmp) == [
        "R  specs/backlog/approved/awesome-thing.rst -> specs/abandoned/awesome-thing.rst",
        "A  specs/backlog/redirects",
    ]


def test_a_plain_folder_is_renamed_without_git(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build(in_tmp, {"specs/zed/approved/a.rst": ""}, in_git=False)
    assert speckeeper(capsys, "move", "specs/zed/approved/a.rst", "implemented").code == 0
    assert sorted(tree_state(in_tmp)) == ["specs/zed/implemented/a.rst", "specs/zed/redirects"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["specs/zed/approved/a.rst", "approved"], "specs/zed/approved/a.rst is there already"),
        (["specs/zed/approved/a.rst", "2025.1/approved"], "specs/2025.1/approved/a.rst already exists"),
        (["specs/zed/approved/a.rst", "a/b/c"], "destination 'a/b/c' is not RELEASE/STATE or STATE"),
        (["specs/zed/approved/a.rst", "../approved"], "release '..' is not one folder name"),
        (["specs/zed/approved/a.rst", "Zed!/approved"], "release 'Zed!' is not one folder name"),
        (["specs/zed/approved/a.rst", "2025.9/approved"], "release '2025.9' does not match release-pattern"),
        (["specs/zed/approved/a.rst", "abandoned"], "state 'abandoned' is not one of the states: approved, implemented"),
        (["notes/a.rst", "implemented"], "notes/a.rst is not where the layout 'specs/{release}/{state}/{slug}.rst' keeps specs"),
        (["specs/zed/approved/gone.rst", "implemented"], "no such spec: specs/zed/approved/gone.rst"),
        (["specs/zed/approved/dirty.rst", "implemented"], "specs/zed/approved/dirty.rst has changes not staged"),
        (["specs/yoga/approved/c.rst", "implemented"], "specs/yoga/redirects has changes not staged"),
        (["specs/zed/approved/linked.rst", "implemented"], "specs/zed/approved/linked.rst is not a regular file"),
        (["specs/zed/approved/a.rst"], "move takes SPEC DEST"),
    ],
)
def test_refusals_change_nothing(in_tmp: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    build(
        in_tmp,
        {
            "specs/zed/approved/a.rst": "",
            "specs/zed/approved/dirty.rst": "",
            "specs/2025.1/approved/a.rst": "",
            "specs/yoga/approved/c.rst": "",
            "specs/yoga/redirects": "",
            "notes/a.rst": "",
        },
    )
    (in_tmp / "specs/zed/approved/dirty.rst").write_text(spec("dirty") + "\nMore.\n")
    (in_tmp / "specs/yoga/redirects").write_text("approved/x.rst ../implemented/x.rst\n")
    (in_tmp / "specs/zed/approved/linked.rst").symlink_to("a.rst")
    error = refused(capsys, in_tmp, "move", *argv)
    assert error.startswith("speckeeper: error: ") and message in error, error


def test_a_linked_redirects_file_is_refused_before_anything_moves(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build(in_tmp, {"specs/zed/approved/a.rst": "", "outside": ""}, in_git=False)
    (in_tmp / "specs/zed/redirects").symlink_to("../../outside")
    error = refused(capsys, in_tmp, "move", "specs/zed/approved/a.rst", "implemented")
    assert "specs/zed/redirects: is a symbolic link" in error


def test_a_failure_midway_undoes_what_was_done(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """git cannot record the move (its index is locked): the spec moves
    back and the redirects file is as it was."""
    build(in_tmp, {"specs/zed/approved/a.rst": "", "specs/zed/redirects": "approved/b.rst ../implemented/b.rst\n"})
    (in_tmp / ".git/index.lock").write_text("")
    error = refused(capsys, in_tmp, "move", "specs/zed/approved/a.rst", "implemented")
    assert "git update-index failed" in error and "what was changed is undone" in error


# On a git copy of the nova corpus (one a module): each command leaves the
# lifecycle rules as they were (nova's three broken redirects) and the moved
# spec with the findings it had.


@pytest.fixture()
def nova(nova_git: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    reset(nova_git)
    monkeypatch.chdir(nova_git)
    return nova_git


def findings(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    """What ``check`` prints, each line without its path."""
    return [line.split(":", 1)[1] for line in speckeeper(capsys, "check", *argv).out]


def test_on_nova_move_and_abandon_leave_the_lifecycle_as_it_was(nova: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lifecycle = speckeeper(capsys, "check", "specs", "--select", LIFECYCLE).out
    assert len(lifecycle) == 3 and all(" SK311 " in line for line in lifecycle)
    moved = "specs/2025.2/approved/" + sorted(p.name for p in (nova / "specs/2025.2/approved").glob("[!2]*.rst"))[0]
    had = findings(capsys, moved)
    assert speckeeper(capsys, "move", moved, "implemented").code == 0
    assert findings(capsys, moved.replace("approved", "implemented")) == had
    # A kilo spec a redirect leads to, abandoned: that redirect follows.
    line = (nova / "specs/kilo/redirects").read_text().splitlines()[0]
    implemented = "specs/kilo/" + line.split(" ")[0].replace("approved/", "implemented/")
    assert speckeeper(capsys, "abandon", implemented, "--reason", "Superseded.").code == 0
    assert speckeeper(capsys, "check", "specs", "--select", LIFECYCLE).out == lifecycle
    name = Path(implemented).name
    assert status(nova) == [
        f"R  {moved} -> {moved.replace('approved', 'implemented')}",
        "M  specs/2025.2/redirects",
        f"R  {implemented} -> specs/abandoned/{name}",
        "M  specs/kilo/redirects",
    ]
    diff = git(nova, "diff", "--cached", "-U0", "specs/kilo/redirects").splitlines()
    assert [d for d in diff if d[:1] in "+-" and d[:3] not in ("+++", "---")] == [
        f"-approved/{name} ../implemented/{name}",
        f"+approved/{name} ../../abandoned/{name}",
        f"+implemented/{name} ../../abandoned/{name}",
    ]


def test_on_nova_implemented_moves_a_batch(nova: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    names = sorted(p.stem for p in (nova / "specs/2024.2/approved").glob("*.rst") if "template" not in p.name)[:3]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(names) + "\n"))
    ran = speckeeper(capsys, "move", "--implemented", "2024.2", "--from", "-")
    assert ran.code == 0 and len(ran.out) == 6
    assert sorted(status(nova)) == sorted(
        [f"R  specs/2024.2/approved/{n}.rst -> specs/2024.2/implemented/{n}.rst" for n in names]
        + ["M  specs/2024.2/redirects"]
    )
    added = git(nova, "diff", "--cached", "-U0", "specs/2024.2/redirects").splitlines()
    assert [d for d in added if d.startswith("+") and not d.startswith("+++")] == [
        f"+approved/{n}.rst ../implemented/{n}.rst" for n in names
    ]
    assert speckeeper(capsys, "check", "specs/2024.2", "--select", LIFECYCLE).code == 0
