"""``speckeeper status --format html``: one self-contained page.

No script, no stylesheet or font fetched, nothing to run: charts are
inline SVG written here with the standard library (two bar charts need no
charting library, and the one that would serve, pygal, links its tooltip
script from the network unless told not to), tables are HTML. Every text
that comes from the repository (paths, messages, release and state
names) is escaped, control characters shown as escapes first.

A page a maintainer keeps open: it says when and at which commit it was
made; the newest release comes first and older ones are folded
(``<details>``, no script); pass and fail differ in more than hue (blue
and vermilion, which colour-blind readers tell apart, the fail bars
hatched, both labelled).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from speckeeper.findings import Finding
from speckeeper.reporting.printable import printable
from speckeeper.reporting.status import Group, Report, most_common

# Colours for the state folders, in lifecycle order (colour-blind safe:
# Okabe and Ito's palette), then grey for anything else.
_COLOURS = ("#0072b2", "#009e73", "#e69f00", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442")
_OTHER = "#999999"
# Pass and fail: Okabe and Ito's blue and vermilion, told apart with any
# colour vision; fail is hatched besides, for a grey print.
_PASS = "#0072b2"
_FAIL = "#d55e00"
_HATCH = "hatch"
_BAR, _GAP, _LEFT, _TOP, _BOTTOM = 22, 8, 44, 16, 78

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .6em 0; }
th, td { padding: .2em .7em; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; border-top: 2px solid #999; }
ul.legend { list-style: none; padding: 0; margin: .2em 0; }
ul.legend li { display: inline-block; margin-right: 1.2em; }
ul.legend span { display: inline-block; width: .9em; height: .9em; margin-right: .35em; vertical-align: -.1em; }
span.hatch { background: repeating-linear-gradient(45deg, #d55e00 0 3px, #fff 3px 5px); }
table.groups { table-layout: fixed; width: 100%; }
table.groups col.name { width: 9em; } table.groups col.n { width: 5.5em; }
details { margin: .5em 0; } summary { cursor: pointer; font-weight: 600; }
p.made { color: #555; margin-top: 0; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
.finding code { color: #555; }
"""


def _e(value: object) -> str:
    """Text for the page: control characters as escapes, then HTML-escaped."""
    return html.escape(printable(str(value)), quote=True)


@dataclass(frozen=True)
class Series:
    """One colour of bars: its name and a value for each column."""

    name: str
    colour: str
    values: tuple[float, ...]
    hatched: bool = False


