"""Regular expressions compiled by an earlier run, kept (files/regexstore):
what comes back matches as what ``re`` compiles; a bad entry is compiled
as usual; a second run of a check compiles next to nothing."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from speckeeper.files import regexstore, usercache

from .conftest import FIXTURES, run_driver

pytestmark = pytest.mark.skipif(sys.implementation.name != "cpython", reason="expressions are kept on CPython only")

# Named and numbered groups, flags given and inline, a look-behind, a
# Unicode class (the shape of docutils' inline markup), an alternation.
PATTERNS = [
    (r"(?P<name>[a-z]+)-(\d+)", 0),
    (r"(?i)^speckeeper:\s*ignore[\s=:]+(?P<codes>[A-Z0-9, ]+)$", 0),
    (r"(?<![\s\x00])(\*\*)($|(?=\s|[\x00\\.,;!?\-/:\u058a\u00a1\u00b7\u00bf]))", 0),
    ("^(?:approved|implemented)/.*\\.rst$", re.MULTILINE | re.ASCII),
]
TEXTS = ["abc-12", "Speckeeper: ignore SK201, SK203", "**strong** word", "approved/x.rst\nimplemented/y.rst", ""]


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(usercache.ENV, str(folder))
    return folder


def _compiled(command: str) -> tuple[list[re.Pattern[str]], int]:
    """PATTERNS compiled inside ``kept(command)``, and how many times the
    block parsed an expression's text."""
    parser = getattr(re, "_parser", None) or sys.modules["sre_parse"]
    parse, calls = parser.parse, []

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(args[0])
        return parse(*args, **kwargs)

    re.purge()  # Else re's own cache answers, and nothing reaches the compiler.
    parser.parse = counted
    try:
        with regexstore.kept(command):
            patterns = [re.compile(pattern, flags) for pattern, flags in PATTERNS]
    finally:
        parser.parse = parse
    re.purge()
    return patterns, len(calls)


def _behaviour(pattern: re.Pattern[str]) -> list[object]:
    found: list[object] = [pattern.pattern, pattern.flags, pattern.groups, dict(pattern.groupindex)]
    for text in TEXTS:
        found += [(match.span(), match.groups(), match.groupdict()) for match in pattern.finditer(text)]
    return found


def test_a_second_run_compiles_nothing_and_matches_the_same(cache: Path) -> None:
    first, parsed_first = _compiled("check")
    second, parsed_second = _compiled("check")
    assert (parsed_first, parsed_second) == (len(PATTERNS), 0)
    assert [_behaviour(p) for p in second] == [_behaviour(p) for p in first]
    assert [_behaviour(p) for p in first] == [_behaviour(re.compile(p, f)) for p, f in PATTERNS]
    assert _compiled("fix")[1] == len(PATTERNS)  # Each command has its own.


def test_the_compiler_is_itself_again_after_the_block(cache: Path) -> None:
    import _sre

    compiler, sre_compile = regexstore._compiler().compile, _sre.compile
    re.purge()
    with pytest.raises(KeyError), regexstore.kept("check"):
        re.compile(r"compiled-(before)-the-failure")
        raise KeyError("the command failed")
    assert (regexstore._compiler().compile, _sre.compile) == (compiler, sre_compile)
    # A command that fails keeps nothing of what it compiled.
    assert not (cache / regexstore.FOLDER).exists() or not list((cache / regexstore.FOLDER).iterdir())


@pytest.mark.parametrize(
    "forged",
    [
        [0, [999999, 1, 2], 0, {}, []],  # A program _sre refuses.
        [0, "not a program", 0, {}, []],
        [0, [1], "x", {}, []],
    ],
)
def test_an_entry_sre_refuses_is_compiled_as_usual(cache: Path, forged: list[object]) -> None:
    _compiled("check")
    entry = next((cache / regexstore.FOLDER).iterdir())
    kept = json.loads(entry.read_text())
    for item in kept["data"]:
        item[2:] = forged
    entry.write_text(json.dumps(kept))
    patterns, parsed = _compiled("check")
    assert parsed == len(PATTERNS)
    assert [_behaviour(p) for p in patterns] == [_behaviour(re.compile(p, f)) for p, f in PATTERNS]
    assert _compiled("check")[1] == 0  # Compiled, and kept again.


def test_what_is_not_text_or_asks_for_debug_output_is_not_kept(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(2):
        re.purge()
        with regexstore.kept("check"):
            assert re.compile(rb"(\d+)").match(b"42")
            assert re.compile(r"debug(\d)", re.DEBUG).match("debug1")
    assert "LITERAL" in capsys.readouterr().out  # Printed, as compiled, each time.
    assert not (cache / regexstore.FOLDER).exists() or not list((cache / regexstore.FOLDER).iterdir())


def test_with_the_cache_folder_off_nothing_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(usercache.ENV, "")
    assert [_compiled("check")[1] for _ in range(2)] == [len(PATTERNS)] * 2


def test_too_many_keeps_this_runs_own(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regexstore, "MOST_EXPRESSIONS", len(PATTERNS) + 1)
    with regexstore.kept("check"):
        for number in range(len(PATTERNS)):
            re.compile(f"unused-{number}-(x)")
    re.purge()
    _compiled("check")
    kept = json.loads(next((cache / regexstore.FOLDER).iterdir()).read_text())["data"]
    assert sorted((item[0], item[1]) for item in kept) == sorted(PATTERNS)


# Runs the command as its entry point does, and says how many expressions
# it parsed.
DRIVER = """
import re, sys
parser = getattr(re, "_parser", None) or __import__("sre_parse")
parse, calls = parser.parse, []
parser.parse = lambda *args, **kwargs: calls.append(1) or parse(*args, **kwargs)
sys.argv[0] = "speckeeper"
from speckeeper import launch
try:
    launch.entry()
except SystemExit as exit_:
    print("parsed", len(calls), "exit", exit_.code, file=sys.stderr)
"""


def test_a_check_run_again_compiles_almost_nothing_and_reports_the_same(tmp_path: Path, cache: Path) -> None:
    spec = tmp_path / "specs" / "2027.1" / "approved" / "awesome-thing.rst"
    spec.parent.mkdir(parents=True)
    spec.write_text((FIXTURES / "good-spec.rst").read_text(encoding="utf-8").replace("None\n", "None   \n", 1), encoding="utf-8")
    runs = []
    for _ in range(2):
        done = run_driver(DRIVER, tmp_path, "check", str(spec.relative_to(tmp_path)))
        runs.append((done.stdout, done.stderr.splitlines()[-1].split()))
    (out_first, (_, parsed_first, _, exit_first)), (out_second, (_, parsed_second, _, exit_second)) = runs
    # The second parses only what is compiled before the store is read
    # (json's own expressions, urllib's) and the few of bytes.
    assert int(parsed_first) > 100 and int(parsed_second) < int(parsed_first) / 8
    assert out_first == out_second and " SK203 " in out_first
    assert exit_first == exit_second == "1"
