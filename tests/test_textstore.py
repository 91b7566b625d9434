"""What is read from a text, kept between runs by the text
(files/textstore): given back only as it was read, for the same text and
stamp; what JSON would change is read again."""

from __future__ import annotations

from pathlib import Path

import pytest

from speckeeper.config import gates
from speckeeper.files import usercache
from speckeeper.files.textstore import TextStore

from .conftest import FIXTURES, run_driver


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(usercache.ENV, str(folder))
    return folder


def _store(cache: Path, stamp: str = "one") -> TextStore:
    return TextStore(cache, "things", stamp, 4, 100_000)


@pytest.mark.parametrize("data", [{"a": [1, 2.5, None, True]}, ["x"], "text", 7])
def test_what_is_kept_comes_back_the_same(cache: Path, data: object) -> None:
    _store(cache).put("the text", data)
    assert _store(cache).get("the text") == data
    assert _store(cache).get("another text") is None
    assert _store(cache, "two").get("the text") is None


@pytest.mark.parametrize("data", [{1: "a number key"}, {"a": (1, 2)}, {"nan": float("nan")}, {"when": object()}])
def test_what_json_would_change_is_not_kept(cache: Path, data: object) -> None:
    _store(cache).put("the text", data)
    assert _store(cache).get("the text") is None


def test_parsed_parses_once_and_raises_what_the_parser_raises(cache: Path) -> None:
    calls = []

    def parse(text: str) -> dict[str, int]:
        calls.append(text)
        if text == "bad":
            raise ValueError("not this")
        return {"length": len(text)}

    assert [_store(cache).parsed("good", parse, dict) for _ in range(3)] == [{"length": 4}] * 3
    assert calls == ["good"]
    with pytest.raises(ValueError, match="not this"):
        _store(cache).parsed("bad", parse, dict)
    with pytest.raises(ValueError, match="not this"):
        _store(cache).parsed("bad", parse, dict)
    assert calls == ["good", "bad", "bad"]


PRE_COMMIT = """\
repos:
  - repo: https://example.org/speckeeper
    rev: v1
    hooks:
      - id: speckeeper-check-fix
"""

# Runs a check and says whether PyYAML was imported.
DRIVER = """
import sys
from speckeeper.cli import main
code = main(sys.argv[1:])
print("yaml" in sys.modules, code)
"""


def test_a_repo_with_speckeeper_hooks_reads_their_yaml_once(tmp_path: Path, cache: Path) -> None:
    """No configuration file: the line gate is read off the pre-commit
    configuration, which names speckeeper's hooks; the next run reads
    what was kept, and PyYAML is not imported."""
    repo = tmp_path / "repo"
    spec = repo / "specs" / "2027.1" / "approved" / "awesome-thing.rst"
    spec.parent.mkdir(parents=True)
    spec.write_bytes((FIXTURES / "good-spec.rst").read_bytes())
    (repo / ".pre-commit-config.yaml").write_text(PRE_COMMIT, encoding="utf-8")
    runs = [run_driver(DRIVER, repo, "check", str(spec.relative_to(repo))).stdout.split()[-2:] for _ in range(2)]
    assert runs == [["True", "0"], ["False", "0"]]
    assert len(list((cache / gates.YAML_FOLDER).iterdir())) == 1
    assert gates.read_gates(repo) == [gates.Gate(gates.NOVA_LIMIT, (), ".pre-commit-config.yaml speckeeper-check-fix")]
