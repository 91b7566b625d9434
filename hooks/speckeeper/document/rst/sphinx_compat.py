"""Sphinx's roles and directives, parsed cleanly without Sphinx.

Specs are built with Sphinx, so they use ``:ref:``, ``.. code-block::`` with
Sphinx options, ``.. todo::`` and the like. docutils alone reports those as
errors. Here each gets a stand-in that keeps the doctree honest: code and
diagrams become literal blocks, admonitions keep their parsed body, and
Sphinx-only bookkeeping (``toctree``, ``highlight``) leaves nothing behind.
An unknown name that is merely a typo is still reported by docutils.

docutils keeps its registries in module globals; :func:`registered` adds our
stand-ins for the duration of a parse and puts those names back afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive, directives, roles

# Directives whose content is code or a diagram: kept as a literal block.
LITERAL_DIRECTIVES = (
    "code-block",
    "sourcecode",
    "seqdiag",
    "blockdiag",
    "nwdiag",
    "actdiag",
    "packetdiag",
    "rackdiag",
    "graphviz",
    "graph",
    "digraph",
    "mermaid",
    "uml",
    "productionlist",
    "literalinclude",  # Never reads the file: its argument is only a name.
)

# Directives whose content is ordinary body text: parsed into a container.
BODY_DIRECTIVES = (
    "todo",
    "seealso",
    "versionadded",
    "versionchanged",
    "deprecated",
    "only",
    "glossary",
    "hlist",
    "ifconfig",
    "centered",
    "tab",
    "tabs",
    "feature_matrix",
)

# Sphinx bookkeeping that renders nothing a checker cares about.
EMPTY_DIRECTIVES = (
    "toctree",
    "highlight",
    "index",
    "sectionauthor",
    "moduleauthor",
    "codeauthor",
    "tabularcolumns",
    "currentmodule",
    "module",
    "program",
    "option",
    "envvar",
    "autoclass",
    "automodule",
    "autofunction",
    "automethod",
    "autosummary",
    "kernel-figure",
    "extra-spec",
    "config",
)

# Roles Sphinx and common OpenStack extensions define.
ROLES = (
    "ref",
    "doc",
    "term",
    "command",
    "program",
    "option",
    "envvar",
    "file",
    "samp",
    "kbd",
    "guilabel",
    "menuselection",
    "abbr",
    "dfn",
    "download",
    "manpage",
    "mailheader",
    "mimetype",
    "makevar",
    "keyword",
    "token",
    "numref",
    "any",
    "class",
    "func",
    "meth",
    "mod",
    "attr",
    "exc",
    "obj",
    "data",
    "const",
    "py:class",
    "py:func",
    "py:meth",
    "py:mod",
    "py:attr",
    "py:exc",
    "py:obj",
    "py:data",
    "py:const",
    "rst:dir",
    "rst:role",
    "oslo.config:option",
    "oslo.config:group",
    "neutron-lib:option",
    "nova:extra-spec",
    "placement-api-ref",
    "nova-doc",
    "api-ref",
    "bug",
    "lp",
    "review",
    "commit",
    "oslo.policy:policy",
)


class _AnyOptions(dict[str, Any]):
    """An option spec that accepts every option: Sphinx adds many we ignore."""

    def __missing__(self, key: str) -> Any:
        return directives.unchanged


class _SphinxDirective(Directive):
    """What every stand-in takes: an argument, any option, content."""

    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = _AnyOptions()
    has_content = True


class _LiteralDirective(_SphinxDirective):
    """Content kept verbatim, as a literal block (code, diagrams)."""

    def run(self) -> list[nodes.Node]:
        if not self.content:
            return []
        text = "\n".join(self.content)
        node = nodes.literal_block(text, text)
        node.source, node.line = self.state_machine.get_source_and_line(self.content_offset + 1)
        return [node]


class _BodyDirective(_SphinxDirective):
    """Content parsed as body elements (admonitions, version notes)."""

    def run(self) -> list[nodes.Node]:
        node = nodes.container()
        node.source, node.line = self.state_machine.get_source_and_line(self.lineno)
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


class _EmptyDirective(_SphinxDirective):
    """Accepted and dropped: renders nothing a checker looks at."""

    def run(self) -> list[nodes.Node]:
        return []


def _literal_role(
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Any,
    options: dict[str, Any] | None = None,
    content: list[str] | None = None,
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """A Sphinx role's text, kept as inline literal text."""
    return [nodes.literal(rawtext, text)], []


KNOWN_DIRECTIVES = frozenset((*LITERAL_DIRECTIVES, *BODY_DIRECTIVES, *EMPTY_DIRECTIVES))


def _stand_ins(extra_directives: Iterable[str], extra_literal: Iterable[str] = ()) -> Iterator[tuple[str, type[Directive]]]:
    """Each stand-in by name; a repo's own names (body, or literal) never
    replace one speckeeper or docutils already knows, which could turn a
    diagram's text into RST."""
    for name in LITERAL_DIRECTIVES:
        yield name, _LiteralDirective
    for name in BODY_DIRECTIVES:
        yield name, _BodyDirective
    for name in EMPTY_DIRECTIVES:
        yield name, _EmptyDirective
    known = KNOWN_DIRECTIVES | set(directives._directive_registry)  # noqa: SLF001 - docutils' own names
    for name in extra_literal:
        if name not in known:
            yield name, _LiteralDirective
    for name in extra_directives:
        if name not in known and name not in extra_literal:
            yield name, _BodyDirective


@contextmanager
def registered(
    extra_directives: Iterable[str] = (), extra_roles: Iterable[str] = (), extra_literal: Iterable[str] = ()
) -> Iterator[None]:
    """Register the stand-ins (and a repo's own names) for the duration.

    Only these names are put back as they were: what docutils itself adds
    to its registries meanwhile (it keeps each standard name it looks up)
    stays, as it would without us, so the next parse need not look again.
    """
    extra_literal = tuple(extra_literal)
    stand_ins = dict(_stand_ins(extra_directives, extra_literal))
    role_names = (*ROLES, *extra_roles)
    registry_d = directives._directives  # noqa: SLF001 - docutils' registries
    registry_r = roles._roles  # noqa: SLF001
    saved_directives = {name: registry_d.get(name) for name in stand_ins}
    saved_roles = {name: registry_r.get(name) for name in role_names}
    try:
        for name, cls in stand_ins.items():
            directives.register_directive(name, cls)
        for name in role_names:
            roles.register_local_role(name, _literal_role)
        yield
    finally:
        _restore(registry_d, saved_directives)
        _restore(registry_r, saved_roles)


def _restore(registry: dict[str, Any], saved: dict[str, Any]) -> None:
    for name, entry in saved.items():
        if entry is None:
            registry.pop(name, None)
        else:
            registry[name] = entry
