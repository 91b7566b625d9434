"""The copier template: what `copier copy` asks, validates and writes.

Specs are rendered with copier's Python API into ``tmp_path`` and read back
with docutils; the output is what is tested. A copier run takes a second or
more, so the tests that render a spec are marked slow, but for two that
keep a rendering in the fast set (so do tests/test_new.py's, through
``speckeeper new``); the others read the template's data files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml
from docutils import nodes
from docutils.utils import column_width
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from speckeeper.copier import data as copier_data
from speckeeper.document import template
from speckeeper.engine.check import Checker
from speckeeper.config.settings import VCS_FOLDERS, Config
from speckeeper.document.rst.parse import RstParser
from speckeeper.document.rst.build import RstDocument as Spec, build

from .conftest import examples

# copier compiles each template and reads copier.yml once a module (see the fixtures).
pytestmark = pytest.mark.usefixtures("jinja_compiled_once", "copier_yml_read_once")

REPO = Path(__file__).resolve().parent.parent
PACKAGED = copier_data.copier_root()
PARSER = RstParser()


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    """copier commits in its own clones; CI machines may have no identity."""
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Spec Author")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "author@example.com")


def copy(dst: Path, src: Path = PACKAGED, **answers: Any) -> Path:
    """Render one spec non-interactively; the path of the spec written."""
    answers.setdefault("blueprint", "my-feature")
    ref = {"vcs_ref": "HEAD"} if src == REPO else {}  # The working tree, committed or not.
    copier.run_copy(str(src), dst, data=answers, defaults=True, quiet=True, unsafe=False, **ref)
    release = answers.get("release", "2027.1")
    return dst / "specs" / release / answers.get("state", "approved") / f"{answers['blueprint']}.rst"


def findings(root: Path) -> list[str]:
    """`speckeeper check` under the default rules, as text lines."""
    return [f"{f.path}:{f.line}: {f.code} {f.message}" for f in Checker(Config(root=root)).check([root])]


def parsed(path: Path) -> Spec:
    return build(str(path), path.read_text(encoding="utf-8"), PARSER)


def shape(sections: Any) -> list[tuple[str, int, str, list[Any]]]:
    """Titles, levels, adornments and nesting: a spec's structure."""
    return [(s.title, s.level, s.style, shape(s.children)) for s in sections]


def nova() -> template.Template:
    return template.load(template.packaged_path(), PARSER)


def section_text(spec: Spec, title: str) -> str:
    """The words of a section's own paragraphs, as docutils reads them."""
    section = next(s for s in spec.all_sections() if s.title == title)
    return " ".join(
        " ".join(p.text.split())
        for child in section.blocks
        if child.kind != "comment"
        for p in child.walk()
        if p.kind == "paragraph"
    )


def section_node(spec: Spec, title: str) -> nodes.section:
    """docutils' node of the section titled ``title`` (as written)."""
    return next(node for node in spec.doctree.findall(nodes.section) if node[0].rawsource == title)


def words(text: str) -> str:
    return " ".join(text.replace("\u200b", "").replace("\ufeff", "").split())


# The data the template renders is what template.py reads.


def test_sections_file_is_what_speckeeper_reads_from_the_packaged_template() -> None:
    """Regenerate with `speckeeper export-template -o hooks/speckeeper/copier/nova.sections.json`."""
    stored = json.loads((PACKAGED / copier_data.SECTIONS_FILE).read_text(encoding="utf-8"))
    assert stored == copier_data.spec_template_data(*template.parse_file(template.packaged_path(), PARSER), PARSER)


def test_columns_file_is_what_docutils_counts() -> None:
    """Regenerate with `speckeeper export-template --columns -o hooks/speckeeper/copier/columns.json`."""
    stored = json.loads((PACKAGED / copier_data.COLUMNS_FILE).read_text(encoding="utf-8"))
    if stored["unicode"] != unicodedata.unidata_version:
        pytest.skip(f"columns.json is for Unicode {stored['unicode']}, this Python has {unicodedata.unidata_version}")
    assert stored == copier_data.columns_data()


@pytest.mark.slow
def test_jinja_markers_in_a_templates_guidance_reach_the_spec_as_written(tmp_path: Path) -> None:
    """copier reads the data files as Jinja templates: guidance holding
    Jinja's own markers is still copied as text."""
    marked = "A detailed {{ description }} of the {% problem %} {#."
    text = template.packaged_path().read_text(encoding="utf-8")
    (tmp_path / "t.rst").write_text(text.replace("A detailed description of the problem.", marked), encoding="utf-8")
    source = tmp_path / "copier-template"
    shutil.copytree(PACKAGED, source)
    (source / copier_data.SECTIONS_FILE).write_text(copier_data.export_sections(tmp_path / "t.rst", PARSER), encoding="utf-8")
    spec = copy(tmp_path / "out", source, guidance=True)
    assert marked in " ".join(spec.read_text(encoding="utf-8").split())


