"""Configuration: found on its own, every repo difference a key, bad
config one clear error and exit 2."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from speckeeper.cli import main
from speckeeper.config.settings import ConfigError, discover, load_file

from .conftest import FIXTURES, REPO, speckeeper_bounded

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_no_config_means_the_packaged_defaults(in_tmp: Path) -> None:
    config = discover(in_tmp)
    assert config.source is None
    assert config.base.template == ""
    assert config.for_path("specs/zed/approved/x.rst").optional_sections == ("History", "Feature Liaison")


def test_pyproject_counts_only_with_a_tool_table(in_tmp: Path) -> None:
    write(in_tmp / "pyproject.toml", "[project]\nname = 'x'\n")
    assert discover(in_tmp / "specs").source is None
    write(in_tmp / "pyproject.toml", "[tool.speckeeper]\nallowed-sections = ['Rollout']\n")
    config = discover(in_tmp / "specs")
    assert config.source == in_tmp / "pyproject.toml"
    assert config.base.allowed_sections == ("Rollout",)


def test_speckeeper_toml_wins_in_its_folder(in_tmp: Path) -> None:
    write(in_tmp / "pyproject.toml", "[tool.speckeeper]\nignore = ['SK101']\n")
    write(in_tmp / ".speckeeper.toml", "ignore = ['SK102']\n")
    assert discover(in_tmp).base.ignore == ("SK102",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("templat = 'x.rst'\n", "unknown key 'templat'"),
        ("template = 'missing.rst'\n", "template file not found: missing.rst"),
        ("allow-extra-subsections = 'yes'\n", "allow-extra-subsections must be true or false, got 'yes'"),
        ("optional-sections = [1]\n", "optional-sections must be a list of strings, got [1]"),
        ("ignore = ['SK999']\n", "unknown rule code 'SK999'"),
        ("[[overrides]]\nignore = ['SK101']\n", "overrides #1: each override needs a 'paths' list"),
        ("[[overrides]]\npaths = ['x']\nlayout = 'y'\n", "overrides #1: unknown key 'layout'"),
        ("template = \n", "not valid TOML"),
    ],
)
def test_bad_config_is_one_clear_error_and_exit_2(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    write(in_tmp / ".speckeeper.toml", text)
    write(in_tmp / "x.rst", GOOD)
    assert main(["check", "x.rst"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("speckeeper: error: ") and message in err
    assert len(err.splitlines()) == 1


def test_template_that_does_not_parse_is_exit_2(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp / "bad-template.rst", "Title\n=====\n\nNo sections at all.\n")
    write(in_tmp / ".speckeeper.toml", "template = 'bad-template.rst'\n")
    write(in_tmp / "x.rst", GOOD)
    assert main(["check", "x.rst"]) == 2
    assert capsys.readouterr().err == (
        f"speckeeper: error: {in_tmp / 'bad-template.rst'}: template has no sections under its title\n"
    )


# A repo with one template for all releases, Title Case titles and a backlog
# where only two sections are required: configuration only.
TITLE_CASE_TEMPLATE = """\
=============
Example Title
=============

Problem Description
===================

What is wrong.

Proposed Change
===============

What to do.

Alternatives
------------

What else.

Security Impact
===============

Risks.

Testing
=======

