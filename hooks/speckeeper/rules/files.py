"""File rules: what is found about a file as a whole, before or instead of
its rules.

The run reports these itself, as it reads a spec (:mod:`speckeeper.files.source`),
finds its template (:mod:`speckeeper.document.template`) and fixes it
(:mod:`speckeeper.fixing.fix`); they are declared here so that they are listed,
documented, selected and ignored like every other rule. A file with one of
them is not parsed, or not written, and the other files are still checked.
"""

from __future__ import annotations

from speckeeper.rules.registry import Registry
from speckeeper.files.source import Refusal, Refused

RULES = Registry("files")

UNREADABLE = RULES.reported(
    "SK001",
    "unreadable",
    """The file cannot be read.

    It is missing, a folder, a FIFO or device, a symlink out of the
    repository or into its ``.git``, or a folder that cannot be listed.

    A spec that cannot be read cannot be checked; saying so keeps a broken
    link or a permission problem from passing in silence.

    Bad::

        specs/2025.1/approved/x.rst -> ../../../.git/config

    Good::

        specs/2025.1/approved/x.rst (a regular file of the repository)
    """,
)

UNDECODABLE = RULES.reported(
    "SK002",
    "not-utf8",
    """The file is not UTF-8 text: another encoding, UTF-16, NUL bytes.

    The docs build reads specs as UTF-8; a file in another encoding shows
    as mojibake, or does not build.

    Bad::

        Caf\\xe9 (Latin-1)

    Good::

        Café (UTF-8)
    """,
)

NO_TEMPLATE = RULES.reported(
    "SK003",
    "no-template",
    """The spec has no template to be checked against.

    With ``template = "specs/{release}-template.rst"`` each release has its
    own template; a spec of a release without one (or whose path does not
    match the layout) cannot be compared with anything. A repo keeping old
    releases without templates can ignore this code for them (``ignore``
    in an ``[[overrides]]`` table).

    Bad::

        specs/2027.2/approved/x.rst   (no specs/2027.2-template.rst)

    Good::

        specs/2027.1/approved/x.rst   (specs/2027.1-template.rst exists)
    """,
)

TOO_LARGE = RULES.reported(
    "SK004",
    "too-large",
    """The file is too large to parse (``max-bytes``, ``max-sections``).

    It is over ``max-bytes`` or has more than ``max-sections`` title
    adornments, or its block quotes or lists nest too deeply.

    docutils' parse time grows with the square of the number of sections,
    and deep nesting exhausts it; the bounds keep a hostile or broken file
    from stalling CI. nova's largest spec is 47 kB with about 60 titles.

    Bad::

        a 2 MB file, or 5,000 nested block quotes

    Good::

        a spec of a few hundred lines
    """,
)

NOT_FIXED = RULES.reported(
    "SK005",
    "not-fixed",
    """``speckeeper fix`` left the file alone, and says why.

    The fixer writes only what it can prove keeps the spec's meaning, and
    only where it may write: a spec whose fix would parse differently, one
    edited while the fix ran, a symlink, a read-only file or one with hard
    links is left as it is.

    Bad::

        specs/x.rst:1:1: SK005 not fixed: is a symbolic link: checked, never written through

    Good::

        Fixing specs/x.rst
    """,
)

# The rule of each reason a file is not read.
REFUSED = {Refused.UNREADABLE: UNREADABLE, Refused.UNDECODABLE: UNDECODABLE, Refused.TOO_LARGE: TOO_LARGE}


def refused(refusal: Refusal) -> str:
    """The code of the finding a file that is not read is."""
    return REFUSED[refusal.reason]