def test_top_level_copier_yml_and_the_packaged_one_ask_the_same() -> None:
    def documents(path: Path) -> list[Any]:
        loader = type("Loader", (yaml.SafeLoader,), {})
        loader.add_constructor("!include", lambda loader, node: loader.construct_scalar(node))
        return list(yaml.load_all(path.read_text(encoding="utf-8"), Loader=loader))

    top, packaged = documents(REPO / "copier.yml"), documents(PACKAGED / "copier.yml")
    assert top[0] == {"_subdirectory": "hooks/speckeeper/copier/template"}
    assert packaged[0] == {"_subdirectory": "template"}
    assert top[1:] == [f"hooks/speckeeper/copier/{name}" for name in packaged[1:]]


# What a spec looks like.


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::copier.errors.DirtyLocalWarning")  # A working tree being edited.
def test_copier_copy_from_the_repository_writes_the_template_structure(tmp_path: Path) -> None:
    spec_path = copy(tmp_path, src=REPO)
    assert shape(parsed(spec_path).sections) == shape(nova().sections)
    assert findings(tmp_path) == []


def test_spec_starts_with_license_title_and_blueprint_url(tmp_path: Path) -> None:
    spec_path = copy(tmp_path, project="cinder", title="Widgets for everyone")
    lines = spec_path.read_text(encoding="utf-8").splitlines()
    assert lines[:12] == [
        "..",
        " This work is licensed under a Creative Commons Attribution 3.0 Unported",
        " License.",
        "",
        " http://creativecommons.org/licenses/by/3.0/legalcode",
        "",
        "====================",
        "Widgets for everyone",
        "====================",
        "",
        "https://blueprints.launchpad.net/cinder/+spec/my-feature",
        "",
    ]


def test_writes_only_the_spec_and_its_answers_creating_folders(tmp_path: Path) -> None:
    (tmp_path / "README.rst").write_text("mine\n", encoding="utf-8")
    (tmp_path / "specs" / "2026.2" / "approved").mkdir(parents=True)
    (tmp_path / "specs" / "2026.2" / "approved" / "old.rst").write_text("old\n", encoding="utf-8")
    spec_path = copy(tmp_path)
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == [
        ".copier-answers/my-feature.yml",
        "README.rst",
        "specs/2026.2/approved/old.rst",
        "specs/2027.1/approved/my-feature.rst",
    ]
    assert (tmp_path / "README.rst").read_text(encoding="utf-8") == "mine\n"
    assert spec_path.is_file()
    # Copied from the package, not from git: no tag to name (test_packaging
    # shows a tag named).
    answers = (tmp_path / ".copier-answers/my-feature.yml").read_text(encoding="utf-8")
    assert "by the copier\n# template of speckeeper. When" in answers


@pytest.mark.slow
def test_folder_and_state_are_answers(tmp_path: Path) -> None:
    copier.run_copy(
        str(PACKAGED),
        tmp_path,
        data={"blueprint": "x", "specs_dir": "doc/source/specs", "state": "implemented", "release": "zed"},
        defaults=True,
        quiet=True,
    )
    assert (tmp_path / "doc/source/specs/zed/implemented/x.rst").is_file()


@pytest.mark.slow
def test_an_existing_spec_is_never_overwritten_without_asking(tmp_path: Path) -> None:
    spec_path = copy(tmp_path)
    spec_path.write_text(spec_path.read_text(encoding="utf-8") + "\nMy edit.\n", encoding="utf-8")
    edited = spec_path.read_bytes()
    with pytest.raises(Exception, match="(?i)interactive|overwrite|terminal"):
        copy(tmp_path)
    assert spec_path.read_bytes() == edited


@pytest.mark.slow
def test_impact_yes_writes_the_guidance_points_no_writes_none(tmp_path: Path) -> None:
    spec = parsed(copy(tmp_path, rest_api_impact=True, security_impact=False))
    rest = section_text(spec, "REST API impact")
    for asked in ("Method type (POST/PUT/GET/DELETE): TBD", "URL for the resource: TBD", "Normal http response code(s)"):
        assert asked in rest
    assert "JSON schema definition for the request body" in rest
    assert "policy" in rest
    assert section_text(spec, "Security impact") == "None"
    assert findings(tmp_path) == []


@pytest.mark.slow
def test_rest_api_yes_reminds_to_flag_the_commit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copier.run_copy(str(PACKAGED), tmp_path, data={"blueprint": "x", "rest_api_impact": True}, defaults=True)
    assert "put APIImpact in the commit message" in capsys.readouterr().err


@pytest.mark.slow
def test_no_reminder_without_api_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copier.run_copy(str(PACKAGED), tmp_path, data={"blueprint": "x"}, defaults=True)
    assert "APIImpact" not in capsys.readouterr().err


