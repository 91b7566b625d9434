"""What a run reports: a finding, and what checking one file came to.

Rules report :class:`~speckeeper.rules.registry.Hit` s; the run turns each
into a :class:`Finding`, with its rule's code and its file, which the
decision, the baseline, the cache and every output format take.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple


class Finding:
    """What the run reports: one problem in one file, with its rule's code,
    as every output format shows it.

    Findings are equal, hashed and ordered by what they report (path,
    line, column, code, message); what rides along (``context``,
    ``about``, ``quoted``) takes no part. A plain class rather than a
    dataclass: a check's start-up pays for every class it declares."""

    __slots__ = ("path", "line", "col", "code", "message", "context", "about", "quoted")

    def __init__(
        self,
        path: str,
        line: int,
        col: int,
        code: str,
        message: str,
        # The text of the finding's line, which the baseline's fingerprint
        # and ``--show-source`` read.
        context: str = "",
        # Other files a repo-level finding is about (see Hit.about).
        about: tuple[str, ...] = (),
        # The texts its message quotes, by name (see Hit.quoted): what a
        # quick fix's title and the commands that act on it read.
        quoted: Mapping[str, str] | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.col = col
        self.code = code
        self.message = message
        self.context = context
        self.about = about
        self.quoted: Mapping[str, str] = {} if quoted is None else quoted

    def _key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.col, self.code, self.message)

    def __eq__(self, other: object) -> bool:
        return self._key() == other._key() if isinstance(other, Finding) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: Finding) -> bool:
        return self._key() < other._key()

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__[:5])
        return f"Finding({shown})"

    def _replace(self, **changes: Any) -> Finding:
        """A copy with ``changes``, as a record's ``_replace``."""
        fields = {name: getattr(self, name) for name in self.__slots__}
        return Finding(**{**fields, **changes})


class Checked(NamedTuple):
    """What checking one file came to: its findings; the codes its own
    comments silence (the gate holds back those of its findings and of the
    repo-level findings about it); the text of its first line (which
    those quote)."""

    findings: list[Finding]
    silenced: frozenset[str] = frozenset()
    first_line: str = ""


def fingerprint(code: str, message: str, line_text: str) -> str:
    """What identifies a finding within its file, wherever its line moves:
    the baseline's key, a report's fingerprint, how ``review`` matches
    the findings of a spec's two sides."""
    import hashlib  # Only for a baseline, a report, a review.

    text = "\0".join((code, message, " ".join(line_text.split())))
    # A message or line naming a file whose name is not UTF-8 holds the
    # name's stray bytes as lone surrogates: fingerprinted as those bytes.
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def by_path(finding: Finding) -> tuple[str, int, int]:
    """Output order: by path, then position (stable: rule order at a tie)."""
    return (finding.path, finding.line, finding.col)
