"""Regular expressions built from configuration, run in linear time.

A repo's configuration comes with its changes, as untrusted as its specs:
Python's backtracking engine takes for ever on a ``release-pattern`` such
as ``(a+)+$`` and a folder ``aaaa...a!``, and long on a tracker URL
pattern with several parts and a long URL in a spec. Every regular
expression built from configuration text is compiled here by RE2
(google-re2), whose matching time is linear in the text; one that RE2
cannot run (a backreference, a lookaround) is refused, saying why.

The expressions of speckeeper's own defaults are compiled by Python's
``re``, in which they run in linear time too: a run with the defaults
does without RE2's import (a few milliseconds of a 0.1 s one-file check).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol


class Match(Protocol):
    def groupdict(self) -> dict[str, str | None]: ...

    def groups(self) -> tuple[str | None, ...]: ...


class Pattern(Protocol):
    def search(self, text: str) -> Match | None: ...

    def fullmatch(self, text: str) -> Match | None: ...


class PatternError(ValueError):
    """A pattern that cannot be used; the message says why."""


@lru_cache(maxsize=128)
def compile(regex: str, ours: bool = False) -> Pattern:
    """``regex`` compiled to run in linear time in the text it reads;
    ``ours``: built from speckeeper's own defaults, which Python's ``re``
    runs in linear time too."""
    if ours:
        return re.compile(regex)
    import re2  # About 3 ms: only for a configuration's own patterns.

    options = re2.Options()
    options.log_errors = False  # RE2 would print its reason on stderr.
    try:
        return re2.compile(regex, options)
    except re2.error as error:
        said = error.args[0] if error.args else ""
        reason = said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)
    try:
        re.compile(regex)
    except re.error as error:
        raise PatternError(f"is not a regular expression: {error}") from None
    raise PatternError(f"uses a feature that cannot run in linear time (RE2: {reason})")