@pytest.mark.slow
def test_people_and_history(tmp_path: Path) -> None:
    text = copy(tmp_path, assignee="alice", other_contributors="bob, carol", liaison="").read_text(encoding="utf-8")
    assert "Primary assignee:\n  alice\n\nOther contributors:\n  bob\n  carol\n" in text
    assert "Feature liaison:\n  None\n" in text
    assert text.endswith("   * - 2027.1 Indri\n     - Introduced\n")
    other = copy(tmp_path, blueprint="later", release="2027.2").read_text(encoding="utf-8")
    assert other.endswith("   * - 2027.2\n     - Introduced\n")


@pytest.mark.slow
def test_guidance_as_comments_keeps_the_spec_clean(tmp_path: Path) -> None:
    spec_path = copy(tmp_path, guidance=True)
    spec = parsed(spec_path)
    comments = " ".join(text for _, text in spec.comments)
    assert "A detailed description of the problem." in comments
    assert "Each API method which is either added or changed" in comments
    assert section_text(spec, "Problem description") == "None"
    assert max(len(line) for line in spec.lines if "http" not in line) <= 79
    assert findings(tmp_path) == []


# The title and the names are literal text; the other answers are RST.

SPECIAL = [
    "=====",
    ".. include:: /etc/passwd",
    ".. raw:: html",
    "{{ 7 * 7 }}",
    "{% if true %}x{% endif %}",
    "*emphasis* **strong** `interpreted` ``literal``",
    "a reference_ and `another <http://example.com>`_ and [1]_ and |sub|",
    ":role:`text` and __anonymous",
    "1. not a list",
    "- not a bullet",
    "#. nor this",
    "A. nor this",
    ">>> not a doctest",
    "| not a line block",
    "+----+ not a table",
    "ends with a colon pair::",
    "back\\slash and trailing \\",
    "snake_case and _leading and trailing_",
    "double__under and のの__x and a_b_",
    "\\",
    "\\\\\\\\ and \\\\",
]


@pytest.mark.slow
@pytest.mark.parametrize("answer", SPECIAL)
def test_titles_and_names_stay_literal(tmp_path: Path, answer: str) -> None:
    title = f"Title {answer}"[:60]
    spec_path = copy(tmp_path, title=title, assignee=answer)
    spec = parsed(spec_path)
    assert words(spec.doctree.next_node(nodes.title).astext()) == words(title)
    assert words(answer) in words(section_text(spec, "Assignee(s)"))
    assert_conformant(tmp_path, spec)


def assert_conformant(root: Path, spec: Spec) -> None:
    """The template's structure, no docutils message, nothing for check."""
    assert shape(spec.sections) == shape(nova().sections)
    assert not list(spec.doctree.findall(nodes.system_message))
    assert findings(root) == []


def answer_part(spec: Spec, title: str) -> list[str]:
    """What a section holds of the answer: its body, as docutils reads it
    (each node's kind, and its text with spacing folded)."""
    held = [node for node in section_node(spec, title).children if not isinstance(node, (nodes.title, nodes.section))]
    return [part for node in held for part in tree(node)]


def tree(node: nodes.Node) -> list[str]:
    if isinstance(node, nodes.Text):
        return [" ".join(node.astext().split())] if node.astext().strip() else []
    if isinstance(node, nodes.system_message):
        return []
    return [f"<{node.tagname}>", *(part for child in node.children for part in tree(child)), f"</{node.tagname}>"]


def alone(text: str) -> tuple[list[str], list[Any]]:
    """The answer parsed on its own, as its author would preview it, and
    what docutils says of it."""
    doctree, messages = PARSER.parse(text, "<answer>")
    return [part for child in doctree.children for part in tree(child)], messages


# What authors write: each kept as typed, and read as docutils reads it alone.
AUTHORED = [
    "A bullet list:\n\n* the state file is not copied\n* the disk is not flushed",
    "Run ``virsh dumpxml`` first, as `libvirt's docs <https://libvirt.org/>`__ say.",
    "Steps:\n\n1. stop the instance\n2. copy the disk\n\n#. and another",
    "*emphasis*, **strong**, ``literal``, :doc:`a role`, `links <http://x>`_.",
    "Before::\n\n    $ nova-manage db sync\n    ======\n    .. include:: /etc/passwd\n\nAfter.",
    "* a list\n\n  * nested\n  * items\n\n* and a second paragraph\n\n  in an item",
    ".. note:: Keep the flavor.\n\n   It is read by the scheduler.",
    ".. code-block:: python\n\n   def f():\n       ====\n       return 1",
    "See [#]_ and the target_.\n\n.. [#] A footnote.\n.. _target: https://example.com/",
    "Fields:\n\n:Field: value\n:Other: value",
    "term\n   its definition",
    "| a line block\n| kept",
    ".. a comment\n   ======\n   not read",
    "An image:\n\n.. image:: diagram.png\n   :alt: the flow",
    "::\n\n    literal after an expanded marker",
    "A last paragraph ending in a colon pair::\n\n    and its block",
    "{{ 7 * 7 }} and {% raw %} and {# not a comment #}",
]


