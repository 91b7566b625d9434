"""`speckeeper new` and `speckeeper export-template`.

`new` renders the one copier template with the sections of the template
file the repo's configuration names. The fixtures in fixtures/templates/
differ from nova's in section names, case, order, nesting and adornments.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from speckeeper.copier import data as copier_data
from speckeeper.document import template
from speckeeper.commands import new as new_module
from speckeeper.engine.check import Checker
from speckeeper.cli import main
from speckeeper.config.settings import discover
from speckeeper.document.rst.parse import RstParser
from speckeeper.document.rst.build import RstDocument as Spec, build

from .conftest import speckeeper_bounded

# copier compiles each template and reads copier.yml once a module (see the fixtures).
pytestmark = pytest.mark.usefixtures("jinja_compiled_once", "copier_yml_read_once")

TEMPLATES = Path(__file__).resolve().parent / "fixtures" / "templates"
PARSER = RstParser()
IMPACTS_YES = [f"{name}=yes" for name, _ in copier_data.FILLS if name.endswith("_impact")]


def shape(sections: Any) -> list[tuple[str, int, str, list[Any]]]:
    return [(s.title, s.level, s.style, shape(s.children)) for s in sections]


def parsed(path: Path) -> Spec:
    return build(str(path), path.read_text(encoding="utf-8"), PARSER)


def make_repo(root: Path, config: str, templates: dict[str, Path]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / ".speckeeper.toml").write_text(config, encoding="utf-8")
    for name, source in templates.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return root


def new(repo: Path, monkeypatch: pytest.MonkeyPatch, *data: str, extra: tuple[str, ...] = ()) -> int:
    monkeypatch.chdir(repo)
    argv = ["new", "--defaults", *extra]
    for pair in data:
        argv += ["--data", pair]
    return main(argv)


def findings(repo: Path) -> list[str]:
    return [f"{f.path}:{f.line}: {f.code} {f.message}" for f in Checker(discover(repo)).check([repo])]


# Repos whose template is not nova's.

CUSTOM = {
    "titlecase": (
        'template = "specs/template.rst"\nlayout = "specs/{release}/{slug}.rst"\nproject = "cinder"\n',
        "specs/template.rst",
        "specs/2027.1/shiny-widget.rst",
    ),
    "nested": (
        'template = "doc/spec-template.rst"\nlayout = "doc/source/specs/{slug}.rst"\nproject = "widgets"\n'
        'tracker-urls = ["https://storyboard.openstack.org/#!/story/{id}", "https://widgets.example/{project}/{slug}"]\n',
        "doc/spec-template.rst",
        "doc/source/specs/shiny-widget.rst",
    ),
}


@pytest.mark.parametrize("name", sorted(CUSTOM))
@pytest.mark.parametrize("guidance", ["no", "yes"])
def test_new_follows_the_repos_own_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, guidance: str
) -> None:
    config, template_name, written = CUSTOM[name]
    source = TEMPLATES / f"{name}.rst"
    repo = make_repo(tmp_path / "repo", config, {template_name: source})
    rc = new(
        repo,
        monkeypatch,
        "blueprint=shiny-widget",
        "release=2027.1",
        "title=Shiny widgets, ｗｉｄｅ ones",
        "problem=Widgets are dull. *Very* dull.",
        "use_cases=An operator polishes a widget\n.. include:: /etc/passwd",
        "proposed_change=Polish them:: all of them.",
        "assignee=alice",
        f"guidance={guidance}",
        *IMPACTS_YES,
    )
    assert rc == 0
    spec_path = repo / written
    assert sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file()) == sorted(
        [".speckeeper.toml", template_name, written]
    )
    spec = parsed(spec_path)
    assert shape(spec.sections) == shape(template.load(source, PARSER).sections)
    assert findings(repo) == []


def test_answers_land_in_the_sections_that_ask_for_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, template_name, written = CUSTOM["titlecase"]
    repo = make_repo(tmp_path, config, {template_name: TEMPLATES / "titlecase.rst"})
    rc = new(
        repo,
        monkeypatch,
        "blueprint=shiny-widget",
        "release=2027.1",
        "problem=Widgets are dull.",
        "use_cases=One\nTwo",
        "rest_api_impact=yes",
        "assignee=alice",
    )
    assert rc == 0
    text = (repo / written).read_text(encoding="utf-8")
    assert "Problem Statement\n=================\n\nWidgets are dull.\n" in text
    assert "Use Cases\n=========\n\n* One\n* Two\n" in text
    assert "* The method and the URL: TBD\n" in text
    assert "Security Impact\n---------------\n\nNone\n" in text
    assert "Primary assignee:\n  alice\n" in text
    assert "https://blueprints.launchpad.net/cinder/+spec/shiny-widget\n" in text


def test_wide_and_accented_template_titles_get_adornments_as_wide(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, template_name, written = CUSTOM["nested"]
    repo = make_repo(tmp_path, config, {template_name: TEMPLATES / "nested.rst"})
    assert new(repo, monkeypatch, "blueprint=shiny-widget", "release=3") == 0
    text = (repo / written).read_text(encoding="utf-8")
    assert "\n**************\n幅の広い見出し\n**************\n" in text
    assert "\n*****************\nÜber die Änderung\n*****************\n" in text
    assert "\nhttps://widgets.example/widgets/shiny-widget\n" in text
    assert text.endswith("   * - 3\n     - Introduced\n")


# A repo with a template per release, as nova keeps them.

NOVA_GATE = 'template = "specs/{release}-template.rst"\nexclude = ["*-template.rst"]\n'


@pytest.fixture()
def nova_like(tmp_path: Path) -> Path:
    packaged = template.packaged_path()
    older = tmp_path / "older.rst"
    text = packaged.read_text(encoding="utf-8")
    start, end = text.index("Upgrade impact\n"), text.index("\nImplementation\n=")
    older.write_text(text[:start] + text[end:].lstrip("\n"), encoding="utf-8")
    return make_repo(
        tmp_path / "nova-specs",
        NOVA_GATE,
        {"specs/2026.2-template.rst": older, "specs/2027.1-template.rst": packaged, "specs/zed/implemented/.keep": older},
    )


def test_new_picks_the_newest_release_template(nova_like: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert new(nova_like, monkeypatch, "blueprint=newest") == 0
    spec = parsed(nova_like / "specs/2027.1/approved/newest.rst")
    assert shape(spec.sections) == shape(template.load(template.packaged_path(), PARSER).sections)
    assert findings(nova_like) == []


def test_new_release_option_picks_that_template(nova_like: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert new(nova_like, monkeypatch, "blueprint=older", extra=("--release", "2026.2")) == 0
    text = (nova_like / "specs/2026.2/approved/older.rst").read_text(encoding="utf-8")
    assert "Upgrade impact" not in text
    assert findings(nova_like) == []


def test_new_with_a_template_path_naming_the_release_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both name the same folder (a regex traceback before)."""
    packaged = template.packaged_path()
    repo = make_repo(
        tmp_path,
        'template = "specs/{release}/{release}-template.rst"\nexclude = ["*-template.rst"]\n',
        {"specs/2026.2/2026.2-template.rst": packaged, "specs/2027.1/2027.1-template.rst": packaged},
    )
    assert new(repo, monkeypatch, "blueprint=twice-named") == 0
    assert (repo / "specs/2027.1/approved/twice-named.rst").is_file()
    assert findings(repo) == []


