"""``speckeeper fix``: what it changes, byte for byte, and what it refuses."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from docutils import nodes

from speckeeper import fix
from speckeeper.cli import main
from speckeeper.config import Config, Settings

from .conftest import speckeeper

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The line rules on by default, and SK109.
LINE_RULES_ONLY = 'select = ["SK201", "SK203", "SK205", "SK206", "SK208", "SK109"]\n'


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    ran = speckeeper(capsys, "fix", *argv)
    return ran.code, "".join(line + "\n" for line in ran.out)


@pytest.fixture()
def lines_repo(in_tmp: Path) -> Path:
    """A folder whose config runs the line rules (and SK109) only."""
    (in_tmp / ".speckeeper.toml").write_text(LINE_RULES_ONLY, encoding="utf-8")
    return in_tmp


def write(name: str, content: str | bytes) -> Path:
    path = Path(name)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


# How fix says it left a finding that no fix can repair keeping the meaning.
NOT_FIXABLE = " (no fix keeps its meaning)"

LONG_PARAGRAPH = (
    "Title\n=====\n\n"
    "Short first line.\n"
    "This line of the paragraph is too long: it runs well past the seventy-ninth column.\n"
    "Short last line.\n"
)
LONG_PARAGRAPH_FIXED = (
    "Title\n=====\n\n"
    "Short first line.\n"
    "This line of the paragraph is too long: it runs well past the seventy-ninth\n"
    "column. Short last line.\n"
)


def test_fix_rewraps_the_paragraph_from_its_long_line_on(capsys, lines_repo):
    path = write("spec.rst", LONG_PARAGRAPH)
    assert run(capsys, "spec.rst") == (1, "Fixing spec.rst\n")
    assert path.read_bytes() == LONG_PARAGRAPH_FIXED.encode()


def test_fix_twice_changes_nothing_the_second_time(capsys, lines_repo):
    path = write("spec.rst", LONG_PARAGRAPH)
    run(capsys, "spec.rst")
    assert run(capsys, "spec.rst") == (0, "")
    assert path.read_bytes() == LONG_PARAGRAPH_FIXED.encode()


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "- A bullet whose only line of text goes on and on until it has crossed the limit.\n",
            "- A bullet whose only line of text goes on and on until it has crossed the\n  limit.\n",
            id="bullet-hangs",
        ),
        pytest.param(
            "#. An enumerated item whose only line goes on and on until it has crossed the limit.\n",
            "#. An enumerated item whose only line goes on and on until it has crossed the\n   limit.\n",
            id="enumeration-hangs",
        ),
        pytest.param(
            "term\n    A definition body, indented, whose line goes on until it has crossed the limit.\n",
            "term\n    A definition body, indented, whose line goes on until it has crossed the\n    limit.\n",
            id="definition-keeps-indent",
        ),
        pytest.param(
            "To create the new server for the test, use ``openstack server create --flavor m1.small`` now.\n",
            "To create the new server for the test, use\n``openstack server create --flavor m1.small`` now.\n",
            id="literal-not-split",
        ),
        pytest.param(
            "As the spec says at length, see the `section on the placement API <placement-api.html>`_ for more.\n",
            "As the spec says at length, see the\n`section on the placement API <placement-api.html>`_ for more.\n",
            id="link-not-split",
        ),
        pytest.param(
            "The option is described in the :ref:`section on the libvirt CPU mode <cpu-mode>` here.\n",
            "The option is described in the\n:ref:`section on the libvirt CPU mode <cpu-mode>` here.\n",
            id="role-not-split",
        ),
        pytest.param(
            "A sentence that puts a dash where the line would break, so the dash -- stays put here.\n",
            "A sentence that puts a dash where the line would break, so the dash -- stays\nput here.\n",
            id="punctuation-never-starts-a-line",
        ),
    ],
)
def test_fix_wraps_keeping_indentation_and_inline_markup(capsys, lines_repo, before, after):
    path = write("spec.rst", "Title\n=====\n\n" + before)
    assert run(capsys, "spec.rst")[0] == 1
    assert path.read_bytes() == ("Title\n=====\n\n" + after).encode()


def test_fix_never_touches_literal_blocks_tables_titles_or_comments(capsys, lines_repo):
    content = (
        "Title\n=====\n\n"
        "Example::\n\n"
        "    $ openstack server create --flavor m1.small --image cirros --network private vm1   \n\n"
        "..\n   A comment that is long, longer than the limit, and stays just as it was written.\n\n"
        "=====  ==========================================================================\n"
        "Name   A simple table row whose cell runs on far past the seventy-ninth column, ok\n"
        "=====  ==========================================================================\n"
    )
    path = write("spec.rst", content)
    # Only the trailing whitespace went; the comment and the table are left, and said so.
    code, out = run(capsys, "spec.rst")
    assert code == 1 and out.splitlines() == [
        f"spec.rst:{line}:80: SK005 not fixed: SK201 line is {length} characters long, expected at most 79{NOT_FIXABLE}"
        for line, length in ((9, 83), (11, 81), (12, 82), (13, 81))
    ] + ["Fixing spec.rst"]
    assert path.read_bytes() == content.replace("vm1   \n", "vm1\n").encode()


def test_fix_strips_trailing_whitespace_and_lengthens_short_adornments(capsys, lines_repo):
    shutil.copy(FIXTURES / "lines" / "whitespace.rst", "spec.rst")
    assert run(capsys, "spec.rst") == (1, "Fixing spec.rst\n")
    assert Path("spec.rst").read_text(encoding="utf-8") == (
        "==========\nWhitespace\n==========\n\n"
        "Trailing spaces here.\n"
        "A tab\tinside a line.\n"
        "A zero-width\u200bspace.\n\n"
        "Short underline\n===============\n\n"
        "Long underline\n===================\n"
    )


def test_fix_lengthens_an_overline_with_its_underline(capsys, lines_repo):
    path = write("spec.rst", "====\n Title here\n====\n\nText.\n")
    run(capsys, "spec.rst")
    assert path.read_bytes() == b"============\n Title here\n============\n\nText.\n"


def test_fix_counts_wide_characters_double_in_adornments(capsys, lines_repo):
    path = write("spec.rst", "Title\n=====\n\nSub \u6f22\u5b57\n------\n\nText.\n")
    run(capsys, "spec.rst")
    assert path.read_text(encoding="utf-8") == "Title\n=====\n\nSub \u6f22\u5b57\n--------\n\nText.\n"


def test_fix_turns_crlf_into_lf(capsys, lines_repo):
    path = write("spec.rst", b"Title\r\n=====\r\n\r\nText.\r\n")
    assert run(capsys, "spec.rst") == (1, "Fixing spec.rst\n")
    assert path.read_bytes() == b"Title\n=====\n\nText.\n"


def test_fix_keeps_crlf_in_rewrapped_lines_when_cr_is_ignored(capsys, lines_repo):
    Path(".speckeeper.toml").write_text(LINE_RULES_ONLY + 'ignore = ["SK205"]\n', encoding="utf-8")
    path = write("spec.rst", LONG_PARAGRAPH.replace("\n", "\r\n"))
    run(capsys, "spec.rst")
    assert path.read_bytes() == LONG_PARAGRAPH_FIXED.replace("\n", "\r\n").encode()


def test_fix_adds_the_final_newline_only_when_its_rule_is_on(capsys, lines_repo):
    path = write("spec.rst", "Title\n=====\n\nText.")
    assert run(capsys, "spec.rst") == (0, "")
    Path(".speckeeper.toml").write_text(LINE_RULES_ONLY + 'extend-select = ["SK207"]\n', encoding="utf-8")
    assert run(capsys, "spec.rst") == (1, "Fixing spec.rst\n")
    assert path.read_bytes() == b"Title\n=====\n\nText.\n"


def test_fix_rewraps_directive_bodies_only_when_their_rule_is_on(capsys, lines_repo):
    content = (
        "Title\n=====\n\n.. note:: A note.\n"
        "   Prose inside a note that nova's gate never reads runs on past the seventy-ninth.\n"
    )
    path = write("spec.rst", content)
    assert run(capsys, "spec.rst") == (0, "")
    Path(".speckeeper.toml").write_text(LINE_RULES_ONLY + 'extend-select = ["SK202"]\n', encoding="utf-8")
    assert run(capsys, "spec.rst") == (1, "Fixing spec.rst\n")
    assert path.read_text(encoding="utf-8") == (
        "Title\n=====\n\n.. note:: A note.\n"
        "   Prose inside a note that nova's gate never reads runs on past the\n   seventy-ninth.\n"
    )


def test_fix_leaves_list_table_cells_alone(capsys, lines_repo):
    Path(".speckeeper.toml").write_text(LINE_RULES_ONLY + 'extend-select = ["SK202"]\n', encoding="utf-8")
    content = (
        "Title\n=====\n\n.. list-table::\n\n   * - ``hw:cpu_policy``\n"
        "     - Whether the guest's vCPUs are pinned to dedicated host cores or float freely.\n"
    )
    path = write("spec.rst", content)
    assert run(capsys, "spec.rst") == (
        1,
        "spec.rst:7:80: SK005 not fixed: SK202 line in a directive body is 84 characters long, expected at most 79"
        f"{NOT_FIXABLE}\n",
    )
    assert path.read_text(encoding="utf-8") == content


def test_fix_leaves_a_list_item_opened_on_a_directive_line(capsys, lines_repo):
    # docutils reads the note's indentation from its next rows, so no next
    # row can continue the item: it stays long, and the fix says so.
    content = "Title\n=====\n\n.. note:: - An item opened on the note's own line, which runs on past the limit.\n"
    path = write("spec.rst", content)
    code, out = run(capsys, "spec.rst")
    assert (code, out.split(": ", 1)[1]) == (1, f"SK005 not fixed: SK201 line is 80 characters long, expected at most 79{NOT_FIXABLE}\n")
    assert path.read_text(encoding="utf-8") == content


def test_fix_honours_a_suppression_comment(capsys, lines_repo):
    content = LONG_PARAGRAPH + "\n.. speckeeper: ignore SK201\n"
    path = write("spec.rst", content)
    assert run(capsys, "spec.rst") == (0, "")
    assert path.read_text(encoding="utf-8") == content


@pytest.fixture()
def template_repo(in_tmp: Path) -> Path:
    for name in ("template.rst", "missing-sections.rst", "missing-subsection.rst", "target-clash.rst"):
        shutil.copy(FIXTURES / "fix" / name, in_tmp / name)
    (in_tmp / ".speckeeper.toml").write_text('template = "template.rst"\n', encoding="utf-8")
    return in_tmp


def test_fix_inserts_a_missing_section_with_none_at_its_template_position(capsys, template_repo):
    before = Path("missing-sections.rst").read_text(encoding="utf-8")
    assert run(capsys, "missing-sections.rst") == (1, "Fixing missing-sections.rst\n")
    inserted = (
        "Proposed change\n===============\n\n"
        "Alternatives\n------------\n\nNone\n\n"
        "Security impact\n---------------\n\nNone\n\n"
    )
    assert Path("missing-sections.rst").read_text(encoding="utf-8") == before.replace(
        "Testing\n=======\n", inserted + "Testing\n=======\n"
    )
    assert main(["check", "missing-sections.rst"]) == 0


def test_fix_inserts_a_missing_subsection_and_a_last_section(capsys, template_repo):
    before = Path("missing-subsection.rst").read_text(encoding="utf-8")
    run(capsys, "missing-subsection.rst")
    after = before + "\nSecurity impact\n---------------\n\nNone\n\nTesting\n=======\n\nNone\n"
    assert Path("missing-subsection.rst").read_text(encoding="utf-8") == after


def test_fix_refuses_what_would_change_the_document(capsys, template_repo):
    # An inserted "Proposed change" title would clash with the target of that name.
    before = Path("target-clash.rst").read_bytes()
    code, out = run(capsys, "target-clash.rst")
    assert code == 1
    assert out == (
        'target-clash.rst:17:1: SK005 not fixed: SK101 missing section "Proposed change": the template has it'
        ' here, before "Testing" (the fixed text would add a docutils message:'
        ' Duplicate implicit target name: "proposed change".)\n'
    )
    assert Path("target-clash.rst").read_bytes() == before


def test_fix_refuses_line_breaks_docutils_reads_differently(capsys, lines_repo):
    content = "Title\n=====\n\nText with trailing space. \n\x0c\nMore.\n"
    path = write("spec.rst", content)
    code, out = run(capsys, "spec.rst")
    assert code == 1
    assert out.startswith("spec.rst:1:1: SK005 not fixed: the file has line breaks other than LF and CRLF")
    assert path.read_text(encoding="utf-8") == content


def test_check_writes_nothing_and_says_what_would_change(capsys, lines_repo):
    path = write("spec.rst", LONG_PARAGRAPH)
    assert run(capsys, "--check", "spec.rst") == (1, "Would fix spec.rst\n")
    assert path.read_text(encoding="utf-8") == LONG_PARAGRAPH


def test_diff_shows_the_change_and_writes_nothing(capsys, lines_repo):
    """The diff alone on stdout, with git's a/ and b/; what would be fixed on stderr."""
    path = write("spec.rst", LONG_PARAGRAPH)
    ran = speckeeper(capsys, "fix", "--diff", "spec.rst")
    assert ran.code == 1
    assert ran.out == [
        "--- a/spec.rst",
        "+++ b/spec.rst",
        "@@ -2,5 +2,5 @@",
        " =====",
        " ",
        " Short first line.",
        "-This line of the paragraph is too long: it runs well past the seventy-ninth column.",
        "-Short last line.",
        "+This line of the paragraph is too long: it runs well past the seventy-ninth",
        "+column. Short last line.",
    ]
    assert ran.err == ["Would fix spec.rst"]
    assert path.read_text(encoding="utf-8") == LONG_PARAGRAPH