@pytest.mark.slow
@pytest.mark.parametrize("answer", AUTHORED)
def test_authors_rst_is_kept_as_typed(tmp_path: Path, answer: str) -> None:
    spec_path = copy(tmp_path, problem=answer)
    spec = parsed(spec_path)
    expected, messages = alone(answer)
    assert messages == []  # the table's own check: each answer is valid RST
    assert answer in spec.text  # as typed, line for line
    assert answer_part(spec, "Problem description") == expected
    assert_conformant(tmp_path, spec)


@pytest.mark.slow
def test_summary_and_proposed_change_are_rst_too(tmp_path: Path) -> None:
    typed = "Two steps:\n\n#. ``nova-manage db sync``\n#. restart *every* service"
    spec = parsed(copy(tmp_path, summary=typed, proposed_change=typed))
    assert spec.text.count(typed) == 2
    assert answer_part(spec, "Proposed change") == alone(typed)[0]
    assert findings(tmp_path) == []


@pytest.mark.slow
def test_use_cases_one_a_line_or_as_listed(tmp_path: Path) -> None:
    typed = "An operator resizes ``vm1``\n* a bullet typed\n- another, `linked <http://x>`__\n  continued\n\nafter a blank"
    spec = parsed(copy(tmp_path, use_cases=typed))
    items = answer_part(spec, "Use Cases")
    assert items[0] == "<bullet_list>" and items.count("<list_item>") == 4
    assert "<literal>" in items and "<reference>" in items
    assert "* An operator resizes ``vm1``\n* a bullet typed\n* another, `linked <http://x>`__\n  continued\n* after a blank" in spec.text
    numbered = parsed(copy(tmp_path / "n", use_cases="1. first\n2. second"))
    assert answer_part(numbered, "Use Cases")[0] == "<enumerated_list>"
    assert findings(tmp_path) == []


# What would change the spec's structure, written as text: a title's
# adornment, a transition, a directive that is not plain body content, a
# substitution definition, anywhere (in a list, in a note).
STRUCTURAL = [
    ("=====", "====="),
    ("Title\n=====", "Title ====="),
    ("=====\nTitle\n=====", "===== Title ====="),
    ("Above\n\n----\n\nBelow", "----"),
    ("a\n-", "a -"),
    ("* =====", "====="),
    ("1. Title\n   -----", "Title -----"),
    (".. include:: /etc/passwd", ".. include:: /etc/passwd"),
    ("..  INCLUDE:: /etc/passwd", ".. INCLUDE:: /etc/passwd"),
    (".. include :: /etc/passwd\n   :literal:", ".. include :: /etc/passwd"),
    (".. raw:: html\n\n   <script>alert(1)</script>", "<script>alert(1)</script>"),
    (".. csv-table::\n   :file: /etc/passwd", ".. csv-table::"),
    (".. |sub| replace:: text", ".. |sub| replace:: text"),
    (".. default-role:: math", ".. default-role:: math"),
    (".. sectnum::", ".. sectnum::"),
    (".. title:: Another title", ".. title:: Another title"),
    (".. contents::", ".. contents::"),
    (".. note:: a note\n\n   .. include:: /etc/passwd\n\n   Inner\n   =====", ".. include:: /etc/passwd Inner ====="),
    ("* .. raw:: html\n\n    <b>", ".. raw:: html"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("answer", "shown"), STRUCTURAL)
def test_what_would_change_the_structure_is_written_as_text(tmp_path: Path, answer: str, shown: str) -> None:
    spec_path = copy(tmp_path, problem=answer, use_cases=answer, summary=answer, proposed_change=answer)
    spec = parsed(spec_path)
    assert shape(spec.sections) == shape(nova().sections)
    assert not list(spec.doctree.findall(nodes.system_message))
    assert not list(spec.doctree.findall(nodes.transition)) and not list(spec.doctree.findall(nodes.raw))
    assert findings(tmp_path) == []
    assert shown in words(section_node(spec, "Problem description").astext())  # as text, nothing lost


@pytest.mark.slow
@pytest.mark.parametrize(
    ("answer", "code", "said"),
    [
        ("|sub| replace::", "SK501", 'Undefined substitution referenced: "sub"'),
        ("An *unclosed emphasis", "SK502", "Inline emphasis start-string without end-string"),
        ("a `broken link <http://x>_ here", "SK502", "Inline interpreted text or phrase reference start-string"),
        ("* a list\nunindented", "SK502", "Bullet list ends without a blank line"),
    ],
)
def test_the_authors_own_rst_error_is_reported_at_its_line(tmp_path: Path, answer: str, code: str, said: str) -> None:
    """Invalid RST is the author's to mend: reported where they typed it,
    and the spec's structure is whole all the same."""
    spec_path = copy(tmp_path, problem=answer)
    spec = parsed(spec_path)
    assert shape(spec.sections) == shape(nova().sections)
    found = findings(tmp_path)
    assert any(f" {code} " in line and said in line for line in found), found
    start = next(n for n, line in enumerate(spec.lines, 1) if line == answer.splitlines()[0])
    end = start + len(answer.splitlines()) + 1  # docutils may name the line after the blank one
    for line in found:
        assert " SK50" in line and start <= int(line.split(":")[1]) <= end, (line, start)


@pytest.mark.slow
def test_long_answers_are_wrapped_at_79_columns(tmp_path: Path) -> None:
    long = " ".join(["word"] * 60) + " " + "x" * 200 + " https://example.com/" + "p" * 100
    spec_path = copy(tmp_path, problem=long, use_cases=long + "\n" + long, summary=long)
    spec = parsed(spec_path)
    too_long = [line for line in spec.lines if len(line) > 79 and "https://" not in line]
    assert sorted(too_long) == ["  " + "x" * 200] * 2 + ["x" * 200] * 2  # one word: no break shortens it
    assert words(section_text(spec, "Problem description")) == words(long)
    items = [item.astext() for item in section_node(spec, "Use Cases").findall(nodes.list_item)]
    assert [words(item) for item in items] == [words(long), words(long)]
    assert "  word word" in spec.text  # list items keep their hanging indent
    assert findings(tmp_path) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "title",
    ["幅の広い見出し", "Café au lait", "Cafe\u0301 combining", "Emoji 🎉 party", "ｆｕｌｌｗｉｄｔｈ"],
)
def test_title_adornment_is_as_wide_as_the_title(tmp_path: Path, title: str) -> None:
    spec = parsed(copy(tmp_path, title=title))
    line = spec.titles[0].line
    assert spec.lines[line - 1] == title
    assert len(spec.lines[line]) == len(spec.lines[line - 2]) == column_width(title)
    assert findings(tmp_path) == []


