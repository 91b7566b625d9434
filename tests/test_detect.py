"""Zero configuration: what a spec repo without a .speckeeper.toml is
checked as, read off its tree (templates, project, layout), and what
`check --show-settings` says of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from speckeeper.config.detect import detect

from .conftest import FIXTURES, speckeeper

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
TEMPLATE = (FIXTURES / "rules" / "template.rst").read_text(encoding="utf-8")
# A spec whole against the small template of tests/fixtures/rules.
SMALL = (FIXTURES / "rules" / "specs" / "2027.1" / "approved" / "sk207-missing-final-newline.rst").read_text(encoding="utf-8")


def write(root: Path, files: dict[str, str]) -> None:
    for relpath, text in files.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(text, encoding="utf-8")


def small_spec(slug: str, project: str = "nova") -> str:
    """A spec whole against the small template, named ``slug``."""
    text = SMALL.split(".. expect:")[0].rstrip("\n") + "\n"
    return text.replace("+spec/sk207-missing-final-newline", f"+spec/{slug}").replace("/nova/", f"/{project}/")


def test_each_release_is_judged_by_its_own_template(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """nova keeps specs/<release>-template.rst: an old release's spec is
    not judged by today's packaged template."""
    write(in_tmp, {
        "specs/juno-template.rst": TEMPLATE,
        "specs/2027.1-template.rst": (FIXTURES.parent.parent / "hooks/speckeeper/templates/nova.rst").read_text(encoding="utf-8"),
        "specs/juno/approved/old-thing.rst": small_spec("old-thing"),
        "specs/2027.1/approved/awesome-thing.rst": GOOD,
    })
    assert speckeeper(capsys, "check").code == 0
    # The control: judged by the packaged template, the juno spec fails.
    write(in_tmp, {".speckeeper.toml": ""})
    ran = speckeeper(capsys, "check")
    assert ran.code == 1 and all("specs/juno/approved/old-thing.rst" in line for line in ran.out)


@pytest.mark.parametrize(
    ("where", "setting"),
    [
        ("specs/templates/zed-template.rst", "specs/templates/{release}-template.rst"),
        ("specs/template.rst", "specs/template.rst"),
    ],
)
def test_templates_at_the_other_conventional_paths(in_tmp: Path, where: str, setting: str) -> None:
    write(in_tmp, {where: TEMPLATE.replace("/nova/", "/cinder/"), "specs/zed/approved/x.rst": small_spec("x", "cinder")})
    found = detect(in_tmp)
    assert found.table["template"] == setting and found.table["project"] == "cinder"


def test_the_project_comes_from_the_templates_example_url(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, {
        "specs/template.rst": TEMPLATE.replace("/nova/", "/cinder/"),
        "specs/zed/approved/right.rst": small_spec("right", "cinder"),
        "specs/zed/approved/wrong.rst": small_spec("wrong", "nova"),
    })
    ran = speckeeper(capsys, "check")
    assert ran.out == ['specs/zed/approved/wrong.rst:11:1: SK304 tracker URL names project "nova", expected "cinder"']


@pytest.mark.parametrize(
    ("tree", "layout"),
    [
        (["specs/zed/approved/a.rst", "specs/zed/implemented/b.rst"], "specs/{release}/{state}/{slug}.rst"),
        (["specs/zed/a.rst", "specs/2027.1/b.rst"], "specs/{release}/{slug}.rst"),
        (["specs/approved/a.rst", "specs/implemented/b.rst"], "specs/{state}/{slug}.rst"),
    ],
    ids=["release-state", "release", "state"],
)
def test_the_layout_comes_from_where_specs_lie(in_tmp: Path, capsys: pytest.CaptureFixture[str], tree: list[str], layout: str) -> None:
    write(in_tmp, {"specs/template.rst": TEMPLATE, **{path: small_spec(Path(path).stem) for path in tree}})
    assert detect(in_tmp).table.get("layout", "specs/{release}/{state}/{slug}.rst") == layout
    assert speckeeper(capsys, "check").code == 0


