"""Safe reStructuredText parsing: one docutils parse, messages collected.

Spec content is untrusted. The settings below keep docutils from reading any
other file or URL because of what a spec says (``include``, ``raw :file:``,
``csv-table :url:``), from reading ``docutils.conf`` files, and from printing
to stderr: every system message is collected by an observer instead, the
way restructuredtext-lint does it (which cannot be used itself: see docs/about.md).
"""

from __future__ import annotations

import copy
import sys
from contextlib import AbstractContextManager, nullcontext
from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from speckeeper.speedups import without_unused_imports
from speckeeper.document.model import Message

with without_unused_imports():
    from docutils import frontend, nodes, utils
    from docutils.parsers.rst import Parser, states
    from docutils.readers.standalone import Reader

# docutils' directive modules that import what speckeeper switches off:
# each is imported lean (speedups.without_unused_imports) by the first
# parse that meets one of its directives; a spec that uses none costs none.
_LEAN_DIRECTIVES = tuple(f"docutils.parsers.rst.directives.{name}" for name in ("images", "misc", "tables"))

from speckeeper.document.rst import sphinx_compat  # noqa: E402

if TYPE_CHECKING:
    from speckeeper.config.settings import Settings

SAFE_SETTINGS: dict[str, Any] = {
    # Never read another file or a URL because of the spec's content.
    "file_insertion_enabled": False,
    "raw_enabled": False,
    # Never read docutils.conf files from the spec repo or the user.
    "_disable_config": True,
    # Messages go to our observer, none to stderr, and none stop the parse.
    "report_level": 5,
    "halt_level": 5,
    "warning_stream": False,
    # No pygments lexing of code blocks: we never render them.
    "syntax_highlight": "none",
    "pep_references": False,
    "rfc_references": False,
    # As nova's gate parses (publish_doctree defaults): the lone top
    # section becomes the document title.
    "doctitle_xform": True,
    "sectsubtitle_xform": False,
    "input_encoding": "utf-8",
    "tab_width": 8,
}


class RstParser:
    """Parses reStructuredText with safe settings; one instance per run.

    Sphinx's roles and directives, and a repo's own, are known during each
    parse and only then.
    """

    def __init__(
        self, roles: Iterable[str] = (), directives: Iterable[str] = (), literal_directives: Iterable[str] = ()
    ) -> None:
        self._roles = tuple(roles)
        self._directives = tuple(directives)
        self._literal = tuple(literal_directives)

    @cached_property
    def _docutils(self) -> tuple[Reader, Parser, Any]:
        """docutils' reader, parser and settings, made at the first parse
        (about 5 M instructions): a run that parses nothing (a commit hook's
        folder-level rules, a check that takes what the fix found) makes none."""
        reader, parser = Reader(), Parser()
        settings = frontend.get_default_settings(reader, parser)
        for key, value in SAFE_SETTINGS.items():
            setattr(settings, key, value)
        return reader, parser, settings

    @classmethod
    def for_settings(cls, settings: Settings) -> RstParser:
        """A parser that knows a repo's own roles and directives."""
        return cls(*settings.parser_extensions)

    @property
    def extensions(self) -> tuple[tuple[str, ...], ...]:
        """The roles and directives known beyond docutils' own."""
        return self._roles, self._directives, self._literal

    def parse(self, text: str, source: str) -> tuple[nodes.document, list[Message]]:
        """Parse ``text``; return the doctree and every message, in order
        (as restructuredtext-lint reports them; line 0 where docutils gives
        none)."""
        messages: list[Message] = []

        def collect(msg: nodes.system_message) -> None:
            line = msg.get("line")
            body = msg.children[0].astext() if msg.children else msg.astext()
            messages.append(Message(line if isinstance(line, int) else 0, msg["level"], body))

        reader, parser, settings = self._docutils
        document = utils.new_document(source, copy.copy(settings))
        document.reporter.attach_observer(collect)
        lean: AbstractContextManager[None] = without_unused_imports() if not all(name in sys.modules for name in _LEAN_DIRECTIVES) else nullcontext()
        with lean, sphinx_compat.registered(self._directives, self._roles, self._literal):
            parser.parse(text, document)
            document.transformer.populate_from_components((reader, parser))
            document.transformer.apply_transforms()
        _let_go(parser)
        return document, messages


def _let_go(parser: Parser) -> None:
    """Drop what docutils keeps of its last parse until the next one: the
    parser's document, state machine and text, and the document of each
    nested state machine it keeps for reuse (with their states'). A spec's
    doctree is then garbage as soon as its model is, freed by the
    collection after its file (speedups.collecting_after), not carried into
    the collector's older generations and walked again there. Each
    attribute is set again by the run that next uses it."""
    parser.document = parser.statemachine = parser.inputstring = None
    for machine in states.RSTState.nested_sm_cache:
        machine.document = machine.memo = machine.node = machine.reporter = machine.input_lines = None
        for state in (machine.states or {}).values():
            state.document = state.memo = state.inliner = state.reporter = None
