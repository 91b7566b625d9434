"""Structure rules: each mutation of a good spec is reported with the right
code, at the right line, with a message naming what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from speckeeper import rules
from speckeeper.cli import main

from .conftest import FIXTURES

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
# The structure rules on by default; tests add the others by name.
STRUCTURE = ",".join(r.code for r in rules.ALL if r.group == "structure" and r.default)


def _line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, *args: str) -> tuple[int, list[str]]:
    spec = tmp_path / "awesome-thing.rst"
    spec.write_text(text, encoding="utf-8")
    code = main(["check", str(spec), "--select", STRUCTURE, *args])
    out = capsys.readouterr().out
    return code, [line.replace(str(spec), "spec") for line in out.splitlines()]


def drop(text: str, title: str, underline: str) -> str:
    """The text without one section: its title and body up to the next title."""
    lines = text.splitlines(keepends=True)
    start = lines.index(title + "\n")
    assert lines[start + 1].startswith(underline)
    end = start + 2
    while end + 1 < len(lines) and not (
        lines[end + 1].strip() and set(lines[end + 1].strip()) <= set("=-") and lines[end].strip()
    ):
        end += 1
    return "".join(lines[:start] + lines[end:])


def test_good_spec_is_clean(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(in_tmp, capsys, GOOD, "--extend-select", "SK106,SK108,SK110")
    assert (code, out) == (0, [])


def test_missing_section_points_where_it_belongs(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = drop(GOOD, "Dependencies", "=")
    code, out = run(in_tmp, capsys, text)
    assert code == 1
    assert out == [
        f'spec:{_line_of(text, "Testing")}:1: SK101 missing section "Dependencies": the template has it here,'
        ' before "Testing"'
    ]


def test_missing_subsection(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = drop(GOOD, "Use Cases", "-")
    code, out = run(in_tmp, capsys, text)
    assert code == 1
    assert out == [
        f'spec:{_line_of(text, "Proposed change")}:1: SK102 missing subsection "Use Cases" in '
        '"Problem description": the template has it here, at the end of "Problem description"'
    ]


def test_optional_sections_may_be_missing(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = drop(drop(GOOD, "History", "="), "Feature Liaison", "-")
    assert run(in_tmp, capsys, text) == (0, [])


def test_unexpected_section(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD.replace("Dependencies\n============\n", "Rollout\n=======\n\nNone\n\nDependencies\n============\n")
    code, out = run(in_tmp, capsys, text)
    assert out == [
        f'spec:{_line_of(text, "Rollout")}:1: SK103 unexpected top-level section "Rollout": '
        "the template has no such section here"
    ]


def test_extra_subsections_are_allowed_by_default(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD.replace("Alternatives\n------------\n", "Rollout\n-------\n\nNone\n\nAlternatives\n------------\n")
    assert run(in_tmp, capsys, text) == (0, [])


@pytest.mark.parametrize(
    ("written", "meant"),
    [("Use cases", "Use Cases"), ("Use  Cases", "Use Cases"), ("Secuirty impact", "Security impact")],
)
def test_near_miss_title_names_the_meant_one(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], written: str, meant: str
) -> None:
    text = GOOD.replace(f"{meant}\n", f"{written}\n", 1).replace("-" * len(meant) + "\n", "-" * len(written) + "\n")
    code, out = run(in_tmp, capsys, text)
    assert code == 1
    assert out == [f'spec:{_line_of(text, written)}:1: SK104 title "{written}" should be "{meant}" as in the template']


def test_near_miss_off_falls_back_to_the_gate_pair(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD.replace("Testing\n=======\n", "testing\n=======\n")
    code, out = run(in_tmp, capsys, text, "--ignore", "SK104")
    assert code == 1
    assert sorted(line.split(" ")[1] for line in out) == ["SK101", "SK103"]


def test_wrong_level(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD.replace("Use Cases\n---------\n", "Use Cases\n=========\n")
    code, out = run(in_tmp, capsys, text)
    assert out == [
        f'spec:{_line_of(text, "Use Cases")}:1: SK105 section "Use Cases" is a top-level section here; '
        'the template has it under "Problem description" (level 2)'
    ]


def test_a_wrong_underline_is_one_finding_not_one_a_following_section(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """"Alternatives" given "=====": the subsections after it fall under it.
    The one cause is reported once, naming where the section is and where
    it belongs; the sections that moved with it are not reported again."""
    text = GOOD.replace("Alternatives\n------------\n", "Alternatives\n============\n")
    code, out = run(in_tmp, capsys, text)
    assert out == [
        f'spec:{_line_of(text, "Alternatives")}:1: SK105 section "Alternatives" is a top-level section here; '
        'the template has it under "Proposed change" (level 2)'
    ]


def test_a_subsection_under_an_extra_section_names_both_parents(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD.replace(
        "Alternatives\n------------\n\nNone\n",
        "Challenges\n----------\n\nMany.\n\nAlternatives\n~~~~~~~~~~~~\n\nNone\n",
    )
    code, out = run(in_tmp, capsys, text)
    assert out == [
        f'spec:{_line_of(text, "Alternatives")}:1: SK105 section "Alternatives" is under "Challenges" here (level 3); '
        'the template has it under "Proposed change" (level 2)'
    ]


def test_swapped_sections_are_out_of_order(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    testing = "Testing\n=======\n\nUnit and functional tests; a tempest scenario for live moves.\n\n"
    deps = "Dependencies\n============\n\nNone\n\n"
    text = GOOD.replace(deps + testing, testing + deps)
    assert text != GOOD
    assert run(in_tmp, capsys, text) == (0, []), "order is beyond the gate: off by default"
    code, out = run(in_tmp, capsys, text, "--extend-select", "SK106")
    assert out == [
        f'spec:{_line_of(text, "Dependencies")}:1: SK106 section "Dependencies" is out of order: '
        'the template puts it before "Testing"'
    ]


def test_duplicate_section(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD + "\nTesting\n=======\n\nMore.\n"
    code, out = run(in_tmp, capsys, text, "--extend-select", "SK108")
    first = _line_of(GOOD, "Testing")
    assert out == [f'spec:{len(text.splitlines()) - 3}:1: SK108 duplicate section "Testing": also at line {first}, the one compared with the template']


def test_empty_section(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD.replace("Dependencies\n============\n\nNone\n\n", "Dependencies\n============\n\n")
    code, out = run(in_tmp, capsys, text, "--extend-select", "SK110")
    assert out == [f'spec:{_line_of(text, "Dependencies")}:1: SK110 section "Dependencies" is empty: expected text, or "None"']


def test_no_document_title(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD.replace("===================================\nAwesome thing for server migrations\n"
                        "===================================\n", "")
    code, out = run(in_tmp, capsys, text)
    assert out == [
        f'spec:{_line_of(text, "Problem description")}:1: SK107 no document title: '
        "expected one over- and underlined title before the first section"
    ]


def test_two_document_titles(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD.replace("Implementation\n==============\n", "==========\nSecond one\n==========\n\nImplementation\n==============\n")
    code, out = run(in_tmp, capsys, text)
    assert out == [
        f'spec:{_line_of(text, "Second one")}:1: SK107 2 document titles, expected one: '
        '"Second one" after "Awesome thing for server migrations"'
    ]


def test_short_adornment(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD.replace("Testing\n=======\n", "Testing\n=====\n")
    code, out = run(in_tmp, capsys, text)
    assert out == [f'spec:{_line_of(text, "Testing")}:1: SK109 title underline is 5 characters, expected at least 7 (the width of "Testing")']


def test_wide_characters_count_double_in_adornments(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    title = "移行の改善"  # five wide characters: ten columns.
    ok = GOOD.replace("Use Cases\n---------\n\n", f"Use Cases\n---------\n\n{title}\n{'~' * 10}\n\nx\n\n")
    short = GOOD.replace("Use Cases\n---------\n\n", f"Use Cases\n---------\n\n{title}\n{'~' * 6}\n\nx\n\n")
    assert run(in_tmp, capsys, ok) == (0, [])
    assert run(in_tmp, capsys, short)[1] == [
        f'spec:{_line_of(short, title)}:1: SK109 title underline is 6 characters, expected at least 10 (the width of "{title}")'
    ]


def test_suppression_comment_silences_one_code(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = drop(GOOD, "Dependencies", "=").replace("\nProblem description\n", "\n.. speckeeper: ignore SK101\n\nProblem description\n")
    assert run(in_tmp, capsys, text) == (0, [])
    text = text.replace("ignore SK101", "ignore SK106")
    assert run(in_tmp, capsys, text)[0] == 1


# Issue 16: what each repo's gate says, by configuration alone.


def test_of_two_sections_of_a_title_the_one_holding_the_subsections_is_judged(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real spec has two "Proposed change" sections, the second holding
    every subsection; its repo's gate (which keeps the last) passes it."""
    start = GOOD.index("Proposed change\n")
    text = GOOD[:start] + "Proposed change\n===============\n\nAn overview first.\n\n" + GOOD[start:]
    code, out = run(in_tmp, capsys, text)
    assert (code, out) == (0, [])
    code, out = run(in_tmp, capsys, text, "--extend-select", "SK108")
    assert out == [
        f'spec:{_line_of(text, "Proposed change")}:1: SK108 duplicate section "Proposed change": '
        f'also at line {_line_of(text, "Proposed change") + 5}, the one compared with the template'
    ]