def test_a_clean_spec_is_not_rewritten(capsys, lines_repo):
    path = write("spec.rst", LONG_PARAGRAPH_FIXED)
    before = path.stat()
    assert run(capsys, ".") == (0, "")
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_fix_keeps_the_file_mode(capsys, lines_repo):
    path = write("spec.rst", LONG_PARAGRAPH)
    path.chmod(0o640)
    run(capsys, "spec.rst")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_spec_reached_through_a_symbolic_link_is_checked_never_written_through(capsys, lines_repo):
    target = write("real.rst", LONG_PARAGRAPH)
    Path("docs").mkdir()
    link = Path("docs/spec.rst")
    link.symlink_to(Path("..") / "real.rst")
    code, out = run(capsys, "docs/spec.rst")
    assert (code, out) == (1, "docs/spec.rst:1:1: SK005 not fixed: is a symbolic link: checked, never written through\n")
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == LONG_PARAGRAPH


def test_a_failed_write_leaves_the_file_and_no_temporary_file(capsys, lines_repo, monkeypatch):
    path = write("spec.rst", LONG_PARAGRAPH)

    def refuse(source: str, target: str, **folders: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "rename", refuse)
    code, out = run(capsys, "spec.rst")
    assert (code, out) == (1, "spec.rst:1:1: SK005 not fixed: cannot write: No space left on device\n")
    assert path.read_text(encoding="utf-8") == LONG_PARAGRAPH
    assert sorted(p.name for p in Path(".").iterdir()) == [".speckeeper.toml", "spec.rst"]


