"""The docs tell the truth about the tree: the layout table (docs/about.md)
names every module of the package, and only paths that exist; the
configuration reference is the code's."""

from __future__ import annotations

import re

from .conftest import REPO

ABOUT = (REPO / "docs" / "about.md").read_text(encoding="utf-8")
LAYOUT = ABOUT.split("## Layout of this repository", 1)[1]
REFERENCE = (REPO / "docs" / "configuration-reference.md").read_text(encoding="utf-8")


def _named() -> set[str]:
    """Every path the layout table names, a row's short names after its first
    taken in that row's folder."""
    found: set[str] = set()
    for row in re.findall(r"^\| (`[^|]+`) \|", LAYOUT, re.MULTILINE):
        paths = re.findall(r"`([^`]+)`", row)
        folder = paths[0].rsplit("/", 1)[0] if "/" in paths[0].rstrip("/") else ""
        found.add(paths[0].rstrip("/"))
        found.update(f"{folder}/{name}" if "/" not in name and folder else name for name in paths[1:])
    return found


def test_every_module_is_in_the_layout_table() -> None:
    """Each folder of the package, and each module at its top, is named."""
    named = _named()
    package = REPO / "hooks" / "speckeeper"
    modules = {
        path.relative_to(REPO).as_posix()
        for path in package.glob("*.py")
        if path.name not in ("__init__.py", "__main__.py", "_version.py")  # _version.py: written at build
    }
    folders = {path.parent.relative_to(REPO).as_posix() for path in package.glob("*/__init__.py")}
    missing = {module for module in modules | folders if module not in named}
    assert not missing, f"modules and folders the layout table of docs/about.md does not name: {sorted(missing)}"


def test_every_path_in_the_layout_table_exists() -> None:
    absent = sorted(path for path in _named() if not (REPO / path).exists())
    assert not absent, f"the layout table of docs/about.md names paths that do not exist: {absent}"


def test_every_configuration_key_is_documented_as_the_code_has_it() -> None:
    """Type, default, what it does and an example, for each key Settings has."""
    from speckeeper.config.settings import reference_table

    assert reference_table() in REFERENCE, "docs differ from speckeeper.config.settings.reference_table()"
