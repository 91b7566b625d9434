"""Lifecycle rules: folders, stray files and redirects, run once over the
checked files; on small repos built here and over the real corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from speckeeper import rules
from speckeeper.cli import main

from .conftest import FIXTURES, Found, git, speckeeper_bounded, speckeeper

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
LIFECYCLE = ",".join(r.code for r in rules.ALL if r.group == "lifecycle")


def repo(root: Path, files: dict[str, str]) -> Path:
    """Files by relative path; a ".rst" with no text gets a good spec."""
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text or (GOOD if relpath.endswith(".rst") else ""), encoding="utf-8")
    return root


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    ran = speckeeper(capsys, "check", *args, "--select", LIFECYCLE)
    return ran.code, ran.out


def test_a_tidy_repo_is_clean(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(
        in_tmp,
        {
            "specs/zed/approved/b.rst": "",
            "specs/zed/implemented/a.rst": "",
            "specs/zed/redirects": "approved/a.rst ../implemented/a.rst\n",
            "specs/zed/.gitignore": "",
            "specs/2025.1/approved/c.rst": "",
            "specs/2025.1/redirects": "",
            "specs/backlog/approved/d.rst": "",
            "specs/abandoned/e.rst": "",
            "specs/abandoned/redirects": "",
            "specs/backlog/redirects": "approved/e.rst ../../abandoned/e.rst\n",
        },
    )
    assert check(capsys, "specs") == (0, [])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("", 'redirect line "" is not "old new": expected two paths separated by one space'),
        ("approved/a.rst  ../implemented/a.rst", 'redirect line "approved/a.rst  ../implemented/a.rst" is not "old new"'),
        ("approved/a.rst\t../implemented/a.rst", "is not \"old new\": expected two paths separated by one space"),
        ("approved/a.rst ../implemented/a.rst extra", "is not \"old new\""),
        ("approved/a ../implemented/a.rst", 'redirect source "approved/a" is not a spec path in this folder'),
        ("../a.rst ../implemented/a.rst", 'redirect source "../a.rst" is not a spec path in this folder'),
        ("approved/a.rst ../implemented/", 'redirect target "../implemented/" is not a spec: expected a path ending'),
    ],
    ids=["blank", "two spaces", "tab", "three fields", "no .rst", "outside the folder", "target a folder"],
)
def test_redirect_format(in_tmp: Path, capsys: pytest.CaptureFixture[str], line: str, message: str) -> None:
    good = "approved/b.rst ../implemented/a.rst"
    repo(in_tmp, {"specs/zed/implemented/a.rst": "", "specs/zed/redirects": f"{good}\n{line}\n{good}\n"})
    code, out = check(capsys, "specs")
    assert code == 1
    assert len(out) == 1 and out[0].startswith("specs/zed/redirects:2:1: SK310 ") and message in out[0], out


def test_redirect_targets(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(
        in_tmp,
        {
            "specs/zed/implemented/final.rst": "",
            "specs/zed/redirects": (
                "approved/gone.rst ../implemented/gone.rst\n"  # 1: nothing there
                "approved/first.rst ../approved/second.rst\n"  # 2: a chain that ends at a spec
                "approved/second.rst ../implemented/final.rst\n"
                "approved/loop.rst ../approved/loop2.rst\n"  # 4: a loop ends nowhere
                "approved/loop2.rst ../approved/loop.rst\n"  # 5
                "approved/moved.rst https://docs.openstack.org/placement/latest/specs/moved.html\n"
                "approved/escape.rst ../../../../etc/passwd.rst\n"  # 7
            ),
        },
    )
    code, out = check(capsys, "specs")
    assert code == 1
    assert out == [
        'specs/zed/redirects:1:1: SK311 redirect target "../implemented/gone.rst" does not exist: '
        "expected a spec at specs/zed/implemented/gone.rst",
        'specs/zed/redirects:4:1: SK311 redirect target "../approved/loop2.rst" does not exist: '
        "expected a spec at specs/zed/approved/loop2.rst",
        'specs/zed/redirects:5:1: SK311 redirect target "../approved/loop.rst" does not exist: '
        "expected a spec at specs/zed/approved/loop.rst",
        'specs/zed/redirects:7:1: SK311 redirect target "../../../../etc/passwd.rst" is outside the repo',
    ]



@pytest.mark.parametrize("order", ["as written", "reversed"])
def test_chained_redirects_resolve_the_same_whichever_line_is_met_first(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], order: str
) -> None:
    """Chains share their ends (a chain to a spec, one that breaks, one that
    runs into a loop): every line is judged as if its chain were walked alone."""
    lines = [
        "approved/a1.rst ../approved/a2.rst",
        "approved/a2.rst ../approved/a3.rst",
        "approved/a3.rst ../implemented/final.rst",
        "approved/b1.rst ../approved/b2.rst",
        "approved/b2.rst ../approved/b3.rst",
        "approved/c0.rst ../approved/c1.rst",
        "approved/c1.rst ../approved/c2.rst",
        "approved/c2.rst ../approved/c1.rst",
    ]
    written = lines if order == "as written" else lines[::-1]
    repo(in_tmp, {"specs/zed/implemented/final.rst": "", "specs/zed/redirects": "".join(f"{line}\n" for line in written)})
    code, out = check(capsys, "specs")
    broken = {line: written.index(line) + 1 for line in lines[3:]}
    expected = sorted(
        (number, f'specs/zed/redirects:{number}:1: SK311 redirect target "{line.split()[1]}" does not exist: '
         f"expected a spec at specs/zed/{line.split()[1][3:]}")
        for line, number in broken.items()
    )
    assert (code, out) == (1, [text for _, text in expected])


def test_a_long_chain_of_redirects_is_resolved_in_linear_time(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each line leads to the next, the last to a spec: each path is looked
    at once, not once for every line before it (4.5 million stat calls for
    3,000 lines before)."""
    count = 600
    chain = "".join(f"approved/c{n}.rst ../approved/c{n + 1}.rst\n" for n in range(count))
    repo(in_tmp, {"specs/zed/approved/c600.rst": "", "specs/zed/redirects": chain})
    looked: list[str] = []
    isfile = os.path.isfile

    def counted(path: object) -> bool:
        if "approved/c" in str(path):
            looked.append(str(path))
        return isfile(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os.path, "isfile", counted)
    assert check(capsys, "specs") == (0, [])
    assert len(looked) <= count + 1, f"{len(looked)} stat calls for {count} chained lines"


