"""The language server on Markdown documents (a KEP, a decision record), in
process: what the editor is sent for a document's text, through the same
functions the server answers with (tests/test_lsp.py drives the server
itself over stdio)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the lsp extra (pygls) is not installed")
pytest.importorskip("markdown_it", reason="the markdown extra is not installed")

from lsprotocol import types  # noqa: E402

from speckeeper.lsp import features  # noqa: E402
from speckeeper.lsp.engine import Analysis, Engines, analyse  # noqa: E402

from . import test_new_markdown as new_markdown_repos  # noqa: E402
from .test_new_markdown import KEP, madr_repo  # noqa: E402

README = "keps/sig-network/5495-deprecate-ipvs-mode-in-kube-proxy/README.md"


def kep_repo(root: Path) -> Path:
    """kubernetes/enhancements in small: the template, one KEP missing a
    section ("Release Signoff Checklist"), its approval."""
    new_markdown_repos.kep_repo(root)
    folder = root / README.rsplit("/", 1)[0]
    folder.mkdir(parents=True)
    shutil.copy(KEP / "5495-missing-one.md", folder / "README.md")
    shutil.copy(KEP / "5495-kep.yaml", folder / "kep.yaml")
    (root / "keps/prod-readiness/sig-network").mkdir(parents=True)
    shutil.copy(KEP / "prr-sig-network-5495.yaml", root / "keps/prod-readiness/sig-network/5495.yaml")
    return root


def analysed(path: Path, text: str | None = None) -> tuple[Analysis, features.Lines]:
    text = path.read_text(encoding="utf-8") if text is None else text
    return analyse(Engines(), path.resolve(), text, 1), features.Lines(text, len)


def row(text: str, line: str) -> int:
    """The 0-based row of the first line that is ``line``."""
    return text.splitlines().index(line)


def test_a_kep_readme_gets_its_findings_as_diagnostics_at_their_lines(tmp_path: Path) -> None:
    readme = kep_repo(tmp_path) / README
    analysis, lines = analysed(readme)
    found = features.diagnostics(analysis, lines)
    assert [(d.code, d.range.start.line, d.message) for d in found] == [
        ("SK101", 36, 'missing section "Release Signoff Checklist": the template has it here, before "Summary"')
    ]
    # The heading it is reported at, marked from its start to its end.
    assert lines.text.splitlines()[36] == "## Summary"
    assert (found[0].range.start.character, found[0].range.end.character) == (0, len("## Summary"))


def test_a_finding_in_the_metadata_file_is_shown_on_the_first_line_and_linked_there(tmp_path: Path) -> None:
    readme = kep_repo(tmp_path) / README
    kep_yaml = readme.parent / "kep.yaml"
    kep_yaml.write_text(kep_yaml.read_text().replace("status: implementable", "status: imlpemented"))
    analysis, lines = analysed(readme)
    shown = [d for d in features.diagnostics(analysis, lines) if d.code == "SK702"]
    assert len(shown) == 1
    status_line = kep_yaml.read_text().splitlines().index("status: imlpemented") + 1
    assert shown[0].range.start.line == 0
    assert shown[0].message.startswith(f"kep.yaml:{status_line}: status is 'imlpemented', expected one of:")
    related = shown[0].related_information
    assert related is not None and related[0].location.uri == kep_yaml.resolve().as_uri()
    assert related[0].location.range.start.line == status_line - 1
    # No quick fix is offered for it at the document's lines.
    everything = types.Range(types.Position(0, 0), types.Position(len(lines.text.splitlines()), 0))
    assert not [a for a in features.code_actions(analysis, readme.as_uri(), lines, everything, [types.CodeActionKind.QuickFix])
                if a.diagnostics and a.diagnostics[0].code == "SK702"]


def test_hover_on_a_heading_shows_the_templates_text_under_it(tmp_path: Path) -> None:
    readme = kep_repo(tmp_path) / README
    analysis, lines = analysed(readme)
    shown = features.hover(analysis, lines, types.Position(row(lines.text, "### Goals"), 5))
    assert shown is not None
    value = shown.contents.value  # type: ignore[union-attr]
    assert value.startswith("**Goals**: what the template asks for here\n\n```markdown\n<!--\nList the specific goals of the KEP.")
    assert value.endswith("-->\n```")
    # The line under a heading is not the heading.
    assert features.hover(analysis, lines, types.Position(row(lines.text, "### Goals") + 1, 0)) is None


def test_hover_finds_the_template_section_by_its_marker_and_placeholders(tmp_path: Path) -> None:
    decisions = madr_repo(tmp_path) / "docs/decisions"
    record = decisions / "0001-use-markdown.md"
    record.write_text(
        "# Use Markdown\n\n## Context and Problem Statement\n\nWhich format?\n\n## Considered Options\n\n* Markdown\n\n"
        "## Decision Outcome\n\nChosen option: Markdown.\n\n### Consequences\n\n* Good, because it reads.\n\n"
        "## Pros and Cons of the Options\n\n### Markdown\n\n* Good, because it reads.\n\n"
        "### Plain text\n\n* Bad, because it has no headings.\n"
    )
    analysis, lines = analysed(record)
    assert analysis.findings == ()
    consequences = features.hover(analysis, lines, types.Position(row(lines.text, "### Consequences"), 4))
    assert consequences is not None
    assert "* Good, because {positive consequence" in consequences.contents.value  # type: ignore[union-attr]
    # "### Markdown" is the template's "### {title of option 1}".
    option = features.hover(analysis, lines, types.Position(row(lines.text, "### Markdown"), 4))
    assert option is not None
    assert option.contents.value.startswith("**{title of option 1}**: what the template asks for here")  # type: ignore[union-attr]
    assert "{example | description | pointer to more information | …}" in option.contents.value  # type: ignore[union-attr]


def test_completion_on_heading_marks_offers_the_missing_headings_and_mends_the_document(tmp_path: Path) -> None:
    readme = kep_repo(tmp_path) / README
    text = readme.read_text().replace("## Summary\n", "##\n\n## Summary\n", 1)
    analysis, lines = analysed(readme, text)
    at = row(text, "##")
    items = features.completion(analysis, lines, types.Position(at, 2))
    assert [(i.label, i.text_edit.new_text) for i in items] == [  # type: ignore[union-attr]
        ("Release Signoff Checklist", "## Release Signoff Checklist")
    ]
    assert "```markdown\n<!--\n**ACTION REQUIRED:**" in items[0].documentation.value  # type: ignore[union-attr]
    edit = items[0].text_edit
    assert isinstance(edit, types.TextEdit) and edit.range.start.line == edit.range.end.line == at
    rows = text.splitlines(True)
    rows[at] = edit.new_text + "\n"
    mended, _ = analysed(readme, "".join(rows))
    assert mended.findings == ()
    # Elsewhere than on a heading being typed: nothing; nor on a comment in a code block.
    assert features.completion(analysis, lines, types.Position(row(text, "## Summary") + 2, 0)) == []
    fenced = text.replace("##\n\n## Summary\n", "```bash\n## a comment\n```\n\n## Summary\n", 1)
    analysis, lines = analysed(readme, fenced)
    assert features.completion(analysis, lines, types.Position(row(fenced, "## a comment"), 4)) == []


def test_fix_all_on_a_kep_readme_inserts_the_missing_heading(tmp_path: Path) -> None:
    readme = kep_repo(tmp_path) / README
    analysis, lines = analysed(readme)
    assert [d.code for d in features.diagnostics(analysis, lines)] == ["SK101"]
    everything = types.Range(types.Position(0, 0), types.Position(0, 0))
    (fix_all,) = features.code_actions(analysis, readme.as_uri(), lines, everything, [features.FIX_ALL], disabled_support=True)
    assert fix_all.title == "Fix all speckeeper findings" and fix_all.disabled is None
    assert fix_all.edit is not None and fix_all.edit.changes is not None
    (edit,) = fix_all.edit.changes[readme.as_uri()]
    text = readme.read_text()
    rows = text.splitlines(True)
    start, end = edit.range.start, edit.range.end
    fixed = "".join(rows[: start.line]) + rows[start.line][: start.character] if start.line < len(rows) else text
    fixed += edit.new_text + ("".join(rows[end.line :])[end.character :] if end.line < len(rows) else "")
    # With "TBD" under it (the kep preset's missing-section-text): "None"
    # would answer a KEP's question for its author.
    assert "\n## Release Signoff Checklist\n\nTBD\n" in fixed
    mended, _ = analysed(readme, fixed)
    assert mended.findings == ()


def test_a_markdown_file_check_would_not_read_gets_no_diagnostics(tmp_path: Path) -> None:
    # A README where no Markdown template is configured; a FAQ beside a KEP.
    (tmp_path / "plain/.git").mkdir(parents=True)
    readme = tmp_path / "plain/README.md"
    readme.write_text("# Hello\n\nText.\n")
    (tmp_path / "keps-repo").mkdir()
    faq = kep_repo(tmp_path / "keps-repo") / README.replace("README.md", "FAQ.md")
    faq.write_text("# FAQ\n\n## Why\n")
    for path in (readme, faq):
        analysis, lines = analysed(path)
        assert (analysis.excluded, features.diagnostics(analysis, lines)) == (True, [])