def bar_chart(title: str, columns: Sequence[str], series: Sequence[Series], top: float, unit: str = "") -> str:
    """An inline SVG bar chart, the series stacked in each column; each bar
    says its value in a tooltip (SVG ``<title>``, no script)."""
    height = 200
    width = _LEFT + len(columns) * (_BAR + _GAP) + _GAP
    scale = height / top if top else 0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{_TOP + height + _BOTTOM}"'
        f' viewBox="0 0 {width} {_TOP + height + _BOTTOM}"><title>{_e(title)}</title>'
    ]
    hatched = [one for one in series if one.hatched]
    if hatched:  # One pattern per chart: ids are the page's, so named by the chart's colour.
        colour = hatched[0].colour
        parts.append(
            f'<defs><pattern id="{_HATCH}{colour[1:]}" width="5" height="5" patternUnits="userSpaceOnUse"'
            f' patternTransform="rotate(45)"><rect width="5" height="5" fill="#fff"/>'
            f'<rect width="3" height="5" fill="{colour}"/></pattern></defs>'
        )
    for tick in range(5):
        value = top * tick / 4
        y = _TOP + height - value * scale
        parts.append(f'<line x1="{_LEFT}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value:g}{_e(unit)}</text>')
    for index, column in enumerate(columns):
        x = _LEFT + _GAP + index * (_BAR + _GAP)
        base: float = _TOP + height
        for one in series:
            value = one.values[index]
            if value <= 0:
                continue
            tall = value * scale
            base -= tall
            tip = f"{column} {one.name}: {value:g}{unit}".replace("  ", " ")
            fill = f"url(#{_HATCH}{one.colour[1:]})" if one.hatched else one.colour
            parts.append(
                f'<rect x="{x}" y="{base:.1f}" width="{_BAR}" height="{tall:.1f}" fill="{fill}" stroke="{one.colour}">'
                f"<title>{_e(tip)}</title></rect>"
            )
        label_y = _TOP + height + 10
        parts.append(
            f'<text x="{x + _BAR / 2}" y="{label_y}" text-anchor="end"'
            f' transform="rotate(-55 {x + _BAR / 2} {label_y})">{_e(column)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _columns(report: Report) -> list[str]:
    """A chart's columns: the releases in order, then the other folders."""
    return list(dict.fromkeys(group.release or group.state for group in report.groups))


def _states(report: Report) -> list[str]:
    return list(dict.fromkeys(group.state for group in report.groups if group.release))


def _colour(index: int) -> str:
    return _COLOURS[index] if index < len(_COLOURS) else _OTHER


def specs_chart(report: Report) -> tuple[str, str]:
    """Specs per release, stacked by state; and its legend."""
    columns = _columns(report)
    names = [*_states(report), "other"]
    counts = {(g.release or g.state, g.state if g.release else "other"): len(g.specs) for g in report.groups}
    series = [
        Series(name, _colour(index) if name != "other" else _OTHER, tuple(counts.get((c, name), 0) for c in columns))
        for index, name in enumerate(names)
    ]
    series = [one for one in series if any(one.values)]
    tallest = max((sum(one.values[i] for one in series) for i in range(len(columns))), default=0)
    legend = "".join(f'<li><span style="background:{one.colour}"></span>{_e(one.name)}</li>' for one in series)
    chart = bar_chart("Specs per release and state", columns, series, _round_up(tallest))
    return chart, f'<ul class="legend">{legend}</ul>'


def conformance_chart(report: Report) -> tuple[str, str]:
    """The share of each release's specs that pass and that fail, in
    percent, stacked; and its legend."""
    columns = _columns(report)
    specs = dict.fromkeys(columns, 0)
    passing = dict.fromkeys(columns, 0)
    for group in report.groups:
        specs[group.release or group.state] += len(group.specs)
        passing[group.release or group.state] += group.passing
    passed = tuple(round(100 * passing[c] / specs[c]) if specs[c] else 0 for c in columns)
    failed = tuple(100 - share if specs[c] else 0 for c, share in zip(columns, passed))
    series = [Series("pass", _PASS, passed), Series("fail", _FAIL, failed, hatched=True)]
    legend = (
        f'<ul class="legend"><li><span style="background:{_PASS}"></span>pass</li>'
        '<li><span class="hatch"></span>fail (hatched)</li></ul>'
    )
    return bar_chart("Specs that pass and fail, per release", columns, series, 100, "%"), legend


def _round_up(value: float) -> float:
    """A chart's top: four round steps (1, 2, 5, 10, 20, 25, 50, ...) that reach ``value``."""
    scale = 1
    while True:
        for step in (1, 2, 2.5, 5):
            if 4 * step * scale >= value:
                return 4 * step * scale
        scale *= 10


def _group_row(group: Group, total: bool = False) -> str:
    share = f"{100 * group.passing / len(group.specs):.0f}%" if group.specs else ""
    cells = [
        f"<td>{_e(group.release)}</td><td>{_e(group.state)}</td>",
        f'<td class="n">{len(group.specs)}</td><td class="n">{group.passing}</td><td class="n">{share}</td>',
        f'<td class="n">{group.findings}</td><td>{_e(most_common(group.codes, named=True))}</td>',
    ]
    return f'<tr{" class=total" if total else ""}>{"".join(cells)}</tr>'


def _unchecked_row(folder: str, count: int) -> str:
    return (
        f'<tr><td></td><td>{_e(folder)}</td><td class="n">{count}</td>'
        '<td colspan="4">not checked: the configuration excludes them</td></tr>'
    )


def _table(rows: str) -> str:
    """A table of groups; its columns line up with the other such tables."""
    cols = '<colgroup><col class="name"><col class="name">' + '<col class="n">' * 4 + "<col></colgroup>"
    head = (
        "<tr><th>release</th><th>state</th><th class=n>specs</th><th class=n>pass</th>"
        "<th class=n>share</th><th class=n>findings</th><th>most common</th></tr>"
    )
    return f'<table class="groups">{cols}{head}{rows}</table>'


def newest_first(report: Report) -> list[str]:
    """The releases, newest first, as a maintainer reads them."""
    return report.releases()[::-1]


def by_release(report: Report) -> list[str]:
    """The release and state tables: the newest release, the folders that
    are no release (abandoned) and the total; the older releases folded."""
    releases = newest_first(report)
    newest = [g for g in report.groups if releases and g.release == releases[0]]
    elsewhere = [g for g in report.groups if not g.release]
    shown = "".join(_group_row(group) for group in [*newest, *elsewhere])
    shown += "".join(_unchecked_row(folder, count) for folder, count in report.unchecked.items())
    parts = [_table(shown + _group_row(report.total(), total=True))]
    if len(releases) > 1:
        older = "".join(_group_row(g) for release in releases[1:] for g in report.groups if g.release == release)
        parts.append(f"<details><summary>Older releases ({len(releases) - 1})</summary>{_table(older)}</details>")
    return parts


def made(report: Report) -> str:
    """When and at which commit the report was made."""
    when = f"Made {_e(report.made)}" if report.made else "Made"
    at = f" at commit <code>{_e(report.commit)}</code>" if report.commit else " outside a git work tree"
    return f'<p class="made">{when}{at}.</p>'


def page(report: Report) -> str:
    """The whole report as one HTML page."""
    total = report.total()
    share = f"{100 * total.passing / len(total.specs):.0f}%" if total.specs else "none"
    chart, legend = specs_chart(report)
    conformance, conformance_legend = conformance_chart(report)
    set_aside = "".join(f"; {count} {_e(folder)}, not checked" for folder, count in report.unchecked.items())
    body = [
        f"<h1>Spec status{': ' + _e(report.project) if report.project else ''}</h1>",
        made(report),
        f"<p>{len(total.specs)} specs in {len(report.releases())} releases;"
        f" {total.passing} pass every rule the configuration enables ({share});"
        f" {total.findings} findings on specs, {len(report.other)} on other files{set_aside}.</p>",
        "<h2>By release and state</h2>",
        *by_release(report),
        "<h2>Specs per release and state</h2>",
        chart,
        legend,
        "<h2>Specs that pass, per release</h2>",
        conformance,
        conformance_legend,
        *_findings(report),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Spec status{': ' + _e(report.project) if report.project else ''}</title>"
        f"<style>{_STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def _findings(report: Report) -> list[str]:
    """The specs with findings, release by release in the table's order
    (newest first, the newest open, the others folded), each spec linking
    to its list; then the findings about other files."""
    if not report.by_spec and not report.other:
        return ["<h2>Findings</h2>", "<p>None: every spec passes.</p>"]
    specs = [spec for group in report.groups for spec in group.specs if spec in report.by_spec]
    found = [f"<h2>Specs with findings ({len(specs)})</h2>"]
    number = {spec: n for n, spec in enumerate(specs, 1)}
    order = [*newest_first(report), *dict.fromkeys(g.state for g in report.groups if not g.release)]
    for name in order:
        groups = [g for g in report.groups if (g.release or g.state) == name]
        listed = [spec for group in groups for spec in group.specs if spec in report.by_spec]
        if listed:  # The first listed, the newest release with findings, is open.
            found.append(_release_findings(report, name, listed, number, opened=len(found) == 1))
    if report.other:
        items = "".join(_item(f, with_path=True) for f in report.other)
        found.append(f"<h2>Findings on other files ({len(report.other)})</h2><ul>{items}</ul>")
    return found


def _release_findings(report: Report, name: str, specs: list[str], number: dict[str, int], opened: bool) -> str:
    """One release's specs with findings, folded unless ``opened``."""
    count = sum(len(report.by_spec[spec]) for spec in specs)
    rows = "".join(
        f'<tr><td><a href="#spec-{number[spec]}">{_e(spec)}</a></td><td class="n">{len(report.by_spec[spec])}</td>'
        f"<td>{_e(', '.join(dict.fromkeys(f.code for f in report.by_spec[spec])))}</td></tr>"
        for spec in specs
    )
    lists = "".join(
        f'<h3 id="spec-{number[spec]}">{_e(spec)}</h3><ul>{"".join(_item(f) for f in report.by_spec[spec])}</ul>'
        for spec in specs
    )
    return (
        f'<details{" open" if opened else ""}><summary>{_e(name)}: {_count(len(specs), "spec")}, {_count(count, "finding")}</summary>'
        f"<table><tr><th>spec</th><th class=n>findings</th><th>codes</th></tr>{rows}</table>{lists}</details>"
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _item(finding: Finding, with_path: bool = False) -> str:
    where = f"{finding.path}:{finding.line}:{finding.col}" if with_path else f"line {finding.line}, column {finding.col}"
    return f'<li class="finding"><code>{_e(where)}</code> <b>{_e(finding.code)}</b> {_e(finding.message)}</li>'
