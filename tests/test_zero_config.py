"""Zero configuration on spec repos laid out as real ones are
(tests/fixtures/repos/zero-*, no config file in any): templates with other
names, trackers other than blueprints, index pages, and each repo's own
line gate. Each gives no finding its own gate would not give."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from speckeeper.config.detect import detect

from .conftest import FIXTURES, speckeeper
from .test_repo_layouts import copy

REPOS = FIXTURES / "repos"
ZERO = sorted(path.name for path in REPOS.glob("zero-*"))


def test_the_zero_config_repos_have_no_config_file() -> None:
    assert ZERO
    for name in ZERO:
        assert not (REPOS / name / ".speckeeper.toml").exists() and not (REPOS / name / "pyproject.toml").exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # neutron: bugs, specs/template.rst and an older specs/newton/template.rst,
        # index pages and a postmortem template beside the specs, nova's line test.
        ("zero-bugs-release-templates", []),
        # cinder: doc8 --ignore D001 in tox.ini, so long lines pass; zed_idx.rst.
        ("zero-doc8-no-line-length", []),
        # keystone: [doc8] max-line-length = 99 in setup.cfg; a bug link.
        (
            "zero-doc8-section",
            ["specs/zed/too-long-for-the-gate.rst:29:100: SK201 line is 115 characters long, expected at most 99"],
        ),
        # starlingx: specs/STX_Example_Spec.rst, storyboard, 2019.03, doc8 hook with 110.
        ("zero-example-spec-storyboard", []),
    ],
)
def test_zero_config_repos_get_only_their_own_gates_findings(
    name: str, expected: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    copy(name, tmp_path, monkeypatch)
    ran = speckeeper(capsys, "check", "--quiet")
    assert ran.out == expected
    assert ran.code == (1 if expected else 0)


def test_a_release_folder_with_its_own_template_is_judged_by_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """newton's spec keeps newton's "Usage"; today's template would want "Use Cases"."""
    repo = copy("zero-bugs-release-templates", tmp_path, monkeypatch)
    (repo / "specs/newton/template.rst").unlink()
    ran = speckeeper(capsys, "check", "--quiet")
    assert ran.code == 1 and ran.out[0].startswith("specs/newton/old-feature.rst:")
    assert all("specs/newton/old-feature.rst" in line for line in ran.out)


def test_the_tracker_and_project_come_from_every_kind_the_template_shows(in_tmp: Path) -> None:
    (in_tmp / "specs/zed").mkdir(parents=True)
    (in_tmp / "specs/template.rst").write_text(
        "Title\n=====\n\nhttps://bugs.launchpad.net/ironic/+bug/XXXXXXX\n\n"
        "or https://storyboard.openstack.org/#!/story/XXXXXXX\n\nProblem description\n===================\n",
        encoding="utf-8",
    )
    table = detect(in_tmp).table
    assert table["tracker_urls"] == [
        "https://bugs.launchpad.net/{project}/+bug/{id}",
        "https://storyboard.openstack.org/#!/story/{id}",
    ]
    assert table["project"] == "ironic"


