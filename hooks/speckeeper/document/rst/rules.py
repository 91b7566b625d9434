"""RST validity: what docutils itself reports while parsing a spec.

These are restructuredtext-lint's diagnostics (docutils system messages
collected by an observer) from the same single, safe, Sphinx-aware parse
the other rules read; title adornment messages are left to SK109.

They read only the model's messages, but are the format's: another format
has validity rules of its own. Declared with the rules' registry, and
listed by :mod:`speckeeper.rules`, which imports this module: import that
package first (``import speckeeper.rules``), as everything that runs rules
does; imported first itself, this module would meet the package half made.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...rules.registry import Context, Hit, Registry
from ..model import Document as Spec
from .adornment import ADORNMENT_MESSAGES

WARNING, ERROR = 2, 3
# Directives speckeeper parses without following, for safety: a spec that
# includes a snippet of its repo is not wrong, so it is not reported.
_DISABLED_BY_US = ('"include" directive disabled.', '"raw" directive disabled.')

RULES = Registry("rst")


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else text


@RULES.rule("SK501", "rst-error")
def check_rst_error(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """docutils reports an error: the spec will not build as written.

    Unknown directives and roles (a typo, or a name the repo has not
    declared), malformed tables, bad directive options.

    Bad::

        .. notee:: Remember this.

    Good::

        .. note:: Remember this.
    """
    for message in spec.messages:
        if message.level >= ERROR:
            yield Hit(message.line or 1, 1, f"RST error: {_first_line(message.text)}")


@RULES.rule("SK502", "rst-warning")
def check_rst_warning(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """docutils warns: the spec builds, but not as its author meant.

    Unterminated inline markup, a bullet list that ends without a blank
    line, an explicit markup block that ends without one, and the like.

    Bad::

        This is *not closed.

    Good::

        This is *closed*.
    """
    for message in spec.messages:
        if message.level == WARNING and not message.text.startswith((*ADORNMENT_MESSAGES, *_DISABLED_BY_US)):
            yield Hit(message.line or 1, 1, f"RST warning: {_first_line(message.text)}")