def test_check_with_no_path_checks_the_specs_folder_only(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What an upstream spec repo holds besides specs: none of it is a spec."""
    (in_tmp / ".git").mkdir()
    write(in_tmp, {
        "README.rst": "nova-specs\n==========\n",
        "CONTRIBUTING.rst": "Contributing\n============\n",
        "priorities/2027.1-priorities.rst": "Priorities\n==========\n",
        "doc/source/index.rst": "Index\n=====\n",
        "specs/2027.1/approved/awesome-thing.rst": GOOD,
    })
    (in_tmp / "doc/source/specs").symlink_to(Path("../../specs"))
    assert speckeeper(capsys, "check").code == 0
    (in_tmp / "doc").mkdir(exist_ok=True)
    # From a subfolder too: the repository's specs/, not the subfolder.
    ran = speckeeper(capsys, "check", "--show-settings")
    assert "  specs/2027.1/approved/awesome-thing.rst" not in ran.out  # Listed by template, not one by one.


def test_show_settings_says_what_was_read_off_the_tree(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, {"specs/zed-template.rst": TEMPLATE, "specs/zed/approved/a.rst": small_spec("a")})
    ran = speckeeper(capsys, "check", "--show-settings")
    assert ran.code == 0
    assert ran.out[:7] == [
        f"repository: {in_tmp.resolve()}",
        "configuration: none, read off the tree:",
        "  template: specs/{release}-template.rst",
        "  project: nova (from specs/zed-template.rst)",
        "  layout: specs/{release}/{state}/{slug}.rst",
        "  line gate: none (no doc8 in tox.ini, setup.cfg or .pre-commit-config.yaml, no line test): long lines not reported",
        "templates:",
    ]
    assert ran.out[7] == "  specs/zed-template.rst: 1 spec(s): specs/zed/approved/a.rst"
    assert ran.out[-1].startswith("rules: SK001, ")


def test_show_settings_names_the_configuration_file(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, {".speckeeper.toml": 'extend-select = ["SK106"]\n', "specs/zed/approved/a.rst": GOOD})
    ran = speckeeper(capsys, "check", "--show-settings")
    assert ran.out[1] == f"configuration: {in_tmp.resolve() / '.speckeeper.toml'}"
    assert ran.out[3] == "  the packaged nova template: 1 spec(s): specs/zed/approved/a.rst"
    assert "SK106" in ran.out[-1]


def test_messages_name_the_template_where_each_release_has_one(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, {
        "specs/zed-template.rst": TEMPLATE,
        "specs/zed/approved/a.rst": small_spec("a").replace("Use Cases\n---------\n", "Use cases\n---------\n"),
    })
    ran = speckeeper(capsys, "check")
    assert ran.out == [
        'specs/zed/approved/a.rst:20:1: SK104 title "Use cases" should be "Use Cases" as in the template specs/zed-template.rst'
    ]


def test_the_upstream_nova_specs_checkout_needs_no_configuration(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The corpus as upstream holds it (README, doc/source/specs linked to
    specs/, priorities), with no configuration: nothing reported outside
    specs/, nothing twice, and no structure finding a spec's own release
    template does not give it (but queens' "Upgrade impact", which nova's
    gate excuses in code: that belongs in nova's configuration)."""
    shutil.copytree(corpus / "specs", tmp_path / "specs")
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"README.rst": "nova-specs\n==========\n", "priorities/zed.rst": "Priorities\n==========\n"})
    (tmp_path / "doc/source").mkdir(parents=True)
    (tmp_path / "doc/source/specs").symlink_to(Path("../../specs"))
    monkeypatch.chdir(tmp_path)
    ran = speckeeper(capsys, "check")
    assert ran.code == 1
    assert all(line.startswith("specs/") for line in ran.out)
    assert len(ran.out) == len(set(ran.out))
    structure = [line for line in ran.out if " SK1" in line]
    assert structure and all("/queens/" in line and '"Upgrade impact"' in line for line in structure), structure[:5]
