"""YAML that a change can commit (copier answers files), read as bounded
as the TOML and JSON readers read theirs: a size limit, no aliases and a
nesting limit.

Aliases are refused as the document is composed, before anything is
built: nine lines of ``&a [*b, *b, ...]`` ("billion laughs") stand for
gigabytes once expanded, and comparing two such trees takes as long. A
copier answers file is flat, ``key: value`` lines written by copier, which
never writes an alias. Deep nesting would exhaust the composer's recursion.
PyYAML's pure-Python loader is used: libyaml's composer cannot be hooked,
and answers files are a few hundred bytes.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

MAX_BYTES = 100_000
MAX_DEPTH = 50


class Refused(Exception):
    """A YAML text that is not read: ``line`` (1-based, 0 when none applies) and why."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def load(text: str) -> Any:
    """The data of one YAML document, safely loaded within the bounds;
    :class:`Refused` with the line when it is not YAML or exceeds them."""
    import yaml  # PyYAML, which copier brings: only when a file needs it.

    loader = None
    try:
        loader = _bounded(text)  # Its reader refuses a NUL or a control character at once.
        return loader.get_single_data()
    except (ValueError, OverflowError) as error:  # A date that is not one (2025-30-01).
        raise Refused(0, f"a value that cannot be read: {error}") from None
    except yaml.YAMLError as error:
        raise _refusal(error) from None
    except RecursionError:  # Bounded in compose_node; kept so no input is a traceback.
        raise Refused(0, f"nested more than {MAX_DEPTH} levels deep") from None
    finally:
        if loader is not None:
            loader.dispose()


# Where a value is in the data: its keys and list indexes from the top.
KeyPath = tuple[object, ...]


class Marked(NamedTuple):
    """One YAML document's data with the line of each value.

    ``data`` is plain data: mappings (string keys) as dicts, sequences as
    lists, plain scalars as YAML resolves them (booleans, numbers, null)
    but for timestamps, which stay the text written, so that a date that
    is not one is the reader's to judge rather than an error here.
    ``lines`` gives the 1-based line of each value by its path
    (``("authors", 0)``); a mapping's key's line for a mapping's value."""

    data: Any
    lines: dict[KeyPath, int]

    def line(self, path: KeyPath) -> int:
        """The line of ``path``, else of the nearest value above it (1 for the top)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def load_marked(text: str) -> Marked:
    """One YAML document's data and lines (see :class:`Marked`), within the
    same bounds as :func:`load`; :class:`Refused` as it."""
    import yaml

    loader = None
    try:
        loader = _fast(text) or _bounded(text)
        node = loader.get_single_node()
        lines: dict[KeyPath, int] = {}
        data = None if node is None else _plain(loader, node, (), lines)
        return Marked(data, lines)
    except yaml.YAMLError as error:
        raise _refusal(error) from None
    except RecursionError:
        raise Refused(0, f"nested more than {MAX_DEPTH} levels deep") from None
    finally:
        if loader is not None:
            loader.dispose()


_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_INT = "tag:yaml.org,2002:int"
_LEADING_ZERO = re.compile(r"[-+]?0[0-9_]")


def _plain(loader: Any, node: Any, path: KeyPath, lines: dict[KeyPath, int]) -> Any:
    """A composed node as plain data, each value's line in ``lines``."""
    import yaml

    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        found: dict[str, Any] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise Refused(key.start_mark.line + 1, "a key that is not a plain value")
            where = (*path, key.value)
            lines[where] = key.start_mark.line + 1
            found[key.value] = _plain(loader, value, where, lines)
        return found
    if isinstance(node, yaml.SequenceNode):
        return [_plain(loader, item, (*path, index), lines) for index, item in enumerate(node.value)]
    if node.tag == _TIMESTAMP or (node.tag == _INT and _LEADING_ZERO.match(node.value)):
        # A timestamp, and a number written with a leading zero (YAML 1.1
        # reads 0752 as octal; its author means the KEP number 0752), stay
        # as written.
        return node.value
    try:
        return loader.construct_object(node)
    except (ValueError, OverflowError):
        return node.value


def _fast(text: str) -> Any:
    """libyaml's loader of ``text``, once its events show it within the
    bounds (no alias, not too deep); None where libyaml is not there, or
    the text is not YAML or not within them: the pure-Python loader then
    says why, as it says it. A KEP repo's 650 metadata files take a fifth
    of the time so."""
    import yaml

    if not getattr(yaml, "__with_libyaml__", False) or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.AliasEvent):
                return None
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth >= MAX_DEPTH:
                    return None
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None
    return yaml.CSafeLoader(text)


def _bounded(text: str) -> Any:
    """A safe loader of ``text`` that refuses aliases and deep nesting as
    it composes; :class:`Refused` for a text over the size bound."""
    import yaml

    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise Refused(0, f"larger than {MAX_BYTES:,} bytes")

    class Loader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                raise Refused(event.start_mark.line + 1, f"an alias (*{event.anchor}): aliases are not allowed")
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise Refused(event.start_mark.line + 1, f"nested more than {MAX_DEPTH} levels deep")
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    return Loader(text)


def _refusal(error: Exception) -> Refused:
    import yaml

    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        return Refused(mark.line + 1 if mark else 0, error.problem or error.context or "not YAML")
    first = str(error).strip().splitlines()
    return Refused(0, first[0] if first else "not YAML")