def test_new_without_a_template_for_the_release(
    nova_like: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert new(nova_like, monkeypatch, "blueprint=x", extra=("--release", "zed")) == 2
    err = capsys.readouterr().err
    assert "no template for release 'zed'" in err and "2026.2, 2027.1" in err
    assert not (nova_like / "specs/zed/approved").exists()


def test_new_never_overwrites(nova_like: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert new(nova_like, monkeypatch, "blueprint=twice") == 0
    spec_path = nova_like / "specs/2027.1/approved/twice.rst"
    spec_path.write_text("My own words.\n", encoding="utf-8")
    assert new(nova_like, monkeypatch, "blueprint=twice", "problem=Other words") == 1
    assert "specs/2027.1/approved/twice.rst already exists; nothing written" in capsys.readouterr().err
    assert spec_path.read_text(encoding="utf-8") == "My own words.\n"


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ("blueprint=Foo_Bar", "lower-case letters, digits and hyphens"),
        ("blueprint=../../etc", "lower-case letters, digits and hyphens"),
        ("blueprint=a/b", "no '/'"),
        ("title=", "cannot be empty"),
        ("state=a/b", "one folder name"),
    ],
)
def test_new_rejects_bad_answers_in_words(
    nova_like: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data: str, said: str
) -> None:
    pairs = ["blueprint=ok", data] if not data.startswith("blueprint=") else [data]
    assert new(nova_like, monkeypatch, *pairs) == 2
    err = capsys.readouterr().err
    assert err.startswith("speckeeper: error: ") and said in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