def test_a_chain_may_go_through_another_release(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Checking one release folder still follows redirects of the others."""
    repo(
        in_tmp,
        {
            "specs/yoga/redirects": "approved/a.rst ../../zed/approved/a.rst\n",
            "specs/zed/redirects": "approved/a.rst ../implemented/a.rst\n",
            "specs/zed/implemented/a.rst": "",
        },
    )
    assert check(capsys, "specs/yoga") == (0, [])


def test_spec_in_two_states(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(in_tmp, {"specs/zed/approved/a.rst": "", "specs/zed/implemented/a.rst": "", "specs/zed/redirects": ""})
    expected = (
        1,
        [
            'specs/zed/approved/a.rst:1:1: SK312 spec is in both approved/ and implemented/ of release "zed": '
            "expected it in implemented/ only (or a redirect between them)"
        ],
    )
    assert check(capsys, "specs") == expected
    # A pre-commit run names only the file it changed; the copy is found beside it.
    assert check(capsys, "specs/zed/implemented/a.rst") == expected
    (in_tmp / "specs/zed/redirects").write_text("approved/a.rst ../implemented/a.rst\n")
    assert check(capsys, "specs") == (0, [])


def test_a_suppression_comment_silences_a_repo_level_finding_on_its_spec(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = GOOD.replace("\nProblem description\n", "\n.. speckeeper: ignore SK312\n\nProblem description\n", 1)
    assert kept != GOOD
    repo(in_tmp, {"specs/zed/approved/a.rst": kept, "specs/zed/implemented/a.rst": "", "specs/zed/redirects": ""})
    assert check(capsys, "specs") == (0, [])
    # Another code in the comment silences nothing here.
    (in_tmp / "specs/zed/approved/a.rst").write_text(kept.replace("SK312", "SK311"), encoding="utf-8")
    code, out = check(capsys, "specs")
    assert code == 1 and [line.split()[1] for line in out] == ["SK312"]


def test_excluded_files_are_not_lifecycle_files(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """nova keeps a copy of the release template in both state folders."""
    repo(in_tmp, {"specs/zed/approved/zed-template.rst": "", "specs/zed/implemented/zed-template.rst": ""})
    assert check(capsys, "specs") == (0, [])


def test_stray_files(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(
        in_tmp,
        {
            "specs/zed/approved/a.rst": "",
            "specs/zed/approved/a.txt": "",
            "specs/zed/notes.md": "",
            "specs/zed/.gitignore": "",
            "specs/abandoned/b.txt": "",
            "specs/README": "",
            "doc/source/conf.py": "",
            # nova's defaults, as written: without a configuration, the
            # abandoned folder would be left alone, as nova's gate leaves it.
            ".speckeeper.toml": "",
        },
    )
    code, out = check(capsys, ".")
    assert code == 1
    assert out == [
        'specs/abandoned/b.txt:1:1: SK313 file "b.txt" where specs live (specs/abandoned): expected only .rst specs',
        'specs/zed/approved/a.txt:1:1: SK313 file "a.txt" where specs live (specs/zed/approved): '
        "expected only .rst specs",
        'specs/zed/notes.md:1:1: SK313 file "notes.md" in release folder specs/zed: '
        "expected only approved/, implemented/, redirects",
    ]


def test_release_folders(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(
        in_tmp,
        {
            "specs/Zed/approved/a.rst": "",
            "specs/Zed/approved/b.rst": "",
            "specs/2025.3/redirects": "",
            "specs/2025.2/approved/c.rst": "",
            "specs/backlog/approved/d.rst": "",
        },
    )
    code, out = check(capsys, "specs")
    assert code == 1
    pattern = r"[a-z]+|\d{4}\.[12]"
    assert out == [
        f'specs/2025.3:1:1: SK314 folder "2025.3" is not a release: expected a name matching {pattern}',
        f'specs/Zed:1:1: SK314 folder "Zed" is not a release: expected a name matching {pattern}',
    ]
    (in_tmp / ".speckeeper.toml").write_text('release-pattern = "[A-Z][a-z]+|\\\\d{4}\\\\.[1-4]|backlog"\n')
    assert check(capsys, "specs") == (0, [])


def test_a_release_pattern_that_backtracks_runs_in_linear_time(in_tmp: Path) -> None:
    """Python's re takes for ever on this pattern and folder name; the
    findings come at once (the limit fails a hang, it times nothing)."""
    hostile = "a" * 60 + "!"
    repo(in_tmp, {f"specs/{hostile}/approved/a.rst": "", "specs/aaa/approved/b.rst": ""})
    (in_tmp / ".speckeeper.toml").write_text("release-pattern = '(a+)+$'\n")
    done = speckeeper_bounded(in_tmp, "check", "specs", "--select", LIFECYCLE)
    assert (done.returncode, done.stderr) == (1, "1 finding(s) in 1 file(s)\n")
    assert done.stdout == f'specs/{hostile}:1:1: SK314 folder "{hostile}" is not a release: expected a name matching (a+)+$\n'


def test_rules_are_enabled_per_path(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(
        in_tmp,
        {
            "specs/zed/approved/a.txt": "",
            "specs/yoga/approved/a.txt": "",
            ".speckeeper.toml": '[[overrides]]\npaths = ["specs/yoga/**"]\nignore = ["SK313"]\n',
        },
    )
    code, out = check(capsys, "specs")
    assert [line.split(":")[0] for line in out] == ["specs/zed/approved/a.txt"]


def test_rules_list_shows_the_lifecycle_group(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "SK311"]) == 0
    assert capsys.readouterr().out.startswith("SK311 redirect-target (lifecycle; on)\n\nA redirect points at")


def test_corpus_lifecycle_findings(nova_findings: tuple[Found, ...]) -> None:
    """Three redirects in nova-specs lead nowhere, each checked by hand: the
    kilo line's spec went to liberty/implemented/, the liberty line names the
    liberty template (never in implemented/), and mitaka's implemented spec
    is named add-project-id-in-os-server-groups-api.rst. Every other line,
    chains and the placement URLs included, resolves."""
    found = [f for f in nova_findings if f.code in LIFECYCLE.split(",")]
    assert [str(f).split(": SK311 ")[0] for f in found] == [
        "specs/kilo/redirects:33:1",
        "specs/liberty/redirects:12:1",
        "specs/mitaka/redirects:3:1",
    ]


def test_a_redirects_file_is_read_as_carefully_as_a_spec(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A FIFO would block a reader forever; a symlink may lead out of the repo."""
    os.mkfifo(repo(in_tmp, {"specs/zed/approved/a.rst": ""}) / "specs/zed/redirects")
    outside = in_tmp.parent / f"{in_tmp.name}-outside"
    outside.write_text("approved/a.rst ../implemented/a.rst\n")
    (in_tmp / "specs/yoga").mkdir()
    (in_tmp / "specs/yoga/redirects").symlink_to(outside)
    code, out = check(capsys, "specs")
    assert code == 1
    assert out[0].startswith("specs/yoga/redirects:1:1: SK310 redirects file not read: symlink to ")
    assert out[1] == (
        "specs/zed/redirects:1:1: SK310 redirects file not read: "
        "not a regular file (a device, FIFO or socket): not read"
    )


def test_check_run_inside_a_state_folder_finds_what_it_finds_from_the_top(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``cd specs/<release>/approved; speckeeper check a.rst``: the same
    findings as from the top, at the paths as given from there."""
    # 2025.2 beside 2025.3: a tree that numbers releases nova's way, where
    # 2025.3 is no release (zero configuration reads other numberings).
    files = {"specs/zed/approved/a.rst": "", "specs/zed/implemented/a.rst": "", "specs/2025.3/approved/b.rst": ""}
    repo(in_tmp, {**files, "specs/2025.2/approved/c.rst": ""})
    git(in_tmp, "init", "-q")
    top = speckeeper(capsys, "check", "specs/zed/approved/a.rst", "specs/2025.3/approved/b.rst")
    monkeypatch.chdir(in_tmp / "specs/zed/approved")
    inside = speckeeper(capsys, "check", "a.rst", "../../2025.3/approved/b.rst")
    assert top.code == inside.code == 1
    assert "a.rst:1:1: SK312 spec is in both approved/ and implemented/ of release \"zed\"" in "\n".join(inside.out)
    assert any(line.startswith('../../2025.3:1:1: SK314 folder "2025.3" is not a release') for line in inside.out)
    from_top = [os.path.normpath(f"specs/zed/approved/{line.split(':', 1)[0]}") + ":" + line.split(":", 1)[1] for line in inside.out]
    assert from_top == top.out


def test_a_specs_pictures_are_not_stray_files(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Files a spec names (an image, a figure, a diagram's source, from its
    folder or from the docs' top) and any file but a spec in an images
    folder are the spec's; a file nothing names is still stray."""
    names = (
        ".. image:: ../images/flow.png\n\n.. figure:: /specs/zed/approved/layout.svg\n\n"
        ".. |icon| image:: icon.png\n\n.. blockdiag:: states.diag\n"
    )
    repo(
        in_tmp,
        {
            "specs/zed/approved/a.rst": GOOD.replace("\nNone\n", "\n" + names, 1),
            "specs/zed/images/flow.png": "",
            "specs/zed/images/unused.jpg": "",
            "specs/zed/images/sequence.seqdiag": "",
            "specs/zed/approved/layout.svg": "",
            "specs/zed/approved/icon.png": "",
            "specs/zed/approved/states.diag": "",
            "specs/zed/approved/old-drawing.png": "",
            "specs/zed/notes.md": "",
            ".speckeeper.toml": "",
        },
    )
    code, out = check(capsys, ".")
    assert (code, out) == (
        1,
        [
            'specs/zed/approved/old-drawing.png:1:1: SK313 file "old-drawing.png" where specs live'
            " (specs/zed/approved): expected only .rst specs",
            'specs/zed/notes.md:1:1: SK313 file "notes.md" in release folder specs/zed: '
            "expected only approved/, implemented/, redirects",
        ],
    )