# Validators say in words what is wrong.

# The width of copier's prompt that the questions must fit: a terminal's.
PROMPT_COLUMNS = 80


@pytest.mark.slow
@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("blueprint", "Foo_Bar", "lower-case letters, digits and hyphens"),
        ("blueprint", "../../etc", "lower-case letters, digits and hyphens"),
        ("blueprint", "a/b", "no '/'"),
        ("blueprint", "/abs", "lower-case letters"),
        ("blueprint", "", "lower-case letters"),
        ("blueprint", "ok\n", "lower-case letters"),
        ("blueprint", "trailing-", "ending with a letter or digit"),
        ("release", "2027.1/approved", "one folder name"),
        ("release", "../x", "one folder name"),
        ("release", "", "one folder name"),
        ("state", "a/b", "one folder name"),
        ("state", "backlog", "one of the repo's state folders: approved, implemented"),
        ("release", "2027.3", "named like 2027.1 or zed"),
        ("specs_dir", "/abs", "relative path"),
        ("specs_dir", "specs/../..", "no '..'"),
        ("project", "No Such", "launchpad project name"),
        ("title", "", "cannot be empty"),
        ("title", "   \u200b ", "cannot be empty"),
        ("title", "x" * 80, "79 columns"),
        ("title", "幅" * 40, "79 columns"),
        ("title", "Example Spec - The title of your blueprint", "template's example title"),
        ("title", "bell\x07", "control characters"),
        ("title", "\\", "letter or digit"),
        ("title", "*** ---", "letter or digit"),
        ("problem", "nul\x00", "control characters"),
        ("summary", "esc\x1b", "control characters"),
        ("use_cases", "del\x7f", "control characters"),
        ("proposed_change", "nul\x00", "control characters"),
        ("other_contributors", "bell\x07", "control characters"),
        ("liaison", "two\nlines", "one line"),
        ("blueprint", "-leading", "starting and ending with a letter or digit"),
        ("assignee", "two\nlines", "one line"),
        ("release", "CVS", "no version control folder"),
        ("state", "cvs", "no version control folder"),
        ("specs_dir", "doc/_darcs", "no hidden or version control folder"),
        ("specs_dir", "doc/.git", "no hidden or version control folder"),
        # Hidden answers, which `copier copy --data` sets all the same.
        ("layout", ".git/hooks/{slug}", "a relative path ending in {slug}.rst"),
        ("layout", ".git/hooks/{slug}.rst", "no hidden or version control folder"),
        ("layout", "../outside/{slug}.rst", "no '..'"),
        ("layout", "/abs/{slug}.rst", "a relative path"),
        ("layout", "specs/CVS/{slug}.rst", "no hidden or version control folder"),
        ("layout", "specs/{release}/{release}/{slug}.rst", "each at most once"),
        ("layout", "specs/{release}-{state}/{slug}.rst", "{specs_dir}, {project}, {release} and {state}"),
        ("spec_path", ".git/hooks/ok.rst", "no hidden or version control folder"),
        ("spec_path", "specs/../../ok.rst", "no '..'"),
        ("spec_path", "specs/other.rst", "ending in the blueprint's name"),
        ("states", ["approved", ".."], "a list of folder names"),
        ("states", ["approved", "CVS"], "a list of folder names"),
        ("states", 5, "a list of folder names"),
        ("tracker", "https://x/{slug}\n.. include:: /etc/passwd", "one URL pattern on one line"),
        ("release_pattern", "(a+)+$", "no groups"),
        ("release_pattern", "[a-z]*[a-z]*[a-z]*", "at most two open-ended an alternative"),
    ],
)
def test_validators_reject_with_a_clear_message(tmp_path: Path, key: str, value: Any, said: str) -> None:
    data = {"blueprint": "ok", key: value}
    with pytest.raises(ValueError, match=f"question '{key}'") as raised:
        copier.run_copy(str(PACKAGED), tmp_path / "out", data=data, defaults=True, quiet=True)
    assert said in " ".join(str(raised.value).split())
    assert not (tmp_path / "out").exists()
    # copier's prompt shows the first line only, cut at the terminal's width.
    first, *details = str(raised.value).splitlines()
    assert column_width(first) <= PROMPT_COLUMNS, first
    assert first.endswith(tuple("abcdefghijklmnopqrstuvwxyz0123456789]+")), first  # a whole phrase, not cut
    assert all(column_width(line) <= 79 for line in details)


