"""Regular expressions compiled by an earlier run, kept.

Every process compiles each regular expression it uses from its text:
docutils' inline markup alone has a dozen with every Unicode punctuation
character in a class, and a one-file check spends about 15% of its time
compiling its 120 expressions (``benchmarks/RESULTS.md``). What Python's
compiler makes of an expression (the program its matcher, ``_sre``, runs)
depends on the expression's text, its flags and the Python that compiles
it, nothing else; so a command keeps what it compiled in the user's cache
folder (a :class:`.textstore.TextStore` entry by the command's name,
stamped with Python's build and its matcher's version) and gives it, the
next run, to ``_sre.compile`` as ``re`` would. ``_sre.compile`` checks the
program it is given (as it does for ``re``'s own), and anything it refuses,
or that is not of the shape written, is compiled as usual.

Only on CPython, whose ``re`` has had the same last step from 3.10 to
3.13 (``compile(pattern, flags, code, groups, groupindex, indexgroup)``);
only for text expressions without ``re.DEBUG`` (which prints as it
compiles); only while :func:`kept`'s block runs. The language server,
which starts once, does without.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from speckeeper.files import usercache
from speckeeper.files.textstore import TextStore

FOLDER = "regex"
# Expressions kept for one command, and the bytes of its entry: a check
# compiles about 120 (115 kB); the bounds leave room for the Markdown
# reader's and a repo's own, and are what a forged entry can cost.
MOST_EXPRESSIONS = 2000
MAX_BYTES = 4 * 1024 * 1024
COMMANDS = 32  # Entries kept: one a command.

# What _sre.compile takes after the pattern: (final flags, code, groups,
# groupindex, indexgroup).
Arguments = tuple[int, list[int], int, dict[str, int], tuple[Any, ...]]


def _compiler() -> Any:
    """The module whose ``compile`` ``re`` calls for an expression it has
    not compiled yet (``re._compiler``; ``sre_compile`` on 3.10)."""
    return getattr(re, "_compiler", None) or re.sre_compile  # type: ignore[attr-defined]


def _stamp() -> str:
    import _sre  # type: ignore[import-not-found]

    return repr((sys.version, sys.implementation.cache_tag, _sre.MAGIC, _sre.CODESIZE, sys.maxunicode))


class Keeper:
    """Stands in for the compiler's ``compile`` while a command runs: what
    ``known`` holds is made from what was kept; anything else is compiled,
    and what ``_sre.compile`` was given for it noted in ``new``."""

    def __init__(self, known: dict[tuple[str, int], Arguments], sre_compile: Callable[..., re.Pattern[Any]]) -> None:
        self.known = known
        self.new: dict[tuple[str, int], Arguments] = {}
        self.used: set[tuple[str, int]] = set()
        self._sre_compile = sre_compile
        self._asked: tuple[str, int] | None = None

    def compile(self, original: Callable[..., re.Pattern[Any]], pattern: Any, flags: int) -> re.Pattern[Any]:
        if type(pattern) is not str or flags & re.DEBUG:
            return original(pattern, flags)
        key = (pattern, int(flags))
        arguments = self.known.get(key)
        if arguments is not None:
            try:
                compiled = self._sre_compile(pattern, *arguments)
            except Exception:  # Refused by _sre's check, or of another shape: compiled below.
                del self.known[key]
            else:
                self.used.add(key)
                return compiled
        self._asked = key
        try:
            return original(pattern, flags)
        finally:
            self._asked = None

    def record(self, pattern: Any, flags: int, code: list[int], groups: int, groupindex: Any, indexgroup: Any) -> re.Pattern[Any]:
        """``_sre.compile``, noting what it was given for the expression
        being compiled."""
        compiled = self._sre_compile(pattern, flags, code, groups, groupindex, indexgroup)
        asked, self._asked = self._asked, None
        if asked is not None and asked[0] is pattern:
            self.new[asked] = (flags, list(code), groups, dict(groupindex), tuple(indexgroup))
            self.used.add(asked)
        return compiled

    def to_keep(self) -> list[list[Any]] | None:
        """What to keep (None: nothing new): every expression known, or only
        this run's when all would be too many."""
        if not self.new:
            return None
        known = {**self.known, **self.new}
        if len(known) > MOST_EXPRESSIONS:
            known = {key: arguments for key, arguments in known.items() if key in self.used}
        return [[pattern, flags, *arguments[:4], list(arguments[4])] for (pattern, flags), arguments in known.items()][:MOST_EXPRESSIONS]


def _known(data: object) -> dict[tuple[str, int], Arguments]:
    """The expressions a store entry holds, of the shape written; the rest
    is left out (``_sre.compile`` checks each program when it is used)."""
    known: dict[tuple[str, int], Arguments] = {}
    if not isinstance(data, list):
        return known
    for item in data:
        if isinstance(item, list) and len(item) == 7:
            pattern, flags, final, code, groups, groupindex, indexgroup = item
            if (
                isinstance(pattern, str) and type(flags) is int and type(final) is int and isinstance(code, list)
                and type(groups) is int and isinstance(groupindex, dict) and isinstance(indexgroup, list)
            ):  # fmt: skip
                known[(pattern, flags)] = (final, code, groups, groupindex, tuple(indexgroup))
    return known


@contextmanager
def kept(command: str) -> Iterator[None]:
    """Run the block with the expressions ``command`` compiled in earlier
    runs, keeping any it compiles anew (when the block ends without an
    error). Nothing is kept where the cache folder is off or unusable, or
    off CPython."""
    if sys.implementation.name != "cpython":
        yield
        return
    import _sre

    store = TextStore(usercache.default(), FOLDER, _stamp(), COMMANDS, MAX_BYTES)
    keeper = Keeper(_known(store.get(command)), _sre.compile)
    compiler = _compiler()
    original = compiler.compile
    compiler.compile = lambda pattern, flags=0: keeper.compile(original, pattern, flags)
    _sre.compile = keeper.record
    try:
        yield
    finally:
        compiler.compile = original
        _sre.compile = keeper._sre_compile
    data = keeper.to_keep()
    if data is not None:
        store.put(command, data)
