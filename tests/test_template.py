"""The template loader: the single source of a spec's structure."""

from __future__ import annotations

from pathlib import Path

import pytest

from speckeeper.config import ConfigError
from speckeeper.parse import RstParser
from speckeeper.template import load, packaged_path


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


def test_a_loader_freezes_templates_only_when_a_run_says_so(tmp_path: Path) -> None:
    """Outside a run (a library user, an editor), a loaded template stays
    with the garbage collector; inside one, it is frozen with the imports."""
    import gc

    from speckeeper.config import from_table
    from speckeeper.template import TemplateLoader

    config = from_table({}, tmp_path, None)
    spec = "specs/2027.1/approved/a.rst"
    before = gc.get_freeze_count()
    TemplateLoader(config, RstParser()).for_spec(spec, config.base)
    assert gc.get_freeze_count() == before
    in_run = TemplateLoader(config, RstParser())
    in_run.freeze_loaded = True
    try:
        in_run.for_spec(spec, config.base)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
