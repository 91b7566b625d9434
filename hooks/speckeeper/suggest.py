"""The nearest of some known names to a mistyped one, as git suggests a
command (``speckeeper chek``, ``new -d rest-api-impact=yes``)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def nearest(word: str, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The known name most like ``word``, if any is close (``cutoff``, as
    difflib's ratio); case aside, and ``-`` and ``_`` count as one, since
    question names and options mix them up."""
    names = list(known)
    by_key = {name.replace("-", "_").lower(): name for name in names}
    found = difflib.get_close_matches(word.replace("-", "_").lower(), by_key, n=1, cutoff=cutoff)
    return by_key[found[0]] if found else None


def did_you_mean(word: str, known: Iterable[str], otherwise: str) -> str:
    """``; did you mean 'x'?`` when a known name is near, else ``otherwise``."""
    found = nearest(word, known)
    return f"; did you mean '{found}'?" if found else otherwise
