"""What an analysis of a document shows in the editor, as the protocol's
types: diagnostics, quick fixes, hover, completion, the outline.

Positions: a finding's line is docutils' (Python's ``splitlines``, which
also breaks at form feeds and the like), its column a code point; the
client counts lines at LF, CRLF and CR, and columns in its own units
(UTF-16 by default). :class:`Lines` converts through offsets in the text,
so a hostile document's odd line breaks shift nothing.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from lsprotocol import types

from speckeeper import rules
from speckeeper.findings import Finding
from speckeeper.rules.docs import parts
from speckeeper.rules.structure import aliases, compare, level_styles, section_rows
from speckeeper.document import markdown
from speckeeper.document.model import Section, fold
from speckeeper.document.rst.adornment import ADORNMENT_CHARS
from speckeeper.document.template import TemplateSection
from speckeeper.lsp.engine import Analysis, fix_all, fixed_text
from speckeeper.rules.registry import Severity

SOURCE = "speckeeper"
FIX_ALL = "source.fixAll.speckeeper"
# The command a "Fix all" carries when it leaves findings: shows why.
SHOW_NOT_FIXED = "speckeeper.showNotFixed"
_SEVERITY: dict[Severity, types.DiagnosticSeverity] = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
_CLIENT_BREAK = re.compile(r"\r\n|\r|\n")


class Lines:
    """Positions in one text: docutils' 1-based lines and columns, offsets
    into the text, and the client's positions."""

    def __init__(self, text: str, units: Callable[[str], int]) -> None:
        self.text = text
        self._units = units
        bom = 1 if text.startswith("\ufeff") else 0  # Not in the text the checks read.
        self._starts: list[int] = []
        self._ends: list[int] = []
        offset = bom
        for with_end, bare in zip(text[bom:].splitlines(True), text[bom:].splitlines()):
            self._starts.append(offset)
            self._ends.append(offset + len(bare))
            offset += len(with_end)
        if not self._starts or text.endswith(("\n", "\r")):
            self._starts.append(offset)
            self._ends.append(offset)
        self._rows = [0, *(match.end() for match in _CLIENT_BREAK.finditer(text))]

    def span(self, line: int) -> tuple[int, int]:
        """A 1-based line's content (its line break aside), as offsets."""
        index = min(max(line, 1), len(self._starts)) - 1
        return self._starts[index], self._ends[index]

    def line_at(self, offset: int) -> int:
        """The 1-based docutils line that holds ``offset``."""
        return max(bisect.bisect_right(self._starts, offset), 1)

    def position(self, offset: int) -> types.Position:
        row = bisect.bisect_right(self._rows, offset) - 1
        return types.Position(row, self._units(self.text[self._rows[row] : offset]))

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(self.position(start), self.position(end))

    def offset(self, position: types.Position) -> int:
        """The offset of a client position, clamped to its row."""
        if position.line >= len(self._rows):
            return len(self.text)
        start = self._rows[position.line]
        end = self._rows[position.line + 1] if position.line + 1 < len(self._rows) else len(self.text)
        counted, offset = 0, start
        while offset < end and counted < position.character and self.text[offset] not in "\r\n":
            counted += self._units(self.text[offset])
            offset += 1
        return offset


def finding_span(finding: Finding, lines: Lines) -> tuple[int, int]:
    """What a finding is about, as offsets, as its rule's ``highlight``
    says: from its column to the end of its line's text (a title, the part
    of a line past the limit, the trailing whitespace), indentation aside;
    an empty line, its start; or the one character at its column."""
    start, end = lines.span(finding.line)
    content = lines.text[start:end]
    rule = rules.BY_CODE.get(finding.code)
    if rule is not None and rule.highlight == "character" and start + finding.col - 1 < end:
        return start + finding.col - 1, start + finding.col
    if finding.col <= 1:
        begin = start + len(content) - len(content.lstrip())
    else:
        begin = min(start + finding.col - 1, end)
    stripped = start + len(content.rstrip())
    return begin, stripped if stripped > begin else end


def diagnostic(finding: Finding, lines: Lines, docs_url: str = "") -> types.Diagnostic:
    rule = rules.BY_CODE.get(finding.code)
    described = None
    if rule is not None and docs_url:
        described = types.CodeDescription(href=docs_url.format(code=rule.code, name=rule.name))
    return types.Diagnostic(
        range=lines.range(*finding_span(finding, lines)),
        message=finding.message,
        # A finding of no rule (the document could not be checked) is an error.
        severity=_SEVERITY[rule.severity if rule is not None else "error"],
        code=finding.code or None,
        code_description=described,
        source=SOURCE,
    )


