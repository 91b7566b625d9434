"""Line rules (SK2xx), and SK109: what each finds, where, and what it says."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from speckeeper.cli import main

from .conftest import FIXTURES, speckeeper



LINES = Path(__file__).resolve().parent / "fixtures" / "lines"


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    ran = speckeeper(capsys, "check", *argv)
    return ran.code, ran.out


@pytest.fixture()
def long_lines(in_tmp: Path) -> str:
    shutil.copy(LINES / "long-lines.rst", in_tmp / "spec.rst")
    return "spec.rst"


def test_long_prose_line_is_reported_with_its_length(capsys, long_lines):
    code, out = check(capsys, long_lines, "--select", "SK201")
    assert code == 1
    assert out == [
        "spec.rst:5:80: SK201 line is 81 characters long, expected at most 79",
        "spec.rst:33:80: SK201 line is 82 characters long, expected at most 79",
        "spec.rst:34:80: SK201 line is 81 characters long, expected at most 79",
    ]


def test_urls_single_tokens_and_literal_blocks_are_exempt(capsys, long_lines):
    # Lines 6-7 (URLs), 11 (::), 15 (code-block), 19 (parsed-literal) are long.
    code, out = check(capsys, long_lines, "--select", "SK201,SK202")
    assert code == 1
    assert {line.split(":")[1] for line in out} == {"5", "22", "30", "33", "34"}


def test_prose_in_directive_bodies_has_its_own_code(capsys, long_lines):
    code, out = check(capsys, long_lines, "--select", "SK202")
    assert code == 1
    assert out == [
        "spec.rst:22:80: SK202 line in a directive body is 83 characters long, expected at most 79",
        "spec.rst:30:80: SK202 line in a directive body is 84 characters long, expected at most 79",
    ]


def test_directive_bodies_are_not_checked_by_default(capsys, long_lines):
    _, out = check(capsys, long_lines)
    assert not [line for line in out if " SK202 " in line]


def test_line_length_is_configurable(capsys, long_lines):
    Path(".speckeeper.toml").write_text("line-length = 90\n", encoding="utf-8")
    code, out = check(capsys, long_lines, "--select", "SK201,SK202")
    assert (code, out) == (0, [])


def test_line_length_can_be_overridden_per_path(capsys, long_lines):
    Path(".speckeeper.toml").write_text(
        '[[overrides]]\npaths = ["spec.rst"]\nline-length = 81\n', encoding="utf-8"
    )
    _, out = check(capsys, long_lines, "--select", "SK201")
    assert out == ["spec.rst:33:82: SK201 line is 82 characters long, expected at most 81"]


def test_line_length_must_be_a_positive_integer(capsys, long_lines):
    Path(".speckeeper.toml").write_text('line-length = "long"\n', encoding="utf-8")
    assert main(["check", long_lines]) == 2
    assert "line-length must be a positive integer" in capsys.readouterr().err


def test_whitespace_rules(capsys, in_tmp):
    shutil.copy(LINES / "whitespace.rst", "spec.rst")
    code, out = check(capsys, "spec.rst", "--select", "SK2,SK109", "--extend-select", "SK204,SK209")
    assert code == 1
    assert out == [
        "spec.rst:5:22: SK203 trailing whitespace (3 character(s)), expected none",
        "spec.rst:6:6: SK204 tab character, expected spaces",
        "spec.rst:7:13: SK206 zero-width space (U+200B), expected none",
        'spec.rst:9:1: SK109 title underline is 5 characters, expected at least 15 (the width of "Short underline")',
        "spec.rst:13:15: SK209 title underline is 19 characters, expected 14 (the title's width)",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"Title\r\n=====\r\n\r\nText.\r\n", "spec.rst:1:6: SK205 4 carriage return(s) (\\r) in the file, first here"),
        (b"Title\n=====\n\nText.\r\n", "spec.rst:4:6: SK205 1 carriage return(s) (\\r) in the file, first here"),
        (b"\xef\xbb\xbfTitle\n=====\n", "spec.rst:1:1: SK208 byte order mark at the start of the file"),
        (b"Title\n=====\n\nNo newline.", "spec.rst:4:12: SK207 no newline at end of file, expected one"),
    ],
)
def test_byte_rules_read_the_bytes(capsys, in_tmp, content, expected):
    Path("spec.rst").write_bytes(content)
    code, out = check(capsys, "spec.rst", "--select", "SK205,SK207,SK208")
    assert code == 1
    assert len(out) == 1 and out[0].startswith(expected)


def test_a_clean_file_has_no_line_finding(capsys, in_tmp):
    Path("spec.rst").write_bytes(b"Title\n=====\n\nText.\n")
    assert check(capsys, "spec.rst", "--select", "SK2") == (0, [])


def test_short_overline_is_reported_at_the_title(capsys, in_tmp):
    Path("spec.rst").write_text("====\n Title here\n====\n\nText.\n", encoding="utf-8")
    _, out = check(capsys, "spec.rst", "--select", "SK109")
    assert out == [
        'spec.rst:2:1: SK109 title overline is 4 characters, expected at least 11 (the width of "Title here")'
    ]


def test_wide_characters_count_double_in_adornments(capsys, in_tmp):
    Path("spec.rst").write_text("Title\n=====\n\nSub 漢字\n------\n\nText.\n", encoding="utf-8")
    _, out = check(capsys, "spec.rst", "--select", "SK109")
    assert out == [
        'spec.rst:4:1: SK109 title underline is 6 characters, expected at least 8 (the width of "Sub 漢字")'
    ]


def test_default_line_rules_over_the_corpus_find_only_what_the_gate_misses(nova_findings):
    """The specs pass nova's gate; the default line rules report only what
    its text-mode reading and its "after ::" shortcut miss."""
    codes = set(_default_line_codes())
    assert Counter((f.path, f.code) for f in nova_findings if f.code in codes) == {
        # 238 CRs, invisible to a gate that reads in text mode.
        ("specs/ussuri/implemented/action-event-fault-details.rst", "SK205"): 1,
        # Prose in a list after a literal block: the gate skips every
        # indented line after a "::" line.
        ("specs/queens/implemented/add-support-for-vgpu.rst", "SK201"): 2,
    }


def _default_line_codes() -> list[str]:
    from speckeeper import rules

    return [rule.code for rule in rules.ALL if rule.group == "lines" and rule.default]


def test_trailing_whitespace_is_spaces_and_tabs_not_any_unicode_space(capsys, in_tmp):
    """A diagram's line ending in a thin space (U+2009) is text, not
    trailing whitespace; a gate that counts spaces only can say so."""
    good = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
    text = good.replace("None\n", "None\u2009\n", 1).replace("None\n", "None\t\n", 1).replace("None\n", "None  \n", 1)
    Path("spec.rst").write_text(text, encoding="utf-8")
    code, out = check(capsys, "spec.rst", "--select", "SK203")
    assert [line.split(": ", 1)[1] for line in out] == [
        "SK203 trailing whitespace (1 character(s)), expected none",
        "SK203 trailing whitespace (2 character(s)), expected none",
    ]
    Path(".speckeeper.toml").write_text('trailing-whitespace = "spaces"\n', encoding="utf-8")
    code, out = check(capsys, "spec.rst", "--select", "SK203")
    assert [line.split(": ", 1)[1] for line in out] == ["SK203 trailing whitespace (2 character(s)), expected none"]
    Path(".speckeeper.toml").write_text('trailing-whitespace = "tabs"\n', encoding="utf-8")
    assert speckeeper(capsys, "check", "spec.rst").err == [
        f"speckeeper: error: {Path('.speckeeper.toml').resolve()}: trailing-whitespace must be 'spaces and tabs' or 'spaces', got 'tabs'"
    ]


URL = "https://docs.openstack.org/nova/latest/admin/configuration/schedulers.html#the-filter-scheduler"
PROSE = "The scheduler weighs each host and then picks one of the best hosts at random"


def _spec_with(*paragraphs: str) -> str:
    good = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
    return good.replace("\nNone\n", "\n" + "\n\n".join(paragraphs) + "\n", 1)


def _findings(capsys, config: str, text: str, select: str = "SK201") -> list[str]:
    Path(".speckeeper.toml").write_text(config, encoding="utf-8")
    Path("spec.rst").write_text(text, encoding="utf-8")
    ran = speckeeper(capsys, "check", "spec.rst", "--select", select)
    return [line.split(": ", 1)[1] for line in ran.out]


def test_url_needs_room_exempts_a_url_line_only_as_far_as_the_url_needs(capsys, in_tmp):
    """nova's gate exempts any line holding a URL, a 430-character paragraph
    ending in one too; with url-needs-room only the URL gets the room."""
    long_then_url = " ".join([PROSE] * 5) + " " + URL
    fits_then_url = "See " + URL + "."
    text = _spec_with(long_then_url, fits_then_url)
    assert _findings(capsys, "", text) == []
    config = 'line-length-exemptions = ["url-needs-room", "single-token", "literal-block"]\n'
    assert _findings(capsys, config, text) == [f"SK201 line is {len(long_then_url)} characters long, expected at most 79"]


def test_the_fixer_rewraps_a_url_paragraph_keeping_the_url_whole(capsys, in_tmp):
    config = 'line-length-exemptions = ["url-needs-room", "single-token", "literal-block"]\n'
    paragraph = " ".join([PROSE] * 5) + " " + URL
    _findings(capsys, config, _spec_with(paragraph))
    assert speckeeper(capsys, "fix", "spec.rst").code == 1
    fixed = Path("spec.rst").read_text(encoding="utf-8")
    assert URL in fixed.splitlines()
    assert speckeeper(capsys, "check", "spec.rst", "--select", "SK201").code == 0


def _flagged(capsys, config: str, text: str, select: str) -> list[str]:
    """The text of each line flagged."""
    Path(".speckeeper.toml").write_text(config, encoding="utf-8")
    Path("spec.rst").write_text(text, encoding="utf-8")
    ran = speckeeper(capsys, "check", "spec.rst", "--select", select)
    return [text.splitlines()[int(line.split(":")[1]) - 1] for line in ran.out]


IMAGE = ".. image:: images/" + "a-very-long-diagram-name-" * 3 + ".svg"
COMMAND = "    $ openstack server create --flavor m1.small --image cirros --network private vm-1"


@pytest.mark.parametrize(
    ("exemptions", "expected"),
    [
        ('["url", "single-token", "literal-block"]', [IMAGE]),
        ('["url", "single-token", "literal-block", "image"]', []),
        ('["url", "single-token", "literal-block", "double-colon"]', []),
        ('["url", "single-token"]', [IMAGE, COMMAND]),
    ],
)
def test_each_exemption_is_a_documented_choice(capsys, in_tmp, exemptions, expected):
    text = _spec_with(IMAGE, "Run::\n\n" + COMMAND)
    assert _flagged(capsys, f"line-length-exemptions = {exemptions}\n", text, "SK201,SK202") == expected


def test_an_unknown_exemption_is_a_configuration_error(capsys, in_tmp):
    Path(".speckeeper.toml").write_text('line-length-exemptions = ["urls"]\n', encoding="utf-8")
    Path("spec.rst").write_text("x\n", encoding="utf-8")
    ran = speckeeper(capsys, "check", "spec.rst")
    assert ran.code == 2
    assert ran.err[0].endswith(
        "line-length-exemptions: unknown 'urls', expected some of: url, url-needs-room, single-token, literal-block,"
        " image, double-colon, long-inline"
    )


def test_tabs_anywhere_or_only_in_the_indentation(capsys, in_tmp):
    text = _spec_with("- item\n\n\t- indented by a tab", "a\ttab between words")
    assert _flagged(capsys, "", text, "SK204") == ["\t- indented by a tab", "a\ttab between words"]
    assert _flagged(capsys, 'tabs = "indentation"\n', text, "SK204") == ["\t- indented by a tab"]


@pytest.mark.filterwarnings("ignore")  # doc8's own deprecation warnings.
def test_doc8_style_flags_the_lines_doc8_itself_flags_over_the_corpus(capsys, corpus, monkeypatch, tmp_path):
    """Side by side with doc8 (its D001, run by doc8 on the files) on every
    corpus spec with a long line doc8 may flag: the same lines."""
    from doc8.main import doc8

    specs = corpus / "specs"
    candidates = sorted(
        str(path.relative_to(corpus))
        for path in specs.glob("*/*/*.rst")
        if any(
            len(line) > 79 and " " in line.lstrip() and "://" not in line
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    )
    assert len(candidates) > 50
    monkeypatch.chdir(corpus)
    result = doc8(paths=candidates, ignore=["D000", "D002", "D003", "D004", "D005"], quiet=True)
    theirs = sorted(f"{name}:{line}" for _, name, line, code, _ in result.errors if code == "D001")
    capsys.readouterr()
    config = tmp_path / ".speckeeper.toml"
    config.write_text('line-length-style = "doc8"\n', encoding="utf-8")
    ran = speckeeper(capsys, "check", "--config", str(config), "--select", "SK201,SK202", *candidates)
    ours = sorted(":".join(line.split(":")[:2]) for line in ran.out)
    assert ours == theirs
    assert len(ours) == 14  # In 10 specs, each a line nova's gate passes.


def test_doc8_style_without_doc8_installed_says_how_to_install_it(capsys, in_tmp, monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "doc8" else find_spec(name, *a))
    Path(".speckeeper.toml").write_text('line-length-style = "doc8"\n', encoding="utf-8")
    Path("spec.rst").write_text("x\n", encoding="utf-8")
    ran = speckeeper(capsys, "check", "spec.rst")
    assert ran.code == 2
    assert ran.err[0].endswith(
        "line-length-style = \"doc8\" runs doc8's own check, which is not installed:"
        " pip install 'speckeeper[doc8]' (pre-commit: additional_dependencies: [doc8])"
    )


GRID_ROW = "| ``hw:cpu_policy``    | Whether the guest's vCPUs are pinned to host cores | all |"
GRID_RULE = "+-----------------------+----------------------------------------------------+-----+"
ROUTE = "The new action is ``POST /servers/{server_id}/action`` with a ``migrate`` body key."


def test_long_lines_matching_a_configured_pattern_are_exempt(capsys, in_tmp):
    """A gate's own patterns: grid-table rows (``-+-`` or `` | `` in the
    line) and lines holding a REST route (several ``/``)."""
    long_prose = PROSE + " then it says so in the log"
    text = _spec_with("Table:\n\n" + GRID_RULE + "\n" + GRID_ROW + "\n" + GRID_RULE, ROUTE, long_prose)
    none = "line-length-exemptions = []\n"
    assert _flagged(capsys, none, text, "SK201") == [GRID_RULE, GRID_ROW, GRID_RULE, ROUTE, long_prose]
    patterns = "line-length-exempt-patterns = ['-\\+-', ' \\| ', '(/[^/\\s]+){3}']\n"
    assert _flagged(capsys, none + patterns, text, "SK201") == [long_prose]


@pytest.mark.parametrize(
    ("pattern", "said"),
    [
        ("a(?=b)", "uses a feature that cannot run in linear time"),
        ("(unclosed", "is not a regular expression"),
    ],
)
def test_an_exempt_pattern_that_cannot_run_in_linear_time_is_a_configuration_error(capsys, in_tmp, pattern, said):
    Path(".speckeeper.toml").write_text(f"line-length-exempt-patterns = ['{pattern}']\n", encoding="utf-8")
    Path("spec.rst").write_text("x\n", encoding="utf-8")
    ran = speckeeper(capsys, "check", "spec.rst")
    assert (ran.code, ran.out, len(ran.err)) == (2, [], 1)
    assert f"line-length-exempt-patterns '{pattern}' {said}" in ran.err[0]


ITEM = " * Update Nailgun so that it reads the settings of every plugin from the release's"
INDENTED = "    The scheduler weighs each host and then picks one of the best hosts at random."


def test_counting_a_lines_text_leaves_out_its_indentation_and_list_marker(capsys, in_tmp):
    text = _spec_with(ITEM + "\n   metadata.", INDENTED.strip() + " on it")
    assert len(ITEM) == 82 and len(ITEM) - len(" * ") == 79
    assert _findings(capsys, "", text) == [
        "SK201 line is 82 characters long, expected at most 79",
        "SK201 line is 84 characters long, expected at most 79",
    ]
    assert _findings(capsys, 'line-length-count = "text"\n', text) == [
        "SK201 line is 84 characters long without its indentation and list marker, expected at most 79"
    ]


def test_an_indent_allowance_gives_lines_indented_that_far_more_columns(capsys, in_tmp):
    """83 columns for lines indented by four spaces, 79 for the others."""
    quoted = "  " + INDENTED.strip()
    text = _spec_with("A quote:\n\n" + INDENTED + "\n\nAnother:\n\n" + quoted)
    assert len(INDENTED) == 82 and len(quoted) == 80
    config = "line-length-indent-allowance = 4\n"
    assert _flagged(capsys, "", text, "SK201") == [INDENTED, quoted]
    assert _flagged(capsys, config, text, "SK201") == [quoted]
    longer = INDENTED + " Then again."
    assert _findings(capsys, config, _spec_with("A quote:\n\n" + longer)) == [
        "SK201 line is 94 characters long, expected at most 83 (indented by 4 or more)"
    ]


def test_the_fixer_rewraps_to_the_columns_that_count(capsys, in_tmp):
    """Rewrapped as the text is measured: the marker and indentation aside."""
    _findings(capsys, 'line-length-count = "text"\n', _spec_with(" * " + " ".join([PROSE] * 2)))
    assert speckeeper(capsys, "fix", "spec.rst").code == 1
    rows = Path("spec.rst").read_text(encoding="utf-8").splitlines()
    start = rows.index(" * " + PROSE)
    assert rows[start : start + 3] == [" * " + PROSE, "   " + PROSE, ""]
    assert len(rows[start]) == 80


@pytest.mark.parametrize("count", ['"text"', '"none"'])
def test_a_count_or_allowance_the_code_does_not_know_is_a_configuration_error(capsys, in_tmp, count):
    Path(".speckeeper.toml").write_text(f"line-length-count = {count}\nline-length-indent-allowance = -1\n", encoding="utf-8")
    Path("spec.rst").write_text("x\n", encoding="utf-8")
    ran = speckeeper(capsys, "check", "spec.rst")
    assert ran.code == 2
    expected = "line-length-indent-allowance must be a positive integer or 0, got -1"
    if count == '"none"':
        expected = "line-length-count must be 'line' or 'text', got 'none'"
    assert ran.err[0].endswith(expected)


LITERAL = "``GET /releases/{release_id}/deployment_tasks/?graph_type=provision&end=netconfig``"


def test_a_paragraph_holding_an_inline_literal_longer_than_the_limit_may_be_exempt(capsys, in_tmp):
    """The literal cannot be wrapped, so neither can the paragraph around it."""
    with_literal = (
        f"The tasks of a graph are listed by a\nrequest to {LITERAL} which the\n"
        "user interface sends for every cluster it shows, with the graph type and its end task."
    )
    with_link = (
        f"See `the deployment guide\n<https://docs.openstack.org/{'fuel-docs/' * 4}deployment.html>`_ for\n"
        "how the deployment graph is run, task by task and role by role, on each node of a cluster."
    )
    short = (
        "A short literal ``GET /releases`` excuses nothing: this paragraph runs on to\n"
        "the next line with a line that is longer than the limit of seventy-nine columns."
    )
    text = _spec_with(with_literal, with_link, short)
    config = 'line-length-exemptions = ["single-token", "literal-block"]\n'
    before = _flagged(capsys, config, text, "SK201")
    assert [row[:12] for row in before] == ["request to `", "user interfa", "<https://doc", "how the depl", "the next lin"]
    config = 'line-length-exemptions = ["single-token", "literal-block", "long-inline"]\n'
    assert [row[:12] for row in _flagged(capsys, config, text, "SK201")] == ["the next lin"]


@pytest.mark.parametrize(
    "block",
    [
        "Run::\n\n" + COMMAND,
        ".. code-block:: ini\n\n" + COMMAND,
        ".. code:: ini\n\n" + COMMAND,
        ".. parsed-literal::\n\n" + COMMAND,
        ".. mermaid-ish::\n\n" + COMMAND,
    ],
    ids=["double-colon", "code-block", "code", "parsed-literal", "literal-directive"],
)
def test_literal_content_is_judged_alike_however_it_is_written(capsys, in_tmp, block):
    """Without the literal-block exemption, a long line of any literal
    content is SK201 (on by default), as after ``::``; with it, none is."""
    text = _spec_with(block)
    literal = 'literal-directives = ["mermaid-ish"]\n'
    assert _flagged(capsys, literal + 'line-length-exemptions = ["url", "single-token"]\n', text, "SK201") == [COMMAND]
    assert _flagged(capsys, literal, text, "SK201,SK202") == []


def test_a_url_needs_room_from_where_the_text_starts_when_text_is_counted(capsys, in_tmp):
    """With the text counted, the text before a URL fits when it does
    without the line's indentation and list marker."""
    item = "  * " + PROSE + " " + URL
    assert len("  * " + PROSE) > 79 and len(PROSE) <= 79
    config = 'line-length-exemptions = ["url-needs-room"]\n'
    assert _flagged(capsys, config, _spec_with(item), "SK201") == [item]
    assert _flagged(capsys, config + 'line-length-count = "text"\n', _spec_with(item), "SK201") == []


