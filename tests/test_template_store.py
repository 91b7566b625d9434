"""Parsed templates kept between runs: read back only when nothing they
depend on changed, and never a reason for a run to fail."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from speckeeper import template, template_store
from speckeeper.cli import main
from speckeeper.parse import RstParser
from speckeeper.template_store import TemplateStore

from .conftest import FIXTURES

TEMPLATE = template.packaged_path()


@pytest.fixture()
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


def _load(path: Path, store: TemplateStore) -> template.Template:
    return template.load(path, RstParser(), store)


def test_a_template_parsed_once_is_read_back_the_same(store_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "template.rst"
    shutil.copy(TEMPLATE, path)
    parsed = _load(path, TemplateStore(store_dir, ()))
    assert len(list(store_dir.iterdir())) == 1
    stored = TemplateStore(store_dir, ()).get(str(path), path.read_text(encoding="utf-8"))
    assert stored is not None and stored is not parsed
    assert stored == parsed


def test_a_changed_template_is_parsed_again(store_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "template.rst"
    shutil.copy(TEMPLATE, path)
    _load(path, TemplateStore(store_dir, ()))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Testing\n=======", "Tests\n====="), encoding="utf-8")
    changed = _load(path, TemplateStore(store_dir, ()))
    assert "Tests" in [s.title for s in changed.sections]
    assert "Testing" not in [s.title for s in changed.sections]


def test_another_parser_or_version_does_not_read_an_entry(store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "template.rst"
    shutil.copy(TEMPLATE, path)
    text = path.read_text(encoding="utf-8")
    _load(path, TemplateStore(store_dir, ()))
    assert TemplateStore(store_dir, (("needs",), ())).get(str(path), text) is None
    monkeypatch.setattr(template_store, "__version__", "99.0")
    assert TemplateStore(store_dir, ()).get(str(path), text) is None


def test_a_damaged_entry_is_a_miss_and_is_replaced(store_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "template.rst"
    shutil.copy(TEMPLATE, path)
    _load(path, TemplateStore(store_dir, ()))
    (entry,) = store_dir.iterdir()
    entry.write_bytes(entry.read_bytes()[:100])
    text = path.read_text(encoding="utf-8")
    assert TemplateStore(store_dir, ()).get(str(path), text) is None
    _load(path, TemplateStore(store_dir, ()))
    assert TemplateStore(store_dir, ()).get(str(path), text) is not None


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_folder_others_may_write_to_is_neither_read_nor_written(store_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "template.rst"
    shutil.copy(TEMPLATE, path)
    _load(path, TemplateStore(store_dir, ()))
    store_dir.chmod(0o777)
    assert TemplateStore(store_dir, ()).get(str(path), path.read_text(encoding="utf-8")) is None


def test_a_store_that_cannot_be_written_does_not_fail_the_check(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = in_tmp / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv(template_store.ENV, str(blocker))
    shutil.copy(FIXTURES / "good-spec.rst", in_tmp / "good-spec.rst")
    assert main(["check", "good-spec.rst"]) == 0
    assert capsys.readouterr().err == ""


def test_an_empty_setting_keeps_nothing(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(template_store.ENV, "")
    assert template_store.folder() is None
    shutil.copy(FIXTURES / "good-spec.rst", in_tmp / "good-spec.rst")
    assert main(["check", "good-spec.rst"]) == 0


def test_the_default_folder_is_the_user_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(template_store.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(template_store.sys, "platform", "linux")
    assert template_store.folder() == tmp_path / "speckeeper" / "templates"


def test_findings_are_the_same_from_a_stored_template(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(template_store.ENV, str(in_tmp / "store"))
    (in_tmp / ".speckeeper.toml").write_text('template = "template.rst"\n', encoding="utf-8")
    shutil.copy(TEMPLATE, in_tmp / "template.rst")
    spec = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
    (in_tmp / "spec.rst").write_text(spec.replace("Testing\n=======\n", "Tests\n=====\n"), encoding="utf-8")
    runs = []
    for _ in range(2):
        runs.append((main(["check", "spec.rst", "--extend-select", "SK"]), capsys.readouterr()))
    assert len(list((in_tmp / "store" / "templates").iterdir())) == 1
    assert runs[0] == runs[1]
    assert runs[0][0] == 1 and " SK101 " in runs[0][1].out and " SK103 " in runs[0][1].out