def test_an_unreadable_spec_is_reported(capsys, lines_repo):
    write("spec.rst", b"Title\n=====\n\n\xff\n")
    code, out = run(capsys, "spec.rst")
    assert code == 1
    assert out == "spec.rst:4:1: SK002 not UTF-8: byte 0xff cannot be decoded\n"


def test_a_missing_path_is_a_usage_error(capsys, lines_repo):
    assert main(["fix", "nowhere.rst"]) == 2
    assert "no such file or folder: nowhere.rst" in capsys.readouterr().err


def test_the_document_comparison_ignores_text_whitespace_only():
    from speckeeper.document.rst.parse import RstParser

    parser = RstParser()
    one, _ = parser.parse("Title\n=====\n\nSome words\nhere.\n", "a")
    two, _ = parser.parse("Title\n=====\n\nSome   words here.\n", "b")
    three, _ = parser.parse("Title\n=====\n\nSome words\n  here.\n", "c")
    assert fix.difference_between(one, two) == ""
    assert fix.difference_between(one, three).startswith("<paragraph>")


# The corpus: real specs that pass nova's gate.

GATE_MISSES = (
    "specs/queens/implemented/add-support-for-vgpu.rst",  # two long lines after a "::"
    "specs/ussuri/implemented/action-event-fault-details.rst",  # CRLF
)