# A repo's own release pattern: checked by speckeeper in linear time, never
# run by copier (Python's re).

OWN_PATTERN = "layout = 'specs/{release}/{slug}.rst'\nrelease-pattern = '%s'\n"


def test_new_checks_a_release_pattern_that_would_hang_copier(tmp_path: Path) -> None:
    """Python's re takes for ever on this pattern and release; speckeeper
    answers at once (the limit fails a hang, it times nothing)."""
    repo = make_repo(tmp_path, OWN_PATTERN % "(a+)+$", {})
    release = "a" * 40 + "-"
    done = speckeeper_bounded(repo, "new", "--defaults", "--data", "blueprint=x", "--data", f"release={release}")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"speckeeper: error: release {release!r} does not match release-pattern '(a+)+$': nothing written\n"
    assert not (repo / "specs").exists()


def test_new_takes_a_release_pattern_copier_would_refuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A group is beyond what copier's validator runs, not beyond speckeeper."""
    repo = make_repo(tmp_path, OWN_PATTERN % r"(?:zed|20\d\d\.[12])", {})
    assert new(repo, monkeypatch, "blueprint=x", "release=2027.1") == 0
    assert "Wrote specs/2027.1/x.rst (from nova.rst)." in capsys.readouterr().out
    assert new(repo, monkeypatch, "blueprint=y", "release=2027.3") == 2
    assert capsys.readouterr().err == (
        "speckeeper: error: release '2027.3' does not match release-pattern '(?:zed|20\\\\d\\\\d\\\\.[12])': nothing written\n"
    )
    assert not (repo / "specs/2027.3").exists()


def test_new_writes_no_path_copier_gave_into_a_version_control_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whatever copier's validators let through, new writes only plain paths."""

    def rendered(data: dict[str, Any], defaults: dict[str, Any], use_defaults: bool, dst: Path) -> dict[str, Any]:
        (dst / "specs/CVS").mkdir(parents=True)
        (dst / "specs/CVS/x.rst").write_text("x\n", encoding="utf-8")
        return {"spec_path": "specs/CVS/x.rst", "release": "2027.1"}

    repo = make_repo(tmp_path, "", {})
    monkeypatch.setattr(new_module, "_copy", rendered)
    assert new(repo, monkeypatch, "blueprint=x") == 2
    assert capsys.readouterr().err == (
        "speckeeper: error: the answers gave the path 'specs/CVS/x.rst': not a relative path of plain folder names;"
        " nothing written\n"
    )
    assert not (repo / "specs").exists()


def test_new_needs_a_terminal_or_defaults(
    nova_like: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(nova_like)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["new", "--data", "blueprint=x"]) == 2
    assert "--defaults" in capsys.readouterr().err


