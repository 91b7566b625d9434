"""`speckeeper check` with `preset = "kep"` and nothing else on a snapshot
of kubernetes/enhancements, against an independent reading of it: the
template's headings read by a few lines here, each KEP's by markdown-it-py
directly (CommonMark, as GitHub renders it), its kep.yaml by PyYAML's base
loader; none of it speckeeper's code. Skipped without a snapshot."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from speckeeper.cli import main

KEP_PRESET = 'preset = "kep"\n'
K4026 = "keps/sig-apps/4026-crojob-scheduled-timestamp-annotation"
_MIRROR = Path("/work/.mirror/kubernetes+enhancements/repo")
TEMPLATE = "keps/NNNN-kep-template/README.md"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def enhancements(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkout of kubernetes/enhancements: $SPECKEEPER_KEP_SNAPSHOT (a
    work tree), or a fetched mirror's HEAD, with the preset alone."""
    given = os.environ.get("SPECKEEPER_KEP_SNAPSHOT")
    if given:
        root = Path(given)
    elif (_MIRROR / "HEAD").is_file():
        root = tmp_path_factory.mktemp("enhancements")
        archive = subprocess.run(["git", "--git-dir", str(_MIRROR), "archive", "HEAD"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(root)], input=archive.stdout, check=True)
        (root / ".git").mkdir()
    else:
        pytest.skip("no kubernetes/enhancements snapshot: set SPECKEEPER_KEP_SNAPSHOT to a checkout of it")
    (root / ".speckeeper.toml").write_text(KEP_PRESET)
    return root


def check(root: Path, *args: str) -> tuple[int, list[str]]:
    """`speckeeper check ARGS` run in ``root``: its exit code and lines."""
    out = io.StringIO()
    here = Path.cwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(out):
            code = main(["check", *args])
    finally:
        os.chdir(here)
    return code, out.getvalue().splitlines()


@pytest.fixture(scope="module")
def findings(enhancements: Path) -> list[str]:
    """What `speckeeper check` says of the whole repo, named by no path."""
    code, out = check(enhancements)
    assert code == 1
    return out


# The template's headings, read here: ATX headings outside fences and
# HTML comments (the template writes no other kind).

_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# The suffixes that mark a heading optional, in this template and the one
# before it ("[optional]"): a heading is the template's with or without one.
_MARKER = re.compile(r"\s*(\(optional\)|\[optional\])$", re.IGNORECASE)


def key(title: str) -> str:
    return _MARKER.sub("", " ".join(title.split())).casefold()


def template_headings(text: str) -> list[tuple[str, str, bool]]:
    """(title, parent title or "" under the document title, optional) of
    each heading under the title, by key."""
    found: list[tuple[int, str]] = []
    fence = comment = None
    for line in text.splitlines():
        if fence:
            fence = None if line.strip() and set(line.strip()) == {fence} and len(line.strip()) >= 3 else fence
        elif comment:
            comment = None if "-->" in line else comment
        elif _FENCE.match(line):
            fence = line.strip()[0]
        elif line.lstrip().startswith("<!--"):
            comment = None if "-->" in line else "open"
        elif match := _ATX.match(line):
            found.append((len(match.group(1)), match.group(2) or ""))
    parents: list[tuple[int, str]] = []
    headings = []
    for level, title in found:
        while parents and parents[-1][0] >= level:
            parents.pop()
        if level > 1:
            parent = parents[-1][1] if parents and parents[-1][0] > 1 else ""
            headings.append((key(title), parent, bool(_MARKER.search(title))))
        parents.append((level, key(title)))
    return headings


def test_the_template_read_here_has_the_issues_headings(enhancements):
    headings = template_headings((enhancements / TEMPLATE).read_text())
    # 57 with the title, 5 of them "(Optional)".
    assert (len(headings) + 1, sum(optional for *_, optional in headings)) == (57, 5)


# Each KEP's headings as markdown-it-py renders them.


def document_headings(text: str) -> list[tuple[int, str]]:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    found = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0:
            parts = [c.content if c.type in ("text", "code_inline") else " " for c in tokens[index + 1].children or ()
                     if c.type in ("text", "code_inline", "softbreak", "hardbreak")]
            found.append((int(token.tag[1:]), " ".join("".join(parts).split())))
    return found


def placed(headings: list[tuple[int, str]], renamed: dict[str, str]) -> set[tuple[str, str]]:
    """(title, parent title) of each heading under a level-1 one (a title,
    never a section); a title a finding renames stands for the template's."""
    parents: list[tuple[int, str]] = []
    found = set()
    for level, title in headings:
        title = renamed.get(key(title), key(title))
        while parents and parents[-1][0] >= level:
            parents.pop()
        if level > 1:
            found.add((title, parents[-1][1] if parents and parents[-1][0] > 1 else ""))
        parents.append((level, title))
    return found


_NAMED = {
    "SK101": re.compile(r'missing section "(.*?)": '),
    "SK102": re.compile(r'missing subsection "(.*?)" in "'),
    "SK104": re.compile(r'title "(.*)" should be "(.*?)" as in the template'),
    "SK105": re.compile(r'section "(.*?)" is (?:under|a top-level)'),
}