@pytest.mark.slow
def test_a_hidden_layout_into_git_writes_nothing(tmp_path: Path) -> None:
    """`copier copy --data layout=.git/hooks/{slug}` wrote a git hook."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    data = {"blueprint": "pre-commit", "layout": ".git/hooks/{slug}"}
    with pytest.raises(ValueError, match="question 'layout'"):
        copier.run_copy(str(PACKAGED), tmp_path, data=data, defaults=True, quiet=True)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before
    assert not (tmp_path / ".git" / "hooks" / "pre-commit").exists()


def test_the_version_control_folders_without_a_dot_are_configs() -> None:
    """The validators name them (a dot is refused anyway): the same as
    speckeeper's own list."""
    questions = (PACKAGED / "questions.yml").read_text(encoding="utf-8")
    undotted = {name.casefold() for name in VCS_FOLDERS if not name.startswith(".")}
    named = {alternation for group in re.findall(r"\(\?i:([^)]*)\)", questions) for alternation in group.split("|")}
    assert named == undotted


@pytest.mark.slow
def test_copier_refuses_a_release_pattern_that_would_hang_it(tmp_path: Path) -> None:
    """Python's re takes for ever on this pattern and release; copier, which
    runs it, refuses the pattern first (the limit fails a hang)."""
    copier_bin = Path(sys.executable).with_name("copier")
    command = [str(copier_bin), "copy", "--defaults", "--data", "blueprint=x", "--data", "release_pattern=(a+)+$"]
    command += ["--data", "release=" + "a" * 40 + "-", str(PACKAGED), str(tmp_path / "out")]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)
    assert done.returncode != 0
    assert "Validation error for question 'release_pattern'" in done.stderr
    assert not (tmp_path / "out").exists()


# Many answer sets, each spec conformant.

TEXT = st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(list("\n\t *`_|\\:.-=#>[]<{}%"))
WORD = st.text(TEXT, min_size=1, max_size=12) | st.sampled_from(SPECIAL) | st.text(TEXT, min_size=70, max_size=120)
ANSWER = st.lists(WORD, max_size=25).map(" ".join) | st.just("")
TITLE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    lambda t: re.search(r"[^\W_]", t)
)
IMPACTS = [
    "data_model_impact",
    "rest_api_impact",
    "security_impact",
    "notifications_impact",
    "end_user_impact",
    "performance_impact",
    "deployer_impact",
    "developer_impact",
    "upgrade_impact",
]


@st.composite
def answer_sets(draw: st.DrawFn) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "blueprint": draw(st.from_regex(r"[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?", fullmatch=True)),
        "release": draw(st.sampled_from(["2027.1", "2027.2", "zed", "2028.1"])),
        "title": draw(TITLE),
        "guidance": draw(st.booleans()),
    }
    for key in ("summary", "problem", "use_cases", "proposed_change", "other_contributors"):
        answers[key] = draw(ANSWER)
    for key in ("assignee", "liaison"):
        answers[key] = draw(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40))
    for key in IMPACTS:
        answers[key] = draw(st.booleans())
    return answers