def test_new_data_must_be_key_value(nova_like: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert new(nova_like, monkeypatch, "blueprint") == 2
    assert "--data takes KEY=VALUE" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("pair", "said"),
    [
        ("rest-api-impact=yes", "--data rest-api-impact: no question has this name; did you mean 'rest_api_impact'?"),
        ("use-case=x", "--data use-case: no question has this name; did you mean 'use_cases'?"),
        ("Blueprint=x", "--data Blueprint: no question has this name; did you mean 'blueprint'?"),
        ("layout=x/{slug}.rst", "--data layout: not a question; new takes it from the repo's configuration"),
    ],
)
def test_new_rejects_an_answer_no_question_asks(
    nova_like: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], pair: str, said: str
) -> None:
    """copier takes an unknown key without a word: the answer was lost and
    the section said None."""
    assert new(nova_like, monkeypatch, "blueprint=typo", pair) == 2
    assert capsys.readouterr() == ("", f"speckeeper: error: {said}\n")
    assert not list(nova_like.glob("specs/*/*/typo.rst"))


def test_new_names_every_question_when_none_is_near(
    nova_like: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert new(nova_like, monkeypatch, "blueprint=typo", "zzz=1") == 2
    err = capsys.readouterr().err
    assert err.startswith("speckeeper: error: --data zzz: no question has this name (the questions: project, release,")
    assert "rest_api_impact" in err and "spec_template" not in err and err.count("\n") == 1


def test_new_says_what_copier_says_after_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """One text, copier.yml's _message_after_copy, for both ways of starting a spec."""
    repo = make_repo(tmp_path, "", {})
    assert new(repo, monkeypatch, "blueprint=hinted", "rest_api_impact=true") == 0
    assert capsys.readouterr().out == (
        "Wrote specs/2027.1/approved/hinted.rst (from nova.rst).\n"
        "This spec changes the REST API: put APIImpact in the commit message.\n"
        "Next: fill in each section (write None where there is nothing to say), then\n"
        "run `speckeeper check specs/2027.1/approved/hinted.rst`.\n"
    )


def test_new_with_the_packaged_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path, "", {})
    assert new(repo, monkeypatch, "blueprint=plain", "rest_api_impact=true") == 0
    out = capsys.readouterr().out
    assert "Wrote specs/2027.1/approved/plain.rst (from nova.rst)." in out
    assert "put APIImpact in the commit message" in out
    assert findings(repo) == []


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="pexpect drives a POSIX terminal")
def test_new_asks_only_what_the_template_has(tmp_path: Path) -> None:
    """copier's own prompts: no problem, REST API, assignee or state
    question for a template without those sections and a layout without
    states."""
    pexpect = pytest.importorskip("pexpect")
    config, template_name, _ = CUSTOM["nested"]
    repo = make_repo(tmp_path, config, {template_name: TEMPLATES / "nested.rst"})
    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(
        str(Path(sys.executable).with_name("speckeeper")),
        ["new"],
        cwd=str(repo),
        encoding="utf-8",
        timeout=60,
        env=env,
        dimensions=(50, 200),
    )
    end, escape_enter = "\r", "\x1b\r"
    asked = [  # Not the project: the repo says it (project = "widgets").
        ("release folder", "3" + end),
        ("launchpad name", "typed" + end),
        ("title, one line", end),
        ("one paragraph for operators", escape_enter),
        ("use cases, one per line", escape_enter),
        ("change you propose", "Polish." + escape_enter),
        ("data model", "y"),
        ("security", "n"),
        ("performance", "n"),
        ("guidance", "n"),
    ]
    transcript = []
    for prompt, keys in asked:
        child.expect(prompt)
        transcript.append(child.before)
        child.send(keys)
    child.expect(pexpect.EOF)
    transcript.append(child.before)
    child.close()
    assert child.exitstatus == 0, "".join(transcript)
    shown = "".join(transcript)
    for never in ("launchpad project", "problem this blueprint", "REST API", "primary assignee", "state folder", "folder that holds"):
        assert never not in shown
    assert "Wrote doc/source/specs/typed.rst" in shown
    spec = parsed(repo / "doc/source/specs/typed.rst")
    assert shape(spec.sections) == shape(template.load(TEMPLATES / "nested.rst", PARSER).sections)


# The data, and how it is made.


