"""``speckeeper fix`` on Markdown documents: what it changes, byte for
byte, what it refuses and why (the fixed forms of each rule's fixture are
tests/test_rule_fixtures.py's)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import FIXTURES, speckeeper

TEMPLATE = FIXTURES / "rules" / "template.md"
CONFIG = 'markdown-template = "template.md"\nexclude = ["template.md"]\nselect = [{select}]\n'


@pytest.fixture()
def repo(in_tmp: Path) -> Path:
    shutil.copy(TEMPLATE, in_tmp / "template.md")
    return in_tmp


def configure(repo: Path, *codes: str, more: str = "") -> None:
    select = ", ".join(f'"{code}"' for code in codes)
    (repo / ".speckeeper.toml").write_text(CONFIG.format(select=select) + more, encoding="utf-8")


def fixed(capsys: pytest.CaptureFixture[str], text: str, *argv: str) -> tuple[int, list[str], list[str], str]:
    """``speckeeper fix doc.md`` (or ``argv``) on ``text``: the exit code,
    what it printed, and the file after."""
    path = Path("doc.md")
    path.write_bytes(text.encode("utf-8"))
    ran = speckeeper(capsys, *(argv or ("fix", "doc.md")))
    return ran.code, ran.out, ran.err, path.read_bytes().decode("utf-8")


GOOD = "# Batch the writes\n\n## Problem\n\nA round trip.\n\n## Proposal\n\nQueue them.\n\n### Risks\n\nA crash.\n"


def test_check_fix_fixes_a_markdown_document_then_checks_it(repo, capsys):
    configure(repo, "SK101", "SK102", "SK203")
    text = GOOD.replace("A round trip.", "A round trip.   ").replace("### Risks\n\nA crash.\n", "")
    code, out, err, after = fixed(capsys, text, "check", "--fix", "doc.md")
    # 1: a file changed (the commit stops on it); nothing is left to report.
    assert (code, out, err) == (1, [], ["Fixing doc.md"])
    assert after == GOOD.replace("### Risks\n\nA crash.\n", "### Risks\n\nNone\n")


def test_a_fix_that_would_change_code_is_refused_saying_why(repo, capsys):
    configure(repo, "SK203")
    text = GOOD.replace("Queue them.", "```\nqueue  \n```")
    code, out, _, after = fixed(capsys, text)
    assert code == 1 and after == text
    assert out == [
        'doc.md:10:6: SK005 not fixed: SK203 trailing whitespace (2 character(s)), expected none (the fixed'
        r' text would parse differently: literal "queue  \n" (line 9) would become literal "queue\n")'
    ]


def test_a_hard_line_break_in_a_list_item_becomes_a_backslash(repo, capsys):
    configure(repo, "SK203")
    text = GOOD.replace("Queue them.", "- Queue  \n  them.  \n- and  \n\n  flush.")
    assert fixed(capsys, text)[3] == GOOD.replace("Queue them.", "- Queue\\\n  them.\n- and\n\n  flush.")


def test_a_missing_section_is_inserted_at_the_level_the_document_writes_its_parent(repo, capsys):
    # The template's Risks is one level under Proposal: under a ### Proposal, ####.
    configure(repo, "SK102", more='missing-section-text = "TBD"\n')
    text = GOOD.replace("## Problem", "### Problem").replace("## Proposal", "### Proposal").replace("### Risks\n\nA crash.\n", "")
    after = fixed(capsys, text.rstrip("\n") + "\n")[3]
    assert after.endswith("### Proposal\n\nQueue them.\n\n#### Risks\n\nTBD\n")


def test_a_missing_section_is_underlined_where_the_document_underlines_its_level(repo, capsys):
    configure(repo, "SK101")
    text = "# Batch the writes\n\nProblem\n-------\n\nA round trip.\n"
    after = fixed(capsys, text)[3]
    assert after == text + "\nProposal\n--------\n\n### Risks\n\nNone\n"


def test_a_missing_section_keeps_the_level_the_template_skips_to(in_tmp, capsys):
    # A KEP's questions: ###### under ###, in the template and so inserted.
    (in_tmp / "template.md").write_text("# T\n\n## Design\n\n### Scalability\n\n###### Will it scale?\n\nSay.\n", encoding="utf-8")
    configure(in_tmp, "SK102", more="template-depth = 3\n")
    text = "# Mine\n\n## Design\n\n### Scalability\n\nIt is fine.\n"
    after = fixed(capsys, text)[3]
    assert after == text + "\n###### Will it scale?\n\nNone\n"


def test_a_skipped_level_is_closed_with_what_is_under_it_and_after_it(repo, capsys):
    configure(repo, "SK603")
    text = "# T\n\n## A\n\n#### B\n\n##### C\n\n#### D\n\n## E\n"
    code, out, err, after = fixed(capsys, text)
    assert (code, out) == (1, ["Fixing doc.md"])
    assert after == "# T\n\n## A\n\n### B\n\n#### C\n\n### D\n\n## E\n"
    assert err == ["doc.md:5:1: SK603 heading level 4 under level 2, expected level 3 at most (fixed)"]


def test_a_near_miss_heading_keeps_its_closing_marks(repo, capsys):
    configure(repo, "SK104")
    text = GOOD.replace("## Problem", "## problme ##")
    assert fixed(capsys, text)[3] == GOOD.replace("## Problem", "## Problem ##")


def test_a_title_is_made_of_the_folder_of_a_readme(repo, capsys):
    configure(repo, "SK107")
    folder = repo / "0042-batch_the-writes"
    folder.mkdir()
    text = "---\nstatus: proposed\n---\nWhy it matters.\n\n## Problem\n\nA round trip.\n"
    (folder / "README.md").write_text(text, encoding="utf-8")
    assert speckeeper(capsys, "fix", "0042-batch_the-writes/README.md").code == 1
    fixed_text = text.replace("---\nWhy", "---\n\n# Batch the writes\n\nWhy")
    assert (folder / "README.md").read_text(encoding="utf-8") == fixed_text


def test_a_title_that_would_make_a_level_skip_is_left_saying_why(repo, capsys):
    configure(repo, "SK107")
    text = "### Problem\n\nA round trip.\n"
    code, out, _, after = fixed(capsys, text)
    assert (code, after) == (1, text)
    assert out == [
        "doc.md:1:1: SK005 not fixed: SK107 no document title: expected one # heading before the first section"
        " (the fixed text would add a Markdown problem: heading level 3 under level 1, expected level 2 at most)"
    ]


def test_long_markdown_lines_are_the_authors_unless_the_repo_wraps(repo, capsys):
    long = "Each write is a round trip, and a round trip costs a millisecond, which adds up over a day."
    text = GOOD.replace("A round trip.", long)
    configure(repo, "SK201")
    assert fixed(capsys, text)[:2] == (0, [])
    configure(repo, "SK201", more="markdown-wrapped = true\n")
    assert fixed(capsys, text)[3] == GOOD.replace(
        "A round trip.", "Each write is a round trip, and a round trip costs a millisecond, which adds up\nover a day."
    )


def test_a_misplaced_section_is_not_reported_missing_after_a_fix(in_tmp, capsys):
    # SK105 tells B1 (under A) from a missing section; what the fix leaves
    # is judged with it on too, so B1 is not "left unfixed" as missing.
    (in_tmp / "template.md").write_text("# T\n\n## A\n\n### A1\n\nSay.\n\n## B\n\n### B1\n\nSay.\n\n### B2\n\nSay.\n", encoding="utf-8")
    configure(in_tmp, "SK102", "SK105")
    text = "# Mine\n\n## A\n\n### A1\n\nx\n\n### B1\n\ny\n\n## B\n\nz\n"
    code, out, _, after = fixed(capsys, text)
    assert (code, out) == (1, ["Fixing doc.md"])
    assert after == text + "\n### B2\n\nNone\n"


def test_missing_section_text_of_several_lines_is_written_as_rows(repo, capsys):
    configure(repo, "SK102", more='missing-section-text = """\nTBD: what could go wrong.\nSay "None" if nothing.\n"""\n')
    text = GOOD.replace("### Risks\n\nA crash.\n", "")
    after = fixed(capsys, text)[3]
    assert after == text + '### Risks\n\nTBD: what could go wrong.\nSay "None" if nothing.\n'


def test_an_editors_text_is_fixed_as_the_file_would_be(repo):
    # The language server's way in: an unsaved text loaded, then fixed.
    from speckeeper.config.settings import load_file
    from speckeeper.fixing.fix import Fixer

    configure(repo, "SK203", "SK104")
    fixer = Fixer(load_file(repo / ".speckeeper.toml"))
    text = GOOD.replace("## Problem", "## problme").replace("Queue them.", "Queue them. ")
    loaded = fixer.checker.load(repo / "doc.md", text).loaded
    assert loaded is not None and loaded.spec.format == "markdown"
    findings = fixer.checker.run_rules(loaded)
    assert [f.code for f in findings] == ["SK104", "SK203"]
    raw, spec = fixer.fixed(loaded, findings[:1])
    assert raw.decode("utf-8") == text.replace("## problme", "## Problem")
    assert [s.title for s in spec.sections] == ["Problem", "Proposal"]


def test_a_setext_near_miss_keeps_a_short_underline_short(repo, capsys):
    configure(repo, "SK104")
    text = GOOD.replace("## Problem", "problme\n---")
    assert fixed(capsys, text)[3] == GOOD.replace("## Problem", "Problem\n---")
