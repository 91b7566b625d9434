"""Spec repos whose gates have rules of their own (issue 24): each is a
config of a few lines (tests/fixtures/repos/<repo>/.speckeeper.toml) and
checked as its maintainers would check it, every finding one the repo's
own gate makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import speckeeper
from .test_repo_layouts import REPOS, copy

RULE_REPOS = [
    "gate-patterns",
    "text-measure",
    "indent-allowance",
    "long-inline",
    "renamed-section",
    "title-after-note",
    "literal-strict",
    "images",
]


@pytest.mark.parametrize("name", RULE_REPOS)
def test_each_repos_rules_are_a_config_of_at_most_15_lines(name: str) -> None:
    lines = (REPOS / name / ".speckeeper.toml").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 15


def check(capsys: pytest.CaptureFixture[str]) -> list[str]:
    ran = speckeeper(capsys, "check")
    assert ran.code == 1, ran.err
    return ran.out


# Each repo, and what its own gate finds in it: one finding a repo, next
# to the lines the repo's rule lets pass.
FOUND = {
    # Grid-table rows ("-+-", " | ") and a REST route pass; prose does not.
    "gate-patterns": ["specs/2026.1/image-hashes.rst:33:80: SK201 line is 83 characters long, expected at most 79"],
    # `` * Update Nailgun...`` (82 columns, 79 of text) passes; an indented
    # paragraph with 80 columns of text does not.
    "text-measure": [
        "specs/2026.1/plugin-settings.rst:30:84: SK201 line is 80 characters long without its indentation"
        " and list marker, expected at most 79"
    ],
    # 83 columns indented by four pass; 88 at the margin do not.
    "indent-allowance": ["specs/2026.1/package-cache.rst:28:80: SK201 line is 88 characters long, expected at most 79"],
    # The paragraph of a literal longer than the limit passes; one of a short literal does not.
    "long-inline": ["specs/2026.1/deployment-graphs.rst:30:80: SK201 line is 84 characters long, expected at most 79"],
    # The template's note and index entry before its title change nothing.
    "title-after-note": [
        'specs/2026.1/half-done.rst:29:1: SK101 missing section "Testing": the template has it here, at the end of the spec'
    ],
    # After ``::`` and in a ``code-block`` alike, with SK202 off as by default.
    "literal-strict": [
        "specs/2026.1/cluster-templates.rst:25:80: SK201 line is 90 characters long, expected at most 79",
        "specs/2026.1/cluster-templates.rst:32:80: SK201 line is 85 characters long, expected at most 79",
    ],
    # A figure in images/ and a diagram's source a spec names pass; a picture nothing names does not.
    "images": [
        'specs/2026.1/whiteboard.png:1:1: SK313 file "whiteboard.png" where specs live (specs/2026.1): expected only .rst specs'
    ],
}


@pytest.mark.parametrize("name", sorted(FOUND))
def test_each_repo_gets_what_its_own_gate_finds(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    copy(name, tmp_path, monkeypatch)
    assert check(capsys) == FOUND[name]


def test_a_renamed_section_is_accepted_under_either_title(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The older title in a newer release's spec passes, and in the older
    release's spec it is its template's own; a slip of it is a near miss of
    it, and fix puts back that title, not the template's."""
    repo = copy("renamed-section", tmp_path, monkeypatch)
    slip = 'title "Diskimage-builder-image-elements Impact" should be "Diskimage-builder-image-elements impact"'
    assert check(capsys) == [f'specs/2026.1/boot-splash.rst:25:1: SK104 {slip} as in section-aliases for "Image Packing impact"']
    kept = repo / "specs/2026.1/kernel-modules.rst"
    before = kept.read_bytes()
    assert speckeeper(capsys, "fix").code == 1
    assert kept.read_bytes() == before
    fixed = (repo / "specs/2026.1/boot-splash.rst").read_text(encoding="utf-8")
    assert "\nDiskimage-builder-image-elements impact\n---------------------------------------\n" in fixed
    assert speckeeper(capsys, "check").code == 0