def diagnostics(analysis: Analysis, lines: Lines, docs_url: str = "") -> list[types.Diagnostic]:
    return [
        diagnostic(finding, lines, docs_url) if _same_file(finding.path, analysis.path) else elsewhere(finding, lines, docs_url)
        for finding in analysis.findings
    ]


def _same_file(path: str, document: Path) -> bool:
    return os.path.realpath(path) == os.path.realpath(document)


def elsewhere(finding: Finding, lines: Lines, docs_url: str = "") -> types.Diagnostic:
    """A finding about a file that belongs with the document (its metadata
    file, a KEP's ``kep.yaml``): shown on the document's first line, named
    by that file and line, and linked there."""
    shown = f"{Path(finding.path).name}:{finding.line}: {finding.message}"
    found = diagnostic(finding._replace(line=1, col=1, message=shown), lines, docs_url)
    there = types.Position(max(finding.line - 1, 0), max(finding.col - 1, 0))
    found.related_information = [
        types.DiagnosticRelatedInformation(
            types.Location(Path(os.path.abspath(finding.path)).as_uri(), types.Range(there, there)), finding.message
        )
    ]
    return found


def text_edit(before: str, after: str, lines: Lines) -> types.TextEdit:
    """One edit that turns ``before`` into ``after``: the part between
    what they start and end with alike (never splitting a CRLF)."""
    limit = min(len(before), len(after))
    head = 0
    while head < limit and before[head] == after[head]:
        head += 1
    tail = 0
    while tail < limit - head and before[-1 - tail] == after[-1 - tail]:
        tail += 1
    if 0 < head < len(before) and before[head - 1] == "\r" and before[head] == "\n":
        head -= 1
    end = len(before) - tail
    if 0 < end < len(before) and before[end - 1] == "\r" and before[end] == "\n":
        end += 1
        tail -= 1
    return types.TextEdit(lines.range(head, end), after[head : len(after) - tail])


def _overlaps(finding: Finding, first: int, last: int) -> bool:
    return first <= finding.line <= last


def code_actions(
    analysis: Analysis,
    uri: str,
    lines: Lines,
    chosen: types.Range,
    kinds: Sequence[str] | None,
    docs_url: str = "",
    disabled_support: bool = False,
) -> list[types.CodeAction]:
    """A quick fix for each fixable finding on the lines ``chosen`` covers
    whose fix ``speckeeper fix`` can prove keeps the spec's meaning, and
    "Fix all speckeeper findings": what proves, and a command that shows
    what was left and why; disabled, with why, where nothing proves (for
    clients that show a disabled action's reason)."""
    found: list[types.CodeAction] = []
    first = lines.line_at(lines.offset(chosen.start))
    last = lines.line_at(lines.offset(chosen.end))
    if _wanted(kinds, types.CodeActionKind.QuickFix):
        for finding in analysis.findings:
            rule = rules.BY_CODE.get(finding.code)
            if rule is None or not rule.fixable or not _overlaps(finding, first, last) or not _same_file(finding.path, analysis.path):
                continue
            after = fixed_text(analysis, [finding])
            if after is None:
                continue
            found.append(
                types.CodeAction(
                    title=rule.quick_fix_title(finding.quoted),
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic(finding, lines, docs_url)],
                    edit=_workspace_edit(uri, analysis.text, after, lines),
                    is_preferred=True,
                )
            )
    if _wanted(kinds, FIX_ALL):
        fixed = fix_all(analysis)
        why = not_fixed_message(fixed.not_fixed)
        if fixed.text is not None:
            # Applying it runs the command too: the editor then says what was left.
            command = types.Command("Show what speckeeper fix left", SHOW_NOT_FIXED, arguments=[why]) if why else None
            found.append(
                types.CodeAction(
                    title="Fix all speckeeper findings",
                    kind=FIX_ALL,
                    edit=_workspace_edit(uri, analysis.text, fixed.text, lines),
                    command=command,
                )
            )
        elif why and disabled_support:
            # Nothing proves: chosen, the action shows why; on save it is skipped.
            found.append(
                types.CodeAction(title="Fix all speckeeper findings", kind=FIX_ALL, disabled=types.CodeActionDisabled(why))
            )
    return found


def not_fixed_message(problems: Sequence[Finding]) -> str:
    """What ``speckeeper fix`` could not fix, and why, as one message for
    the editor ("" for nothing)."""
    if not problems:
        return ""
    count = f"{len(problems)} finding{'s' if len(problems) > 1 else ''}"
    return f"speckeeper fix left {count}: " + "; ".join(f"line {f.line}: {f.message}" for f in problems)