def test_fix_over_the_corpus_changes_only_the_specs_with_findings(capsys, nova_repo, tmp_path, monkeypatch):
    root = tmp_path / "nova-specs"
    shutil.copytree(nova_repo, root)
    before = {path: path.read_bytes() for path in root.rglob("*.rst")}
    monkeypatch.chdir(root)
    code, out = run(capsys, "specs")
    assert code == 1
    assert out == "".join(f"Fixing {name}\n" for name in GATE_MISSES)
    changed = sorted(path.relative_to(root).as_posix() for path in before if path.read_bytes() != before[path])
    assert changed == list(GATE_MISSES)
    assert main(["check", *GATE_MISSES]) == 0
    assert run(capsys, *GATE_MISSES) == (0, "")


# Every how-manieth spec of the corpus the mutation test takes: a sample of
# about 80 keeps it quick; the mechanism is the same for all.
SAMPLE_STEP = 10


def test_fix_restores_specs_whose_paragraphs_were_joined_into_long_lines(capsys, nova_repo, tmp_path, monkeypatch):
    from docutils import nodes

    from speckeeper import config, wrap
    from speckeeper.check import Checker, Loaded

    root = tmp_path / "nova-specs"
    shutil.copytree(nova_repo, root)
    monkeypatch.chdir(root)
    checker = Checker(config.discover(root))
    specs = [p for p in sorted(Path("specs").rglob("*.rst")) if not checker.config.excluded(p.as_posix())]
    originals: dict[Path, nodes.document] = {}
    skipped = 0
    for path in specs[::SAMPLE_STEP]:
        loaded = checker.load(path)
        assert isinstance(loaded, Loaded)
        rows = loaded.spec.text.split("\n")
        joined = 0
        for paragraph in sorted(wrap.paragraphs(loaded.spec, loaded.spec.lines), key=lambda p: -p.start):
            if paragraph.end - paragraph.start > 1:
                rest = [row.strip() for row in rows[paragraph.start + 1 : paragraph.end]]
                rows[paragraph.start : paragraph.end] = [" ".join([rows[paragraph.start].rstrip(), *rest])]
                joined += 1
        mutated = "\n".join(rows)
        doctree, _ = checker.parser.parse(mutated, str(path))
        if not joined or fix.difference_between(loaded.spec.doctree, doctree):
            # Joining "1) like this\nand this" makes a list: not the same spec.
            skipped += 1
            continue
        path.write_text(mutated, encoding="utf-8")
        originals[path] = loaded.spec.doctree
    assert len(originals) >= 60 and skipped <= 10

    names = [str(path) for path in originals]
    code, out = run(capsys, *names)
    assert code == 1
    assert "SK005" not in out
    after = {path: path.read_bytes() for path in originals}
    for path, original in originals.items():
        loaded = checker.load(path)
        assert isinstance(loaded, Loaded)
        assert fix.difference_between(original, loaded.spec.doctree) == "", path
        spans = [str(n.rawsource) for n in loaded.spec.doctree.findall(nodes.Inline) if n.rawsource]
        for finding in checker.run_rules(loaded):
            if finding.code.startswith(("SK3", "SK4")):
                continue  # Naming and leftovers: what the spec says, not how it is wrapped.
            assert finding.code in ("SK201", "SK205"), finding
            if finding.code == "SK201":
                # Only a line that is one unbreakable literal or link (after a bullet).
                row = loaded.spec.lines[finding.line - 1].strip()
                words = [a for a in wrap.atoms([row], spans) if not a.glued]
                if len(words) > 1 and words[0].text in ("*", "-", "+", "#."):
                    words = words[1:]
                assert len(words) == 1, (path, row)
    assert run(capsys, *names) == (0, "")
    assert all(path.read_bytes() == content for path, content in after.items())


