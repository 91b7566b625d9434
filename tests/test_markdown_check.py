"""`speckeeper check` on Markdown documents: a repo selects them by naming a
Markdown template; each `.md` file is read as Markdown, the structure, line
and Markdown validity rules run on it, as the user sees them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from speckeeper.cli import main

from .conftest import FIXTURES

KEP = FIXTURES / "markdown" / "kep"
MADR = FIXTURES / "markdown" / "madr"

KEP_CONFIG = """\
markdown-template = "keps/NNNN-kep-template/README.md"
template-depth = 3
exclude = ["keps/NNNN-kep-template/**"]
"""


def kep_repo(root: Path) -> Path:
    (root / ".git").mkdir()
    (root / ".speckeeper.toml").write_text(KEP_CONFIG)
    for folder, name, metadata in (
        ("NNNN-kep-template", "template.md", "template-kep.yaml"),
        ("sig-apps/4026-crojob-scheduled-timestamp-annotation", "4026-conforming.md", "4026-kep.yaml"),
        ("sig-network/5495-deprecate-ipvs-mode-in-kube-proxy", "5495-missing-one.md", "5495-kep.yaml"),
    ):
        (root / "keps" / folder).mkdir(parents=True)
        shutil.copy(KEP / name, root / "keps" / folder / "README.md")
        shutil.copy(KEP / metadata, root / "keps" / folder / "kep.yaml")
    for sig, number in (("sig-apps", "4026"), ("sig-network", "5495")):
        (root / "keps/prod-readiness" / sig).mkdir(parents=True)
        shutil.copy(KEP / f"prr-{sig}-{number}.yaml", root / "keps/prod-readiness" / sig / f"{number}.yaml")
    return root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = main(["check", *args])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_a_kep_repo_reports_the_missing_heading_of_one_kep(in_tmp, capsys):
    kep_repo(in_tmp)
    code, out, _ = run(capsys, "keps")
    assert code == 1
    assert out == [
        "keps/sig-network/5495-deprecate-ipvs-mode-in-kube-proxy/README.md:37:1: SK101 missing section"
        ' "Release Signoff Checklist": the template has it here, before "Summary"',
    ]


def test_a_conforming_kep_has_no_finding(in_tmp, capsys):
    kep_repo(in_tmp)
    assert run(capsys, "keps/sig-apps") == (0, [], "")


def test_markdown_validity_and_line_rules_run_on_a_kep(in_tmp, capsys):
    kep_repo(in_tmp)
    readme = in_tmp / "keps/sig-apps/4026-crojob-scheduled-timestamp-annotation/README.md"
    text = readme.read_text()
    readme.write_text(text.replace("## Summary", "## Summary   ").replace("### Goals", "##### Goals") + "\n```\nunclosed\n")
    code, out, _ = run(capsys, str(readme.relative_to(in_tmp)))
    lines = {line.split(":", 1)[1] for line in out}
    summary = text.splitlines().index("## Summary") + 1
    goals = text.splitlines().index("### Goals") + 1
    end = len(text.splitlines()) + 2
    assert code == 1
    assert lines == {
        f"{summary}:11: SK203 trailing whitespace (3 character(s)), expected none",
        f"{goals}:1: SK603 heading level 5 under level 2, expected level 3 at most",
        f"{end}:1: SK601 code fence ``` is never closed: everything after it is code",
    }


def test_a_comment_silences_a_code_in_markdown(in_tmp, capsys):
    kep_repo(in_tmp)
    readme = in_tmp / "keps/sig-network/5495-deprecate-ipvs-mode-in-kube-proxy/README.md"
    readme.write_text("<!-- speckeeper: ignore SK101 -->\n" + readme.read_text())
    assert run(capsys, "keps") == (0, [], "")


def test_without_a_markdown_template_markdown_files_are_not_checked(in_tmp, capsys):
    kep_repo(in_tmp)
    (in_tmp / ".speckeeper.toml").write_text('exclude = ["keps/NNNN-kep-template/**"]\n')
    assert run(capsys, "keps") == (0, [], "")


def test_a_markdown_file_named_without_a_markdown_template_is_left_alone(in_tmp, capsys):
    # As a hook passes it: a README.md committed in a repo of RST specs.
    kep_repo(in_tmp)
    (in_tmp / ".speckeeper.toml").write_text("")
    assert run(capsys, "keps/sig-apps/4026-crojob-scheduled-timestamp-annotation/README.md") == (0, [], "")


def test_a_markdown_file_named_is_a_document_only_by_its_name(in_tmp, capsys):
    kep_repo(in_tmp)
    (in_tmp / ".speckeeper.toml").write_text('preset = "kep"\n')
    faq = in_tmp / "keps/sig-apps/4026-crojob-scheduled-timestamp-annotation/FAQ.md"
    faq.write_text("# FAQ\n")
    assert run(capsys, str(faq.relative_to(in_tmp))) == (0, [], "")


def test_madr_decisions_with_front_matter_by_configuration_alone(in_tmp, capsys):
    (in_tmp / ".git").mkdir()
    decisions = in_tmp / "docs" / "decisions"
    decisions.mkdir(parents=True)
    shutil.copy(MADR / "adr-template.md", decisions / "adr-template.md")
    shutil.copy(MADR / "0005-use-dashes-in-filenames.md", decisions / "0005-use-dashes-in-filenames.md")
    text = (MADR / "0005-use-dashes-in-filenames.md").read_text()
    (decisions / "0006-broken.md").write_text(
        text.replace("status: accepted", "").replace("---\nparent", "---\nstatus: [open\nparent").split("## Decision Outcome")[0]
    )
    (in_tmp / ".speckeeper.toml").write_text(
        'markdown-template = "docs/decisions/adr-template.md"\nexclude = ["adr-template.md"]\n'
    )
    code, out, _ = run(capsys, "docs/decisions")
    assert code == 1
    assert out == [
        "docs/decisions/0006-broken.md:3:1: SK604 front matter is not read: expected ',' or ']', but got ':'",
        'docs/decisions/0006-broken.md:16:1: SK101 missing section "Decision Outcome": the template has it here, at the end of the spec',
    ]


def test_a_markdown_template_that_does_not_read_is_one_line_and_exit_2(in_tmp, capsys):
    kep_repo(in_tmp)
    (in_tmp / "keps/NNNN-kep-template/README.md").write_text("# T\n\n## S\n\n```\nnever closed\n")
    code, out, err = run(capsys, "keps")
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert err.strip().endswith(
        "keps/NNNN-kep-template/README.md:5: template does not read as Markdown: code fence ``` is never closed: everything after it is code"
    )


def test_preset_kep_alone_checks_the_kep_readmes(in_tmp, capsys):
    kep_repo(in_tmp)
    (in_tmp / ".speckeeper.toml").write_text('preset = "kep"\n')
    # Beside the KEPs: notes and FAQs, the folder's own README, the PRR
    # approvals' README, none of them a KEP.
    (in_tmp / "keps/sig-apps/4026-crojob-scheduled-timestamp-annotation/FAQ.md").write_text("# FAQ\n\n## Why\n")
    (in_tmp / "keps/README.md").write_text("# KEPs\n")
    (in_tmp / "keps/prod-readiness/README.md").write_text("# PRR\n")
    code, out, _ = run(capsys, "keps")
    assert code == 1
    assert out == [
        "keps/sig-network/5495-deprecate-ipvs-mode-in-kube-proxy/README.md:37:1: SK101 missing section"
        ' "Release Signoff Checklist": the template has it here, before "Summary"',
    ]


def test_a_preset_is_configuration_the_file_may_override(in_tmp, capsys):
    kep_repo(in_tmp)
    (in_tmp / ".speckeeper.toml").write_text('preset = "kep"\nextend-select = ["SK203"]\n')
    readme = in_tmp / "keps/sig-apps/4026-crojob-scheduled-timestamp-annotation/README.md"
    readme.write_text(readme.read_text().replace("## Summary", "## Summary "))
    code, out, _ = run(capsys, str(readme.relative_to(in_tmp)))
    assert (code, [line.split(": ", 1)[1] for line in out]) == (1, ["SK203 trailing whitespace (1 character(s)), expected none"])
    assert main(["check", "--show-settings", "keps"]) == 0
    shown = capsys.readouterr().out
    assert 'markdown-template = "keps/NNNN-kep-template/README.md"  (preset kep)' in shown
    assert 'extend-select = ["SK203"]  (from .speckeeper.toml)' in shown


def test_an_unknown_preset_is_a_configuration_error(in_tmp, capsys):
    kep_repo(in_tmp)
    (in_tmp / ".speckeeper.toml").write_text('preset = "rfc"\n')
    code, _, err = run(capsys, "keps")
    assert code == 2
    assert "preset must be '' or 'kep' or 'madr', got 'rfc'" in err


def test_the_preset_key_offers_every_preset_there_is():
    # The key's choices are declared with the key; the presets beside it.
    from speckeeper.config.presets import PRESETS
    from speckeeper.config.settings import KEYS

    assert KEYS["preset"].choices == ("", *PRESETS)


def test_preset_madr_alone_checks_decision_records(in_tmp, capsys):
    (in_tmp / ".git").mkdir()
    decisions = in_tmp / "docs" / "decisions"
    decisions.mkdir(parents=True)
    shutil.copy(MADR / "adr-template.md", decisions / "adr-template.md")
    shutil.copy(MADR / "0005-use-dashes-in-filenames.md", decisions / "0005-use-dashes-in-filenames.md")
    text = (MADR / "0005-use-dashes-in-filenames.md").read_text()
    (decisions / "0006-no-options.md").write_text(text.replace("## Considered Options", "## Considred Options"))
    (in_tmp / ".speckeeper.toml").write_text('preset = "madr"\n')
    code, out, _ = run(capsys, "docs")
    assert code == 1
    assert [line.split(": ", 1)[1] for line in out] == [
        'SK104 title "Considred Options" should be "Considered Options" as in the template'
    ]


def test_a_second_title_or_none_is_said_in_markdown_terms(in_tmp, capsys):
    kep_repo(in_tmp)
    readme = in_tmp / "keps/sig-apps/4026-crojob-scheduled-timestamp-annotation/README.md"
    text = readme.read_text()
    first = text.splitlines()[0]
    readme.write_text(text.replace(first, "## " + first[2:], 1))
    code, out, _ = run(capsys, "--select", "SK107", str(readme.relative_to(in_tmp)))
    assert [line.split(": ", 1)[1] for line in out] == [
        "SK107 no document title: expected one # heading before the first section"
    ]
    readme.write_text(text + "\n# Appendix\n")
    code, out, _ = run(capsys, "--select", "SK107", str(readme.relative_to(in_tmp)))
    assert [line.split(": ", 1)[1] for line in out] == [
        f'SK107 2 document titles, expected one: "Appendix" after "{first[2:]}"'
    ]


def test_a_markdown_file_with_more_headings_than_max_sections_is_one_finding(in_tmp, capsys):
    kep_repo(in_tmp)
    (in_tmp / ".speckeeper.toml").write_text(KEP_CONFIG + "max-sections = 50\n")
    readme = in_tmp / "keps/sig-apps/4026-crojob-scheduled-timestamp-annotation/README.md"
    readme.write_text("# T\n" + "## h\n" * 51)
    code, out, _ = run(capsys, str(readme.relative_to(in_tmp)))
    assert (code, [line.split(": ", 1)[1] for line in out]) == (
        1,
        ["SK004 51 headings, more than the limit of 50 (max-sections)"],
    )


def test_a_markdown_template_that_does_not_exist_is_a_configuration_error(in_tmp, capsys):
    (in_tmp / ".git").mkdir()
    (in_tmp / "keps").mkdir()
    (in_tmp / ".speckeeper.toml").write_text('preset = "kep"\n')
    code, out, err = run(capsys, "keps")
    assert (code, out) == (2, [])
    assert err.strip().endswith(".speckeeper.toml: Markdown template file not found: keps/NNNN-kep-template/README.md")


def test_a_markdown_process_of_its_own_by_configuration_alone(tmp_path, monkeypatch, capsys):
    """tests/fixtures/repos/markdown-front-matter: front matter rather than a
    sidecar, its own optional marker and placeholders, in a few lines."""
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "repos" / "markdown-front-matter", repo)
    (repo / ".git").mkdir()
    monkeypatch.chdir(repo)
    assert len((repo / ".speckeeper.toml").read_text().splitlines()) <= 15
    code, out, _ = run(capsys)
    assert code == 1
    assert out == [
        "docs/design/retry-queue.md:3:1: SK604 front matter is not read: expected ',' or ']', but got ':'",
        'docs/design/retry-queue.md:17:1: SK101 missing section "Alternatives": the template has it here, at the end'
        " of the spec",
        'docs/design/retry-queue.md:17:1: SK102 missing subsection "Option: <name>" in "Proposal": the template has it'
        ' here, at the end of "Proposal"',
    ]
    # Its "## Background" is the template's optional "Background (if any)",
    # and cache-layer.md, which leaves it out, has no finding. Its front
    # matter is kept to the template's.
    cache = repo / "docs/design/cache-layer.md"
    cache.write_text(cache.read_text().replace("status: accepted", "status: acepted"))
    assert run(capsys, "docs/design/cache-layer.md")[:2] == (1, [
        "docs/design/cache-layer.md:2:1: SK702 status is 'acepted', expected one of: draft, accepted, rejected"
        " (did you mean 'accepted'?)"
    ])


def test_rust_rfcs_by_configuration_alone(in_tmp, capsys):
    """rust-lang/rfcs: a template whose sections are ## headings under no
    title, RFCs in text/. Four lines of configuration."""
    (in_tmp / ".git").mkdir()
    shutil.copy(FIXTURES / "markdown" / "rfc" / "0000-template.md", in_tmp / "0000-template.md")
    (in_tmp / "text").mkdir()
    rfc = (FIXTURES / "markdown" / "rfc" / "3928-todo-overreach.md").read_text()
    (in_tmp / "text" / "3928-todo-overreach.md").write_text(rfc)
    (in_tmp / "text" / "9999-no-prior-art.md").write_text(rfc.replace("## Prior art", "## Earlier work"))
    (in_tmp / ".speckeeper.toml").write_text(
        'markdown-template = "0000-template.md"\nexclude = ["0000-template.md"]\nselect = ["SK1", "SK6"]\nignore = ["SK107"]\n'
    )
    code, out, _ = run(capsys, "text")
    lines = rfc.splitlines()
    renamed, following = lines.index("## Prior art") + 1, lines.index("## Unresolved questions") + 1
    assert code == 1
    assert out == [
        f'text/9999-no-prior-art.md:{renamed}:1: SK103 unexpected top-level section "Earlier work": the template has no such section here',
        f'text/9999-no-prior-art.md:{following}:1: SK101 missing section "Prior art": the template has it here, before "Unresolved questions"',
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"# T\n\n\xff\xfe not UTF-8\n", "SK002"),
        (b"# T\n\n" + b">" * 2000 + b" deep\n", None),  # Nested past markdown-it's bound: read, no traceback.
        (b"# T\n\n" + b"".join(b"  " * i + b"- x\n" for i in range(200)), None),  # Lists 200 deep.
        (b"---\na: &x [1]\nb: *x\n---\n# T\n", "SK604"),
    ],
)
def test_hostile_markdown_is_a_finding_or_nothing_never_a_traceback(in_tmp, capsys, content, expected):
    kep_repo(in_tmp)
    readme = in_tmp / "keps/sig-apps/4026-crojob-scheduled-timestamp-annotation/README.md"
    readme.write_bytes(content)
    code, out, err = run(capsys, "--select", "SK0,SK6", str(readme.relative_to(in_tmp)))
    assert "Traceback" not in err
    assert [line.split(": ", 1)[1].split(" ", 1)[0] for line in out] == ([expected] if expected else [])
    assert code == (1 if expected else 0)


def test_preset_kep_leaves_a_readme_outside_keps_alone(in_tmp, capsys):
    # The repo's own README.md, its tools' test data: no KEPs.
    kep_repo(in_tmp)
    (in_tmp / ".speckeeper.toml").write_text('preset = "kep"\n')
    (in_tmp / "README.md").write_text("# Enhancements\n")
    (in_tmp / "pkg/testdata/keps/sig-x/1-a").mkdir(parents=True)
    (in_tmp / "pkg/testdata/keps/sig-x/1-a/README.md").write_text("# KEP-1\n")
    assert run(capsys, ".", "README.md", "pkg/testdata/keps/sig-x/1-a/README.md")[:2] == (1, [
        "keps/sig-network/5495-deprecate-ipvs-mode-in-kube-proxy/README.md:37:1: SK101 missing section"
        ' "Release Signoff Checklist": the template has it here, before "Summary"',
    ])


def test_a_heading_is_its_rendered_text(in_tmp, capsys):
    kep_repo(in_tmp)
    readme = in_tmp / "keps/sig-apps/4026-crojob-scheduled-timestamp-annotation/README.md"
    readme.write_text(readme.read_text().replace("### Test Plan", "### **Test** Plan").replace("### Goals", "### [Goals][g]\n\n[g]: #goals"))
    assert run(capsys, str(readme.relative_to(in_tmp)))[:2] == (0, [])
