"""Output formats: how findings are shown to people, editors and CI.

What a finding prints comes partly from the repository (file names, section
titles), so every format shows control characters escaped: a file name
holding a newline cannot start a line that CI reads as a command of its
own, and a title cannot send escape sequences to a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from speckeeper.findings import Finding
from speckeeper.reporting.printable import printable

# A finding's parts as ruff colours them: the path bold, the colons cyan,
# the code bold red; the caret under the source the same red. A style is
# rich's name for it; "" is plain.
Segment = tuple[str, str]
_PATH, _COLON, _CODE = "bold", "cyan", "bold red"


def segments(findings: Sequence[Finding], show_source: bool = False) -> list[Segment]:
    """The text format's lines in styled parts: printed as they are, or in
    colour at a terminal (see :mod:`speckeeper.reporting.terminal`)."""
    found: list[Segment] = []
    for f in findings:
        found += [(printable(f.path), _PATH), (":", _COLON), (str(f.line), ""), (":", _COLON), (str(f.col), "")]
        found += [(":", _COLON), (" ", ""), (f.code, _CODE), (f" {printable(f.message)}\n", "")]
        if show_source and f.context:
            found += _source(f.context, f.col)
    return found


def _source(line: str, col: int) -> list[Segment]:
    """The finding's line and a caret under its column, as flake8's
    ``--show-source`` shows them; the line escaped like every other text."""
    shown = printable(line)
    before = printable(line[: max(col - 1, 0)])
    return [(f"{shown}\n", ""), (" " * _width(before), ""), ("^", _CODE), ("\n", "")]


def _width(value: str) -> int:
    """The columns ``value`` takes at a terminal: wide characters two,
    combining ones none."""
    import unicodedata  # Only for --show-source.

    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in value
    )


def plain(parts: Sequence[Segment]) -> str:
    return "".join(part for part, _ in parts)


def text(findings: Sequence[Finding], show_source: bool = False) -> str:
    """``path:line:col: CODE message``, one a line: editors jump to it.

    With ``show_source``, each finding's line follows, a caret under its
    column."""
    return plain(segments(findings, show_source))


def statistics(findings: Sequence[Finding]) -> list[tuple[str, int]]:
    """How many findings each code has, by code."""
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.code] = counts.get(f.code, 0) + 1
    return sorted(counts.items())


def statistics_text(findings: Sequence[Finding]) -> str:
    """``--statistics``: a line a code, as ruff prints them: the count, the
    code, ``[*]`` when ``speckeeper fix`` repairs it, the rule's name."""
    from speckeeper import rules

    counted = statistics(findings)
    width = max((len(str(count)) for _, count in counted), default=1)
    return "".join(
        f"{count:>{width}}\t{code}\t{'[*]' if rules.BY_CODE[code].fixable else '[ ]'} {rules.BY_CODE[code].name}\n"
        for code, count in counted
    )


def statistics_json(findings: Sequence[Finding]) -> str:
    import json
    from speckeeper import rules

    records = [
        {"code": code, "name": rules.BY_CODE[code].name, "count": count, "fixable": rules.BY_CODE[code].fixable}
        for code, count in statistics(findings)
    ]
    return json.dumps(records, indent=2) + "\n"


def as_json(findings: Sequence[Finding]) -> str:
    """A JSON array of the findings, each its path, line, col, code and message."""
    import json  # Only for this format: a one-file check does without.

    records = [
        {"path": f.path, "line": f.line, "col": f.col, "code": f.code, "message": f.message} for f in findings
    ]
    return json.dumps(records, indent=2) + "\n"


def _escape_github(value: str, property_value: bool = False) -> str:
    value = printable(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: each finding an annotation."""
    return "".join(
        f"::error file={_escape_github(f.path, True)},line={f.line},col={f.col},"
        f"title={f.code}::{_escape_github(f'{f.code} {f.message}')}\n"
        for f in findings
    )


def sarif(findings: Sequence[Finding], docs_url: str = "") -> str:
    """SARIF 2.1.0, every rule described with its ``speckeeper rules`` page:
    GitHub code scanning, GitLab, Azure DevOps."""
    from speckeeper.reporting import reports  # json, hashlib, urllib and the rules' pages: only for these formats.

    return reports.sarif(findings, docs_url)


def junit(findings: Sequence[Finding]) -> str:
    """JUnit XML, as Jenkins and Zuul read test reports."""
    from speckeeper.reporting import reports

    return reports.junit(findings)


def gitlab(findings: Sequence[Finding]) -> str:
    """GitLab's code quality report."""
    from speckeeper.reporting import reports

    return reports.gitlab(findings)


class Format(NamedTuple):
    """An output format, all that is said of it: ``--format``'s choices and
    help, and the docs' list of formats, are made from these."""

    write: Callable[[Sequence[Finding]], str]
    # What ``--format``'s help says after its name, in brackets; empty: nothing.
    label: str = ""
    # CI systems read it against the repository: its paths are from its top,
    # whatever folder the check ran in.
    from_top: bool = False

    def __call__(self, findings: Sequence[Finding]) -> str:
        return self.write(findings)

    @property
    def doc(self) -> str:
        """What it writes: its function's docstring, first paragraph, as Markdown."""
        first = (self.write.__doc__ or "").split("\n\n", 1)[0]
        return " ".join(first.split()).replace("``", "`")


FORMATS: dict[str, Format] = {
    "text": Format(text),
    "json": Format(as_json),
    "github": Format(github, "Actions annotations"),
    "sarif": Format(sarif, "2.1.0", from_top=True),
    "junit": Format(junit, "XML", from_top=True),
    "gitlab": Format(gitlab, "code quality", from_top=True),
}
FROM_TOP = frozenset(name for name, chosen in FORMATS.items() if chosen.from_top)


def format_help() -> str:
    """``--format``'s help: each format, with its label."""
    return "output format: " + ", ".join(f"{name} ({f.label})" if f.label else name for name, f in FORMATS.items())



def from_top(findings: Sequence[Finding], top: Path) -> list[Finding]:
    """The findings with paths from the repository's top (``specs/x.rst``
    from wherever the check ran); a path outside it stays as it is."""
    from speckeeper.files.atomic import inside  # What a path is below the repository, as written.

    found = []
    for f in findings:
        parts = inside(Path(f.path), top)
        found.append(f._replace(path="/".join(parts)) if parts else f)
    return found
