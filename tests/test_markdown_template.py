"""A Markdown template is the truth: KEPs and MADR decision records kept to
their own templates by the structure rules (fixtures: tests/fixtures/markdown,
real files, see SOURCES.md there)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from speckeeper import rules
from speckeeper.config.settings import ConfigError, Settings
from speckeeper.document.markdown import build
from speckeeper.document.markdown_template import load
from speckeeper.rules.registry import Context
from speckeeper.document.template import Template

from .conftest import FIXTURES

KEP = FIXTURES / "markdown" / "kep"
MADR = FIXTURES / "markdown" / "madr"
# A KEP's questions are the template's third level (### Scalability, then
# ###### Will enabling ...): all of them count.
KEP_SETTINGS = Settings(template_depth=3)
STRUCTURE = [rules.BY_CODE[code] for code in ("SK101", "SK102", "SK103", "SK104", "SK105", "SK107")]


def template_of(path: Path, settings: Settings = KEP_SETTINGS) -> Template:
    return load(path, path.read_text(), settings)


def findings(template: Template, text: str, settings: Settings = KEP_SETTINGS) -> list[tuple[str, int, str]]:
    document = build.parse("README.md", text)
    ctx = Context("README.md", settings, template, frozenset(rule.code for rule in STRUCTURE))
    return [(rule.code, hit.line, hit.message) for rule in STRUCTURE for hit in rule.check_spec(document, ctx)]  # type: ignore[arg-type]


def independent_headings(text: str) -> list[tuple[int, str]]:
    """The template's headings read without speckeeper: ATX lines outside
    fenced code and HTML comments (the KEP template's "#### Alpha" is an
    example inside one), as (level, text); it has no setext heading."""
    found, fenced, comment = [], False, False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if line.startswith("<!--") and not fenced:
            comment = True
        match = re.fullmatch(r"(#{1,6}) (.+?)\s*", line)
        if match and not fenced and not comment:
            found.append((len(match.group(1)), match.group(2)))
        if "-->" in line:
            comment = False
    return found


def required(headings: list[tuple[int, str]]) -> list[str]:
    """The headings a KEP must keep: under the title, not marked
    "(Optional)" and not under a heading that is."""
    kept, optional_level = [], 0
    for level, title in headings:
        if optional_level and level > optional_level:
            continue
        optional_level = level if title.endswith("(Optional)") else 0
        if level > 1 and not optional_level:
            kept.append(title)
    return kept


def test_the_kep_template_reads_as_its_headings_with_levels_and_optional_ones():
    template = template_of(KEP / "template.md")
    headings = independent_headings((KEP / "template.md").read_text())
    assert template.title == "KEP-NNNN: Your short, descriptive title" == headings[0][1]
    assert [s.title for s in template.all_sections()] == [title for level, title in headings[1:]]
    assert len(template.all_sections()) == 56
    assert [s.title for s in template.all_sections() if s.optional] == [
        "User Stories (Optional)",
        "Story 1 (Optional)",
        "Story 2 (Optional)",
        "Notes/Constraints/Caveats (Optional)",
        "Infrastructure Needed (Optional)",
    ]
    # "###### How can this feature be enabled ..." under "### Feature
    # Enablement and Rollback": one level deeper, the level skipped aside.
    enablement = next(s for s in template.all_sections() if s.title == "Feature Enablement and Rollback")
    assert (enablement.level, enablement.children[0].level) == (2, 3)


@pytest.mark.parametrize("name", ["4026-conforming.md", "5495-missing-one.md", "4009-missing-two.md"])
def test_a_kep_is_reported_missing_exactly_the_template_headings_it_lacks(name):
    template_text = (KEP / "template.md").read_text()
    text = (KEP / name).read_text()
    present = {" ".join(title.casefold().split()) for _, title in independent_headings(text)}
    expected = [title for title in required(independent_headings(template_text)) if title.casefold() not in present]
    found = findings(template_of(KEP / "template.md"), text)
    missing = [re.match(r'missing (?:sub)?section "([^"]+)"', message) for _, _, message in found]
    assert [m.group(1) for m in missing if m] == expected
    assert [f for f, m in zip(found, missing) if not m] == []  # Nothing else.


def test_the_kep_fixtures_miss_what_their_sources_say():
    template = template_of(KEP / "template.md")
    assert findings(template, (KEP / "4026-conforming.md").read_text()) == []
    assert findings(template, (KEP / "5495-missing-one.md").read_text()) == [
        ("SK101", 37, 'missing section "Release Signoff Checklist": the template has it here, before "Summary"')
    ]
    assert [(code, message.split(":")[0]) for code, _, message in findings(template, (KEP / "4009-missing-two.md").read_text())] == [
        ("SK102", 'missing subsection "Non-Goals" in "Motivation"'),
        ("SK102", 'missing subsection "Risks and Mitigations" in "Proposal"'),
    ]


def test_an_optional_kep_section_may_be_absent_or_kept_without_its_marker():
    template = template_of(KEP / "template.md")
    text = (KEP / "4026-conforming.md").read_text()
    assert "### User Stories (Optional)" in text
    assert findings(template, text.replace("### User Stories (Optional)", "### User Stories")) == []
    assert findings(template, text.replace("### User Stories (Optional)", "### user stories")) == []


def test_a_kep_title_matches_the_template_title_with_placeholders():
    template = template_of(KEP / "template.md")
    text = (KEP / "4026-conforming.md").read_text()
    assert text.startswith("# KEP-4026: Add job creation timestamp to job annotations")
    assert findings(template, text) == []


def test_a_kep_missing_a_question_and_with_a_retitled_section():
    template = template_of(KEP / "template.md")
    text = (KEP / "4026-conforming.md").read_text()
    question = "###### What are other known failure modes?\n"
    assert question in text
    broken = text.replace(question, "").replace("## Drawbacks", "## Drawback")
    found = findings(template, broken)
    assert [(code, message) for code, _, message in found] == [
        ("SK102", 'missing subsection "What are other known failure modes?" in "Troubleshooting": the template has it here, before "What steps should be taken if SLOs are not being met to determine the problem?"'),
        ("SK104", 'title "Drawback" should be "Drawbacks" as in the template'),
    ]


def test_the_madr_template_marks_optional_sections_with_the_comment_above_them():
    template = template_of(MADR / "adr-template.md", Settings())
    assert template.title == "{short title, representative of solved problem and found solution}"
    assert [(s.level, s.title, s.optional) for s in template.all_sections()] == [
        (1, "Context and Problem Statement", False),
        (1, "Decision Drivers", True),
        (1, "Considered Options", False),
        (1, "Decision Outcome", False),
        (2, "Consequences", True),
        (2, "Confirmation", True),
        (1, "Pros and Cons of the Options", True),
        # The comment under this one marks the text that follows it, not the section.
        (2, "{title of option 1}", False),
        (2, "{title of other option}", False),
        (1, "More Information", True),
    ]


def test_a_decision_record_may_leave_out_optional_sections_not_required_ones():
    template = template_of(MADR / "adr-template.md", Settings())
    text = (MADR / "0005-use-dashes-in-filenames.md").read_text()
    assert findings(template, text) == []
    without = re.sub(r"## Decision Outcome\n.*", "", text, flags=re.DOTALL)
    assert [(code, message.split(":")[0]) for code, _, message in findings(template, without)] == [
        ("SK101", 'missing section "Decision Outcome"')
    ]


def test_placeholder_titles_match_any_text_each_once():
    template = template_of(MADR / "adr-template.md", Settings())
    text = (MADR / "0005-use-dashes-in-filenames.md").read_text()
    options = "\n## Pros and Cons of the Options\n\n### NNNN-title-with-dashes.md\n\nGood.\n\n### YYYY-MM-DD Title\n\nBad.\n"
    assert findings(template, text + options) == []
    one = "\n## Pros and Cons of the Options\n\n### NNNN-title-with-dashes.md\n\nGood.\n"
    assert [(code, message.split(":")[0]) for code, _, message in findings(template, text + one)] == [
        ("SK102", 'missing subsection "{title of other option}" in "Pros and Cons of the Options"')
    ]


def test_markers_and_placeholders_are_configuration(tmp_path):
    path = tmp_path / "template.md"
    path.write_text("# RFC: <title>\n\n## Summary\n\n## Prior art [if any]\n\n## Unresolved questions\n")
    settings = Settings(optional_markers=("[if any]",), heading_placeholders=(r"<[^>]*>",))
    template = template_of(path, settings)
    assert [(s.title, s.optional) for s in template.sections] == [
        ("Summary", False),
        ("Prior art [if any]", True),
        ("Unresolved questions", False),
    ]
    assert findings(template, "# RFC: Async closures\n\n## Summary\n\n## Unresolved questions\n", settings) == []


def test_a_placeholder_that_cannot_run_in_linear_time_is_a_configuration_error(tmp_path):
    path = tmp_path / "template.md"
    path.write_text("# T\n\n## S\n")
    settings = Settings(heading_placeholders=(r"(a)\1",))
    with pytest.raises(ConfigError, match=r"^heading-placeholders: '\(a\)\\\\1' "):
        template_of(path, settings)


def test_a_template_with_an_unclosed_fence_is_a_configuration_error(tmp_path):
    path = tmp_path / "template.md"
    path.write_text("# T\n\n## S\n\n```\ncode\n")
    with pytest.raises(ConfigError, match=r"template.md:5: template does not read as Markdown: code fence"):
        template_of(path)


def test_a_kept_table_of_contents_and_checklist_are_not_guidance_left_in():
    """What every KEP keeps of its template, the table of contents of its
    headings and the release checklist it ticks, is not SK402's; the
    template's prose above the checklist, kept too, is."""
    template = template_of(KEP / "template.md")
    kep = (KEP / "4026-conforming.md").read_text()
    assert "- [Summary](#summary)" in kep and "  - [ ] e2e Tests for all Beta API Operations (endpoints)" in kep
    ctx = Context("README.md", KEP_SETTINGS, template, frozenset({"SK402"}))
    hits = rules.BY_CODE["SK402"].check_spec(build.parse("README.md", kep), ctx)  # type: ignore[arg-type]
    assert [(hit.line, hit.message) for hit in hits] == [
        (40, 'guidance from the template left in: "Items marked with (R) are required prior to targeting to...": expected the spec\'s own text')
    ]