@pytest.mark.parametrize(
    ("key", "value"),
    [("line-length-count", '"text"'), ("line-length-indent-allowance", "4"), ("line-length-exempt-patterns", "[' \\| ']")],
)
def test_doc8_style_takes_no_measure_or_pattern_of_the_nova_style(capsys, in_tmp, key, value):
    Path(".speckeeper.toml").write_text(f'line-length-style = "doc8"\n{key} = {value}\n', encoding="utf-8")
    Path("spec.rst").write_text("x\n", encoding="utf-8")
    ran = speckeeper(capsys, "check", "spec.rst")
    assert (ran.code, ran.out) == (2, [])
    assert ran.err[0].endswith(f'{key} applies to line-length-style = "nova"; doc8 counts its own way')


def test_the_exemptions_the_configuration_allows_are_those_the_rule_implements() -> None:
    """``line-length-exemptions`` is declared once, in the configuration,
    with what each name exempts; SK201 implements each name, no more."""
    from speckeeper.config.settings import LINE_LENGTH_EXEMPTIONS
    from speckeeper.rules.lines import EXEMPTIONS, LITERAL_BLOCK, LONG_INLINE

    assert set(LINE_LENGTH_EXEMPTIONS) == {*EXEMPTIONS, LITERAL_BLOCK, LONG_INLINE}