def test_export_template_writes_the_packaged_sections_file(tmp_path: Path) -> None:
    out = tmp_path / "nova.sections.json"
    assert main(["export-template", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == (copier_data.copier_root() / copier_data.SECTIONS_FILE).read_text(encoding="utf-8")


def test_export_template_of_another_template(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export-template", str(TEMPLATES / "titlecase.rst")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sections"][0]["title"] == "Problem Statement" and data["project"] == "cinder"


def test_export_template_of_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export-template", str(tmp_path / "nope.rst")]) == 2
    assert "cannot read template" in capsys.readouterr().err


def test_each_answer_fills_the_first_section_that_asks_for_it() -> None:
    titles = ["Problem Statement", "Another problem", "Use-Cases", "REST API Impact", "API notes", "Assignee(s)"]
    sections: list[dict[str, Any]] = [{"title": t, "children": []} for t in titles]
    assert copier_data.assign_fills(sections) == ["problem", "use_cases", "rest_api_impact", "assignee"]
    assert [s["fill"] for s in sections] == ["problem", "", "use_cases", "rest_api_impact", "", "assignee"]


def test_points_are_the_guidance_bullets_first_sentences() -> None:
    guidance = "Intro.\n\n* Is it safe? Say why.\n\n  * Tokens?\n  * Keys.\n\n* ``Literal`` stays text"
    assert copier_data.points(guidance, PARSER) == [
        {"text": "Is it safe?", "points": [{"text": "Tokens?", "points": []}, {"text": "Keys.", "points": []}]},
        {"text": "Literal stays text", "points": []},
    ]


@pytest.mark.parametrize(
    ("releases", "expected"),
    [
        (["zed", "2023.1", "2027.1", "2026.2", "backlog"], "2027.1"),
        (["victoria", "wallaby"], "wallaby"),
        (["2026.2", "2026.10"], "2026.10"),
    ],
)
def test_newest_release(releases: list[str], expected: str) -> None:
    assert new_module.newest(releases) == expected


# What the repo says is not asked again; an answer its checks would reject
# writes nothing; paths are from where the command runs.


def test_new_does_not_ask_the_project_the_repo_says(nova_like: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tracker project is the repo's (project = "nova" by default):
    copier is given it as an answer, so it does not ask, and the spec names it."""
    given: list[dict[str, Any]] = []
    copy = new_module._copy

    def recording(data: dict[str, Any], *rest: Any) -> dict[str, Any]:
        given.append(dict(data))
        return copy(data, *rest)

    monkeypatch.setattr(new_module, "_copy", recording)
    assert new(nova_like, monkeypatch, "blueprint=said") == 0
    assert given[0]["project"] == "nova"
    text = (nova_like / "specs/2027.1/approved/said.rst").read_text(encoding="utf-8")
    assert "https://blueprints.launchpad.net/nova/+spec/said" in text


def test_new_refuses_a_project_the_repo_would_reject_before_writing(
    nova_like: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert new(nova_like, monkeypatch, "blueprint=elsewhere", "project=cinder") == 2
    assert capsys.readouterr().err == (
        "speckeeper: error: --data project=cinder: the repo's specs name the project 'nova'"
        " (project in .speckeeper.toml), which the check requires: nothing written\n"
    )
    assert not (nova_like / "specs/2027.1/approved").exists()


def test_new_refuses_answers_the_checks_reject_in_one_line_before_writing(
    nova_like: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A problem statement with broken RST: the spec would fail at once."""
    assert new(nova_like, monkeypatch, "blueprint=broken", "problem=An `unclosed link <https://x") == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "speckeeper: error: the answers make a spec the repo's checks reject: specs/2027.1/approved/broken.rst:"
    )
    assert err.endswith("; nothing written\n") and err.count("\n") == 1
    assert not (nova_like / "specs/2027.1/approved").exists()


def test_new_prints_paths_from_where_it_runs(nova_like: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (nova_like / "specs" / "2027.1").mkdir(parents=True)
    monkeypatch.chdir(nova_like / "specs" / "2027.1")
    assert main(["new", "--defaults", "--data", "blueprint=from-below"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Wrote approved/from-below.rst (from 2027.1-template.rst).\n")
    assert "run `speckeeper check approved/from-below.rst`." in out