def test_no_extra_subsections_is_no_extra_subsection_anywhere(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Under a template section without subsections of its own too."""
    text = GOOD.replace("Dependencies\n============\n\nNone\n", "Dependencies\n============\n\nNone\n\nOslo\n----\n\nA release.\n")
    (in_tmp / ".speckeeper.toml").write_text("allow-extra-subsections = false\n", encoding="utf-8")
    code, out = run(in_tmp, capsys, text)
    assert out == [f'spec:{_line_of(text, "Oslo")}:1: SK103 unexpected subsection "Oslo": the template has no such section here']


def test_extra_subsections_may_be_allowed_under_some_sections_only(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD.replace("Alternatives\n------------\n", "Rollout\n-------\n\nSlowly.\n\nAlternatives\n------------\n")
    text = text.replace("Dependencies\n============\n\nNone\n", "Dependencies\n============\n\nNone\n\nOslo\n----\n\nA release.\n")
    (in_tmp / ".speckeeper.toml").write_text('allow-extra-subsections = ["Proposed change"]\n', encoding="utf-8")
    code, out = run(in_tmp, capsys, text)
    assert out == [f'spec:{_line_of(text, "Oslo")}:1: SK103 unexpected subsection "Oslo": the template has no such section here']


def test_a_spec_is_judged_by_the_path_it_is_found_at(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Linked from another release, it is that release's spec: its template."""
    (in_tmp / ".speckeeper.toml").write_text('template = "specs/{release}-template.rst"\n', encoding="utf-8")
    (in_tmp / "specs/ussuri/approved").mkdir(parents=True)
    (in_tmp / "specs/victoria/approved").mkdir(parents=True)
    (in_tmp / "specs/ussuri/approved/x.rst").write_text(GOOD, encoding="utf-8")
    (in_tmp / "specs/victoria/approved/x.rst").symlink_to(Path("../../ussuri/approved/x.rst"))
    packaged = (FIXTURES.parent.parent / "hooks/speckeeper/templates/nova.rst").read_text(encoding="utf-8")
    (in_tmp / "specs/ussuri-template.rst").write_text(packaged, encoding="utf-8")
    code = main(["check", "--select", STRUCTURE, "specs/victoria/approved/x.rst"])
    out = capsys.readouterr().out
    assert code == 1
    assert out == "specs/victoria/approved/x.rst:1:1: SK003 no template for this spec: specs/victoria-template.rst does not exist\n"


DEEP_TEMPLATE = """\
=====
Title
=====

Proposed change
===============

Client impact
-------------

Examples
~~~~~~~~

Show the new command.

Testing
=======

None
"""


def test_titles_deeper_than_template_depth_are_the_authors(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A template's third-level titles are examples: by default (two
    levels, as every gate checks) a spec may drop them; template-depth = 3
    makes them required."""
    (in_tmp / "template.rst").write_text(DEEP_TEMPLATE, encoding="utf-8")
    spec = DEEP_TEMPLATE.replace("Examples\n~~~~~~~~\n", "Sample\n~~~~~~\n")
    config = 'template = "template.rst"\nexclude = ["template.rst"]\n'
    (in_tmp / ".speckeeper.toml").write_text(config, encoding="utf-8")
    assert run(in_tmp, capsys, spec) == (0, [])
    (in_tmp / ".speckeeper.toml").write_text(config + "template-depth = 3\n", encoding="utf-8")
    code, out = run(in_tmp, capsys, spec, "--ignore", "SK104")
    assert code == 1
    assert out[0].endswith('SK102 missing subsection "Examples" in "Client impact": the template has it here, at the end of "Client impact"')


ALIASES = '[section-aliases]\n"Alternatives" = ["Alternatives considered"]\n"Dependencies" = ["Requirements"]\n'
RENAMED = GOOD.replace("Alternatives\n------------", "Alternatives considered\n-----------------------").replace(
    "Dependencies\n============", "Requirements\n============"
)


def test_a_section_under_a_title_accepted_for_it_passes_every_structure_rule(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    every = ("--extend-select", "SK106,SK108,SK110")
    code, out = run(in_tmp, capsys, RENAMED, *every)
    assert code == 1 and [line.split()[1] for line in out] == ["SK102", "SK103", "SK101"]
    (in_tmp / ".speckeeper.toml").write_text(ALIASES, encoding="utf-8")
    assert run(in_tmp, capsys, RENAMED, *every) == (0, [])
    # As the template's own title would be: in its place, once, not empty.
    swapped = drop(RENAMED, "Requirements", "=").replace(
        "Implementation\n==============", "Requirements\n============\n\nNone\n\nImplementation\n=============="
    )
    twice = RENAMED.replace("Testing\n=======", "Dependencies\n============\n\nNone\n\nTesting\n=======")
    emptied = RENAMED.replace("Requirements\n============\n\nNone\n", "Requirements\n============\n")
    assert [line.split()[1:3] for line in run(in_tmp, capsys, swapped, *every)[1]] == [["SK106", 'section']]
    assert [line.split()[1] for line in run(in_tmp, capsys, twice, *every)[1]] == ["SK108"]
    assert [line.split()[1:4] for line in run(in_tmp, capsys, emptied, *every)[1]] == [["SK110", "section", '"Requirements"']]
    sunk = RENAMED.replace("Requirements\n============", "Requirements\n------------")
    assert [line.split(": ", 1)[1] for line in run(in_tmp, capsys, sunk)[1]] == [
        'SK105 section "Requirements" is under "Implementation" here (level 2); the template has it as a top-level section'
    ]


def test_a_slip_of_an_accepted_title_is_a_near_miss_of_that_title(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / ".speckeeper.toml").write_text(ALIASES, encoding="utf-8")
    text = RENAMED.replace("Alternatives considered\n---", "Alternatives Considered\n---")
    code, out = run(in_tmp, capsys, text)
    assert (code, out) == (
        1,
        [
            f'spec:{_line_of(text, "Alternatives Considered")}:1: SK104 title "Alternatives Considered" should be'
            ' "Alternatives considered" as in section-aliases for "Alternatives"'
        ],
    )


def test_fix_never_renames_an_accepted_title(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / ".speckeeper.toml").write_text(ALIASES, encoding="utf-8")
    spec = in_tmp / "awesome-thing.rst"
    spec.write_text(RENAMED, encoding="utf-8")
    assert main(["fix", str(spec)]) == 0
    assert spec.read_text(encoding="utf-8") == RENAMED
    slip = RENAMED.replace("Alternatives considered\n---", "Alternatives Considered\n---")
    spec.write_text(slip, encoding="utf-8")
    assert main(["fix", str(spec)]) == 1
    assert spec.read_text(encoding="utf-8") == RENAMED  # Back to the accepted title, not to the template's.


def test_an_alias_for_a_title_no_template_has_is_a_configuration_error(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = in_tmp / ".speckeeper.toml"
    config.write_text('[section-aliases]\n"Alternative" = ["Alternatives considered"]\n', encoding="utf-8")
    spec = in_tmp / "awesome-thing.rst"
    spec.write_text(RENAMED, encoding="utf-8")
    assert main(["check", str(spec)]) == 2
    assert capsys.readouterr().err == (
        f'speckeeper: error: {config}: section-aliases: "Alternative" is not a section of the template:'
        ' did you mean "Alternatives"?\n'
    )


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ('section-aliases = ["Alternatives"]', "section-aliases must be a table ([section-aliases]) of lists of strings"),
        ('[section-aliases]\n"Alternatives" = [1]', "section-aliases: 'Alternatives' must be a list of strings, got [1]"),
    ],
)
def test_section_aliases_is_a_table_of_lists_of_titles(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], value: str, said: str
) -> None:
    (in_tmp / ".speckeeper.toml").write_text(value + "\n", encoding="utf-8")
    spec = in_tmp / "awesome-thing.rst"
    spec.write_text(GOOD, encoding="utf-8")
    assert main(["check", str(spec)]) == 2
    assert said in capsys.readouterr().err