@pytest.mark.slow
@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(answers=answer_sets())
def test_every_spec_written_keeps_its_structure(tmp_path_factory: pytest.TempPathFactory, answers: dict[str, Any]) -> None:
    """Whatever is typed, the template's structure is whole; what check
    finds is the author's own RST (SK501, SK502) or a line of theirs no
    break could shorten (a table row, a definition's term), as typed."""
    root = tmp_path_factory.mktemp("spec-repo")
    spec_path = copy(root, **answers)
    spec = parsed(spec_path)
    assert shape(spec.sections) == shape(nova().sections)
    typed = [line.strip() for key in ("summary", "problem", "use_cases", "proposed_change") for line in answers[key].splitlines()]
    for finding in findings(root):
        number, code = int(finding.split(":")[1]), finding.split()[1]
        assert code in ("SK501", "SK502") or (code == "SK201" and spec.lines[number - 1].strip() in typed), finding
    assert words(spec.doctree.next_node(nodes.title).astext()) == words(answers["title"])
    unescaped = spec.text.replace("\\", "")
    assert all(word.replace("\\", "") in unescaped for word in answers["problem"].split())  # nothing lost


# Valid RST, as an author writes it: paragraphs with inline markup, lists,
# literal blocks, notes, links.
PLAIN = st.text(st.sampled_from("abcdefghij xyz"), min_size=1, max_size=8).map(str.strip).filter(bool)
INLINE = st.one_of(
    PLAIN,
    PLAIN.map(lambda w: f"``{w}``"),
    PLAIN.map(lambda w: f"*{w}*"),
    PLAIN.map(lambda w: f"**{w}**"),
    PLAIN.map(lambda w: f"`{w} <https://example.com/{w.replace(' ', '-')}>`__"),
    st.sampled_from(["=====", "----", "{{ 7*7 }}", "{% raw %}", ".. include:: x", "1."]).map(lambda w: f"({w})"),
)
SENTENCE = st.lists(INLINE, min_size=1, max_size=30).map(" ".join)
BLOCK = st.one_of(
    SENTENCE,
    st.lists(SENTENCE, min_size=1, max_size=4).map(lambda items: "\n".join(f"* {item}" for item in items)),
    st.lists(SENTENCE, min_size=1, max_size=4).map(lambda items: "\n".join(f"#. {item}" for item in items)),
    st.tuples(SENTENCE, st.lists(PLAIN, min_size=1, max_size=3)).map(
        lambda pair: pair[0] + "::\n\n" + "\n".join(f"    {line} ======" for line in pair[1])
    ),
    SENTENCE.map(lambda text: f".. note:: {text}"),
)
VALID_RST = st.lists(BLOCK, min_size=1, max_size=5).map("\n\n".join)


