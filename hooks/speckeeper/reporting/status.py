"""How ``speckeeper status`` shows a repo: the report's groups (a release
and state folder each), as a text table or JSON; the HTML page is
:mod:`speckeeper.reporting.status_html`'s."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from speckeeper import rules
from speckeeper.findings import Finding
from speckeeper.reporting.printable import printable

# A group's most common findings, as the text and HTML reports list them.
MOST_COMMON = 3

@dataclass
class Group:
    """The specs of one release and state folder."""

    release: str
    state: str
    specs: list[str] = field(default_factory=list)  # Paths from the repo's top, sorted.
    passing: int = 0
    codes: Counter[str] = field(default_factory=Counter)  # Findings by code.

    @property
    def findings(self) -> int:
        return sum(self.codes.values())


@dataclass
class Report:
    """What ``status`` reports: groups in release order, each spec's
    findings, and the findings about files that are not specs."""

    project: str
    groups: list[Group]
    by_spec: dict[str, list[Finding]]  # Paths from the repo's top; specs with findings only.
    other: list[Finding]
    # Specs the configuration excludes where other-layouts keeps them
    # (nova's gate excludes abandoned/): counted by folder, not checked.
    unchecked: dict[str, int] = field(default_factory=dict)
    made: str = ""  # When: "2026-12-07 05:45 UTC".
    commit: str = ""  # At which commit of the repo, when it is a git work tree.

    def total(self) -> Group:
        total = Group("", "total")
        for group in self.groups:
            total.specs.extend(group.specs)
            total.passing += group.passing
            total.codes.update(group.codes)
        return total

    def releases(self) -> list[str]:
        return list(dict.fromkeys(group.release for group in self.groups if group.release))


def most_common(codes: Counter[str], named: bool = False) -> str:
    """The most common codes, with their counts (and rule names)."""

    def label(code: str) -> str:
        return f"{code} {rules.BY_CODE[code].name}" if code in rules.BY_CODE and named else code

    return ", ".join(f"{label(code)} ({count})" for code, count in codes.most_common(MOST_COMMON))


def text(report: Report) -> str:
    """A table, one row a release and state, and a total."""
    total = report.total()
    rows: list[tuple[str, ...]] = [("release", "state", "specs", "pass", "findings", "most common")]
    for group in [*report.groups, total]:
        counted = (group.release, group.state, str(len(group.specs)), str(group.passing), str(group.findings))
        rows.append((*counted, most_common(group.codes)))
    widths = [max(len(printable(row[column])) for row in rows) for column in range(5)]
    lines = []
    for row in rows:
        cells = [printable(value).ljust(width) if column < 2 else value.rjust(width) for column, (value, width) in enumerate(zip(row, widths))]
        lines.append("  ".join([*cells, row[5]]).rstrip())
    if report.other:
        codes = Counter(f.code for f in report.other)
        lines.append(f"other files: {len(report.other)} finding(s): {most_common(codes)}")
    lines.extend(f"{printable(folder)}: {count} spec(s), not checked (excluded)" for folder, count in report.unchecked.items())
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> str:
    def group(g: Group) -> dict[str, object]:
        return {"release": g.release, "state": g.state, "specs": len(g.specs), "passing": g.passing,
                "findings": g.findings, "codes": dict(g.codes.most_common())}  # fmt: skip

    def finding(f: Finding) -> dict[str, object]:
        return {"path": f.path, "line": f.line, "col": f.col, "code": f.code, "message": f.message}

    data = {
        "project": report.project,
        "groups": [group(g) for g in report.groups],
        "total": group(report.total()),
        "specs": {path: [finding(f) for f in found] for path, found in sorted(report.by_spec.items())},
        "other": [finding(f) for f in report.other],
        "unchecked": report.unchecked,
        "made": report.made,
        "commit": report.commit,
    }
    return json.dumps(data, indent=2) + "\n"
