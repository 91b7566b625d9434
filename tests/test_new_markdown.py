"""`speckeeper new` in a Markdown process: a KEP (README.md and kep.yaml in
a folder of its own) and a MADR decision record (front matter), started
from the repo's template with the metadata its template asks for, and
passing the repo's own check as written."""

from __future__ import annotations

import datetime
import shutil
import sys
from pathlib import Path

import pytest

from speckeeper.cli import main
from speckeeper.commands.new_markdown import plan
from speckeeper.config.settings import discover
from speckeeper.document.markdown_template import load

from .conftest import FIXTURES

pytest.importorskip("markdown_it", reason="the markdown extra is not installed")

KEP = FIXTURES / "markdown" / "kep"
MADR = FIXTURES / "markdown" / "madr"
TODAY = datetime.date.today().isoformat()
KEP_ANSWERS = ("title=Pod level resource limits", "kep-number=4242", "owning-sig=sig-node", "authors=@jdoe, @kim", "approvers=@alice")


def repo(root: Path, preset: str, copies: dict[str, Path]) -> Path:
    """A repo of one preset with the fixtures ``copies`` names (by their place)."""
    (root / ".git").mkdir()
    (root / ".speckeeper.toml").write_text(f'preset = "{preset}"\n')
    for place, source in copies.items():
        (root / place).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, root / place)
    return root


def kep_repo(root: Path) -> Path:
    return repo(root, "kep", {"keps/NNNN-kep-template/README.md": KEP / "template.md", "keps/NNNN-kep-template/kep.yaml": KEP / "template-kep.yaml"})


def madr_repo(root: Path) -> Path:
    decisions = "docs/decisions/"
    return repo(root, "madr", {decisions + name: MADR / name for name in ("adr-template.md", "0005-use-dashes-in-filenames.md")})


def new(repo: Path, monkeypatch: pytest.MonkeyPatch, *data: str) -> int:
    monkeypatch.chdir(repo)
    argv = ["new", "--defaults"]
    for pair in data:
        argv += ["--data", pair]
    return main(argv)


def files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts)


def test_a_new_kep_is_a_folder_with_its_readme_and_kep_yaml_and_checks_clean(tmp_path, monkeypatch, capsys):
    repo = kep_repo(tmp_path)
    assert new(repo, monkeypatch, *KEP_ANSWERS) == 0
    folder = "keps/sig-node/4242-pod-level-resource-limits"
    assert capsys.readouterr().out.splitlines()[0] == f"Wrote {folder}/README.md and kep.yaml (from keps/NNNN-kep-template/README.md)."
    readme = (repo / folder / "README.md").read_text()
    template = (KEP / "template.md").read_text()
    # The template's text, its title's placeholders filled in.
    assert readme == template.replace("# KEP-NNNN: Your short, descriptive title", "# KEP-4242: Pod level resource limits")
    kep_yaml = (repo / folder / "kep.yaml").read_text()
    assert kep_yaml.startswith(
        "title: Pod level resource limits\nkep-number: 4242\nauthors:\n  - '@jdoe'\n  - '@kim'\nowning-sig: sig-node\n"
        f"status: provisional\ncreation-date: {TODAY}\napprovers:\n  - '@alice'\nstage: alpha\nlatest-milestone: v1.19\n"
    )
    # What the process keeps of the template's nested metadata stays.
    assert "milestone:\n  alpha: v1.19\n" in kep_yaml and "feature-gates:\n  - name: MyFeature\n" in kep_yaml
    assert main(["check", "keps"]) == 0
    assert capsys.readouterr().out == ""


def test_a_new_decision_record_takes_the_next_number_and_checks_clean(tmp_path, monkeypatch, capsys):
    repo = madr_repo(tmp_path)
    assert new(repo, monkeypatch, "title=Use Markdown for decisions", "decision-makers=Ann, Bo") == 0
    written = repo / "docs/decisions/0006-use-markdown-for-decisions.md"
    text = written.read_text()
    assert text.startswith(
        f"---\nstatus: proposed\ndate: {TODAY}\ndecision-makers: Ann, Bo\n---\n\n# Use Markdown for decisions\n\n## Context and Problem Statement\n"
    )
    capsys.readouterr()
    assert main(["check", "docs"]) == 0
    assert capsys.readouterr().out == ""


