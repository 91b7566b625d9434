"""``speckeeper.sphinx``: a real Sphinx build (scripts/test's .venv-docs,
since Sphinx pins an older docutils) of a tiny spec repo reports what
``speckeeper check`` reports, as warnings ``-W`` fails on and
``suppress_warnings`` silences, and renders the status table."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import FIXTURES, NOVA_GATE_CONFIG, REPO, Ran, speckeeper

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
DOCS_PYTHON = REPO / ".venv-docs" / "bin" / "python"
INDEX = """\
Specs
=====

.. speckeeper-status::

.. toctree::
   :glob:

   specs/*/*/*
"""
WARNING = re.compile(r"^(?P<path>\S+?):(?P<line>\d+): WARNING: (?P<code>SK\d+) .* \[speckeeper\.(?P=code)\]$")


def _docs_python() -> str:
    """The docs venv's Python, when it has what the extension needs (the
    worktree's package is put on its path); else the test skips."""
    if not DOCS_PYTHON.is_file():
        pytest.skip("no .venv-docs with Sphinx (bash scripts/test makes it)")
    probe = subprocess.run([str(DOCS_PYTHON), "-c", "import sphinx, re2"], capture_output=True, text=True, timeout=60)
    if probe.returncode:
        pytest.skip(f".venv-docs lacks Sphinx or google-re2 (bash scripts/test installs them): {probe.stderr.strip()}")
    return str(DOCS_PYTHON)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "hooks")}


def project(root: Path, conf: str = "") -> Path:
    """A spec repo that is its own Sphinx project: one passing spec, one
    without its Testing section (SK101) naming another blueprint (SK303)."""
    files = {
        ".speckeeper.toml": 'project = "nova"\nexclude = ["index.rst"]\n',
        "conf.py": f'extensions = ["speckeeper.sphinx"]\nexclude_patterns = ["_build"]\n{conf}',
        "index.rst": INDEX,
        "specs/zed/approved/awesome-thing.rst": GOOD,
        "specs/zed/approved/awesome-thing-x.rst": GOOD.replace("Testing\n=======\n\n", ""),
    }
    for relpath, text in files.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(text, encoding="utf-8")
    return root


def build(root: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        # --no-color: Sphinx colours its warnings where CI is set, as CI is.
        [_docs_python(), "-m", "sphinx", "-q", "--no-color", "-b", "html", *options, str(root), str(root / "_build")],
        cwd=root,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def warned(stderr: str, root: Path) -> list[tuple[str, int, str]]:
    """The speckeeper warnings: path (from ``root``), line and code."""
    return [
        (os.path.relpath(os.path.join(root, m["path"]), root), int(m["line"]), m["code"])
        for m in map(WARNING.match, stderr.splitlines())
        if m is not None
    ]


def table_rows(page: str) -> list[list[str]]:
    """The cells of each row of the page's tables, as text."""
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)
    ]