def _wanted(kinds: Sequence[str] | None, kind: str) -> bool:
    """Whether a client asking for ``kinds`` wants ``kind`` (a prefix asks
    for what is under it: "source" for "source.fixAll.speckeeper")."""
    return not kinds or any(kind == wanted or kind.startswith(f"{wanted}.") for wanted in kinds)


def _workspace_edit(uri: str, before: str, after: str, lines: Lines) -> types.WorkspaceEdit:
    return types.WorkspaceEdit(changes={uri: [text_edit(before, after, lines)]})


def formatting(analysis: Analysis, lines: Lines) -> tuple[list[types.TextEdit], str]:
    """Document formatting: what ``speckeeper fix`` would change, and
    what it would leave, and why ("" for nothing)."""
    fixed = fix_all(analysis)
    edits = [] if fixed.text is None else [text_edit(analysis.text, fixed.text, lines)]
    return edits, not_fixed_message(fixed.not_fixed)


def hover(analysis: Analysis, lines: Lines, at: types.Position) -> types.Hover | None:
    """On a section's title, what the template asks for there; on a
    finding, its rule's what and why."""
    offset = lines.offset(at)
    line = lines.line_at(offset)
    blocks = [_rule_text(finding) for finding in analysis.findings if finding.line == line and finding.code in rules.BY_CODE]
    section = _section_at(analysis, line)
    if section is not None:
        guidance = _template_section(analysis, section)
        if guidance is not None:
            blocks.insert(0, _guidance_text(guidance, _is_markdown(analysis)))
    if not blocks:
        return None
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, "\n\n---\n\n".join(dict.fromkeys(blocks))))


def _rule_text(finding: Finding) -> str:
    rule = rules.BY_CODE[finding.code]
    doc = parts(rule)
    text = f"**{rule.code}** `{rule.name}`: {doc.what}"
    if doc.why:
        text += f"\n\n{doc.why}"
    if doc.fix:
        text += f"\n\nFix (`speckeeper fix`): {doc.fix}"
    return text


def _guidance_text(section: TemplateSection, in_markdown: bool = False) -> str:
    """A template section's text, as source in the template's format (a
    Markdown template's guidance is often an HTML comment, which the
    editor would hide if it were rendered)."""
    guidance = section.guidance.strip("\n") or "(the template has no guidance here)"
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall("`+", guidance)), default=0))
    language = "markdown" if in_markdown else "rst"
    return f"**{section.title}**: what the template asks for here\n\n{fence}{language}\n{guidance}\n{fence}"


def _is_markdown(analysis: Analysis) -> bool:
    return analysis.loaded is not None and analysis.loaded.spec.format == markdown.FORMAT


def _section_at(analysis: Analysis, line: int) -> Section | None:
    """The section whose title (or adornment) is on ``line``."""
    if analysis.loaded is None:
        return None
    in_markdown = _is_markdown(analysis)
    for section in analysis.loaded.spec.all_sections():
        # A Markdown heading is one line (an ATX one) or a title and its underline.
        last = section.line + (0 if in_markdown and section.style == "#" else 1)
        if section.line - (len(section.style) - 1) <= line <= last:
            return section
    return None


def _template_section(analysis: Analysis, section: Section) -> TemplateSection | None:
    """The template's section a spec's section stands for: the one of
    its title (or of the title ``section-aliases`` accepts it for) at its
    level, of its title anywhere, or the one a near-miss title was meant to be."""
    assert analysis.loaded is not None
    spec, ctx = analysis.loaded.spec, analysis.loaded.ctx
    every = ctx.template.all_sections()
    if _is_markdown(analysis):
        found = _markdown_template_section(section, every, ctx.settings.optional_markers)
        if found is not None:
            return found
    for title in (section.title, aliases(ctx, (s.title for s in every)).get(section.title)):
        for candidate in every:
            if candidate.title == title and candidate.level == section.level:
                return candidate
    for candidate in every:
        if fold(candidate.title) == fold(section.title):
            return candidate
    return next((meant for found, meant in compare(spec, ctx).near_misses if found.line == section.line), None)


def _markdown_template_section(
    section: Section, every: list[TemplateSection], markers: tuple[str, ...]
) -> TemplateSection | None:
    """The Markdown template's section a heading stands for: the one its
    title matches (optional marker and placeholders as the structure rules
    read them), at its level first."""
    from speckeeper.document.markdown_template import matches

    fitting = [candidate for candidate in every if matches(candidate, section.title, markers)]
    return next((c for c in fitting if c.level == section.level), fitting[0] if fitting else None)


