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

from typing import Any

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

    try:
        return yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader subclass.
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise Refused(mark.line + 1 if mark else 0, error.problem or error.context or "not YAML") from None
    except yaml.YAMLError as error:
        first = str(error).strip().splitlines()
        raise Refused(0, first[0] if first else "not YAML") from None
    except RecursionError:  # Bounded above; kept so no input is a traceback.
        raise Refused(0, f"nested more than {MAX_DEPTH} levels deep") from None