def run_in(root: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> Ran:
    """``speckeeper`` run with ``root`` as the working folder."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return speckeeper(capsys, *argv)
    finally:
        os.chdir(cwd)


def checked(root: Path, capsys: pytest.CaptureFixture[str]) -> list[tuple[str, int, str]]:
    """What ``speckeeper check --format json`` reports about the specs."""
    ran = run_in(root, capsys, "check", "--format", "json", "specs")
    return [(os.path.relpath(root / f["path"], root), f["line"], f["code"]) for f in json.loads("\n".join(ran.out))]


@pytest.mark.slow
def test_each_finding_check_reports_is_a_warning_at_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    done = build(root)
    assert done.returncode == 0, done.stderr
    found = warned(done.stderr, root)
    assert found == sorted(checked(root, capsys))
    assert {code for _, _, code in found} == {"SK101", "SK303"}


@pytest.mark.slow
def test_a_parallel_build_warns_as_a_serial_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    for name in "abcdef":  # Sphinx reads in parallel from six documents on.
        spec = root / f"specs/zed/approved/awesome-thing-{name}.rst"
        spec.write_text(GOOD.replace("awesome-thing", f"awesome-thing-{name}") + "trailing \n", encoding="utf-8")
    done = build(root, "-j", "2")
    assert done.returncode == 0, done.stderr
    found = warned(done.stderr, root)
    assert sorted(found) == sorted(checked(root, capsys))
    assert len([code for _, _, code in found if code == "SK203"]) == 6


@pytest.mark.slow
def test_carriage_returns_sphinx_reads_away_are_still_found(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "specs/zed/approved/awesome-thing.rst").write_bytes(GOOD.replace("\n", "\r\n").encode("utf-8"))
    done = build(root)
    assert ("specs/zed/approved/awesome-thing.rst", 1, "SK205") in warned(done.stderr, root)


@pytest.mark.slow
def test_warnings_as_errors_fail_the_build_on_a_finding(tmp_path: Path) -> None:
    done = build(project(tmp_path), "-W")
    assert done.returncode != 0
    assert "speckeeper.SK" in done.stderr


@pytest.mark.slow
def test_suppress_warnings_silences_one_rule(tmp_path: Path) -> None:
    root = project(tmp_path, 'suppress_warnings = ["speckeeper.SK303"]\n')
    done = build(root)
    assert done.returncode == 0, done.stderr
    assert [code for _, _, code in warned(done.stderr, root)] == ["SK101"]
    assert "SK303" not in done.stderr
    silenced = build(project(tmp_path / "all", 'suppress_warnings = ["speckeeper"]\n'), "-W")
    assert (silenced.returncode, silenced.stderr) == (0, "")


@pytest.mark.slow
def test_a_configuration_that_does_not_load_is_one_warning_a_spec(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / ".speckeeper.toml").write_text("project = [\n", encoding="utf-8")
    done = build(root, "-W", "--keep-going")
    assert done.returncode != 0
    toml = ".speckeeper.toml: not valid TOML: Invalid value (at end of document)"
    errors = sorted(line.replace(str(root) + "/", "") for line in done.stderr.splitlines() if line.endswith("[speckeeper.error]"))
    assert errors == [
        f"index.rst:1: WARNING: configuration error: {toml} [speckeeper.error]",
        f"index.rst:4: WARNING: cannot report status: {toml} [speckeeper.error]",
        f"specs/zed/approved/awesome-thing-x.rst:1: WARNING: configuration error: {toml} [speckeeper.error]",
        f"specs/zed/approved/awesome-thing.rst:1: WARNING: configuration error: {toml} [speckeeper.error]",
    ]


@pytest.mark.slow
def test_speckeeper_config_names_the_configuration_from_conf_py(tmp_path: Path) -> None:
    root = project(tmp_path, 'speckeeper_config = "speckeeper-docs.toml"\n')
    (root / "speckeeper-docs.toml").write_text('project = "nova"\nignore = ["SK303"]\n', encoding="utf-8")
    done = build(root)
    assert done.returncode == 0, done.stderr
    assert [code for _, _, code in warned(done.stderr, root)] == ["SK101"]
    rows = table_rows((root / "_build/index.html").read_text(encoding="utf-8"))
    assert rows[1] == ["zed", "approved", "2", "1", "1", "SK101 (1)"]


@pytest.mark.slow
def test_the_baseline_check_honours_is_honoured(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    assert run_in(root, capsys, "baseline").code == 0
    done = build(root, "-W")
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.slow
def test_an_incremental_build_checks_only_what_changed(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert build(root).returncode == 0
    spec = root / "specs/zed/approved/awesome-thing.rst"
    spec.write_text(spec.read_text(encoding="utf-8") + "\ntrailing \n", encoding="utf-8")
    again = build(root)
    assert [(path, code) for path, _, code in warned(again.stderr, root)] == [("specs/zed/approved/awesome-thing.rst", "SK203")]


@pytest.mark.slow
def test_a_baseline_change_reads_the_specs_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    assert run_in(root, capsys, "baseline").code == 0
    assert warned(build(root).stderr, root) == []
    (root / ".speckeeper-baseline.json").write_text('{"speckeeper-baseline": 1, "entries": []}\n', encoding="utf-8")
    again = build(root)
    assert {code for _, _, code in warned(again.stderr, root)} == {"SK101", "SK303"}


@pytest.mark.slow
def test_the_status_directive_renders_a_row_per_release_and_state(tmp_path: Path) -> None:
    root = project(tmp_path, 'suppress_warnings = ["speckeeper"]\n')
    done = build(root, "-W")
    assert (done.returncode, done.stderr) == (0, "")
    page = (root / "_build/index.html").read_text(encoding="utf-8")
    assert table_rows(page) == [
        ["release", "state", "specs", "pass", "findings", "most common"],
        ["zed", "approved", "2", "1", "2", "SK303 (1), SK101 (1)"],
        ["", "total", "2", "1", "2", "SK303 (1), SK101 (1)"],
    ]


# nova-specs' own conf.py, less what is not on the package registry or does
# not bear on warnings: its theme (openstackdocstheme), its redirect and
# feed (yasfb) extensions.
NOVA_CONF = """\
extensions = ["sphinx.ext.todo", "speckeeper.sphinx"]
todo_include_todos = True
master_doc = "index"
project = "Nova Specs"
exclude_patterns = ["_build", "specs/*-template.rst", "specs/abandoned/**"]
pygments_style = "native"
"""
NOVA_INDEX = "Nova Specs\n==========\n\n.. toctree::\n   :glob:\n\n   specs/*/approved/*\n   specs/*/implemented/*\n"


@pytest.mark.slow
def test_a_build_of_nova_specs_warns_exactly_what_check_reports(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Three releases of the corpus as nova-specs builds them, every rule
    on: the same
    (path, line, code) as ``check --format json``, and ``-W`` fails
    exactly when ``check`` exits 1 (before and after a baseline)."""
    root = tmp_path / "nova-specs"
    for release in ("zed", "2023.1", "2023.2"):
        shutil.copytree(corpus / "specs" / release, root / "specs" / release)
        shutil.copy(corpus / "specs" / f"{release}-template.rst", root / "specs")
    # Every rule, so that the releases nova's gate passes have findings.
    config = 'select = ["SK"]\n' + NOVA_GATE_CONFIG.replace('exclude = ["*-template.rst"', 'exclude = ["*-template.rst", "index.rst", "_build/**"')
    (root / ".speckeeper.toml").write_text(config, encoding="utf-8")
    (root / "conf.py").write_text(NOVA_CONF, encoding="utf-8")
    (root / "index.rst").write_text(NOVA_INDEX, encoding="utf-8")
    expected = checked(root, capsys)
    assert expected, "the corpus has findings under nova's gate configuration"
    done = build(root, "-W")
    assert sorted(warned(done.stderr, root)) == sorted(expected)
    assert (done.returncode != 0, run_in(root, capsys, "check", "specs").code) == (True, 1)
    assert run_in(root, capsys, "baseline").code == 0
    clean = build(root, "-W", "-E")
    assert (clean.returncode, warned(clean.stderr, root), run_in(root, capsys, "check", "specs").code) == (0, [], 0)


# A site whose pages are Markdown, read by myst-parser: its MADR decisions
# (tests/fixtures/markdown/madr) are documents the configuration checks; its
# index and notes are Markdown it does not.
MADR = FIXTURES / "markdown" / "madr"
MYST_INDEX = """\
# Decisions

```{toctree}
:glob:

docs/decisions/*
docs/notes
```
"""


def myst_project(root: Path) -> Path:
    """A Sphinx project of Markdown pages: one decision that passes, one
    without its Decision Outcome (SK101) and with trailing whitespace
    (SK203), and notes that would fail the template were they checked."""
    decisions = root / "docs/decisions"
    decisions.mkdir(parents=True)
    for name in ("adr-template.md", "0005-use-dashes-in-filenames.md"):
        shutil.copy(MADR / name, decisions / name)
    text = (MADR / "0010-required-sections-only.md").read_text(encoding="utf-8")
    broken = text[: text.index("## Decision Outcome")].replace("## Considered Options\n", "## Considered Options \n")
    (decisions / "0011-broken.md").write_text(broken, encoding="utf-8")
    (root / "docs/notes.md").write_text("# Notes\n\n## Anything\n\nTrailing here \n", encoding="utf-8")
    (root / "index.md").write_text(MYST_INDEX, encoding="utf-8")
    (root / ".speckeeper.toml").write_text(
        'preset = "madr"\nmarkdown-names = ["docs/decisions/*.md"]\nselect = ["SK1", "SK2"]\n', encoding="utf-8"
    )
    (root / "conf.py").write_text('extensions = ["myst_parser", "speckeeper.sphinx"]\nexclude_patterns = ["_build"]\n', encoding="utf-8")
    return root


def _myst() -> None:
    probe = subprocess.run([_docs_python(), "-c", "import myst_parser"], capture_output=True, text=True, timeout=60)
    if probe.returncode:
        pytest.skip(f".venv-docs lacks myst-parser (bash scripts/test installs it): {probe.stderr.strip()}")


@pytest.mark.slow
def test_markdown_documents_myst_reads_warn_as_check_reports_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _myst()
    root = myst_project(tmp_path)
    done = build(root)
    assert done.returncode == 0, done.stderr
    found = warned(done.stderr, root)
    ran = run_in(root, capsys, "check", "--format", "json", ".")
    reported = [(os.path.relpath(root / f["path"], root), f["line"], f["code"]) for f in json.loads("\n".join(ran.out))]
    assert found == sorted(reported)
    # The notes and the index are Markdown the configuration does not check.
    assert sorted(found) == [("docs/decisions/0011-broken.md", 13, "SK203"), ("docs/decisions/0011-broken.md", 18, "SK101")]


@pytest.mark.slow
def test_a_kep_yaml_finding_is_a_warning_at_the_kep_yaml_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A KEP's metadata is no page of the build: what is wrong with it is
    a warning at its own file and line, as ``check`` reports it."""
    _myst()
    kep = FIXTURES / "markdown" / "kep"
    folder = tmp_path / "keps/sig-apps/4026-crojob-scheduled-timestamp-annotation"
    (tmp_path / "keps/NNNN-kep-template").mkdir(parents=True)
    folder.mkdir(parents=True)
    (tmp_path / "keps/prod-readiness/sig-apps").mkdir(parents=True)
    shutil.copy(kep / "template.md", tmp_path / "keps/NNNN-kep-template/README.md")
    shutil.copy(kep / "template-kep.yaml", tmp_path / "keps/NNNN-kep-template/kep.yaml")
    shutil.copy(kep / "4026-conforming.md", folder / "README.md")
    (folder / "kep.yaml").write_text((kep / "4026-kep.yaml").read_text(encoding="utf-8").replace("status: implemented", "status: monkeys"), encoding="utf-8")
    shutil.copy(kep / "prr-sig-apps-4026.yaml", tmp_path / "keps/prod-readiness/sig-apps/4026.yaml")
    (tmp_path / ".speckeeper.toml").write_text('preset = "kep"\n', encoding="utf-8")
    (tmp_path / "index.md").write_text("# KEPs\n\n```{toctree}\n:glob:\n\nkeps/*/*/README\n```\n", encoding="utf-8")
    (tmp_path / "conf.py").write_text('extensions = ["myst_parser", "speckeeper.sphinx"]\nexclude_patterns = ["_build"]\n', encoding="utf-8")
    done = build(tmp_path)
    assert done.returncode == 0, done.stderr
    ran = run_in(tmp_path, capsys, "check", "--format", "json", "keps")
    reported = [(os.path.relpath(tmp_path / f["path"], tmp_path), f["line"], f["code"]) for f in json.loads("\n".join(ran.out))]
    assert warned(done.stderr, tmp_path) == reported == [(str((folder / "kep.yaml").relative_to(tmp_path)), 8, "SK702")]
