"""``speckeeper review``: a change's specs against their template, the
sections it touches named as a reviewer reads them, over small repos and
over real nova specs edited and committed."""

from __future__ import annotations

import json
import re
import shutil
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
        {"section": "Testing", "change": "emptied", "impact": "", "implies": "", "was": ""},
        {"section": "Notifications impact", "change": "removed", "impact": "", "implies": "", "was": ""},
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
        "- section `` Performance `Impact` ``: renamed from `Performance Impact`",
        '- introduces SK104 at line 64: ``title "Performance `Impact`" should be "Performance Impact" as in the template``',
    ]


def test_a_section_renamed_to_a_near_miss_and_back_is_renamed(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(in_tmp)
    edit(in_tmp, ("Performance Impact\n------------------", "Performance impacts\n-------------------"))
    away = speckeeper(capsys, "review", "--base", "main")
    assert away.out == [f"{SPEC}: changed", '  section "Performance impacts": renamed from "Performance Impact"', *away.out[2:]]
    assert all("added" not in line and "removed" not in line for line in away.out)
    git(in_tmp, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "a near miss")
    edit(in_tmp, ("Performance impacts\n-------------------", "Performance Impact\n------------------"))
    back = speckeeper(capsys, "review", "--base", "HEAD", "--format", "json")
    [spec] = json.loads("\n".join(back.out))["specs"]
    assert [(s["section"], s["change"], s["was"]) for s in spec["sections"]] == [("Performance Impact", "renamed", "Performance impacts")]
    assert [f["code"] for f in spec["resolved"]] == ["SK104"]


def test_a_section_replaced_by_another_is_not_a_rename(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(in_tmp)
    edit(in_tmp, ("Performance Impact\n------------------", "Deployer notes\n--------------"))
    ran = speckeeper(capsys, "review", "--base", "main")
    assert '  section "Deployer notes": added' in ran.out
    assert '  section "Performance Impact": removed' in ran.out


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


# A spec's real history in the corpus: each release's version of a
# re-proposed spec, replayed as commits at one path.
HISTORY = "tag-instances.rst"
RELEASES = ("juno/approved", "kilo/approved", "liberty/approved", "mitaka/approved")
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", re.M)


def _commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", message)


def _touched(root: Path, base: str, path: str, old_path: str) -> set[str]:
    """The sections (folded titles) holding a line ``git diff -U0`` adds or
    removes: each line is in the section of the last heading above it
    (lines above the first section, the document's title, in none)."""
    diff = git(root, "diff", "-U0", "-M", base, "HEAD", "--", old_path, path)
    sides = {"old": git(root, "show", f"{base}:{old_path}").split("\n"), "new": (root / path).read_text(encoding="utf-8").split("\n")}
    found: set[str] = set()
    for hunk in _HUNK.finditer(diff):
        for side, start, count in (("old", hunk[1], hunk[2]), ("new", hunk[3], hunk[4])):
            lines = sides[side]
            headings = _headings(lines)[1:]  # The document's title aside.
            for number in range(int(start), int(start) + int(count if count is not None else 1)):
                index = number - 1
                # A heading's title and underline are its section's lines.
                above = [title for at, title in headings if at <= index]
                if above:
                    found.add(fold(above[-1]))
    return found


@pytest.mark.slow
def test_over_a_specs_real_history_review_names_the_sections_each_commit_touches(corpus: Path, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Added, edited release after release (its real text each time), an
    impact answer changed from None, then moved to implemented/: at each
    commit, review names exactly the sections whose lines the diff
    touches, found from the headings and ``git diff -U0`` alone."""
    (in_tmp / "specs").mkdir()
    (in_tmp / ".speckeeper.toml").write_text('template = "specs/{release}-template.rst"\nexclude = ["*-template.rst"]\n', encoding="utf-8")
    shutil.copy(corpus / "specs/mitaka-template.rst", in_tmp / "specs/mitaka-template.rst")
    git_repo(in_tmp)
    path = f"specs/mitaka/approved/{HISTORY}"
    (in_tmp / path).parent.mkdir(parents=True)
    steps: list[tuple[str, str]] = []  # (commit, its path before)
    for release in RELEASES:
        (in_tmp / path).write_text((corpus / "specs" / release / HISTORY).read_text(encoding="utf-8"), encoding="utf-8")
        _commit(in_tmp, f"{HISTORY} as {release} has it")
        steps.append((release, path))
    text = (in_tmp / path).read_text(encoding="utf-8")
    nones = re.findall(r"\n(([A-Z][^\n]* impact)\n-+\n\nNone\n)", text)
    assert nones, "the spec answers None to an impact"
    whole, title = nones[0]
    (in_tmp / path).write_text(text.replace(whole, whole.replace("\nNone\n", "\nA new column in the database.\n")), encoding="utf-8")
    _commit(in_tmp, "an impact answered")
    steps.append(("impact", path))
    moved = f"specs/mitaka/implemented/{HISTORY}"
    (in_tmp / moved).parent.mkdir(parents=True)
    git(in_tmp, "mv", path, moved)
    _commit(in_tmp, "implemented")
    steps.append(("moved", path))
    commits = git(in_tmp, "rev-list", "--reverse", "HEAD").split()[-len(steps) :]
    for number, ((step, old_path), commit) in enumerate(zip(steps, commits)):
        git(in_tmp, "checkout", "-q", commit)
        ran = speckeeper(capsys, "review", "--base", "HEAD~1", "--format", "json")
        [spec] = json.loads("\n".join(ran.out))["specs"]
        if number == 0:  # Added: every line is new, and the spec is named as added.
            assert (spec["status"], spec["sections"]) == ("added", []), step
            continue
        now = moved if step == "moved" else path
        named = {fold(s["section"]) for s in spec["sections"]}
        assert named == _touched(in_tmp, "HEAD~1", now, old_path), step
        if step == "impact":
            assert [(s["section"], s["impact"]) for s in spec["sections"]] == [(title, "None -> text")]
        if step == "moved":
            assert (spec["status"], spec["moved"], spec["sections"]) == ("moved", "mitaka/approved -> mitaka/implemented", [])


# Markdown documents: the KEPs and MADR decisions the configuration checks,
# reviewed as RST specs are, on real documents (tests/fixtures/markdown/).
MARKDOWN = FIXTURES / "markdown"
KEP = "keps/sig-apps/4026-crojob-scheduled-timestamp-annotation/README.md"
KEP_YAML = KEP.replace("README.md", "kep.yaml")


def kep_repo(root: Path) -> Path:
    """kubernetes/enhancements' layout under ``preset = "kep"``: the
    template, a conforming KEP, one missing a heading, their kep.yaml and
    production readiness approvals, committed on main; on branch topic."""
    for folder, name, number in (
        ("NNNN-kep-template", "template.md", "template"),
        ("sig-apps/4026-crojob-scheduled-timestamp-annotation", "4026-conforming.md", "4026"),
        ("sig-network/5495-deprecate-ipvs-mode-in-kube-proxy", "5495-missing-one.md", "5495"),
    ):
        (root / "keps" / folder).mkdir(parents=True)
        shutil.copy(MARKDOWN / "kep" / name, root / "keps" / folder / "README.md")
        shutil.copy(MARKDOWN / "kep" / f"{number}-kep.yaml", root / "keps" / folder / "kep.yaml")
    for sig, number in (("sig-apps", "4026"), ("sig-network", "5495")):
        (root / "keps/prod-readiness" / sig).mkdir(parents=True)
        shutil.copy(MARKDOWN / "kep" / f"prr-{sig}-{number}.yaml", root / "keps/prod-readiness" / sig / f"{number}.yaml")
    (root / ".speckeeper.toml").write_text('preset = "kep"\n', encoding="utf-8")
    git_repo(root)
    git(root, "checkout", "-qb", "topic")
    return root


# What the KEP keeps of its template's prose (not its table of contents nor
# its checklist, which are no guidance).
KEPT = '  still from the template: line 40: guidance from the template left in: "Items marked with (R) are required prior to targeting to...": expected the spec\'s own text'


def test_a_kep_readme_changed_names_its_sections_as_the_template_does(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kep_repo(in_tmp)
    text = (in_tmp / KEP).read_text(encoding="utf-8")
    risks = text[text.index("### Risks and Mitigations") : text.index("## Design Details")]
    edit(
        in_tmp,
        (risks, ""),
        ("### User Stories (Optional)", "### User Stories"),
        ("any new API calls?\n\nNo.\n", "any new API calls?\n\nOne GET of the job a minute.\n"),
        ("What are other known failure modes?\n\nN/A\n", "What are other known failure modes?\n\nNone.\n"),
        ("## Drawbacks\n\n", "## Drawbacks\n\nTBD\n\n"),
        path=KEP,
    )
    ran = speckeeper(capsys, "review", "--base", "main")
    assert ran.code == 0
    assert ran.out == [
        f"{KEP}: changed",
        # The template's title for it, its "(Optional)" dropped or not.
        '  section "User Stories (Optional)": changed',
        '  section "Will enabling / using this feature result in any new API calls?": changed',
        '  section "What are other known failure modes?": changed (text -> None)',
        '  section "Drawbacks": changed',
        '  section "Risks and Mitigations": removed',
        KEPT,
        "  still from the template: Drawbacks: TBD",
        '  introduces SK102 at line 89: missing subsection "Risks and Mitigations" in "Proposal": the template has it here, at the end of "Proposal"',
    ]


def test_a_kep_yaml_changed_alone_is_its_readmes_review_with_the_file_named(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kep_repo(in_tmp)
    edit(in_tmp, ("status: implemented", "status: monkeys"), path=KEP_YAML)
    ran = speckeeper(capsys, "review", "--base", "main", "--format", "json")
    [spec] = json.loads("\n".join(ran.out))["specs"]
    assert (spec["path"], spec["status"], spec["sections"]) == (KEP, "changed", [])
    assert spec["introduced"] == [
        {
            "line": 8,
            "col": 1,
            "code": "SK702",
            "message": "status is 'monkeys', expected one of: provisional, implementable, implemented, deferred, rejected, withdrawn, replaced",
            "file": KEP_YAML,
        }
    ]
    git(in_tmp, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "monkeys")
    edit(in_tmp, ("status: monkeys", "status: implemented"), path=KEP_YAML)
    back = speckeeper(capsys, "review", "--base", "HEAD")
    assert back.out == [
        f"{KEP}: changed",
        KEPT,
        f"  resolves SK702 of {KEP_YAML}: status is 'monkeys', expected one of: provisional, implementable, implemented, deferred, rejected, withdrawn, replaced",
    ]


def test_a_kep_moved_is_read_on_each_side_with_its_own_kep_yaml(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The folder moved, kep.yaml with it: the side before reads the
    kep.yaml it had (not a missing one where it no longer is), so the move
    resolves nothing and introduces nothing."""
    kep_repo(in_tmp)
    moved = KEP.replace("sig-apps", "sig-node")
    (in_tmp / "keps/sig-node").mkdir()
    git(in_tmp, "mv", str(Path(KEP).parent), str(Path(moved).parent))
    ran = speckeeper(capsys, "review", "--staged")
    assert ran.out == [f"{moved}: moved from {KEP}", KEPT]


def test_markdown_files_the_configuration_does_not_check_are_not_reviewed(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kep_repo(in_tmp)
    (in_tmp / Path(KEP).parent / "FAQ.md").write_text("# FAQ\n\n## Why\n\nBecause.\n", encoding="utf-8")
    (in_tmp / "README.md").write_text("# Enhancements\n", encoding="utf-8")
    edit(in_tmp, ("## Summary\n", "## Summary\n\nWhat it does.\n"), path="keps/NNNN-kep-template/README.md")  # Excluded.
    git(in_tmp, "add", "-A")
    assert speckeeper(capsys, "review", "--staged").out == ["no spec changed"]


def test_a_madr_decision_in_the_markdown_comment(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decisions = in_tmp / "docs/decisions"
    decisions.mkdir(parents=True)
    for name in ("adr-template.md", "0005-use-dashes-in-filenames.md"):
        shutil.copy(MARKDOWN / "madr" / name, decisions / name)
    (in_tmp / ".speckeeper.toml").write_text('preset = "madr"\n', encoding="utf-8")
    git_repo(in_tmp)
    git(in_tmp, "checkout", "-qb", "topic")
    shutil.copy(MARKDOWN / "madr/0010-required-sections-only.md", decisions / "0010-required-sections-only.md")
    decision = "docs/decisions/0005-use-dashes-in-filenames.md"
    text = (in_tmp / decision).read_text(encoding="utf-8")
    edit(
        in_tmp,
        ("## Considered Options\n", "## Decision Drivers\n\n* Easy to type\n\n## Considered Option\n"),
        (text[text.index("## Decision Outcome") :], ""),
        path=decision,
    )
    git(in_tmp, "add", "-A")
    ran = speckeeper(capsys, "review", "--staged", "--format", "markdown")
    assert ran.out == [
        "<!-- speckeeper review -->",
        "### speckeeper review",
        "",
        f"#### `{decision}`: changed",
        "",
        # An optional section added, a near miss named as a rename.
        "- section `Decision Drivers`: added",
        "- section `Considered Option`: renamed from `Considered Options`",
        "- section `Decision Outcome`: removed",
        '- introduces SK104 at line 15: `title "Considered Option" should be "Considered Options" as in the template`',
        '- introduces SK101 at line 19: `missing section "Decision Outcome": the template has it here, at the end of the spec`',
        "",
        "#### `docs/decisions/0010-required-sections-only.md`: added",
    ]


def test_a_kep_yaml_beside_a_readme_git_does_not_have_is_no_review(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A new KEP's kep.yaml staged before its README: nothing to compare
    the README with, and no error."""
    kep_repo(in_tmp)
    folder = in_tmp / "keps/sig-apps/4100-next"
    folder.mkdir()
    shutil.copy(in_tmp / KEP, folder / "README.md")
    shutil.copy(in_tmp / KEP_YAML, folder / "kep.yaml")
    git(in_tmp, "add", str(folder / "kep.yaml"))
    ran = speckeeper(capsys, "review", "--staged")
    assert (ran.code, ran.out, ran.err) == (0, ["no spec changed"], [])


# The KEP snapshot's own history: its latest commits that change one KEP's
# README and nothing else, each reviewed against its parent.
_KEP_MIRROR = Path("/work/.mirror/kubernetes+enhancements/repo")
_KEP_README = re.compile(r"keps/[^/]+/[^/]+/README\.md")
_OPTIONAL = re.compile(r"\s*(\(optional\)|\[optional\])$", re.IGNORECASE)


def _kep_headings(text: str) -> list[tuple[int, str]]:
    """(0-based first line, key) of each heading below the title, read by
    markdown-it-py directly (CommonMark, as GitHub renders it): a title is
    a level-1 heading, a key the heading's text as it reads (markup
    aside) folded, "(Optional)" aside."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(text)
    found = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag != "h1" and token.map is not None:
            words = "".join(child.content for child in tokens[i + 1].children or [] if child.type in ("text", "code_inline"))
            found.append((token.map[0], _OPTIONAL.sub("", " ".join(words.split())).casefold()))
    return found


def _kep_touched(before: str, after: str, diff: str) -> set[str]:
    """The sections (keys) holding a line ``git diff -U0`` adds or removes:
    each line is in the section of the last heading at or above it."""
    found: set[str] = set()
    for hunk in _HUNK.finditer(diff):
        for text, start, count in ((before, hunk[1], hunk[2]), (after, hunk[3], hunk[4])):
            headings = _kep_headings(text)
            for number in range(int(start), int(start) + int(count if count is not None else 1)):
                above = [key for at, key in headings if at <= number - 1]
                if above:
                    found.add(above[-1])
    return found


@pytest.mark.slow
def test_over_real_kep_commits_review_names_the_sections_each_touches(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The sections ``review`` names (by the template's title or their own,
    a rename's old title too) are exactly those whose lines the commit's
    diff touches, found from the headings and ``git diff -U0`` alone; on
    KEPs whose headings are each of one title, and with one title (the
    review compares the first section of a title, as it does in RST)."""
    if not (_KEP_MIRROR / "HEAD").is_file():
        pytest.skip(f"no kubernetes/enhancements snapshot at {_KEP_MIRROR}")
    root = tmp_path / "enhancements"
    git(tmp_path, "clone", "-q", "--shared", str(_KEP_MIRROR), str(root))
    (root / ".speckeeper.toml").write_text('preset = "kep"\n', encoding="utf-8")
    monkeypatch.chdir(root)
    commits = git(root, "log", "--no-merges", "--format=%H", "-n", "200", "--", "keps/").split()
    reviewed = 0
    for commit in commits:
        files = git(root, "diff", "--name-only", f"{commit}^", commit).split()
        if len(files) != 1 or not _KEP_README.fullmatch(files[0]):
            continue
        [path] = files
        before, after = git(root, "show", f"{commit}^:{path}"), git(root, "show", f"{commit}:{path}")
        keys = [[key for _, key in _kep_headings(text)] for text in (before, after)]
        titles = [text.count("\n# ") + text.startswith("# ") for text in (before, after)]
        if any(len(set(k)) != len(k) for k in keys) or titles != [1, 1]:
            continue
        git(root, "checkout", "-q", commit)
        ran = speckeeper(capsys, "review", "--base", f"{commit}^", "--format", "json")
        [spec] = json.loads("\n".join(ran.out))["specs"]
        named = {_OPTIONAL.sub("", fold(s["section"])) for s in spec["sections"]}
        named |= {_OPTIONAL.sub("", fold(s["was"])) for s in spec["sections"] if s["was"]}
        assert named == _kep_touched(before, after, git(root, "diff", "-U0", f"{commit}^", commit)), commit
        reviewed += 1
        if reviewed == 8:
            break
    assert reviewed == 8, "the snapshot has 8 such commits"