def test_a_note_docutils_drops_does_not_stop_a_rewrap(capsys, lines_repo):
    """Found by hypothesis: a "--" line under a one-line paragraph is a
    possible underline to docutils (an INFO note); once the paragraph is
    rewrapped it is not, and the note goes. The doctree is the same."""
    text = (
        "=====\nTitle\n=====\n\n"
        "nova nova averyveryveryveryveryveryveryveryveryveryveryveryverylongtokenwithnospacesatallinit\n--\n"
    )
    path = write("spec.rst", text)
    code, out = run(capsys, "spec.rst")
    # The token alone is longer than a line: rewrapped around, and left.
    assert (code, out.splitlines()) == (
        1,
        [f"spec.rst:6:80: SK005 not fixed: SK201 line is 86 characters long, expected at most 79{NOT_FIXABLE}", "Fixing spec.rst"],
    )
    # "--" never starts a line, where it could read as an underline.
    assert path.read_text(encoding="utf-8").endswith(
        "nova nova\naveryveryveryveryveryveryveryveryveryveryveryveryverylongtokenwithnospacesatallinit --\n"
    )


NO_TITLE = (
    "..\n This is the license.\n\n"
    "https://blueprints.launchpad.net/nova/+spec/live-migrate\n\n"
    "Problem description\n===================\n\nNone\n\n"
    "Proposed change\n===============\n\nNone\n"
)


def test_fix_adds_a_missing_document_title_from_the_file_name(capsys, in_tmp):
    Path(".speckeeper.toml").write_text('select = ["SK107"]\n', encoding="utf-8")
    path = write("live_migrate.rst", NO_TITLE)
    assert run(capsys, "live_migrate.rst") == (1, "Fixing live_migrate.rst\n")
    assert path.read_text(encoding="utf-8") == NO_TITLE.replace(
        "https://", "============\nLive migrate\n============\n\nhttps://", 1
    )
    assert main(["check", "live_migrate.rst"]) == 0


