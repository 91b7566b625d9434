"""The layout shows the architecture: the package is a stack of layers
(docs/about.md's layout table, each folder's ``__init__`` docstring), a
module imports only from its own layer or those below, and no imports go
round in a circle, counting imports inside functions.

``if TYPE_CHECKING:`` imports are counted too: a type a module names is a
module it depends on.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import REPO

PACKAGE = REPO / "hooks" / "speckeeper"

# Bottom first. A module's layer is that of its folder, or of its own name
# for the modules at the top of the package.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("speckeeper", "speckeeper._version", "speckeeper.errors", "speckeeper.findings", "speckeeper.suggest", "speckeeper.speedups"),
    ("speckeeper.files",),
    ("speckeeper.config",),
    ("speckeeper.document",),
    # A format's validity rules live with the format, and are rules.
    ("speckeeper.rules", "speckeeper.document.rst.rules", "speckeeper.document.markdown.rules"),
    ("speckeeper.engine",),
    ("speckeeper.reporting",),
    ("speckeeper.fixing",),
    ("speckeeper.copier",),
    ("speckeeper.commands",),
    ("speckeeper.lsp",),
    ("speckeeper.sphinx", "speckeeper.sphinx_check", "speckeeper.docs", "speckeeper.cli", "speckeeper.launch", "speckeeper.__main__"),
)


def _module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _import_statements(name: str, path: Path) -> Iterator[tuple[str, set[str]]]:
    """Each import in the file of module ``name``, at its top, inside a
    function or for the type checker alike: the module it names (a relative
    import resolved) and the names it takes from it, both absolute."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, set()
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target, {f"{target}.{alias.name}" for alias in node.names}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules ``name`` imports, wherever in the file: the
    modules a ``from`` import takes, else the one it takes names from."""
    found: set[str] = set()
    for target, taken in _import_statements(name, path):
        found.update(taken & known or {target})
    return {module for module in found if module in known and module != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _layer(module: str) -> int:
    best = (-1, -1)  # (length of the matching prefix, layer)
    for number, layer in enumerate(LAYERS):
        for prefix in layer:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best[0]:
                best = (len(prefix), number)
    return best[1]


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(module for module in _modules() if _layer(module) < 0)
    assert not unplaced, f"modules in no layer (add them to LAYERS and to docs/about.md): {unplaced}"


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for target in targets
        if _layer(target) > _layer(module)
    )
    assert not upward, "imports that go up the layers:\n" + "\n".join(upward)


def test_no_imports_go_round_in_a_circle() -> None:
    graph = _graph()
    circles = [component for component in _strongly_connected(graph) if len(component) > 1]
    assert not circles, "modules that import each other, directly or round a circle: " + "; ".join(
        " <-> ".join(sorted(component)) for component in circles
    )


def test_every_folder_says_what_lives_there_and_what_it_may_import() -> None:
    silent = []
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        if "May import" not in doc and "may import" not in doc:
            silent.append(init.parent.name)
    assert not silent, f"folders whose __init__ docstring does not say what they may import: {silent}"


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the groups of modules that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    found.append(component)
    return found


# The gate, which applies the baseline; and the commands that write one:
# ``check --write-baseline`` and ``speckeeper baseline`` (cli), and the
# lifecycle commands that carry a spec's entries with it (move, repropose).
MAY_IMPORT_BASELINE = {"speckeeper.engine.decide", "speckeeper.cli", "speckeeper.commands.move", "speckeeper.commands.repropose"}


def test_only_the_gate_and_the_commands_that_write_a_baseline_read_it() -> None:
    readers = sorted(
        module
        for module, targets in _graph().items()
        if "speckeeper.engine.baseline" in targets and module not in MAY_IMPORT_BASELINE
    )
    assert not readers, f"modules that import the baseline, which only the gate applies: {readers}"


@pytest.mark.parametrize(
    "statement",
    [
        "import speckeeper.engine.baseline",
        "from speckeeper.engine import baseline",
        "from speckeeper.engine.baseline import load",
        "from . import baseline",
        "from .baseline import load",
        "def f():\n    from speckeeper.engine import baseline",
        "if TYPE_CHECKING:\n    from speckeeper.engine.baseline import Entry",
    ],
)
def test_the_import_scan_sees_every_way_of_importing(statement: str, tmp_path: Path) -> None:
    """The scan the tests above rely on finds an import however it is written."""
    module = tmp_path / "probe.py"
    module.write_text(statement + "\n", encoding="utf-8")
    known = set(_modules())
    assert "speckeeper.engine.baseline" in _imports("speckeeper.engine.probe", module, known)


# What a rule may not import: docutils, and the format's parse and builder.
_FORMAT_ONLY = ("docutils", "speckeeper.document.rst.parse", "speckeeper.document.rst.build")


def _imported(path: Path, package: Path = PACKAGE) -> set[str]:
    """Every module a file of ``package`` imports, and every name it takes
    from one, by absolute name."""
    found: set[str] = set()
    for target, taken in _import_statements(_module_name(path, package), path):
        found.update({target, *taken})
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