How.
"""


def test_another_repos_shape_is_configuration_only(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp / "specs" / "template.rst", TITLE_CASE_TEMPLATE)
    write(
        in_tmp / ".speckeeper.toml",
        'template = "specs/template.rst"\n'
        'optional-sections = []\n'
        'allowed-sections = ["Upgrade Impact"]\n'
        "[[overrides]]\n"
        'paths = ["specs/backlog/**"]\n'
        'required-sections = ["Problem Description", "Proposed Change"]\n',
    )
    full = TITLE_CASE_TEMPLATE.replace("Example Title", "A Real Spec!!")
    write(in_tmp / "specs" / "zed" / "approved" / "real.rst", full)
    old = full + "\nUpgrade Impact\n==============\n\nNone.\n"
    write(in_tmp / "specs" / "zed" / "implemented" / "old.rst", old)
    draft = full.split("Security Impact")[0]
    write(in_tmp / "specs" / "backlog" / "approved" / "draft.rst", draft)
    assert main(["check", "specs"]) == 0, capsys.readouterr().out
    # The same draft outside the backlog is missing sections.
    write(in_tmp / "specs" / "zed" / "approved" / "draft.rst", draft)
    assert main(["check", "specs"]) == 1
    out = capsys.readouterr().out
    assert 'specs/zed/approved/draft.rst:' in out and 'SK101 missing section "Security Impact"' in out
    assert "backlog" not in out


def test_per_release_template_pattern(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp / "specs" / "old-template.rst", TITLE_CASE_TEMPLATE.split("Security Impact")[0])
    write(in_tmp / "specs" / "new-template.rst", TITLE_CASE_TEMPLATE)
    write(in_tmp / ".speckeeper.toml", 'template = "specs/{release}-template.rst"\noptional-sections = []\n')
    short = TITLE_CASE_TEMPLATE.split("Security Impact")[0]
    write(in_tmp / "specs" / "old" / "approved" / "a.rst", short)
    assert main(["check", "specs"]) == 0
    write(in_tmp / "specs" / "new" / "approved" / "a.rst", short)
    assert main(["check", "specs"]) == 1
    assert "specs/new/approved/a.rst" in capsys.readouterr().out
    write(in_tmp / "specs" / "gone" / "approved" / "a.rst", short)
    assert main(["check", "specs/gone"]) == 1
    assert capsys.readouterr().out == (
        "specs/gone/approved/a.rst:1:1: SK003 no template for this spec: specs/gone-template.rst does not exist\n"
    )


def test_named_config_file(in_tmp: Path) -> None:
    path = write(in_tmp / "elsewhere" / "conf.toml", "ignore = ['SK110']\n")
    assert load_file(path).base.ignore == ("SK110",)
    with pytest.raises(ConfigError, match="cannot read configuration"):
        load_file(in_tmp / "nope.toml")


# A config that cannot be used is an error, never the defaults in silence.


def one_error_line(err: str) -> str:
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1 and err.startswith("speckeeper: error: ")
    return err


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "pyproject.toml",
            "[tool.speckeeper]\nignore = ['SK101']\n\n[project]\nname = \n",
            "not valid TOML: Invalid value (at line 5, column 8)",
        ),
        ("pyproject.toml", "[tool]\nspeckeeper = 3\n", "tool.speckeeper must be a table ([tool.speckeeper]), got 3"),
        (".speckeeper.toml", "x = " + "[" * 5000 + "]" * 5000 + "\n", "not valid TOML: arrays or tables nested too deeply"),
        (".speckeeper.toml", "# padding\n" * 200_000, "configuration file is 2,000,000 bytes, over 1,000,000: not read"),
    ],
    ids=["pyproject-toml-error", "pyproject-not-a-table", "5000-deep", "over-a-megabyte"],
)
def test_a_config_that_cannot_be_had_is_exit_2_never_the_defaults(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, message: str
) -> None:
    write(in_tmp / name, text)
    write(in_tmp / "x.rst", GOOD)
    assert main(["check", "x.rst"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert one_error_line(err) == f"speckeeper: error: {in_tmp / name}: {message}\n"


def test_another_projects_broken_pyproject_does_not_hide_the_config_above(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(in_tmp / ".speckeeper.toml", "line-length = 20\n")
    write(in_tmp / "sub" / "pyproject.toml", "[project]\nname = \n")
    write(in_tmp / "sub" / "x.rst", GOOD)
    monkeypatch.chdir(in_tmp / "sub")
    assert main(["check", "x.rst", "--select", "SK201"]) == 1
    assert "x.rst:2:21: SK201 line is 72 characters long, expected at most 20" in capsys.readouterr().out.splitlines()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("named", [False, True], ids=["found", "--config"])
@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
def test_a_config_that_is_not_a_regular_file_is_exit_2(tmp_path: Path, named: bool, kind: str) -> None:
    """A FIFO would block the read for ever, /dev/zero fill memory."""
    config = tmp_path / ".speckeeper.toml"
    if kind == "fifo":
        os.mkfifo(config)
    else:
        config.symlink_to("/dev/zero")
    write(tmp_path / "x.rst", GOOD)
    done = speckeeper_bounded(tmp_path, "check", "x.rst", *(["--config", str(config)] if named else []))
    assert (done.returncode, done.stdout) == (2, "")
    assert one_error_line(done.stderr) == (
        f"speckeeper: error: {config}: cannot read configuration: not a regular file (a device, FIFO or socket)\n"
    )


def test_a_pyproject_whose_tool_is_not_a_table_is_another_projects(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp / "pyproject.toml", "tool = 1\n")
    write(in_tmp / "x.rst", GOOD)
    assert main(["check", "x.rst", "--select", "SK201"]) == 0
    assert capsys.readouterr().err == ""


# Patterns: parts speckeeper knows, each named once; a release pattern that
# runs in linear time; a layout that writes only plain folders.

KNOWN_LAYOUT = "(known: {project}, {release}, {slug}, {state})"
PLAIN = "must be a relative path of plain folder names (no '..', no hidden or version control folder)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "layout = 'specs/{release}/{release}/{slug}.rst'",
            "layout: {release} is named more than once in 'specs/{release}/{release}/{slug}.rst': name each part once",
        ),
        (
            "other-layouts = ['specs/{slug}/{slug}.rst']",
            "other-layouts: {slug} is named more than once in 'specs/{slug}/{slug}.rst': name each part once",
        ),
        (
            "tracker-urls = ['https://x/{slug}/{id}/{slug}']",
            "tracker-urls: {slug} is named more than once in 'https://x/{slug}/{id}/{slug}': name each part once",
        ),
        (
            "[[overrides]]\npaths = ['x/**']\ntracker-urls = ['https://x/{id}/{id}']",
            "tracker-urls: {id} is named more than once in 'https://x/{id}/{id}': name each part once",
        ),
        (
            "layout = 'specs/{releases}/{slug}.rst'",
            "layout: unknown part {releases} in 'specs/{releases}/{slug}.rst' (did you mean {release}? known:"
            " {project}, {release}, {slug}, {state})",
        ),
        (
            "template = 'specs/{release}/{projet}.rst'",
            "template: unknown part {projet} in 'specs/{release}/{projet}.rst' (did you mean {project}? known:"
            " {project}, {release})",
        ),
        ("other-layouts = ['{specs_dir}/{slug}.rst']", f"other-layouts: unknown part {{specs_dir}} in '{{specs_dir}}/{{slug}}.rst' {KNOWN_LAYOUT}"),
        ("layout = '.git/hooks/{slug}'", f"layout {PLAIN}, got '.git/hooks/{{slug}}'"),
        ("layout = '../outside/{slug}.rst'", f"layout {PLAIN}, got '../outside/{{slug}}.rst'"),
        ("layout = '/etc/{slug}.rst'", f"layout {PLAIN}, got '/etc/{{slug}}.rst'"),
        ("layout = 'specs/CVS/{slug}.rst'", f"layout {PLAIN}, got 'specs/CVS/{{slug}}.rst'"),
        ("layout = 'specs//{slug}.rst'", f"layout {PLAIN}, got 'specs//{{slug}}.rst'"),
        (
            "release-pattern = '(?=[a-z])\\w+'",
            "release-pattern '(?=[a-z])\\\\w+' uses a feature that cannot run in linear time (RE2: invalid perl operator: (?=)",
        ),
        (
            "release-pattern = '(a)\\1'",
            "release-pattern '(a)\\\\1' uses a feature that cannot run in linear time (RE2: invalid escape sequence: \\1)",
        ),
    ],
    ids=[
        "layout-repeated",
        "other-layouts-repeated",
        "tracker-urls-repeated",
        "override-tracker-urls-repeated",
        "layout-unknown",
        "template-unknown",
        "other-layouts-unknown",
        "layout-in-git",
        "layout-up",
        "layout-absolute",
        "layout-in-cvs",
        "layout-empty-folder",
        "release-pattern-lookahead",
        "release-pattern-backreference",
    ],
)
def test_a_pattern_that_cannot_be_used_is_exit_2(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    write(in_tmp / ".speckeeper.toml", text + "\n")
    write(in_tmp / "specs/zed/approved/x.rst", GOOD)
    assert main(["check", "specs"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert one_error_line(err) == f"speckeeper: error: {in_tmp / '.speckeeper.toml'}: {message}\n"


def test_a_layout_of_another_shape_still_finds_a_specs_parts(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Compiled by RE2 (not one of the defaults), a layout still names parts."""
    write(in_tmp / ".speckeeper.toml", "layout = 'doc/{release}-{state}/{slug}.rst'\nstates = ['approved']\n")
    write(in_tmp / "doc/zed-approved/awesome-thing.rst", GOOD)
    write(in_tmp / "doc/zed-proposed/awesome-thing.rst", GOOD)
    assert main(["check", "doc", "--select", "SK306"]) == 1
    assert capsys.readouterr().out == (
        'doc/zed-proposed/awesome-thing.rst:1:1: SK306 spec is in folder "proposed", expected a state folder: approved\n'
    )