def test_a_document_title_takes_a_style_no_section_has(capsys, in_tmp):
    """A subsection over- and underlined with "=" would be the title's
    sibling, and the title no document title: it takes the next style."""
    Path(".speckeeper.toml").write_text('select = ["SK107"]\n', encoding="utf-8")
    text = NO_TITLE.replace("\nNone\n\nProposed", "\n=========\nUse Cases\n=========\n\nNone\n\nProposed", 1)
    path = write("live.rst", text)
    assert run(capsys, "live.rst") == (1, "Fixing live.rst\n")
    assert "\n----\nLive\n----\n\nhttps://" in path.read_text(encoding="utf-8")
    assert main(["check", "live.rst"]) == 0


def test_two_document_titles_are_left_to_the_author(capsys, in_tmp):
    Path(".speckeeper.toml").write_text('select = ["SK107"]\n', encoding="utf-8")
    text = "=====\nOne\n=====\n\nText.\n\n=====\nTwo\n=====\n\nMore.\n"
    path = write("two.rst", text)
    assert run(capsys, "two.rst") == (
        1,
        f'two.rst:8:1: SK005 not fixed: SK107 2 document titles, expected one: "Two" after "One"{NOT_FIXABLE}\n',
    )
    assert path.read_text(encoding="utf-8") == text


def test_an_empty_spec_is_fixed_once_title_first(capsys, in_tmp):
    """Found by hypothesis: the title and the missing sections go in the
    same fix, the title first, and a second fix changes nothing."""
    path = write("empty-spec.rst", "")
    assert run(capsys, "empty-spec.rst")[0] == 1
    first = path.read_text(encoding="utf-8")
    assert first.startswith("==========\nEmpty spec\n==========\n\nProblem description\n")
    assert run(capsys, "empty-spec.rst") == (0, "")
    assert path.read_text(encoding="utf-8") == first


def test_fix_says_what_it_could_not_fix(capsys, lines_repo):
    """SK201 is fixable, but no rewrap shortens an image's path: the fix
    says so, at the line, rather than leaving it in silence."""
    text = "Title\n=====\n\n.. image:: images/some/very/long/path/to/a/picture/of/the/live/migration/flow.png\n"
    path = write("spec.rst", text)
    code, out = run(capsys, "spec.rst")
    assert (code, out) == (
        1,
        "spec.rst:4:80: SK005 not fixed: SK201 line is 81 characters long, expected at most 79 (no fix keeps its meaning)\n",
    )
    assert path.read_text(encoding="utf-8") == text


# Fixing only some codes (issue 17, item 2).

BOTH = LONG_PARAGRAPH.replace("Short first line.\n", "Short first line.   \n")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--select", "SK203"], LONG_PARAGRAPH),
        (["--ignore", "SK203"], LONG_PARAGRAPH_FIXED.replace("Short first line.\n", "Short first line.   \n")),
        (["--select", "SK2", "--ignore", "SK201"], LONG_PARAGRAPH),
        ([], LONG_PARAGRAPH_FIXED),
    ],
)
def test_fix_select_and_ignore_fix_only_those_codes(
    capsys: pytest.CaptureFixture[str], lines_repo: Path, argv: list[str], expected: str
) -> None:
    path = write("spec.rst", BOTH)
    ran = speckeeper(capsys, "fix", *argv, "spec.rst")
    assert (ran.code, ran.out) == (1, ["Fixing spec.rst"])
    assert path.read_text(encoding="utf-8") == expected


def test_fix_select_of_an_unknown_code_is_a_usage_error(capsys: pytest.CaptureFixture[str], lines_repo: Path) -> None:
    write("spec.rst", BOTH)
    ran = speckeeper(capsys, "fix", "--select", "SK999", "spec.rst")
    assert (ran.code, ran.err) == (2, ["speckeeper: error: --select: unknown rule code 'SK999' (see 'speckeeper rules')"])
    assert Path("spec.rst").read_text(encoding="utf-8") == BOTH


# A diff that git apply and patch -p1 take as they are (issue 17, item 4).

DIFF_CASES = {
    "specs/long.rst": LONG_PARAGRAPH.encode(),
    "specs/my spec.rst": BOTH.encode(),  # A space: git's tab after the name.
    "specs/crlf-é.rst": LONG_PARAGRAPH.replace("\n", "\r\n").encode(),  # Quoted, octal, as git writes it.
    "specs/no-newline.rst": b"Title\n=====\n\nText.   ",  # git's "\ No newline at end of file".
    'specs/a\nb"c\\d.rst': BOTH.encode(),  # A newline, a quote, a backslash: C escapes, as git writes them.
    "specs/clean.rst": b"Title\n=====\n\nText.\n",
}


