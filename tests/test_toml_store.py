"""Configuration files' TOML kept between runs by their text: a run that
finds it reads JSON instead of importing the TOML reader, and reads exactly
what the file says, however it was edited since."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from speckeeper.config import settings
from speckeeper.errors import ConfigError
from speckeeper.files import usercache

pytestmark = pytest.mark.skipif(sys.version_info < (3, 11), reason="kept only where Python's own tomllib reads the file")

# Runs a check in a subprocess and says whether tomllib was imported.
DRIVER = """
import sys
from speckeeper.cli import main
code = main(sys.argv[1:])
print("tomllib" in sys.modules, code)
"""


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(usercache.ENV, str(folder))
    return folder


def _entries(cache: Path) -> list[Path]:
    folder = cache / settings.TOML_FOLDER
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".speckeeper.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_second_run_reads_the_kept_table_without_the_toml_reader(tmp_path: Path, cache: Path) -> None:
    _config(tmp_path, "line-length = 90\n")
    (tmp_path / "spec.rst").write_text("Title\n=====\n\n" + "x" * 85 + "\n", encoding="utf-8")
    runs = []
    for _ in range(2):
        done = subprocess.run(
            (sys.executable, "-c", DRIVER, "check", "--select", "SK201", "spec.rst"),
            cwd=tmp_path, capture_output=True, text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"},
        )  # fmt: skip
        runs.append(done.stdout.split())
    assert runs == [["True", "0"], ["False", "0"]]  # 85 columns pass a limit of 90, both times.
    assert len(_entries(cache)) == 1


def test_an_edited_file_is_read_afresh(tmp_path: Path, cache: Path) -> None:
    path = _config(tmp_path, "line-length = 90\n")
    assert settings.load_file(path).base.line_length == 90
    _config(tmp_path, "line-length = 100\n")
    assert settings.load_file(path).base.line_length == 100
    assert settings.load_file(path).base.line_length == 100
    assert len(_entries(cache)) == 2


def test_an_entry_for_another_text_or_not_a_table_is_a_miss(tmp_path: Path, cache: Path) -> None:
    path = _config(tmp_path, "line-length = 90\n")
    settings.load_file(path)
    [entry] = _entries(cache)
    stored = json.loads(entry.read_text())
    for tampered in ({**stored, "text": "line-length = 90\n# another\n"}, {**stored, "data": [1, 2]}, "not json at all"):
        entry.write_text(tampered if isinstance(tampered, str) else json.dumps(tampered))
        assert settings.load_file(path).base.line_length == 90
    assert settings.parsed_toml("line-length = 90\n") == {"line-length": 90}


def test_a_table_json_cannot_hold_is_read_each_time(tmp_path: Path, cache: Path) -> None:
    text = 'line-length = 90\n[metadata]\nsince = 2026-12-07\n'
    first = settings.parsed_toml(text)
    assert str(first["metadata"]["since"]) == "2026-12-07"
    assert _entries(cache) == []
    assert settings.parsed_toml(text) == first


def test_a_file_that_is_not_toml_says_so_every_run(tmp_path: Path, cache: Path) -> None:
    path = _config(tmp_path, "line-length = \n")
    messages = []
    for _ in range(2):
        with pytest.raises(ConfigError) as raised:
            settings.load_file(path)
        messages.append(str(raised.value))
    assert messages[0] == messages[1] and messages[0].startswith(f"{path}: not valid TOML: ")
    assert _entries(cache) == []


def test_nothing_is_kept_with_the_cache_folder_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(usercache.ENV, "")
    path = _config(tmp_path, "line-length = 90\n")
    assert settings.load_file(path).base.line_length == 90
    assert settings.load_file(path).base.line_length == 90
