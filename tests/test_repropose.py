"""``speckeeper repropose``: a copy in the next release, brought to its
template, with a History row; on small repos with a template a release,
then on a git copy of the nova corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from speckeeper.document.template import packaged_path

from .conftest import FIXTURES, Ran, git, git_repo, reset, speckeeper, tree_state
from .test_move import LIFECYCLE, refused, status

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
NOVA = packaged_path().read_text(encoding="utf-8")
UPGRADE = "Upgrade impact\n--------------\n\nNone\n\n"
HISTORY = GOOD[GOOD.index("History\n=======") :]
REPROPOSED = GOOD.replace("   * - 2027.1 Indri\n     - Introduced\n", "   * - 2027.1 Indri\n     - Introduced\n   * - 2027.1 Indri\n     - Re-proposed\n")


def repo(root: Path, zed_spec: str, zed_template: str = "") -> Path:
    """A repo with a template a release (zed's without "Upgrade impact",
    2027.1's nova's own) and one spec in zed, committed."""
    (root / "specs/zed/approved").mkdir(parents=True)
    (root / "specs/2027.1").mkdir()
    (root / ".speckeeper.toml").write_text('template = "specs/{release}-template.rst"\n')
    (root / "specs/zed-template.rst").write_text(zed_template or NOVA.replace(_section(NOVA, "Upgrade impact"), ""))
    (root / "specs/2027.1-template.rst").write_text(NOVA)
    (root / "specs/zed/approved/awesome-thing.rst").write_text(zed_spec)
    return git_repo(root)


def _section(text: str, title: str) -> str:
    """A level-2 section of ``text``: its title to the next title."""
    start = text.index(f"{title}\n{'-' * len(title)}\n")
    following = re.compile(r"^\S.*\n[-=]{3,}$", re.MULTILINE).search(text, start + 2 * len(title) + 2)
    assert following is not None
    return text[start : following.start()]


def test_the_copy_gets_the_new_templates_sections_and_a_history(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = GOOD.replace(UPGRADE, "").replace(HISTORY, "").rstrip("\n") + "\n"
    repo(in_tmp, spec)
    assert speckeeper(capsys, "check", "specs/zed").code == 0
    ran = speckeeper(capsys, "repropose", "specs/zed/approved/awesome-thing.rst", "--release", "2027.1")
    assert ran == Ran(
        0,
        [
            "created specs/2027.1/approved/awesome-thing.rst, re-proposed from specs/zed/approved/awesome-thing.rst",
            'inserted in specs/2027.1/approved/awesome-thing.rst: subsection "Upgrade impact" in "Proposed change", with "None"',
            'inserted in specs/2027.1/approved/awesome-thing.rst: section "History", with "None"',
            "added to specs/2027.1/approved/awesome-thing.rst: a History row, 2027.1 Indri: Re-proposed",
        ],
        [],
    )
    # The inserted History holds the table, with the one row.
    expected = GOOD.replace("   * - 2027.1 Indri\n     - Introduced\n", "   * - 2027.1 Indri\n     - Re-proposed\n")
    assert (in_tmp / "specs/2027.1/approved/awesome-thing.rst").read_text() == expected
    assert (in_tmp / "specs/zed/approved/awesome-thing.rst").read_text() == spec  # The original stays.
    assert status(in_tmp) == ["A  specs/2027.1/approved/awesome-thing.rst"]
    assert speckeeper(capsys, "check", "specs").code == 0


def test_a_history_table_gets_a_row_as_the_template_names_the_release(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(in_tmp, GOOD.replace(UPGRADE, ""))
    (in_tmp / ".copier-answers").mkdir()
    (in_tmp / ".copier-answers/awesome-thing.yml").write_text("blueprint: awesome-thing\nrelease: zed\nstate: approved\n")
    git(in_tmp, "add", "-A")
    ran = speckeeper(capsys, "repropose", "specs/zed/approved/awesome-thing.rst", "--release", "2027.1")
    assert ran.code == 0, ran
    assert (in_tmp / "specs/2027.1/approved/awesome-thing.rst").read_text() == REPROPOSED
    assert ran.out[-1] == "updated .copier-answers/awesome-thing.yml: release 2027.1"
    assert (in_tmp / ".copier-answers/awesome-thing.yml").read_text() == (
        "blueprint: awesome-thing\nrelease: '2027.1'\nstate: approved\n"
    )


def test_a_renamed_section_is_reported_never_dropped(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """zed's template says "Documentation impact", the next "Documentation
    Impact": the copy keeps its title and what it says, gets no empty
    section of the new title, and its check says which title the template
    wants (exit 1)."""
    zed = NOVA.replace("Documentation Impact\n", "Documentation impact\n")
    spec = GOOD.replace("Documentation Impact\n", "Documentation impact\n")
    repo(in_tmp, spec, zed_template=zed)
    assert speckeeper(capsys, "check", "specs/zed").code == 0
    ran = speckeeper(capsys, "repropose", "specs/zed/approved/awesome-thing.rst", "--release", "2027.1")
    assert ran.code == 1
    line = spec.splitlines().index("Documentation impact") + 1
    assert ran.out[-1] == (
        f'specs/2027.1/approved/awesome-thing.rst:{line}:1: SK104 title "Documentation impact" should be'
        ' "Documentation Impact" as in the template specs/2027.1-template.rst'
    )
    assert (in_tmp / "specs/2027.1/approved/awesome-thing.rst").read_text() == REPROPOSED.replace(
        "Documentation Impact\n", "Documentation impact\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--release", "zed"], "is in release zed already"),
        (["--release", "2027.1"], "specs/2027.1/implemented/awesome-thing.rst exists: the spec is in release 2027.1 already"),
        (["--release", "../2027.1"], "release '../2027.1' is not one folder name"),
        (["--release", "2027.5"], "release '2027.5' does not match release-pattern"),
        (["--release", "2028.1"], "no template for this spec: specs/2028.1-template.rst does not exist"),
    ],
)
def test_refusals_change_nothing(in_tmp: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    repo(in_tmp, GOOD.replace(UPGRADE, ""))
    (in_tmp / "specs/2027.1/implemented").mkdir()
    (in_tmp / "specs/2027.1/implemented/awesome-thing.rst").write_text(GOOD)
    git(in_tmp, "add", "-A")
    error = refused(capsys, in_tmp, "repropose", "specs/zed/approved/awesome-thing.rst", *argv)
    assert message in error, error


@pytest.fixture()
def nova(nova_git: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    reset(nova_git)
    monkeypatch.chdir(nova_git)
    return nova_git


def test_on_nova_reproposed_copies_pass_and_the_lifecycle_is_unchanged(nova: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A juno spec (no History, no "Use Cases" or "Upgrade impact"), one
    with an empty History, and one from 2026.1 with a History table, into
    2027.1: each copy passes the check, the originals stay."""
    lifecycle = speckeeper(capsys, "check", "specs", "--select", LIFECYCLE).out
    before = tree_state(nova)
    sources = [
        "specs/juno/approved/add-all-in-list-operator-to-extra-spec-ops.rst",
        "specs/liberty/approved/hyper-v-cluster.rst",
        "specs/2026.1/approved/copy-applied-provider-yaml.rst",
    ]
    for source in sources:
        assert speckeeper(capsys, "check", source).code == 0
        ran = speckeeper(capsys, "repropose", source, "--release", "2027.1")
        assert ran.code == 0 and ran.out[-1].endswith("a History row, 2027.1 Indri: Re-proposed"), ran
    copies = [f"specs/2027.1/approved/{Path(source).name}" for source in sources]
    assert speckeeper(capsys, "check", *copies).code == 0
    assert speckeeper(capsys, "check", "specs", "--select", LIFECYCLE).out == lifecycle
    assert status(nova) == [f"A  {copy}" for copy in sorted(copies)]
    after = tree_state(nova)
    assert {path: after[path] for path in before} == before
    for copy in copies:
        assert after[copy].decode().endswith("   * - 2027.1 Indri\n     - Re-proposed\n")