def test_a_template_naming_no_project_never_gets_novas(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A template with no example URL: a spec's blueprint of its own
    project is not "expected nova"."""
    shutil.copytree(REPOS / "zero-example-spec-storyboard" / "specs", in_tmp / "specs")
    template = in_tmp / "specs/STX_Example_Spec.rst"
    template.write_text(template.read_text(encoding="utf-8").replace("https://storyboard.openstack.org/#!/story/2001234", "Name your story here."), encoding="utf-8")
    spec = in_tmp / "specs/2019.03/approved/docker-registry.rst"
    text = spec.read_text(encoding="utf-8")
    url = "https://blueprints.launchpad.net/starlingx/+spec/docker-registry"
    spec.write_text(text.replace("https://storyboard.openstack.org/#!/story/2002840", url), encoding="utf-8")
    assert detect(in_tmp).table["project"] == ""
    assert speckeeper(capsys, "check", "--quiet").out == []
    spec.write_text(text.replace("https://storyboard.openstack.org/#!/story/2002840", url.replace("docker-registry", "other")), encoding="utf-8")
    # The control: the tracker rules still run.
    assert speckeeper(capsys, "check", "--quiet").out == [
        'specs/2019.03/approved/docker-registry.rst:11:1: SK303 tracker URL names "other", expected "docker-registry"'
        " as the file name is (rename one of them)"
    ]


def test_with_no_line_gate_long_lines_are_not_reported(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(REPOS / "zero-doc8-no-line-length" / "specs", in_tmp / "specs")
    assert speckeeper(capsys, "check", "--quiet").out == []
    # The control: a gate that measures lines (doc8 in tox.ini, its default 79).
    (in_tmp / "tox.ini").write_text("[testenv]\ncommands = doc8 specs\n", encoding="utf-8")
    ran = speckeeper(capsys, "check", "--quiet")
    assert ran.out == ["specs/zed/long-lines.rst:29:80: SK201 line is 101 characters long, expected at most 79"]


@pytest.mark.parametrize(
    "text",
    [
        # A billion laughs: aliases of aliases.
        "a: &a [doc8, doc8, doc8]\n" + "".join(f"b{i}: &b{i} [*{'a' if i == 0 else f'b{i - 1}'}, *{'a' if i == 0 else f'b{i - 1}'}]\n" for i in range(80)),
        # Nested far deeper than any configuration.
        "repos: " + "[" * 5000 + "doc8" + "]" * 5000 + "\n",
        "repos: [doc8\n",
        "\x00doc8",
    ],
    ids=["aliases", "deep", "broken", "binary"],
)
def test_a_hostile_pre_commit_config_is_not_a_gate_and_no_error(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    shutil.copytree(REPOS / "zero-doc8-no-line-length" / "specs", in_tmp / "specs")
    (in_tmp / ".pre-commit-config.yaml").write_text(text, encoding="utf-8")
    started = time.monotonic()
    ran = speckeeper(capsys, "check", "--show-settings")
    assert ran.code == 0 and time.monotonic() - started < 30
    assert "  line gate: none (no doc8 in tox.ini, setup.cfg or .pre-commit-config.yaml, no line test): long lines not reported" in ran.out


def test_show_settings_says_where_each_value_came_from(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(REPOS / "zero-doc8-section" / "specs", in_tmp / "specs")
    (in_tmp / "setup.cfg").write_text("[doc8]\nmax-line-length = 99\n", encoding="utf-8")
    ran = speckeeper(capsys, "check", "--show-settings")
    assert "  line gate: setup.cfg [doc8]: line length 99" in ran.out
    assert "  line-length = 99  (read off the tree)" in ran.out
    assert "  project = \"keystone\"  (read off the tree)" in ran.out
    assert "  template-depth = 2  (default)" in ran.out
    (in_tmp / ".speckeeper.toml").write_text("line-length = 120\n", encoding="utf-8")
    ran = speckeeper(capsys, "check", "--show-settings")
    assert "  line-length = 120  (from .speckeeper.toml)" in ran.out
    assert "  project = \"nova\"  (default)" in ran.out


def test_a_doc8_run_over_other_documents_is_not_the_specs_gate(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(REPOS / "zero-doc8-no-line-length" / "specs", in_tmp / "specs")
    (in_tmp / "tox.ini").write_text(
        "[testenv:docs]\ncommands =\n  doc8 --max-line-length 99 README.rst releasenotes/\n", encoding="utf-8"
    )
    assert speckeeper(capsys, "check", "--quiet").out == []
    (in_tmp / "tox.ini").write_text("[testenv:docs]\ncommands =\n  doc8 --max-line-length 99 {toxinidir}/specs\n", encoding="utf-8")
    ran = speckeeper(capsys, "check", "--quiet")
    assert ran.out == ["specs/zed/long-lines.rst:29:100: SK201 line is 101 characters long, expected at most 99"]


@pytest.mark.parametrize("name", ["specs/template{oops}.rst", "specs/{zed}/template.rst", "specs/Bad\nExample_Spec.rst"])
def test_a_template_name_that_would_be_a_pattern_is_not_taken(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """A committed file name must not make every check a configuration error."""
    shutil.copytree(REPOS / "zero-doc8-no-line-length" / "specs", in_tmp / "specs")
    template = in_tmp / "specs/template.rst"
    (in_tmp / name).parent.mkdir(exist_ok=True)
    (in_tmp / name).write_bytes(template.read_bytes())
    template.unlink()
    ran = speckeeper(capsys, "check", "--show-settings")
    assert ran.code == 0, ran.err


@pytest.mark.parametrize("hook", ["speckeeper", "speckeeper-check-fix", "speckeeper-lines", "speckeeper-fix"])
def test_speckeepers_own_line_hooks_in_pre_commit_are_the_line_gate(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], hook: str
) -> None:
    shutil.copytree(REPOS / "zero-doc8-no-line-length" / "specs", in_tmp / "specs")
    (in_tmp / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: https://example.org/speckeeper\n    rev: v1\n    hooks:\n      - id: {hook}\n", encoding="utf-8"
    )
    ran = speckeeper(capsys, "check", "--quiet")
    assert ran.out == ["specs/zed/long-lines.rst:29:80: SK201 line is 101 characters long, expected at most 79"]
