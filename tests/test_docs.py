"""The documentation site (docs/): its generated pages are what the code
writes, it builds with warnings as errors, and the README stays a short
front page that links into it."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from speckeeper import docs

from .conftest import REPO

DOCS = REPO / "docs"


def test_generated_pages_are_what_the_code_writes(capsys: pytest.CaptureFixture[str]) -> None:
    """Regenerate with `python -m speckeeper.docs`."""
    assert docs.main(["--check", str(DOCS)]) == 0, capsys.readouterr().out
    assert capsys.readouterr().out == ""


def test_check_names_a_page_that_differs_and_a_page_for_no_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(DOCS, tmp_path / "docs", ignore=shutil.ignore_patterns("_build"))
    page = tmp_path / "docs/rules/SK101.md"
    page.write_text(page.read_text(encoding="utf-8").replace("## Fix", "## Fixes"), encoding="utf-8")
    (tmp_path / "docs/rules/SK999.md").write_text("# SK999\n", encoding="utf-8")
    assert docs.main(["--check", str(tmp_path / "docs")]) == 1
    captured = capsys.readouterr()
    assert captured.out == f"{page}: differs from the code\n"
    assert captured.err == f"{tmp_path / 'docs/rules/SK999.md'}: a page for no rule the code has\n"
    assert docs.main([str(tmp_path / "docs")]) == 0
    assert page.read_text(encoding="utf-8") == (DOCS / "rules/SK101.md").read_text(encoding="utf-8")
    assert not (tmp_path / "docs/rules/SK999.md").exists()


BLOCKS = [(page, block) for page, found in docs.blocks().items() for block in found]


@pytest.mark.parametrize(("page", "block"), BLOCKS, ids=[f"{page}: {block.name}" for page, block in BLOCKS])
def test_check_names_a_stale_block_and_the_command_rewrites_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], page: str, block: docs.Block
) -> None:
    """Each kind of generated block (rule tables, configuration keys, the keys
    overrides may set, output formats, copier questions): an edit between
    its markers is named by --check, and the command puts it back."""
    shutil.copytree(DOCS, tmp_path / "docs", ignore=shutil.ignore_patterns("_build"))
    path = tmp_path / "docs" / page
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(n for n, line in enumerate(lines) if line.strip() == block.start)
    path.write_text("".join([*lines[: start + 1], "| a row pasted by hand |\n", *lines[start + 1 :]]), encoding="utf-8")
    assert docs.main(["--check", str(tmp_path / "docs")]) == 1
    assert capsys.readouterr().out == f"{path}: {block.name}: differs from the code\n"
    assert docs.main([str(tmp_path / "docs")]) == 0
    assert path.read_text(encoding="utf-8") == (DOCS / page).read_text(encoding="utf-8")


def test_a_block_without_its_end_marker_is_named_not_guessed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(DOCS, tmp_path / "docs", ignore=shutil.ignore_patterns("_build"))
    page = tmp_path / "docs" / "authors.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("<!-- end of formats -->\n", ""), encoding="utf-8")
    assert docs.main([str(tmp_path / "docs")]) == 1
    assert capsys.readouterr().err == (
        f"{page}: no line '<!-- end of formats -->' after '<!-- speckeeper formats -->' (the output formats)\n"
    )
    assert page.read_text(encoding="utf-8") == text.replace("<!-- end of formats -->\n", "")


def test_a_question_the_docs_say_nothing_of_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new copier question needs its '# docs:' line: the command says so
    rather than writing a row with nothing in it."""
    from speckeeper.copier import data as copier_data

    root = tmp_path / "copier"
    shutil.copytree(copier_data.copier_root(), root)
    questions = root / copier_data.QUESTIONS_FILE
    text = questions.read_text(encoding="utf-8")
    questions.write_text(text.replace("# docs: the slug, capitalised | the document title\n", ""), encoding="utf-8")
    monkeypatch.setattr(copier_data, "copier_root", lambda: root)
    assert docs.main(["--check", str(DOCS)]) == 1
    assert capsys.readouterr().err == f"{questions}: question 'title' has no '# docs: DEFAULT | WHERE' line above it\n"


def test_check_formats_help_names_every_format_from_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    from speckeeper.cli import main

    assert main(["check", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "output format: text, json, github (Actions annotations), sarif (2.1.0), junit (XML), gitlab (code quality)" in help_text


def test_a_rule_page_has_ruffs_parts() -> None:
    page = (DOCS / "rules/SK203.md").read_text(encoding="utf-8")
    headings = re.findall(r"^#+ .*$", page, re.MULTILINE)
    assert headings == ["# SK203 `trailing-whitespace`", "## What it does", "## Why it matters", "## Example", "## Fix"]
    assert "Bad:\n\n```rst\n" in page and "Good:\n\n```rst\n" in page


def _sphinx_build() -> list[str]:
    """scripts/test's docs venv (Sphinx pins an older docutils than the
    tests run on), else a Sphinx importable here."""
    venv = REPO / ".venv-docs" / "bin" / "sphinx-build"
    if venv.is_file():
        return [str(venv)]
    if importlib.util.find_spec("sphinx") and importlib.util.find_spec("myst_parser"):
        return [sys.executable, "-m", "sphinx"]
    pytest.skip("Sphinx and myst-parser are not installed (bash scripts/test puts them in .venv-docs)")


@pytest.mark.slow
def test_docs_build_with_warnings_as_errors(tmp_path: Path) -> None:
    done = subprocess.run(
        [*_sphinx_build(), "-W", "--keep-going", "-q", "-E", "-b", "html", str(DOCS), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert (done.returncode, done.stderr) == (0, "")
    page = (tmp_path / "rules/SK101.html").read_text(encoding="utf-8")
    assert "Why it matters" in page
    assert 'href="SK101.html"' in (tmp_path / "rules/index.html").read_text(encoding="utf-8")


def test_readme_is_a_front_page_of_at_most_250_lines_linking_into_the_docs() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    linked = re.findall(r"\]\((docs/[^)#]+)", readme)
    assert {"docs/authors.md", "docs/maintainers.md", "docs/ci.md", "docs/editors.md", "docs/rules/index.md"} <= set(linked)
    assert [path for path in linked if not (REPO / path).is_file()] == []


def test_sarif_links_each_rule_to_its_page_at_the_url_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from speckeeper.cli import main

    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "x.rst").write_text("x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    url = "https://docs.example/speckeeper/rules/{code}.html"
    assert main(["check", "--format", "sarif", "--rule-docs-url", url, "specs"]) == 1
    described = json.loads(capsys.readouterr().out)["runs"][0]["tool"]["driver"]["rules"]
    assert described[0]["helpUri"] == f"https://docs.example/speckeeper/rules/{described[0]['id']}.html"
    assert all(rule["helpUri"].endswith(f"/{rule['id']}.html") for rule in described)