@pytest.mark.slow
@settings(max_examples=examples(20), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(answer=VALID_RST)
def test_valid_rst_reads_in_the_spec_as_it_reads_alone(tmp_path_factory: pytest.TempPathFactory, answer: str) -> None:
    root = tmp_path_factory.mktemp("spec-repo")
    spec = parsed(copy(root, problem=answer))
    expected, messages = alone(answer)
    assert messages == []
    assert answer_part(spec, "Problem description") == expected
    assert not list(spec.doctree.findall(nodes.system_message))
    assert findings(root) == []


# Template evolution: `copier update` from a tagged older version.


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def _template_repo(root: Path) -> Path:
    """A git repository of the copier template: v1 lacks "Upgrade impact"."""
    repo = root / "speckeeper"
    shutil.copytree(PACKAGED, repo / "hooks/speckeeper/copier")
    shutil.copy(REPO / "copier.yml", repo / "copier.yml")
    older = root / "older.rst"
    text = template.packaged_path().read_text(encoding="utf-8")
    start, end = text.index("Upgrade impact\n"), text.index("\nImplementation\n=")
    older.write_text(text[:start] + text[end:].lstrip("\n"), encoding="utf-8")
    sections = repo / "hooks/speckeeper/copier" / copier_data.SECTIONS_FILE
    current = sections.read_text(encoding="utf-8")
    sections.write_text(copier_data.export_sections(older, PARSER), encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "v1")
    _git(repo, "tag", "v1")
    sections.write_text(current, encoding="utf-8")
    _git(repo, "commit", "-qam", "v2: the template gained Upgrade impact")
    _git(repo, "tag", "v2")
    return repo


@pytest.mark.slow
def test_copier_update_adds_what_the_template_gained_and_keeps_the_authors_edit(tmp_path: Path) -> None:
    source = _template_repo(tmp_path)
    specs = tmp_path / "nova-specs"
    for blueprint in ("first", "second"):
        copier.run_copy(str(source), specs, data={"blueprint": blueprint}, defaults=True, quiet=True, vcs_ref="v1")
    first = specs / "specs/2027.1/approved/first.rst"
    second = specs / "specs/2027.1/approved/second.rst"
    assert "Upgrade impact" not in first.read_text(encoding="utf-8")
    edited = first.read_text(encoding="utf-8").replace(
        "Alternatives\n------------\n\nNone\n", "Alternatives\n------------\n\nWe could do nothing.\n"
    )
    first.write_text(edited, encoding="utf-8")
    _git(specs, "init", "-q")
    _git(specs, "add", "-A")
    _git(specs, "commit", "-qm", "two specs")
    untouched = second.read_bytes()

    copier.run_update(
        specs, answers_file=".copier-answers/first.yml", vcs_ref="v2", defaults=True, overwrite=True, quiet=True
    )

    text = first.read_text(encoding="utf-8")
    assert "We could do nothing." in text
    assert "Upgrade impact\n--------------\n\nNone\n" in text
    assert shape(parsed(first).sections) == shape(nova().sections)
    assert second.read_bytes() == untouched
    assert yaml.safe_load((specs / ".copier-answers/first.yml").read_text(encoding="utf-8"))["_commit"] == "v2"
    assert yaml.safe_load((specs / ".copier-answers/second.yml").read_text(encoding="utf-8"))["_commit"] == "v1"
    assert [f for f in findings(specs) if "first.rst" in f] == []


@pytest.mark.slow
def test_copier_update_finds_a_spec_that_moved(tmp_path: Path) -> None:
    """Moving a spec (approved to implemented) and its `state` answer
    together keeps it updatable; nothing is written where it used to be."""
    source = _template_repo(tmp_path)
    specs = tmp_path / "nova-specs"
    copier.run_copy(str(source), specs, data={"blueprint": "moving"}, defaults=True, quiet=True, vcs_ref="v1")
    _git(specs, "init", "-q")
    _git(specs, "add", "-A")
    _git(specs, "commit", "-qm", "approved")
    (specs / "specs/2027.1/implemented").mkdir()
    _git(specs, "mv", "specs/2027.1/approved/moving.rst", "specs/2027.1/implemented/moving.rst")
    answers = specs / ".copier-answers/moving.yml"
    answers.write_text(answers.read_text(encoding="utf-8").replace("state: approved", "state: implemented"), encoding="utf-8")
    _git(specs, "commit", "-qam", "implemented")

    copier.run_update(
        specs, answers_file=".copier-answers/moving.yml", vcs_ref="v2", defaults=True, overwrite=True, quiet=True
    )

    assert "Upgrade impact" in (specs / "specs/2027.1/implemented/moving.rst").read_text(encoding="utf-8")
    assert not (specs / "specs/2027.1/approved/moving.rst").exists()


@pytest.mark.slow
def test_copier_command_line_with_a_data_file(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text(
        "blueprint: from-a-file\nstates: [approved, backlog]\nproblem: |\n  Two lines\n  of problem.\n",
        encoding="utf-8",
    )
    copier_bin = Path(sys.executable).with_name("copier")
    done = subprocess.run(
        [str(copier_bin), "copy", "--defaults", "--data-file", str(answers), "--data", "state=backlog", str(PACKAGED), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    spec = parsed(tmp_path / "out/specs/2027.1/backlog/from-a-file.rst")
    assert section_text(spec, "Problem description") == "Two lines of problem."


# A person at the prompts.


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::copier.errors.DirtyLocalWarning")
@pytest.mark.skipif(sys.platform == "win32", reason="pexpect drives a POSIX terminal")
def test_interactive_run_completes_and_writes_the_spec(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    copier_bin = Path(sys.executable).with_name("copier")
    # No cursor-position requests: pexpect does not answer them, and
    # prompt_toolkit would wait for each.
    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(
        str(copier_bin),
        ["copy", "--vcs-ref", "HEAD", str(REPO), str(tmp_path)],
        encoding="utf-8",
        timeout=60,
        env=env,
        dimensions=(50, 200),
    )
    end, escape_enter = "\r", "\x1b\r"

    def answer(prompt: str, keys: str) -> None:
        child.expect(prompt)
        child.send(keys)

    answer("launchpad project", end)
    answer("release folder", end)
    answer("launchpad name", "typed-by-hand" + end)
    answer("title, one line", "\x15Typed at a terminal" + end)
    answer("one paragraph for operators", escape_enter)
    answer("problem this blueprint", "It was never typed." + escape_enter)
    answer("use cases, one per line", "An operator types it" + escape_enter)
    answer("change you propose", escape_enter)
    for impact in ("data model", "REST API", "security", "notifications", "end users", "performance"):
        answer(impact, "y" if impact == "REST API" else "n")
    for impact in ("deployers", "other developers", "upgrades"):
        answer(impact, "n")
    answer("primary assignee", "alice" + end)
    answer("Other contributors", end)
    answer("feature liaison", end)
    answer("guidance", "n")
    answer("folder that holds the specs", end)
    answer("state folder", end)
    child.expect("APIImpact")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    spec_path = tmp_path / "specs/2027.1/approved/typed-by-hand.rst"
    spec = parsed(spec_path)
    assert spec.titles[0].text == "Typed at a terminal"
    assert section_text(spec, "Problem description") == "It was never typed."
    assert "Method type" in section_text(spec, "REST API impact")
    assert findings(tmp_path) == []
