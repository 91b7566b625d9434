"""The template loader: the single source of a spec's structure."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from speckeeper.cli import main
from speckeeper.config import ConfigError
from speckeeper.document.rst.parse import RstParser
from speckeeper.template import load, packaged_path

from .conftest import FIXTURES, speckeeper

GOOD_SPEC = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")

TEMPLATE_TEXT = packaged_path().read_text(encoding="utf-8")


def outline(path: Path) -> list[tuple[int, str]]:
    return [(s.level, s.title) for s in load(path, RstParser()).all_sections()]


def test_packaged_template_is_novas_current_one(corpus: Path) -> None:
    assert packaged_path().read_bytes() == (corpus / "specs" / "2027.1-template.rst").read_bytes()


def test_packaged_template_outline() -> None:
    template = load(packaged_path(), RstParser())
    assert template.title == "Example Spec - The title of your blueprint"
    assert [s.title for s in template.sections] == [
        "Problem description",
        "Proposed change",
        "Implementation",
        "Dependencies",
        "Testing",
        "Documentation Impact",
        "References",
        "History",
    ]
    assert [c.title for c in template.sections[2].children] == ["Assignee(s)", "Feature Liaison", "Work Items"]
    assert template.sections[0].children[0].guidance.startswith("What use cases does this address?")
    assert template.sections[0].guidance == (
        "A detailed description of the problem. What problem is this blueprint\naddressing?"
    )


def test_git_symlinks_checked_out_as_files_are_followed(corpus: Path) -> None:
    """nova keeps release-folder templates as symlinks; without symlink
    support git writes the target path into a plain file."""
    link = corpus / "specs" / "backlog-template.rst"
    assert outline(link) == outline(corpus / "specs" / "2027.1-template.rst")


def test_a_template_that_does_not_parse_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "t.rst"
    bad.write_text("Title\n=====\n\nOne\n---\n\nTwo\n---\n\n.. nosuch:: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"t.rst:10: template does not parse: Unknown directive type"):
        load(bad, RstParser())


# A template is read as a spec is: bounded, and from inside the repository.


def _repo_with_template(root: Path, template: str, text: str | None = None, extra: str = "") -> Path:
    """A repository (with ``.git``) whose config names ``template``, and a
    good spec in it; the template file written with ``text`` if given."""
    (root / ".git").mkdir(parents=True, exist_ok=True)
    (root / ".speckeeper.toml").write_text(f"template = {template!r}\n{extra}", encoding="utf-8")
    shutil.copy(FIXTURES / "good-spec.rst", root / "spec.rst")
    if text is not None:
        (root / template).parent.mkdir(parents=True, exist_ok=True)
        (root / template).write_text(text, encoding="utf-8")
    return root


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    """The one line a configuration error prints; nothing on stdout."""
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1, (out, err)
    return err


def test_a_template_over_max_bytes_is_a_configuration_error(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = TEMPLATE_TEXT + "\n..\n" + "   padding\n" * 2_000
    _repo_with_template(in_tmp, "template.rst", text, "max-bytes = 30000\n")
    assert main(["check", "spec.rst"]) == 2
    err = _error(capsys)
    assert err.startswith("speckeeper: error: ") and "template.rst: cannot read template: file is " in err
    assert err.endswith("larger than the limit of 30,000 (max-bytes)\n")


def test_a_template_with_too_many_sections_is_a_configuration_error(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """docutils' parse time grows with the square of the sections: 20,000
    took 40 s. The default max-sections (1,000) applies."""
    text = TEMPLATE_TEXT + "".join(f"\nMore {n}\n{'-' * 10}\n\nNone\n" for n in range(2_000))
    _repo_with_template(in_tmp, "template.rst", text)
    assert main(["check", "spec.rst"]) == 2
    err = _error(capsys)
    assert "template.rst: cannot read template: " in err
    assert err.endswith("title adornments, more than the limit of 1,000 (max-sections)\n")


def test_a_git_symlink_is_followed_within_the_same_bounds(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _repo_with_template(in_tmp, "specs/zed-template.rst", "big-template.rst\n", "max-bytes = 30000\n")
    (in_tmp / "specs" / "big-template.rst").write_text(TEMPLATE_TEXT + "\n..\n" + "   padding\n" * 2_000, encoding="utf-8")
    assert main(["check", "spec.rst"]) == 2
    assert "big-template.rst: cannot read template: file is " in _error(capsys)


SECRET_TEMPLATE = "=====\nTitle\n=====\n\nTOKEN=secret\n============\n\nNone\n\nTwo\n===\n\nNone\n"


def _outside(root: Path) -> Path:
    outside = root / "outside" / "x.rst"
    outside.parent.mkdir()
    outside.write_text(SECRET_TEMPLATE, encoding="utf-8")
    return outside


def _relative_path_out(root: Path) -> str:
    _outside(root)
    return "../outside/x.rst"


def _absolute_path(root: Path) -> str:
    return str(_outside(root))


def _symlink_out(root: Path) -> str:
    (root / "repo" / "specs").mkdir(parents=True)
    (root / "repo" / "specs" / "template.rst").symlink_to(_outside(root))
    return "specs/template.rst"


def _git_symlink_out(root: Path) -> str:
    _outside(root)
    (root / "repo" / "specs").mkdir(parents=True)
    (root / "repo" / "specs" / "template.rst").write_text("../../outside/x.rst\n", encoding="utf-8")
    return "specs/template.rst"


def _in_the_git_folder(root: Path) -> str:
    (root / "repo" / ".git").mkdir(parents=True)
    (root / "repo" / ".git" / "x.rst").write_text(SECRET_TEMPLATE, encoding="utf-8")
    return ".git/x.rst"


@pytest.mark.parametrize("where", [_relative_path_out, _absolute_path, _symlink_out, _git_symlink_out, _in_the_git_folder])
def test_a_template_outside_the_repository_is_not_read(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], where: Callable[[Path], str]
) -> None:
    """Its titles would be printed in findings (SK101 missing section
    "TOKEN=secret"): a template resolves inside the repository, outside
    its version control folder."""
    name = where(in_tmp)
    monkeypatch.chdir(_repo_with_template(in_tmp / "repo", name))
    assert main(["check", "spec.rst", "--extend-select", "SK"]) == 2
    err = _error(capsys)
    assert "TOKEN" not in err and ("outside the repository" in err or "version control folder" in err)


PACKAGED_TEXT = packaged_path().read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("setting", "error"),
    [
        (
            'optional-sections = ["Feature Liasion"]',
            'optional-sections: "Feature Liasion" is not a section of the template: did you mean "Feature Liaison"?',
        ),
        (
            'optional-sections = ["Problem description/Use cases"]',
            'optional-sections: "Problem description/Use cases" is not a section of the template:'
            ' did you mean "Problem description/Use Cases"?',
        ),
        (
            'required-sections = ["Use Cases"]',
            'required-sections: "Use Cases" is not a top-level section of the template: it is a subsection of'
            ' "Problem description" (required-sections names top-level sections)',
        ),
        (
            'allow-extra-subsections = ["Proposed Change"]',
            'allow-extra-subsections: "Proposed Change" is not a section of the template: did you mean "Proposed change"?',
        ),
        (
            'allowed-sections = ["proposed change"]',
            'allowed-sections: "proposed change" is the template\'s section "Proposed change" in other letters:'
            " write it as the template does, or leave it out",
        ),
    ],
)
def test_a_section_no_template_has_is_a_configuration_error(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], setting: str, error: str
) -> None:
    """Misspelt, a name would silently change nothing: exit 2, the nearest title."""
    (in_tmp / ".speckeeper.toml").write_text(setting + "\n", encoding="utf-8")
    (in_tmp / "spec.rst").write_text(GOOD_SPEC, encoding="utf-8")
    ran = speckeeper(capsys, "check", "spec.rst")
    assert (ran.code, ran.out) == (2, [])
    assert ran.err == [f"speckeeper: error: {in_tmp / '.speckeeper.toml'}: {error}"]


def test_a_section_of_another_releases_template_is_a_name_the_config_may_use(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """nova's "Feature Liaison" is newer than its older templates."""
    (in_tmp / ".speckeeper.toml").write_text(
        'template = "specs/{release}-template.rst"\noptional-sections = ["Feature Liaison"]\n', encoding="utf-8"
    )
    old = PACKAGED_TEXT.replace("Feature Liaison\n---------------\n", "Feature Contact\n---------------\n")
    (in_tmp / "specs/rocky/approved").mkdir(parents=True)
    (in_tmp / "specs/rocky-template.rst").write_text(old, encoding="utf-8")
    (in_tmp / "specs/zed-template.rst").write_text(PACKAGED_TEXT, encoding="utf-8")
    spec = GOOD_SPEC.replace("Feature Liaison\n---------------\n", "Feature Contact\n---------------\n")
    (in_tmp / "specs/rocky/approved/awesome-thing.rst").write_text(spec, encoding="utf-8")
    ran = speckeeper(capsys, "check", "--select", "SK1", "specs/rocky/approved/awesome-thing.rst")
    assert (ran.code, ran.out, ran.err) == (0, [], [])
    (in_tmp / "specs/zed-template.rst").unlink()
    ran = speckeeper(capsys, "check", "--select", "SK1", "specs/rocky/approved/awesome-thing.rst")
    assert ran.code == 2
    assert ran.err[0].endswith('optional-sections: "Feature Liaison" is not a section of the template: did you mean "Feature Contact"?')