def test_every_key_is_documented_shown_and_read_alike(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One declaration makes the reference, --show-settings and the loader:
    they name the same keys, in the same order, and the keys the reference
    says [[overrides]] may set are the ones an override accepts."""
    reference = (REPO / "docs" / "configuration-reference.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z-]+)` \|(.*)$", reference, re.MULTILINE)
    documented = [name for name, _ in rows]
    overridable = [name for name, row in rows if "(also in `[[overrides]]`)" in row]
    write(in_tmp / "x.rst", GOOD)
    assert main(["check", "--show-settings", "x.rst"]) == 0
    shown = re.findall(r"^  ([a-z-]+) = .*  \(default\)$", capsys.readouterr().out, re.MULTILINE)
    assert shown == documented and len(documented) > 30

    def known(text: str) -> list[str]:
        write(in_tmp / ".speckeeper.toml", text)
        assert main(["check", "x.rst"]) == 2
        return capsys.readouterr().err.rstrip(")\n").split("(known keys: ")[1].split(", ")

    assert known("bogus = 1\n") == sorted(documented)
    assert known("[[overrides]]\npaths = ['x']\nbogus = 1\n") == sorted(overridable)


def test_each_key_has_its_fields_type_as_typing_reads_it() -> None:
    """The loader reads a value by its key's type: the one Python's
    typing finds for the field (evaluated once an annotation, on import)."""
    import typing

    from speckeeper.config.settings import KEYS, Settings

    hints = typing.get_type_hints(Settings)
    assert {name: item.annotation for name, item in KEYS.items()} == hints


GLOB_PARTS = ["*", "?", "[ab]", "[!a]", "**", "a", "b", ".rst", "-", "/", "specs", "x"]


def _one_glob_at_a_time(relpath: str, patterns: tuple[str, ...]) -> bool:
    """What ``exclude`` and ``[[overrides]] paths`` say, a glob at a time."""
    import fnmatch

    name = relpath.rsplit("/", 1)[-1]
    return any(
        fnmatch.fnmatchcase(relpath if "/" in glob else name, glob)
        or (glob.endswith("/**") and (relpath + "/").startswith(glob[:-2]))
        for glob in patterns
    )


@given(
    patterns=st.lists(st.lists(st.sampled_from(GLOB_PARTS), max_size=5).map("".join), max_size=4).map(tuple),
    relpath=st.lists(st.sampled_from(["specs", "a", "b.rst", "x", "ab", "-", "zed", "approved"]), min_size=1, max_size=4).map("/".join),
)
def test_paths_match_globs_as_fnmatch_matches_each(patterns: tuple[str, ...], relpath: str) -> None:
    from speckeeper.config.settings import matches

    assert matches(relpath, patterns) == _one_glob_at_a_time(relpath, patterns)