def _spec_repo(root: Path) -> Path:
    import subprocess

    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".speckeeper.toml").write_text(LINE_RULES_ONLY + 'extend-select = ["SK207"]\n', encoding="utf-8")
    for name, data in DIFF_CASES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def _tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


@pytest.mark.parametrize("apply", [["git", "apply"], ["patch", "-p1", "--quiet", "--batch"]])
def test_the_diff_applied_is_what_fix_writes(tmp_path: Path, apply: list[str]) -> None:
    import subprocess
    import sys

    if shutil.which(apply[0]) is None:
        pytest.skip(f"{apply[0]} is not installed")
    fixed, patched = _spec_repo(tmp_path / "fixed"), _spec_repo(tmp_path / "patched")
    command = [sys.executable, "-m", "speckeeper", "fix", "-j", "1"]
    # Run from a folder below the top: the paths are still from the top, as git writes them.
    shown = subprocess.run([*command, "--diff", "."], cwd=fixed / "specs", capture_output=True, check=False)
    assert shown.returncode == 1, shown.stderr
    assert b'\n--- "a/specs/crlf-\\303\\251.rst"\n+++ "b/specs/crlf-\\303\\251.rst"\n' in shown.stdout
    assert b"--- a/specs/my spec.rst\t\n+++ b/specs/my spec.rst\t\n" in shown.stdout
    assert b"\n\\ No newline at end of file\n" in shown.stdout
    assert shown.stdout.startswith(b'--- "a/specs/a\\nb\\"c\\\\d.rst"\n+++ "b/specs/a\\nb\\"c\\\\d.rst"\n')
    # What would be fixed goes to stderr: stdout is the diff alone.
    assert shown.stderr.decode().splitlines() == [
        'Would fix a\\nb"c\\d.rst',
        "Would fix crlf-é.rst",
        "Would fix long.rst",
        "Would fix my spec.rst",
        "Would fix no-newline.rst",
    ]
    assert _tree(fixed) == _tree(patched)  # --diff wrote nothing.
    subprocess.run(apply, cwd=patched, input=shown.stdout, check=True)
    done = subprocess.run([*command, "."], cwd=fixed / "specs", capture_output=True, check=False)
    assert done.returncode == 1, done.stderr
    assert _tree(fixed) == _tree(patched)
    assert _tree(fixed)["specs/clean.rst"] == DIFF_CASES["specs/clean.rst"]
    assert _tree(fixed)["specs/long.rst"] == LONG_PARAGRAPH_FIXED.encode()
def test_fix_renames_a_near_miss_title_to_the_templates(capsys, in_tmp):
    good = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
    typo = good.replace("Dependencies\n============", "Dependncies\n===========")
    Path("specs/zed/approved").mkdir(parents=True)
    path = write("specs/zed/approved/awesome-thing.rst", typo)
    assert run(capsys, str(path)) == (1, f"Fixing {path}\n")
    # The adornment is lengthened with the title: the file is as it should be.
    assert path.read_text(encoding="utf-8") == good


def test_fix_leaves_a_near_miss_title_that_a_link_names(capsys, in_tmp):
    good = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
    linked = good.replace("Use Cases\n---------", "Use cses\n--------").replace(
        "Moving a server today stops it", "Moving a server today (see `Use cses`_) stops it"
    )
    Path("specs/zed/approved").mkdir(parents=True)
    path = write("specs/zed/approved/awesome-thing.rst", linked)
    code, out = run(capsys, str(path))
    assert code == 1
    assert out == (
        f'{path}:21:1: SK005 not fixed: SK104 title "Use cses" should be "Use Cases" as in the template'
        " (the fixed text would parse differently: <reference> (line ?) would become <problematic>)\n"
    )
    assert path.read_text(encoding="utf-8") == linked


# Fixes that interact (issue 23, item 4).

MOVING = "Moving a server today stops it for as long as the copy takes."
# The paragraph above "Use Cases" joined into one line of 175 characters.
JOINED = MOVING + " The copy of a large server's memory can take minutes, and all that time its users wait for the host to come back."
REWRAPPED = (
    "Moving a server today stops it for as long as the copy takes. The copy of a\n"
    "large server's memory can take minutes, and all that time its users wait for\n"
    "the host to come back."
)


def _interacting(good: str) -> str:
    """The good spec with a joined paragraph above a near-miss title and
    trailing spaces on a later title: three fixes, one moving rows."""
    assert len(JOINED) == 175
    return (
        good.replace(MOVING, JOINED)
        .replace("Use Cases\n---------", "Use cases\n---------")
        .replace("Proposed change\n", "Proposed change   \n")
    )