# A Markdown heading being typed: its marks, and what follows them.
_TYPED_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t].*)?")


def completion(analysis: Analysis, lines: Lines, at: types.Position) -> list[types.CompletionItem]:
    """On a line of adornment characters (``====``), or a Markdown
    heading's marks (``##``), the template's missing sections, in template
    order: each replaces the line with its title, adorned as the spec
    adorns its level (in Markdown, marked as the template marks it)."""
    if analysis.loaded is None:
        return []
    start, end = lines.span(lines.line_at(lines.offset(at)))
    typed = lines.text[start:end]
    spec, ctx = analysis.loaded.spec, analysis.loaded.ctx
    if _is_markdown(analysis):
        match = _TYPED_HEADING.fullmatch(typed)
        if match is None or lines.line_at(start) in spec.literal_lines:  # A comment in a code block.
            return []

        def heading(section: TemplateSection) -> tuple[str, str]:
            # What was typed after the marks filters; the marks always match.
            return f"{match.group(1)} {section.title}", f"{section.style or '#' * section.level} {section.title}"

        return _missing_sections(analysis, lines.range(start, end), heading)
    if not typed.strip() or not set(typed.strip()) <= ADORNMENT_CHARS:
        return []
    styles = level_styles(spec)

    def adorned(section: TemplateSection) -> tuple[str, str]:
        rows = section_rows(ctx, section, styles)
        underline = next(i for i, (_, under) in enumerate(rows) if under)
        title = [text for text, _ in rows[: underline + 1]]  # The (overline,) title and underline.
        return typed + section.title, "\n".join(title)

    return _missing_sections(analysis, lines.range(start, end), adorned)


def _missing_sections(
    analysis: Analysis, replaced: types.Range, written: Callable[[TemplateSection], tuple[str, str]]
) -> list[types.CompletionItem]:
    """An item for each missing section, in template order, replacing
    ``replaced`` with what ``written`` makes of it (with what the client
    filters it by)."""
    assert analysis.loaded is not None
    spec, ctx = analysis.loaded.spec, analysis.loaded.ctx
    order = {id(section): index for index, section in enumerate(ctx.template.all_sections())}
    missing = sorted(compare(spec, ctx).missing, key=lambda found: order.get(id(found[0]), 0))
    items = []
    for index, (section, parent, _) in enumerate(missing):
        filter_text, text = written(section)
        where = f' in "{parent}"' if parent else ""
        items.append(
            types.CompletionItem(
                label=section.title,
                kind=types.CompletionItemKind.Module,
                detail=f"missing {'subsection' if parent else 'section'}{where}",
                documentation=types.MarkupContent(types.MarkupKind.Markdown, _guidance_text(section, _is_markdown(analysis))),
                sort_text=f"{index:04d}",
                filter_text=filter_text,
                text_edit=types.TextEdit(replaced, text),
            )
        )
    return items


def symbols(analysis: Analysis, lines: Lines) -> list[types.DocumentSymbol]:
    """The outline: the document title, then its sections as a tree."""
    if analysis.loaded is None:
        return []
    spec = analysis.loaded.spec
    ordered = spec.all_sections()
    ends = _section_ends(ordered, lines)
    found = [
        types.DocumentSymbol(
            name=title.text or "(untitled)",
            kind=types.SymbolKind.File,
            range=lines.range(*lines.span(title.line)),
            selection_range=lines.range(*lines.span(title.line)),
        )
        for title in spec.titles
    ]
    found.extend(_symbol(section, lines, ends) for section in spec.sections)
    return found


def _section_ends(ordered: list[Section], lines: Lines) -> dict[int, int]:
    """Where each section ends (by title line), as an offset: where the
    next section of its level or above starts, or the end of the text."""
    ends: dict[int, int] = {}
    for index, section in enumerate(ordered):
        following = next((s for s in ordered[index + 1 :] if s.level <= section.level), None)
        ends[section.line] = _top(following, lines) if following is not None else len(lines.text)
    return ends


def _top(section: Section, lines: Lines) -> int:
    """Where a section's first row (its overline, or its title) starts."""
    return lines.span(section.line - (len(section.style) - 1))[0]


def _symbol(section: Section, lines: Lines, ends: dict[int, int]) -> types.DocumentSymbol:
    start = _top(section, lines)
    title = lines.span(section.line)
    return types.DocumentSymbol(
        name=section.title or "(untitled)",
        kind=types.SymbolKind.Namespace,
        range=lines.range(start, max(ends[section.line], title[1])),
        selection_range=lines.range(*title),
        children=[_symbol(child, lines, ends) for child in section.children],
    )