def test_the_questions_are_the_templates_metadata_with_its_allowed_values(tmp_path):
    repo = kep_repo(tmp_path)
    config = discover(repo)
    settings = config.for_path("keps/sig-node/x/README.md")
    path = repo / "keps/NNNN-kep-template/README.md"
    asked = plan(load(path, path.read_text(), settings), settings, datetime.date(2026, 2, 3))
    by_name = {q.name: q for q in asked.questions}
    assert list(by_name) == [
        "title", "kep-number", "authors", "owning-sig", "participating-sigs", "status", "creation-date",
        "reviewers", "approvers", "see-also", "replaces", "stage", "latest-milestone", "disable-supported", "metrics",
    ]  # fmt: skip
    assert by_name["status"].choices == ("provisional", "implementable", "implemented", "deferred", "rejected", "withdrawn", "replaced")
    assert by_name["stage"].choices == ("alpha", "beta", "stable", "deprecated", "disabled", "removed")  # metadata-values
    assert by_name["creation-date"].default == "2026-02-03"
    assert [name for name, q in by_name.items() if q.required] == ["title", "kep-number", "authors", "owning-sig", "status", "approvers"]
    assert sorted(asked.kept) == ["feature-gates", "milestone"]
    # Each answer is judged as the metadata rules judge it.
    assert by_name["creation-date"].problem("2025-30-01", settings) == "creation-date is '2025-30-01', not a date: month must be in 1..12"
    assert by_name["authors"].problem("Jane Doe", settings) == "authors is 'Jane Doe', expected a handle like '@jane.doe'"
    assert by_name["owning-sig"].problem("sig-xyz", settings) == "owning-sig is 'sig-xyz', the template's own example"
    assert by_name["approvers"].problem("", settings) == "approvers: give a value (it is required)"
    assert by_name["reviewers"].problem("", settings) == ""


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("creation-date=2025-30-01", "--data creation-date: creation-date is '2025-30-01', not a date: month must be in 1..12"),
        ("status=imlpemented", "--data status: status is 'imlpemented', expected one of: provisional, implementable,"),
        ("title=KEP Template", "--data title: title is 'KEP Template', the template's own example"),
        ("owning-sig=../../etc", "owning-sig '../../etc' names a folder or file, and is not a plain name; nothing written"),
        ("nope=1", "--data nope: no question has this name"),
    ],
)
def test_a_wrong_answer_is_one_line_exit_2_and_nothing_written(tmp_path, monkeypatch, capsys, answer, message):
    repo = kep_repo(tmp_path)
    before = files(repo)
    assert new(repo, monkeypatch, *KEP_ANSWERS, answer) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"speckeeper: error: {message}") and err.count("\n") == 1
    assert files(repo) == before


def test_a_required_answer_without_a_default_must_be_given(tmp_path, monkeypatch, capsys):
    repo = kep_repo(tmp_path)
    assert new(repo, monkeypatch, "title=Pod level resource limits") == 2
    assert capsys.readouterr().err == "speckeeper: error: kep-number has no default: give it with --data kep-number=VALUE\n"


def test_answers_the_repos_checks_reject_write_nothing(tmp_path, monkeypatch, capsys):
    # Implementable at beta needs its production readiness approval, which this repo lacks.
    repo = kep_repo(tmp_path)
    before = files(repo)
    assert new(repo, monkeypatch, *KEP_ANSWERS, "status=implementable", "stage=beta", "latest-milestone=v1.30") == 2
    assert capsys.readouterr().err == (
        "speckeeper: error: the answers make a document the repo's checks reject: "
        "keps/sig-node/4242-pod-level-resource-limits/README.md:1:1: SK708 companion file "
        "keps/prod-readiness/sig-node/4242.yaml is missing (status=implementable|implemented, stage>=beta, "
        "latest-milestone>=v1.21); nothing written\n"
    )
    assert files(repo) == before


def test_a_document_already_there_is_not_overwritten(tmp_path, monkeypatch, capsys):
    repo = kep_repo(tmp_path)
    assert new(repo, monkeypatch, *KEP_ANSWERS) == 0
    readme = repo / "keps/sig-node/4242-pod-level-resource-limits/README.md"
    readme.write_text("mine\n")
    capsys.readouterr()
    assert new(repo, monkeypatch, *KEP_ANSWERS) == 1
    assert capsys.readouterr().err == f"speckeeper: error: {readme.relative_to(repo)} already exists; nothing written\n"
    assert readme.read_text() == "mine\n"