# The packaged template with a note and an index entry before its title,
# as some repos open theirs: Sphinx takes its first title for the title.
NOTE_FIRST = TEMPLATE_TEXT.replace(
    "\n====", "\n.. note::\n\n   Copy this file to the release folder.\n\n.. index::\n   single: template\n\n====", 1
)


def test_a_template_whose_title_follows_a_note_and_an_index_is_read_from_that_title(tmp_path: Path) -> None:
    plain, noted = tmp_path / "plain.rst", tmp_path / "noted.rst"
    plain.write_text(TEMPLATE_TEXT, encoding="utf-8")
    noted.write_text(NOTE_FIRST, encoding="utf-8")
    assert NOTE_FIRST.index(".. note::") < NOTE_FIRST.index("Example Spec - The title of your blueprint")
    one, other = load(plain, RstParser()), load(noted, RstParser())
    assert (other.title, outline(noted), other.urls) == (one.title, outline(plain), one.urls)


def test_a_spec_of_a_template_whose_title_follows_a_note_is_checked_against_its_sections(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _repo_with_template(in_tmp, "template.rst", NOTE_FIRST)
    ran = speckeeper(capsys, "check", "spec.rst")
    assert (ran.code, ran.out) == (0, [])


def test_a_template_that_is_not_one_title_over_its_sections_is_exit_2_naming_the_line(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = ".. note:: Copy this file.\n\nThe title\n=========\n\nProblem description\n===================\n\nWhat.\n"
    _repo_with_template(in_tmp, "template.rst", text)
    assert main(["check", "spec.rst"]) == 2
    assert _error(capsys) == (
        f'speckeeper: error: {in_tmp / "template.rst"}:6: template is not one title over its sections: "Problem'
        ' description" is at the level of its first title, "The title" (line 3); expected one title above them\n'
    )
