"""``speckeeper review``: a change's specs against their template, the
sections it touches named as a reviewer reads them, over small repos and
over real nova specs edited and committed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from speckeeper.document.model import fold

from .conftest import FIXTURES, git, git_repo, reset, speckeeper

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
SPEC = "specs/zed/approved/awesome-thing.rst"


def repo(root: Path) -> Path:
    (root / "specs/zed/approved").mkdir(parents=True)
    (root / ".speckeeper.toml").write_text('project = "nova"\n', encoding="utf-8")
    (root / SPEC).write_text(GOOD, encoding="utf-8")
    git_repo(root)
    git(root, "checkout", "-qb", "topic")
    return root


def edit(root: Path, *replacements: tuple[str, str], path: str = SPEC) -> None:
    text = (root / path).read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    (root / path).write_text(text, encoding="utf-8")


def test_a_changed_spec_names_its_sections_and_the_impacts_that_changed(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(in_tmp)
    edit(
        in_tmp,
        ("REST API impact\n---------------\n\nNone\n", "REST API impact\n---------------\n\nA new ``awesome`` action.\n"),
        ("Security impact\n---------------\n\nNone\n", "Security impact\n---------------\n\nTBD\n"),
        ("uses bandwidth", "uses more bandwidth"),
    )
    ran = speckeeper(capsys, "review", "--base", "main")
    assert ran.code == 0
    assert ran.out == [
        f"{SPEC}: changed",
        '  section "REST API impact": changed (None -> text; the commit needs APIImpact)',
        '  section "Security impact": changed (None -> text)',
        '  section "Performance Impact": changed',
        "  still from the template: Security impact: TBD",
    ]


def test_sections_emptied_added_and_removed_and_the_findings_that_brings(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(in_tmp)
    text = (in_tmp / SPEC).read_text(encoding="utf-8")
    testing = text[text.index("Testing\n=======\n") : text.index("Documentation Impact")]
    edit(in_tmp, (testing, "Testing\n=======\n\n"), ("Notifications impact\n--------------------\n\nNone\n\n", ""))
    ran = speckeeper(capsys, "review", "--base", "main", "--format", "json")
    [spec] = json.loads("\n".join(ran.out))["specs"]
    assert spec["sections"] == [
        {"section": "Testing", "change": "emptied", "impact": "", "implies": ""},
        {"section": "Notifications impact", "change": "removed", "impact": "", "implies": ""},
    ]
    assert [(f["code"], f["message"]) for f in spec["introduced"]] == [
        ("SK102", 'missing subsection "Notifications impact" in "Proposed change": the template has it here, before "Other end user impact"')
    ]
    assert spec["resolved"] == []


def test_a_fix_is_a_resolved_finding_whatever_line_it_moved_to(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(in_tmp)
    line = "Moving a server today stops it for as long as the copy takes."
    edit(in_tmp, (line + "\n", line + " \n"))
    git(in_tmp, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "a finding")
    edit(in_tmp, (line + " \n", line + "\n"), ("Use Cases\n", "Some words.\n\nUse Cases\n"))
    ran = speckeeper(capsys, "review", "--base", "HEAD")
    assert ran.out == [
        f"{SPEC}: changed",
        '  section "Problem description": changed',
        "  resolves SK203: trailing whitespace (1 character(s)), expected none",
    ]


def test_a_side_larger_than_max_bytes_is_not_read_but_reported(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(in_tmp)
    (in_tmp / SPEC).write_text(GOOD + "\n" + "word " * 400_000 + "\n", encoding="utf-8")
    git(in_tmp, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "too large")
    (in_tmp / SPEC).write_text(GOOD, encoding="utf-8")
    ran = speckeeper(capsys, "review", "--base", "HEAD")
    assert ran.out == [f"{SPEC}: changed", "  resolves SK004: file is larger than the limit of 1,000,000 bytes (max-bytes)"]


def test_markdown_is_one_comment_with_the_repos_text_as_code(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(in_tmp)
    edit(in_tmp, ("REST API impact\n---------------\n\nNone\n", "REST API impact\n---------------\n\nA new ``awesome`` action.\n"))
    edit(in_tmp, ("Performance Impact\n------------------", "Performance `Impact`\n--------------------"))
    ran = speckeeper(capsys, "review", "--base", "main", "--format", "markdown")
    assert ran.out == [
        "<!-- speckeeper review -->",
        "### speckeeper review",
        "",
        f"#### `{SPEC}`: changed",
        "",
        "- section `REST API impact`: changed (None -> text; the commit needs APIImpact)",
        "- section `` Performance `Impact` ``: added",
        "- section `Performance Impact`: removed",
        '- introduces SK104 at line 64: ``title "Performance `Impact`" should be "Performance Impact" as in the template``',
    ]


def test_a_staged_move_says_from_which_release_and_state(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(in_tmp)
    (in_tmp / "specs/2025.1/implemented").mkdir(parents=True)
    git(in_tmp, "mv", SPEC, "specs/2025.1/implemented/awesome-thing.rst")
    ran = speckeeper(capsys, "review", "--staged")
    assert ran.out == [
        f"specs/2025.1/implemented/awesome-thing.rst: moved from {SPEC} (zed/approved -> 2025.1/implemented)",
    ]


def test_by_default_the_change_since_the_merge_base_with_main(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(in_tmp)
    edit(in_tmp, ("uses bandwidth", "uses more bandwidth"))
    git(in_tmp, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "on topic")
    (in_tmp / "specs/zed/approved/awesome-thing-two.rst").write_text(GOOD.replace("awesome-thing", "awesome-thing-two"), encoding="utf-8")
    git(in_tmp, "add", "-A")
    ran = speckeeper(capsys, "review")
    assert ran.out == [
        "specs/zed/approved/awesome-thing-two.rst: added",
        f"{SPEC}: changed",
        '  section "Performance Impact": changed',
    ]


def test_no_branch_to_compare_with_is_a_one_line_error(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(in_tmp)
    git(in_tmp, "branch", "-qm", "main", "trunk")
    ran = speckeeper(capsys, "review")
    assert ran.code == 2
    assert ran.err == [
        "speckeeper: error: no default branch to compare with (origin/HEAD, main, master): name one with --base REF"
    ]


def _headings(lines: list[str]) -> list[tuple[int, str]]:
    """(index, title) of each underlined heading: a line followed by a line
    of one punctuation character at least as long."""
    return [
        (i, line.strip())
        for i, line in enumerate(lines[:-1])
        if line.strip()
        and re.fullmatch(r"([=\-~^\"'`#*+])\1*", lines[i + 1].strip() or "x")
        and len(lines[i + 1].strip()) >= len(line.strip())
        and not re.fullmatch(r"([=\-~^\"'`#*+])\1*", line.strip())
    ]


def _section_of(headings: list[tuple[int, str]], index: int) -> str:
    return [title for at, title in headings if at < index][-1]


@pytest.mark.slow
def test_over_real_specs_review_names_exactly_the_sections_an_edit_touches(nova_git: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Computed independently from heading line ranges: each edited spec's
    named sections are those holding a changed line, and an impact answer
    changed from None is always named as such."""
    reset(nova_git)
    monkeypatch.chdir(nova_git)
    specs = sorted((nova_git / "specs").glob("2023.1/approved/*.rst"))[:8]
    assert specs, "the corpus has 2023.1 approved specs"
    expected: dict[str, set[tuple[str, str]]] = {}
    for number, path in enumerate(specs):
        lines = path.read_text(encoding="utf-8").split("\n")
        headings = _headings(lines)
        first = headings[1][0] + 2  # After the document title and its first section's heading.
        nones = [i for i in range(first, len(lines)) if lines[i].strip() == "None" and not lines[i - 1].strip()]
        prose = [
            i
            for i in range(first, len(lines) - 1)
            if re.match(r"[A-Za-z]", lines[i]) and lines[i].strip() != "None" and not lines[i - 1].strip() and (i + 1, "") not in [(h, "") for h, _ in headings]
            and i not in {h for h, _ in headings}
        ]
        touched: set[tuple[str, str]] = set()
        for i in nones[number % 2 :: 3]:
            lines[i] = "A real change."
            touched.add((fold(_section_of(headings, i)), "None -> text"))
        for i in prose[number % 3 :: 7]:
            if fold(_section_of(headings, i)) not in {title for title, _ in touched}:
                lines[i] = lines[i] + " Edited."
                touched.add((fold(_section_of(headings, i)), ""))
        path.write_text("\n".join(lines), encoding="utf-8")
        expected[path.relative_to(nova_git).as_posix()] = touched
    git(nova_git, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "edits")
    try:
        ran = speckeeper(capsys, "review", "--base", "HEAD~1", "--format", "json")
    finally:
        git(nova_git, "reset", "-q", "--hard", "HEAD~1")
    found = {
        spec["path"]: {(fold(s["section"]), s["impact"]) for s in spec["sections"]}
        for spec in json.loads("\n".join(ran.out))["specs"]
    }
    assert found == {path: touched for path, touched in expected.items() if touched}


def test_an_unknown_base_is_a_one_line_error(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(in_tmp)
    ran = speckeeper(capsys, "review", "--base", "no-such-ref")
    assert ran.code == 2
    assert len(ran.err) == 1 and ran.err[0].startswith("speckeeper: error: git diff failed: ")