def test_fix_renames_a_title_below_a_paragraph_rewrapped_into_more_lines(capsys, in_tmp):
    """The rewrap adds rows above the renamed title: the proof finds the
    title where the rows moved it, and all three fixes are made."""
    good = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
    Path("specs/zed/approved").mkdir(parents=True)
    Path(".speckeeper.toml").write_text("", encoding="utf-8")  # nova's defaults: long lines count.
    path = write("specs/zed/approved/awesome-thing.rst", _interacting(good))
    assert run(capsys, str(path)) == (1, f"Fixing {path}\n")
    assert path.read_text(encoding="utf-8") == good.replace(MOVING, REWRAPPED)


def test_fix_makes_the_fixes_that_prove_and_reports_the_rest_at_their_lines(capsys, in_tmp):
    """A near-miss title a link names cannot be renamed; the rewrap above
    it, the whitespace and another near miss below, and the rewrap of the
    line with the link are made all the same, and the one left is reported
    at its own line, with its code and why."""
    good = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
    linked = (
        _interacting(good)
        .replace("Use cases\n---------", "Use cses\n--------")
        .replace("Alternatives\n------------", "Alternativs\n-----------")
        .replace("Copy memory pages while", "Copy memory pages (see `Use cses`_) while")
    )
    Path("specs/zed/approved").mkdir(parents=True)
    Path(".speckeeper.toml").write_text("", encoding="utf-8")  # nova's defaults: long lines count.
    path = write("specs/zed/approved/awesome-thing.rst", linked)
    code, out = run(capsys, str(path))
    fixed = (
        good.replace(MOVING, REWRAPPED)
        .replace("Use Cases\n---------", "Use cses\n--------")
        .replace(
            "Copy memory pages while the server runs, then switch over. The state\nmachine",
            "Copy memory pages (see `Use cses`_) while the server runs, then switch over.\nThe state machine",
        )
    )
    assert path.read_text(encoding="utf-8") == fixed
    line = fixed.splitlines().index("Use cses") + 1
    assert (code, out) == (
        1,
        f'{path}:{line}:1: SK005 not fixed: SK104 title "Use cses" should be "Use Cases" as in the template'
        " (the fixed text would parse differently: <reference> (line ?) would become <problematic>)\n"
        f"Fixing {path}\n",
    )


def test_fixes_that_never_prove_cost_a_bounded_number_of_parses(lines_repo, monkeypatch):
    """Two hundred findings whose fixes all change the document: at most
    fix.MOST_PROOFS parses, and every finding is reported as not fixed."""
    text = "Title\n=====\n\n" + "".join(f"Line {n}. \n\n" for n in range(200))
    path = write("spec.rst", text)
    fixer = fix.Fixer(Config(root=lines_repo, base=Settings(select=("SK203",))))
    parses = []
    parse = fixer.checker.parser.parse

    def counted(*args, **kwargs):
        parses.append(1)
        doctree, messages = parse(*args, **kwargs)
        doctree.append(nodes.paragraph("", "a change"))  # Whatever is fixed, the document would differ.
        return doctree, messages

    loaded = fixer.checker.load(path)
    monkeypatch.setattr(fixer.checker.parser, "parse", counted)
    result = fixer.fix_loaded(path, loaded)
    assert len(parses) <= fix.MOST_PROOFS
    assert not result.changed
    assert [f.line for f in result.problems] == [4 + 2 * n for n in range(200)]
    assert all("SK203 trailing whitespace" in f.message and "would be added or lost" in f.message for f in result.problems)
    # Those never tried alone say so.
    assert any(f"(not tried alone ({fix.MOST_PROOFS} parses spent); with " in f.message for f in result.problems)


def test_a_title_inserted_above_a_rewrapped_first_line_goes_above_it(capsys, in_tmp):
    """Found by the fuzz test once fix made what proved: the title inserted
    at row 0 and the rewrap of row 0 are applied in that order, so both
    are made at once, and a second fix changes nothing."""
    Path(".speckeeper.toml").write_text('select = ["SK107", "SK201", "SK203"]\n', encoding="utf-8")
    path = write("fuzz.rst", "word " * 30 + "\n")
    assert run(capsys, "fuzz.rst") == (1, "Fixing fuzz.rst\n")
    words = "word word word word word word word word word word word word word word"
    assert path.read_text(encoding="utf-8") == f"====\nFuzz\n====\n\n{words} word word\n{words}\n"
    assert run(capsys, "fuzz.rst") == (0, "")
