"""What the package's layout promises, checked on its source."""

from __future__ import annotations

import ast
from pathlib import Path

import speckeeper

PACKAGE = Path(speckeeper.__file__).parent
# What a rule may not import: docutils, and the format's parse and builder.
_FORMAT_ONLY = ("docutils", "speckeeper.document.rst.parse", "speckeeper.document.rst.build")


def _imported(path: Path, package: Path = PACKAGE) -> set[str]:
    """Every module a file imports, at its top or inside a function,
    relative imports resolved against ``package``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    here = path.relative_to(package.parent).with_suffix("").parts
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = list(here[: len(here) - node.level]) if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _format_imports(folder: Path, package: Path = PACKAGE) -> set[str]:
    return {
        f"{path.relative_to(package)}: {name}"
        for path in sorted(folder.rglob("*.py"))
        for name in _imported(path, package)
        if any(name == banned or name.startswith(banned + ".") for banned in _FORMAT_ONLY)
    }


def test_rules_read_the_document_model_never_docutils() -> None:
    """No module under the rules imports docutils, nor the format's parse
    or builder: a rule written once works on every format."""
    assert _format_imports(PACKAGE / "rules") == set()


def test_a_rule_importing_docutils_inside_a_function_is_seen(tmp_path: Path) -> None:
    package = tmp_path / "speckeeper"
    (package / "rules").mkdir(parents=True)
    (package / "rules" / "sneaky.py").write_text(
        "def check():\n    from docutils import nodes\n    from ..document.rst.build import build\n"
    )
    assert _format_imports(package / "rules", package) == {
        "rules/sneaky.py: docutils",
        "rules/sneaky.py: docutils.nodes",
        "rules/sneaky.py: speckeeper.document.rst.build",
        "rules/sneaky.py: speckeeper.document.rst.build.build",
    }
