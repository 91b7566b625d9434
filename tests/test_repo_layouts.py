"""Spec repos laid out as real ones are, each expressed by a config of a
few lines (tests/fixtures/repos/<layout>/.speckeeper.toml) and checked as
their maintainers would check them: every finding is one the repo's own
rules make, and a good spec passes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import FIXTURES, speckeeper

REPOS = FIXTURES / "repos"


def copy(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = tmp_path / name
    shutil.copytree(REPOS / name, repo)
    (repo / ".git").mkdir()  # The repository speckeeper writes in.
    monkeypatch.chdir(repo)
    return repo


@pytest.mark.parametrize("name", ["flat", "state-only", "by-project"])
def test_each_layout_is_a_config_of_at_most_15_lines(name: str) -> None:
    lines = (REPOS / name / ".speckeeper.toml").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 15


def test_flat_releases_with_one_title_case_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """specs/<release>/<slug>.rst; extra subsections only under "Proposed Change"."""
    copy("flat", tmp_path, monkeypatch)
    ran = speckeeper(capsys, "check")
    assert ran.code == 1
    assert ran.out == [
        'specs/2026.2/volume-backup.rst:20:1: SK104 title "Use cases" should be "Use Cases" as in the template',
        'specs/2026.2/volume-backup.rst:35:1: SK102 missing subsection "Alternatives" in "Proposed Change":'
        ' the template has it here, before "Data Model Impact"',
        "specs/stray-spec.rst:1:1: SK306 spec is not where specs live: expected specs/{release}/{slug}.rst,"
        " found specs/stray-spec.rst",
    ]


def test_state_folders_without_releases_and_a_backlog_needing_two_sections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    copy("state-only", tmp_path, monkeypatch)
    ran = speckeeper(capsys, "check")
    assert ran.code == 1
    assert ran.out == [
        'specs/backlog/half-idea.rst:24:1: SK101 missing section "Proposed Change": the template has it here,'
        " at the end of the spec",
        'specs/proposed/wrong-folder.rst:1:1: SK306 spec is in folder "proposed", expected a state folder:'
        " approved, implemented, backlog",
    ]


def test_a_project_folder_names_the_template_and_the_tracker_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """specs/<project>/<release>/<slug>.rst: each project's template, its
    blueprints; a spec outside the layout is SK306, not "no template"."""
    copy("by-project", tmp_path, monkeypatch)
    ran = speckeeper(capsys, "check")
    assert ran.code == 1
    assert ran.out == [
        'specs/osc-placement/2026.1/allocation-audit.rst:11:1: SK304 tracker URL names project "nova",'
        ' expected "osc-placement"',
        "specs/osc-placement/loose-end.rst:1:1: SK306 spec is not where specs live:"
        " expected specs/{project}/{release}/{slug}.rst, found specs/osc-placement/loose-end.rst",
    ]
    ran = speckeeper(capsys, "check", "--show-settings")
    assert "  specs/osc-placement/template.rst: 1 spec(s): specs/osc-placement/2026.1/allocation-audit.rst" in ran.out


@pytest.mark.slow
def test_new_writes_into_the_project_folder_from_its_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = copy("by-project", tmp_path, monkeypatch)
    data = ["project=osc-placement", "release=2026.1", "blueprint=usage-report", "title=Usage report"]
    ran = speckeeper(capsys, "new", "--defaults", *(arg for pair in data for arg in ("--data", pair)))
    assert ran.code == 0, ran.err
    spec = repo / "specs/osc-placement/2026.1/usage-report.rst"
    assert "https://blueprints.launchpad.net/osc-placement/+spec/usage-report" in spec.read_text(encoding="utf-8")
    assert speckeeper(capsys, "check", str(spec.relative_to(repo))).code == 0


def test_a_misspelt_section_in_a_repos_config_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = copy("flat", tmp_path, monkeypatch)
    config = repo / ".speckeeper.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('["References"]', '["Referenses"]'), encoding="utf-8")
    ran = speckeeper(capsys, "check")
    assert (ran.code, ran.out) == (2, [])
    assert ran.err == [
        f'speckeeper: error: {config}: optional-sections: "Referenses" is not a section of the template:'
        ' did you mean "References"?'
    ]


def linked_release(root: Path) -> None:
    """specs/zed/approved/a.rst, and a release folder met first in the walk
    (2025.1 sorts before zed) holding a link to it; skipped where links
    cannot be made."""
    approved = root / "specs" / "zed" / "approved"
    approved.mkdir(parents=True)
    (root / ".git").mkdir()
    text = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8").replace("+spec/awesome-thing", "+spec/a")
    (approved / "a.rst").write_text(text.replace("\nNone\n", "\nNone   \n", 1), encoding="utf-8")
    (root / "specs" / "2025.1" / "approved").mkdir(parents=True)
    try:
        (root / "specs" / "2025.1" / "approved" / "a.rst").symlink_to(Path("../../zed/approved/a.rst"))
    except (OSError, NotImplementedError) as error:
        pytest.skip(f"symbolic links cannot be made here: {error}")


def test_a_spec_met_through_a_link_too_is_reported_at_its_own_path(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The path an author edits, not the link the walk met first."""
    linked_release(in_tmp)
    ran = speckeeper(capsys, "check", "specs")
    assert ran.code == 1
    assert [line.split(": SK")[0] for line in ran.out] == ["specs/zed/approved/a.rst:37:5"], ran.out
    # Named in either order on the command line, the same.
    assert speckeeper(capsys, "check", "specs/2025.1", "specs/zed").out == ran.out


def test_fix_mends_a_spec_met_through_a_link_too_at_its_own_path(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Met first through the link, it was refused ("never written through")
    and left unfixed; its own path is written, the link left a link."""
    linked_release(in_tmp)
    ran = speckeeper(capsys, "fix", "specs")
    assert (ran.code, ran.out) == (1, ["Fixing specs/zed/approved/a.rst"])
    assert "None   \n" not in (in_tmp / "specs/zed/approved/a.rst").read_text(encoding="utf-8")
    assert (in_tmp / "specs/2025.1/approved/a.rst").is_symlink()
