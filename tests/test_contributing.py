"""CONTRIBUTING.md stays true: the files it names exist, and so do the
names of the code it tells a contributor to change."""

from __future__ import annotations

import importlib
import re

import pytest

from .conftest import REPO

GUIDE = REPO / "CONTRIBUTING.md"

# What the guide names, by the module that holds it.
CITED = [
    ("speckeeper.rules.registry", ("Edit.row", "Edit.retitles", "Edit.settles", "Edit.underlines", "Rule.fix_moves_rows", "Rule.fix_title", "Rule.severity", "Rule.highlight", "Hit.quoted", "FixInput.lines", "Context.memo", "Tree")),
    ("speckeeper.fixing.fix", ("Fixer.fixed", "difference_between", "_shape")),
    ("speckeeper.reporting.output", ("FORMATS", "Format", "Format.label", "Format.from_top", "printable")),
    ("speckeeper.reporting.reports", ("fingerprints",)),
    ("speckeeper.config.settings", ("Settings", "KEYS", "DEFAULTS", "Key", "Key.choices", "Key.choices_from", "Key.may_be_zero", "Key.overrides", "_TYPES", "_coerce")),
    ("speckeeper.rules", ("ALL",)),
]


def _has(module: object, dotted: str) -> bool:
    owner, _, name = dotted.rpartition(".")
    holder = getattr(module, owner) if owner else module
    fields = getattr(holder, "__dataclass_fields__", {})
    return hasattr(holder, name) or name in fields


@pytest.mark.parametrize(("module", "names"), CITED, ids=[module for module, _ in CITED])
def test_the_code_it_names_exists(module: str, names: tuple[str, ...]) -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    imported = importlib.import_module(module)
    assert [name for name in names if not _has(imported, name)] == []
    assert [name for name in names if name.rpartition(".")[2] not in guide] == []


def test_the_files_and_tests_it_names_exist() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    paths = set(re.findall(r"`((?:hooks|tests|docs)/[\w./-]+)`", guide))
    assert paths, "the guide names no file"
    assert sorted(path for path in paths if not (REPO / path).exists()) == []
    fixer_tests = (REPO / "tests" / "test_fixer.py").read_text(encoding="utf-8")
    config_tests = (REPO / "tests" / "test_config.py").read_text(encoding="utf-8")
    cited = set(re.findall(r"`(test_\w+)`", guide))
    assert cited and sorted(name for name in cited if f"def {name}(" not in fixer_tests + config_tests) == []