def test_a_process_of_its_own_writes_beside_its_template_by_default(tmp_path, monkeypatch, capsys):
    (tmp_path / ".git").mkdir()
    (tmp_path / "rfcs").mkdir()
    (tmp_path / "rfcs/template.md").write_text(
        "---\nstatus: draft|accepted\n---\n# <title>\n\n## Summary\n\nOne paragraph.\n\n## Motivation (optional)\n\nWhy.\n"
    )
    (tmp_path / ".speckeeper.toml").write_text('markdown-template = "rfcs/template.md"\nexclude = ["rfcs/template.md"]\n')
    assert new(tmp_path, monkeypatch, "title=Faster builds") == 0
    assert (tmp_path / "rfcs/faster-builds.md").read_text() == (
        "---\nstatus: draft\n---\n# Faster builds\n\n## Summary\n\nOne paragraph.\n\n## Motivation (optional)\n\nWhy.\n"
    )
    capsys.readouterr()
    assert main(["check", "rfcs"]) == 0


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="pexpect drives a POSIX terminal")
def test_at_a_terminal_each_answer_is_checked_as_typed_and_choices_are_chosen(tmp_path):
    from .test_copier_prompts import CLEAR, ENTER, Terminal

    repo = kep_repo(tmp_path)
    speckeeper = str(Path(sys.executable).with_name("speckeeper"))
    terminal = Terminal(speckeeper, ["new"], repo)
    down = "\x1b[B"
    session = [
        ("title:", ["KEP Template"], "Pod level resource limits"),
        ("kep-number: a number", ["12a"], "4242"),
        ("authors: a list", ["Jane Doe"], "@jdoe"),
        ("owning-sig: like 'sig-xyz'", [], "sig-node"),
        ("participating-sigs:", [], ""),
        ("status: one of provisional", None, down),  # A choice: the second, implementable.
        ("creation-date: a date", ["2025-30-01"], "2026-02-03"),
        ("reviewers:", [], ""),
        ("approvers:", [""], "@alice"),
        ("see-also:", [], ""),
        ("replaces:", [], ""),
        ("stage: one of alpha", None, ""),
        ("latest-milestone", [], "v1.19"),
        ("disable-supported", ["maybe"], "true"),
        ("metrics:", [], ""),
    ]
    settings = discover(repo).for_path("keps/sig-node/x/README.md")
    path = repo / "keps/NNNN-kep-template/README.md"
    questions = {q.name: q for q in plan(load(path, path.read_text(), settings), settings, datetime.date.today()).questions}
    for shown, wrong, kept in session:
        terminal.wait_for(shown)
        name = shown.split(":")[0]
        if wrong is None:
            terminal.type(kept + ENTER)
            continue
        for answer in wrong:
            terminal.type(CLEAR + answer + ENTER)
            terminal.wait_for(questions[name].problem(answer, settings))
        terminal.type(CLEAR + kept + ENTER)
    assert terminal.finish() == 0, "\n".join(terminal.rows())
    kep_yaml = (repo / "keps/sig-node/4242-pod-level-resource-limits/kep.yaml").read_text()
    assert "status: implementable\ncreation-date: 2026-02-03\n" in kep_yaml
    assert "stage: alpha\n" in kep_yaml and "disable-supported: true\n" in kep_yaml


def test_markdown_asked_of_a_repo_without_a_markdown_template_is_a_usage_error(tmp_path, monkeypatch, capsys):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".speckeeper.toml").write_text("")  # RST, nova's packaged template
    monkeypatch.chdir(tmp_path)
    assert main(["new", "--defaults", "--markdown"]) == 2
    assert capsys.readouterr().err == (
        "speckeeper: error: --markdown: the configuration names no markdown-template to start a document from\n"
    )


def test_a_markdown_template_of_each_projects_is_the_configured_projects(tmp_path, monkeypatch, capsys):
    repo = madr_repo(tmp_path)
    decisions = repo / "docs" / "decisions"
    (decisions / "payments").mkdir()
    for name in ("adr-template.md", "0005-use-dashes-in-filenames.md"):
        (decisions / name).rename(decisions / "payments" / name)
    config = (
        '[tool]\npreset = "madr"\nmarkdown-template = "docs/decisions/{project}/adr-template.md"\n'
        'markdown-layout = "docs/decisions/{project}/{number}-{slug}.md"\n'
    )
    (repo / ".speckeeper.toml").write_text(config.replace("[tool]\n", 'project = ""\n'))
    assert new(repo, monkeypatch, "title=Use Postgres") == 2
    assert "is one per project: set project in the configuration to say which" in capsys.readouterr().err
    (repo / ".speckeeper.toml").write_text(config.replace("[tool]\n", 'project = "payments"\n'))
    assert new(repo, monkeypatch, "title=Use Postgres") == 0
    assert capsys.readouterr().out.startswith("Wrote docs/decisions/payments/0006-use-postgres.md (from docs/decisions/payments/adr-template.md)")
    assert main(["check", "docs"]) == 0
