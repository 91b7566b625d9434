"""A spec repo's own line-length gate, read off its files (zero configuration).

Spec repos gate their lines in one of a few ways: doc8, configured in a
``[doc8]`` section of ``tox.ini`` or ``setup.cfg`` or given options where
``tox.ini`` runs it (``doc8 --ignore D001 specs/``), or as a hook of
``.pre-commit-config.yaml`` (where speckeeper's own line hooks count too);
or nova's own unit test
(``tests/test_titles.py``: "Line limited to a maximum of 79 characters").
What they say becomes ``line-length`` and ``ignore``; a repo with none of
them has no line-length gate, and long lines are not reported.

Every file read here is committed, so hostile: each is read whole only
under a size bound, ini files with configparser (no interpolation), YAML
with the bounded reader (:mod:`speckeeper.files.yamlfile`: no aliases, depth
and size limited).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from speckeeper.files import usercache, yamlfile
from speckeeper.files.source import read_regular
from speckeeper.files.textstore import TextStore

# configparser and shlex (about 1 ms each) are imported only when a file
# names doc8: settings read off a tree that names it nowhere do without.
if TYPE_CHECKING:
    import configparser

# A tox.ini, setup.cfg or pre-commit config is a few kilobytes.
_MAX_BYTES = 256_000
# How many of tests/*.py are looked at for nova's line check, at most.
_MAX_TESTS = 20
# doc8's default limit, and the rules its codes stand for here.
DOC8_LIMIT = 79
# speckeeper's own hooks that run the line rules, at nova's limit (the default).
_SPECKEEPER_LINE_HOOKS = frozenset({"speckeeper", "speckeeper-check-fix", "speckeeper-lines", "speckeeper-fix"})
NOVA_LIMIT = 79
_DOC8_CODES = {"D001": ("SK201", "SK202"), "D002": ("SK203",), "D004": ("SK205",), "D005": ("SK207",)}
LONG_LINE_RULES = ("SK201", "SK202")
_NOVA_TEST = re.compile(rb"Line limited to a maximum of (\d{1,4}) characters")


class Gate(NamedTuple):
    """One line gate the repo runs: its limit (None: it does not measure
    lines), the rules it leaves out, and where it was read."""

    limit: int | None
    ignore: tuple[str, ...]
    where: str


def read_gates(root: Path) -> list[Gate]:
    """Every line gate found under ``root``, in a fixed order."""
    gates: list[Gate] = []
    for name in ("tox.ini", "setup.cfg"):
        parser = _ini(root / name)
        if parser is None:
            continue
        if parser.has_section("doc8"):
            gates.append(_doc8_section(parser["doc8"], f"{name} [doc8]"))
        if name == "tox.ini":
            gates.extend(_tox_commands(parser))
    gates.extend(_pre_commit(root / ".pre-commit-config.yaml"))
    gates.extend(_nova_tests(root / "tests"))
    return gates


def settings_of(gates: list[Gate]) -> dict[str, Any]:
    """The ``line-length`` and ``ignore`` the gates imply: the smallest
    limit of those that measure lines; with none that does, long lines are
    not reported. Other rules are left out only when every gate leaves
    them out."""
    limits = [gate.limit for gate in gates if gate.limit is not None]
    found: dict[str, Any] = {}
    ignore: list[str] = []
    if limits:
        found["line_length"] = min(limits)
    else:
        ignore.extend(LONG_LINE_RULES)
    if gates:
        shared = set.intersection(*(set(gate.ignore) for gate in gates))
        ignore.extend(code for code in sorted(shared) if code not in ignore)
    if ignore:
        found["ignore"] = ignore
    return found


def _read(path: Path) -> bytes | None:
    try:
        return read_regular(path, _MAX_BYTES)
    except OSError:
        return None  # Absent, a folder, too large: not a gate that can be read.


def _ini(path: Path) -> configparser.ConfigParser | None:
    """The ini file, parsed only when it names doc8 at all."""
    raw = _read(path)
    if raw is None or b"doc8" not in raw:
        return None
    import configparser

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(raw.decode("utf-8", "replace"), str(path))
    except configparser.Error:
        return None
    return parser


def _doc8_section(section: configparser.SectionProxy, where: str) -> Gate:
    limit = _limit(section.get("max-line-length") or section.get("max_line_length"))
    return _gate(limit, _words(section.get("ignore", "")), where)


def _gate(limit: int | None, ignored: list[str], where: str) -> Gate:
    """A doc8 run: its limit, unless it ignores D001."""
    codes = [code.upper() for code in ignored]
    rules = tuple(rule for code in codes for rule in _DOC8_CODES.get(code, ()))
    return Gate(None if "D001" in codes else limit or DOC8_LIMIT, rules, where)


def _limit(value: object) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() and 0 < int(text) < 10_000 else None


def _words(value: str) -> list[str]:
    return [word for word in re.split(r"[\s,]+", value) if word]


def _tox_commands(parser: configparser.ConfigParser) -> list[Gate]:
    """doc8 where tox runs it, with the options it is given."""
    gates = []
    for name in parser.sections():
        if not (name == "testenv" or name.startswith("testenv:")):
            continue
        for line in parser[name].get("commands", "").splitlines():
            gate = _doc8_command(line, f"tox.ini [{name}]") if "doc8" in line else None
            if gate is not None:
                gates.append(gate)
    return gates


def _doc8_command(line: str, where: str) -> Gate | None:
    import shlex

    try:
        words = shlex.split(line)
    except ValueError:
        return None
    if not words or Path(words[0]).name != "doc8":
        return None
    paths = _doc8_paths(words[1:])
    # A run over other documents (``doc8 doc/source``) does not gate specs.
    if paths and not any(_holds_specs(path) for path in paths):
        return None
    return _doc8_args(words[1:], where)


# doc8's options that take a value (the others are flags).
_DOC8_VALUED = frozenset(
    {"--config", "--ignore", "--ignore-path", "--ignore-path-errors", "--default-extension", "--file-encoding", "--max-line-length", "--extension"}
)


def _doc8_paths(words: list[str]) -> list[str]:
    paths, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word.startswith("-"):
            skip = word in _DOC8_VALUED
        else:
            paths.append(word)
    return paths


def _holds_specs(path: str) -> bool:
    """Whether doc8 given ``path`` reads ``specs/`` (or a link to it under doc/)."""
    parts = [part for part in path.replace("{toxinidir}", ".").split("/") if part not in ("", ".")]
    return not parts or parts[0] in ("specs", "doc")


def _doc8_args(words: list[str], where: str) -> Gate:
    limit: int | None = None
    ignored: list[str] = []
    for index, word in enumerate(words):
        option, equals, value = word.partition("=")
        if not equals:
            value = words[index + 1] if index + 1 < len(words) else ""
        if option == "--max-line-length":
            limit = _limit(value)
        elif option == "--ignore":
            ignored.extend(_words(value))
    return _gate(limit, ignored, where)


def _pre_commit(path: Path) -> list[Gate]:
    """doc8 as a pre-commit hook, with its ``args``; or speckeeper's own
    hooks that check lines (the repo asked for speckeeper's line rules)."""
    raw = _read(path)
    if raw is None or (b"doc8" not in raw and b"speckeeper" not in raw):
        return []
    data = _yaml(raw)
    repos = data.get("repos") if isinstance(data, dict) else None
    gates = []
    for repo in repos if isinstance(repos, list) else []:
        hooks = repo.get("hooks") if isinstance(repo, dict) else None
        for hook in hooks if isinstance(hooks, list) else []:
            hook_id = hook.get("id") if isinstance(hook, dict) else None
            if hook_id == "doc8":
                args = hook.get("args")
                words = [str(arg) for arg in args] if isinstance(args, list) else []
                gates.append(_doc8_args(words, ".pre-commit-config.yaml doc8"))
            elif hook_id in _SPECKEEPER_LINE_HOOKS:
                gates.append(Gate(NOVA_LIMIT, (), f".pre-commit-config.yaml {hook_id}"))
    return gates


def _yaml(raw: bytes) -> Any:
    """The YAML document, or None when it is not one this reads: the bounded
    reader of everything a change can commit (no aliases, depth and size
    limited). A mapping is kept between runs by its text (see
    :mod:`speckeeper.files.textstore`): a repo with speckeeper's hooks and
    no configuration file names speckeeper in its pre-commit configuration,
    and each hook would otherwise import PyYAML (12 ms) to read it again."""
    store = TextStore(usercache.default(), YAML_FOLDER, repr((1, usercache.stamp(("files/yamlfile.py",), ("yaml",)))), _YAML_ENTRIES, 4 * _MAX_BYTES + 4096)
    try:
        return store.parsed(raw.decode("utf-8", "replace"), yamlfile.load, dict)
    except yamlfile.Refused:
        return None


# The folder of the kept pre-commit configurations, and how many.
YAML_FOLDER = "yaml"
_YAML_ENTRIES = 16


def _nova_tests(tests: Path) -> list[Gate]:
    """nova's unit test of its specs' lines, which neutron and others copy."""
    if not tests.is_dir():
        return []
    for path in sorted(tests.glob("test*.py"))[:_MAX_TESTS]:
        raw = _read(path)
        match = _NOVA_TEST.search(raw) if raw else None
        if match:
            return [Gate(int(match.group(1)), (), f"tests/{path.name}")]
    return []