def reported(lines: list[str]) -> dict[str, dict[str, list[tuple[str, ...]]]]:
    """By README, by code: the titles each heading finding names."""
    found: dict[str, dict[str, list[tuple[str, ...]]]] = defaultdict(lambda: defaultdict(list))
    for line in lines:
        path, _, _, rest = line.split(":", 3)
        code = rest.split()[0]
        if code in _NAMED:
            found[path][code].append(tuple(map(key, _NAMED[code].search(rest).groups())))
    return found


def expected_missing(template: list[tuple[str, str, bool]], text: str, said: dict[str, list[tuple[str, ...]]]) -> set[str]:
    """The template headings a KEP lacks where the template has them (but
    for those under one it lacks too, which its finding stands for). A
    near miss (SK104) is the heading it is a slip of; a heading under one
    that is misplaced (SK105) and beside it in the template has moved with
    it, as its one finding says."""
    headings = document_headings(text)
    renamed = {found: meant for found, meant in said.get("SK104", [])}
    # A near miss names a heading the KEP has, and not as the template has it.
    slips = {f"no heading {found!r} but a near miss" for found in set(renamed) - {key(t) for _, t in headings}}
    slips |= {f"{found!r} is no slip" for found, meant in renamed.items() if found == meant}
    have = placed(headings, renamed)
    present = {title for title, parent, _ in template if (title, parent) in have} - set(renamed.values())
    moved = {title for (title,) in said.get("SK105", [])}
    # Under a misplaced heading, where the template has it beside it: in
    # its place again once that one is.
    beside = {title: parent for title, parent, _ in template}
    carried = {title for title, parent in have if parent in moved and beside.get(title, "?") == beside.get(parent)}
    return slips | {
        title
        for title, parent, optional in template
        if title not in present
        and not optional
        and (not parent or parent in present or parent in renamed.values())
        and title not in carried
    }


def test_every_kep_missing_a_heading_is_reported_with_exactly_those_headings(enhancements, findings):
    template = template_headings((enhancements / TEMPLATE).read_text())
    said = reported(findings)
    readmes = sorted(p for p in (enhancements / "keps").rglob("README.md") if (p.parent / "kep.yaml").is_file())
    readmes = [p for p in readmes if "NNNN-kep-template" not in p.parts]
    assert len(readmes) > 600
    wrong = {}
    lacking = 0
    for readme in readmes:
        relpath = readme.relative_to(enhancements).as_posix()
        expected = expected_missing(template, readme.read_text(), said.get(relpath, {}))
        named = {titles[-1] for found in said.get(relpath, {}).values() for titles in found}
        lacking += bool(expected)
        if named != expected:
            wrong[relpath] = (sorted(expected - named), sorted(named - expected))
    assert wrong == {}
    assert lacking > 400
    # Only the KEP READMEs are documents: not the repo's README, nor its
    # tools' test data.
    assert {line.split("/")[0] for line in findings} == {"keps"}


def test_a_kep_that_conforms_gets_no_finding(enhancements, findings):
    assert not [line for line in findings if line.startswith(K4026 + "/")]
    assert check(enhancements, K4026) == (0, [])


def independent_metadata(root: Path) -> dict[str, dict[str, str]]:
    """Every KEP's kep.yaml as YAML's base loader reads it (all strings, no
    dates built): not speckeeper's reader."""
    found = {}
    for path in sorted((root / "keps").rglob("kep.yaml")):
        relpath = path.relative_to(root).as_posix()
        if "NNNN-kep-template" not in relpath and (path.parent / "README.md").is_file():
            found[relpath] = yaml.load(path.read_text(), Loader=yaml.BaseLoader)  # noqa: S506 - strings only.
    return found


STATUSES = ("provisional", "implementable", "implemented", "deferred", "rejected", "withdrawn", "replaced")


def test_the_snapshots_metadata_findings(enhancements, findings):
    metadata = independent_metadata(enhancements)
    # Five statuses outside the template's list: four values it does not
    # have (SK702), and its own a|b|c placeholder left in place (SK705).
    bad_status = {p for p, d in metadata.items() if d.get("status", "").strip() not in STATUSES}
    assert len(bad_status) == 5
    said = {line.split(":")[0]: line.split(" ")[1] for line in findings if " status is " in line}
    assert said.keys() == bad_status
    assert sorted(said.values()) == ["SK702"] * 4 + ["SK705"]
    assert {"imlpemented", "implemented (alpha)", "|".join(STATUSES)} <= {metadata[p]["status"] for p in bad_status}
    # And a stage outside the list of the KEP code (api/proposal.go).
    stages = ("alpha", "beta", "stable", "deprecated", "disabled", "removed")
    # (An empty stage is none given.)
    bad_stage = {p for p, d in metadata.items() if (d.get("stage") or "alpha").strip() not in (*stages, "alpha|beta|stable")}
    assert bad_stage == {line.split(":")[0] for line in findings if " SK702 stage is " in line}
    assert len(bad_stage) == 1
    impossible = {p for p, d in metadata.items() if d.get("creation-date") in ("2025-30-01", "2023-14-05")}
    assert len(impossible) == 2
    assert impossible <= {line.split(":")[0] for line in findings if " SK703 creation-date " in line and "not a date:" in line}
    titled = {p for p, d in metadata.items() if d.get("title") == "KEP Template"}
    assert len(titled) == 6
    assert {line.split(":")[0] for line in findings if " SK705 title is 'KEP Template'" in line} == titled
