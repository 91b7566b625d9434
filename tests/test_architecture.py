"""The package's shape, as the code says it (issue 26): one gate decides
what is reported, and only it reads the baseline."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import speckeeper

PACKAGE = Path(speckeeper.__file__).parent

# The gate, which applies the baseline; and the commands that write one:
# ``check --write-baseline`` and ``speckeeper baseline`` (cli), and the
# lifecycle commands that carry a spec's entries with it (move, repropose).
MAY_IMPORT_BASELINE = {"speckeeper.decide", "speckeeper.cli", "speckeeper.move", "speckeeper.repropose"}


def imports_in(path: Path, package: Path = PACKAGE) -> set[str]:
    """Every module ``path`` (a module of ``package``) imports, at the top,
    inside a function or for the type checker alike, by its absolute name;
    a name imported from a module counts as a module too (``from . import
    baseline``)."""
    where = ["speckeeper", *path.relative_to(package).parent.parts]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = where[: len(where) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(["speckeeper", *(parts[:-1] if parts[-1] == "__init__" else parts)])


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ("probe.py", "from . import baseline\n"),
        ("probe.py", "from .baseline import Entry\n"),
        ("lsp/probe.py", "def f():\n    from .. import baseline\n"),
        ("lsp/probe.py", "from ..baseline import Entry\n"),
        ("probe.py", "import speckeeper.baseline\n"),
        ("probe.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from speckeeper.baseline import Entry\n"),
    ],
)
def test_every_way_of_importing_a_module_is_seen(tmp_path: Path, where: str, text: str) -> None:
    """So the test below fails whichever way a module reaches the baseline."""
    path = tmp_path / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    assert "speckeeper.baseline" in imports_in(path, tmp_path)


def test_only_the_gate_and_the_commands_that_write_a_baseline_import_it() -> None:
    """The baseline is applied in one place (``decide.Gate``): ``check``,
    ``fix``, the hooks, the language server and the Sphinx extension all
    go through it, and no other module can apply it on the side."""
    importers = {
        module_name(path)
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "baseline.py" and "speckeeper.baseline" in imports_in(path)
    }
    assert importers <= MAY_IMPORT_BASELINE, sorted(importers - MAY_IMPORT_BASELINE)
    assert "speckeeper.decide" in importers  # The walk sees the gate's own import.
