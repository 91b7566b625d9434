"""Structure rules: a spec keeps its template's sections, in order, at the
right level.

By default these reproduce nova-specs' own gate: top-level titles equal the
template's (optional ones aside), every template subsection is present,
extra subsections are allowed. Titles compare as written. Rules beyond the
gate (near-miss titles, misplaced sections, order, duplicates, empty
sections) have codes of their own; a near miss or a misplaced section,
when its rule is on, is reported as such instead of as a missing plus an
unexpected section.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from speckeeper.rules.registry import Context, Edit, FixInput, Hit, Registry
from speckeeper.document import markdown as markdown_format
from speckeeper.document.model import Document as Spec
from speckeeper.document.model import Section, column_width, fold
from speckeeper.document.rst.adornment import ADORNMENT_MESSAGES, adornment
from speckeeper.document.template import TemplateSection

MISSING_SECTION, MISSING_SUBSECTION = "SK101", "SK102"
NEAR_MISS = "SK104"
MISPLACED = "SK105"
# What brings a spec to its template (``speckeeper repropose``): the rules
# whose fix inserts the template sections a spec lacks, and those that,
# when on, tell a section there under a slip of its title or out of place
# from a missing one.
INSERTS_MISSING = (MISSING_SECTION, MISSING_SUBSECTION)
TELLS_FROM_MISSING = (NEAR_MISS, MISPLACED)
# How alike two titles must be to count as a near miss (difflib ratio).
NEAR_RATIO = 0.8

RULES = Registry("structure")


class Diff:
    """How a spec's sections differ from its template's, computed once."""

    __slots__ = ("missing", "before", "unexpected", "near_misses", "meant", "misplaced", "out_of_order", "duplicates", "empty")

    def __init__(self) -> None:
        # (template section, parent title or "", line where it belongs)
        self.missing: list[tuple[TemplateSection, str, int]] = []
        # What a missing section's place holds: the title of the section it
        # belongs before, "" at the end of its parent (by id of the template section).
        self.before: dict[int, str] = {}
        self.unexpected: list[Section] = []
        self.near_misses: list[tuple[Section, TemplateSection]] = []
        # The title a near miss is a slip of (the template's, or one accepted
        # for it), by id of the section.
        self.meant: dict[int, str] = {}
        # (section, template section, where the template has it, where it is)
        self.misplaced: list[tuple[Section, TemplateSection, str, str]] = []
        self.out_of_order: list[tuple[Section, str]] = []
        self.duplicates: list[tuple[Section, Section]] = []
        self.empty: list[Section] = []


def aliases(ctx: Context, own: Iterable[str] = ()) -> dict[str, str]:
    """Each other title a template section is accepted under
    (``section-aliases``), with the template's title for it; but the
    ``own`` titles of the template, which stand for themselves (an older
    release's template that still has the older title)."""
    if not ctx.settings.section_aliases:
        return {}  # Most repos: none.
    kept = frozenset(own)
    return {other: title for title, others in ctx.settings.section_aliases for other in others if other not in kept}


def _template_title(ctx: Context, title: str) -> str:
    """The template's title for a spec's: the same, or the one it is accepted for."""
    if not ctx.settings.section_aliases:
        return title  # Most repos: none (and the template is not walked for them).
    return aliases(ctx, (t.title for t in ctx.template.all_sections())).get(title, title)


def markdown_template(ctx: Context) -> bool:
    """Whether the spec's template is a Markdown one (so is the spec)."""
    return markdown_format.is_markdown(ctx.template.path)


def _alike(a: str, b: str) -> bool:
    a, b = fold(a), fold(b)
    if a == b:
        return True
    import difflib  # Only where a title differs: a conformant spec's check needs none.

    matcher = difflib.SequenceMatcher(None, a, b)
    # Each quick ratio is an upper bound of the next: most pairs are told apart by one.
    return matcher.real_quick_ratio() >= NEAR_RATIO and matcher.quick_ratio() >= NEAR_RATIO and matcher.ratio() >= NEAR_RATIO


def _optional(ctx: Context, section: TemplateSection, parent: str) -> bool:
    settings = ctx.settings
    if section.optional:  # Marked so in a Markdown template.
        return True
    if section.title in settings.optional_sections or f"{parent}/{section.title}" in settings.optional_sections:
        return True
    if settings.required_sections and not parent:
        return section.title not in settings.required_sections
    return False


def _markdown_titles(
    ctx: Context, expected: tuple[TemplateSection, ...], actual: tuple[Section, ...], names: set[str]
) -> dict[str, str]:
    """The template's title for each title a Markdown template accepts
    other than as written: with or without its optional marker, in another
    case, or where the template's title has placeholders."""
    from speckeeper.document.markdown_template import matches  # Only for a Markdown template.

    markers = ctx.settings.optional_markers
    found: dict[str, str] = {}
    claimed = names & {s.title for s in actual}
    for section in actual:
        if section.title in names or section.title in found:
            continue
        fitting = [t.title for t in expected if matches(t, section.title, markers)]
        # Each of two placeholder titles ("{title of option 1}", "{title of
        # other option}") is a title of its own: the first not yet taken.
        meant = next((title for title in fitting if title not in claimed), fitting[-1] if fitting else None)
        if meant is not None:
            found[section.title] = meant
            claimed.add(meant)
    return found


def _tolerated(ctx: Context, title: str) -> bool:
    if title in ctx.settings.allowed_sections:
        return True
    # In a draft folder, template sections that are not required may stay.
    return bool(ctx.settings.required_sections) and any(
        t.title == title for t in ctx.template.sections
    )


def _section_end(section: Section, spec: Spec) -> int:
    """The line just after a section's last line (where a child would go)."""
    last = section.walk()[-1].line
    following = [s.line for s in spec.all_sections() if s.line > last]
    # In Markdown a second title (a level-1 heading) ends every section.
    title = min((t.line for t in spec.titles if t.line > last and spec.format == "markdown"), default=0)
    if title and (not following or title < min(following)):
        return title
    if not following:
        return len(spec.lines) + 1
    return _title_start(next(s for s in spec.all_sections() if s.line == min(following)))


def _title_start(section: Section) -> int:
    """The first line of a title: its overline, if it has one."""
    return section.line - 1 if len(section.style) == 2 else section.line


def _judged(
    expected: tuple[TemplateSection, ...], actual: tuple[Section, ...], diff: Diff, named: dict[str, str]
) -> dict[str, Section]:
    """The section each title is judged by (a title accepted for a template
    section, ``named``, as that section's); the others of the same title are
    duplicates. Of several, the one that holds most of the template's
    subsections for it (a gate that keeps the last of a title passes the
    spec by that one), the first at a tie."""
    wanted = {t.title: {c.title for c in t.children} for t in expected}
    by_title: dict[str, list[Section]] = {}
    for section in actual:
        by_title.setdefault(named.get(section.title, section.title), []).append(section)
    judged: dict[str, Section] = {}
    for title, sections in by_title.items():
        children = wanted.get(title, set())
        best = max(sections, key=lambda s: (len(children & {named.get(c.title, c.title) for c in s.children}), -s.line))
        judged[title] = best
        diff.duplicates.extend((section, best) for section in sections if section is not best)
    return judged


def _extra_allowed(ctx: Context, parent: str) -> bool:
    """Whether subsections beyond the template's may stand under ``parent``:
    ``allow-extra-subsections``, true, false, or the sections that allow them."""
    allowed = ctx.settings.allow_extra_subsections
    return allowed if isinstance(allowed, bool) else parent in allowed


def _compare_level(
    ctx: Context,
    spec: Spec,
    expected: tuple[TemplateSection, ...],
    actual: tuple[Section, ...],
    parent: Section | None,
    diff: Diff,
) -> None:
    names = {t.title for t in expected}
    named = aliases(ctx, names)
    if markdown_template(ctx):
        named.update(_markdown_titles(ctx, expected, actual, names))
    # The parent as the template names it, for the keys that name sections.
    parent_title = "" if parent is None else _template_title(ctx, parent.title)
    first = _judged(expected, actual, diff, named)
    missing = [t for t in expected if t.title not in first and not _optional(ctx, t, parent_title)]
    extra = [s for s in first.values() if named.get(s.title, s.title) not in names]

    # Near misses: an extra title that is a slip of a missing one.
    if NEAR_MISS in ctx.enabled:
        for template_section in list(missing):
            accepted = [template_section.title, *(other for other, title in named.items() if title == template_section.title)]
            match, meant = next(((s, a) for s in extra for a in accepted if _alike(s.title, a)), (None, ""))
            if match is not None:
                diff.near_misses.append((match, template_section))
                diff.meant[id(match)] = meant
                missing.remove(template_section)
                extra.remove(match)
                first[template_section.title] = match

    # Where each missing section would go: before the next one present, or
    # at the end of the parent (looked for only when one is missing).
    end = 0
    if missing:
        end = _section_end(parent, spec) if parent is not None else len(spec.lines) + 1
    for position, template_section in enumerate(expected):
        if template_section not in missing:
            continue
        later = [first[t.title] for t in expected[position + 1 :] if t.title in first]
        following = min(later, key=lambda s: s.line) if later else None
        where = _title_start(following) if following is not None else end
        diff.missing.append((template_section, parent.title if parent is not None else "", where))
        diff.before[id(template_section)] = following.title if following is not None else ""

    allow_extra = parent is not None and _extra_allowed(ctx, parent_title)
    diff.unexpected.extend(s for s in extra if not allow_extra and not _tolerated(ctx, s.title))

    # Order: each section the template puts before one already seen.
    index = {t.title: i for i, t in enumerate(expected)}
    seen: list[Section] = []
    for present in first.values():
        place = index.get(named.get(present.title, present.title))
        if place is None:
            continue
        after = [s for s in seen if index[named.get(s.title, s.title)] > place]
        if after:
            diff.out_of_order.append((present, after[0].title))
        seen.append(present)

    for template_section in expected:
        section = first.get(template_section.title)
        if section is None:
            continue
        title = named.get(section.title, section.title)
        if section.is_empty and template_section.title == title:
            diff.empty.append(section)
        if section.level >= ctx.settings.template_depth:
            continue  # Deeper titles are the author's (``template-depth``).
        if template_section.children or (section.children and not _extra_allowed(ctx, title)):
            _compare_level(ctx, spec, template_section.children, section.children, section, diff)


def _misplaced(ctx: Context, spec: Spec, diff: Diff) -> None:
    """A missing section found, by its exact title, somewhere else: one
    finding for the section that moved, none for the sections that moved
    with it (under it, where the template has them beside it)."""
    if MISPLACED not in ctx.enabled:
        return
    expected = {t.title: (t, parent) for t, parent, _ in diff.missing}
    moved: dict[int, str] = {}  # id of a misplaced section -> the parent the template gives it.
    for section, parent in _with_parents(spec.sections, None):
        title = _template_title(ctx, section.title)
        if title not in expected:
            continue
        template_section, belongs_under = expected.pop(title)
        carried = parent is not None and moved.get(id(parent)) == belongs_under
        if not carried:
            moved[id(section)] = belongs_under
            diff.misplaced.append((section, template_section, belongs_under, parent.title if parent else ""))
        diff.missing = [m for m in diff.missing if m[0] is not template_section]
        diff.unexpected = [s for s in diff.unexpected if s is not section]


def _with_parents(sections: tuple[Section, ...], parent: Section | None) -> Iterator[tuple[Section, Section | None]]:
    """Every section, in document order, with the section it is under."""
    for section in sections:
        yield section, parent
        yield from _with_parents(section.children, section)


def template_name(ctx: Context) -> str:
    """How messages name the template: with its path where a repo has one
    per release (they differ), else "the template"."""
    return f"the template {ctx.template_name}" if ctx.template_name else "the template"


def compare(spec: Spec, ctx: Context) -> Diff:
    diff = Diff()
    _compare_level(ctx, spec, ctx.template.sections, spec.sections, None, diff)
    _misplaced(ctx, spec, diff)
    return diff


def _diff(spec: Spec, ctx: Context) -> Diff:
    return ctx.memo("structure", lambda: compare(spec, ctx))


def insert_missing_sections(fix: FixInput) -> Iterator[Edit]:
    """Each missing template section of the flagged kinds inserted where it
    belongs: its title, adorned as the spec adorns that level (in Markdown,
    a heading of the template's level), and "None" under it
    (``missing-section-text``), or its required subsections."""
    styles = level_styles(fix.spec)
    at: dict[int, list[tuple[TemplateSection, str]]] = {}
    for template_section, parent, where in _diff(fix.spec, fix.ctx).missing:
        if (MISSING_SUBSECTION if parent else MISSING_SECTION) in fix.codes:
            at.setdefault(where - 1, []).append((template_section, parent))
    for row, missing in at.items():
        block: list[tuple[str, bool]] = []
        # Deeper first: a subsection ends its section before the next section starts.
        for template_section, parent in sorted(missing, key=lambda found: -found[0].level):
            level = _heading_level(fix, template_section, parent, row + 1) if markdown_template(fix.ctx) else 0
            block.extend(section_rows(fix.ctx, template_section, styles, level))
            block.append(("", False))
        if row == len(fix.rows):
            block.pop()  # No blank line at the end of the file.
        if row > 0 and fix.rows[row - 1].strip():
            block.insert(0, ("", False))
        underlines = tuple(index for index, (_, under) in enumerate(block) if under)
        yield Edit(row, row, tuple(text for text, _ in block), underlines=underlines)


def level_styles(spec: Spec) -> dict[int, str]:
    """How the spec adorns each level: as its first title of that level."""
    styles: dict[int, str] = {}
    for section in spec.all_sections():
        styles.setdefault(section.level, section.style)
    return styles


def _heading_level(fix: FixInput, missing: TemplateSection, parent: str, where: int) -> int:
    """The level to write a missing Markdown section's heading at, placed
    at line ``where``: as far below the document's heading of its parent as
    the template's is below its parent's (a KEP's ``######`` question under
    ``###``), or the template's own for a top-level one; then no deeper
    than the sibling before it (or it would nest under that one) and no
    shallower than the one after it (or that one would nest under it).
    Read off the rows as the fixes before left them (a level closed)."""
    from speckeeper.document.markdown_template import heading_level  # Only for a Markdown template.

    spec = fix.spec
    level = len(missing.style)
    ours = next((s for s in spec.all_sections() if s.title == parent), None) if parent else None
    if ours is not None:
        theirs = next((t for t in fix.ctx.template.all_sections() if any(c is missing for c in t.children)), None)
        if theirs is not None:
            level = heading_level(spec, ours, fix.rows) + len(missing.style) - len(theirs.style)
    siblings = ours.children if ours is not None else spec.sections
    before = [s for s in siblings if s.line < where]
    after = [s for s in siblings if s.line >= where]
    if before:
        level = min(level, heading_level(spec, before[-1], fix.rows))
    if after:
        level = max(level, heading_level(spec, after[0], fix.rows))
    if ours is not None:
        level = max(level, heading_level(spec, ours, fix.rows) + 1)
    return max(1, min(6, level))


def section_rows(
    ctx: Context, section: TemplateSection, styles: dict[int, str], level: int = 0
) -> list[tuple[str, bool]]:
    """A template section's title, then ``missing-section-text`` ("None")
    or its required subsections: (row, whether it is the title's last row:
    its underline, or a Markdown ``#`` heading itself). ``level``: the
    level of a Markdown heading (0: the template's)."""
    if markdown_template(ctx):
        level = level or len(section.style)
        found = _markdown_heading(section, styles, level)
    else:
        style = styles.get(section.level, section.style)
        adornment = style[0] * column_width(section.title)
        found = [(adornment, False)] if len(style) == 2 else []
        found += [(section.title, False), (adornment, True)]
    children = [c for c in section.children if not _optional(ctx, c, section.title)]
    if not children and ctx.settings.missing_section_text.strip():
        found += [("", False), *((row, False) for row in ctx.settings.missing_section_text.strip("\n").splitlines())]
    for child in children:
        found.append(("", False))
        below = level + len(child.style) - len(section.style) if level else 0
        found.extend(section_rows(ctx, child, styles, min(6, below)))
    return found


def _markdown_heading(section: TemplateSection, styles: dict[int, str], level: int) -> list[tuple[str, bool]]:
    """A Markdown heading of ``level``: underlined where the document
    writes that level so (setext, levels 1 and 2 alone), else with ``#``
    marks."""
    setext = "=" if level == 1 else "-"
    if level <= 2 and styles.get(section.level) == setext:
        return [(section.title, False), (setext * max(column_width(section.title), 3), True)]
    return [(f"{'#' * level} {section.title}", True)]


@RULES.rule(
    MISSING_SECTION,
    "missing-section",
    fix=insert_missing_sections,
    fix_moves_rows=True,
    fix_title='Insert the missing section "{section}"',
)
def check_missing_section(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """A top-level section of the template is missing.

    Every template section stays, with "None" under it when there is nothing
    to say: reviewers look for each one. Reported where the section belongs.

    Bad::

        Problem description
        ===================
        ...
        Alternatives ...   (no "Proposed change" section)

    Good::

        Proposed change
        ===============

        None
    """
    diff = _diff(spec, ctx)
    for template_section, parent, where in diff.missing:
        if not parent:
            here = _place(diff, template_section, "the spec")
            yield Hit(
                min(where, max(len(spec.lines), 1)),
                1,
                f'missing section "{template_section.title}": {template_name(ctx)} has it here, {here}',
                quoted={"section": template_section.title},
            )


@RULES.rule(
    MISSING_SUBSECTION,
    "missing-subsection",
    fix=insert_missing_sections,
    fix_moves_rows=True,
    fix_title='Insert the missing subsection "{section}"',
)
def check_missing_subsection(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """A subsection of the template is missing from its section.

    As nova's gate asks: every subsection the template has is there, with
    "None" when there is nothing to say, so that reviewers find each
    question answered in its place. Reported where the subsection belongs.

    Bad::

        Problem description
        ===================

        (no "Use Cases" subsection)

    Good::

        Problem description
        ===================

        Use Cases
        ---------

        None
    """
    diff = _diff(spec, ctx)
    for template_section, parent, where in diff.missing:
        if parent:
            here = _place(diff, template_section, f'"{parent}"')
            yield Hit(
                min(where, max(len(spec.lines), 1)),
                1,
                f'missing subsection "{template_section.title}" in "{parent}": {template_name(ctx)} has it here, {here}',
                quoted={"section": template_section.title, "parent": parent},
            )


def _place(diff: Diff, missing: TemplateSection, parent: str) -> str:
    """What the spec holds where a missing section belongs."""
    following = diff.before.get(id(missing), "")
    return f'before "{following}"' if following else f"at the end of {parent}"


@RULES.rule("SK103", "unexpected-section")
def check_unexpected_section(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """A top-level section that the template does not have.

    Extra material belongs in a subsection of the template section it is
    about; a repo can tolerate named extra sections (``allowed-sections``).

    Bad::

        Rollout
        =======

    Good::

        Proposed change
        ===============

        Rollout
        -------
    """
    for section in _diff(spec, ctx).unexpected:
        where = "top-level section" if section.level == 1 else "subsection"
        yield Hit(section.line, 1, f'unexpected {where} "{section.title}": {template_name(ctx)} has no such section here')


def rename_near_miss(fix: FixInput) -> Iterator[Edit]:
    """Each flagged title renamed to the template's, its adornment made as
    wide as the new title where it was too short (a Markdown heading keeps
    its marks); a section linked to by its old title is left (the proof
    finds the link broken)."""
    rows = fix.rows
    diff = _diff(fix.spec, fix.ctx)
    for section, template_section in diff.near_misses:
        if fix.spec.format == "markdown":
            # A title with placeholders is the author's to write.
            edit = _rename_heading(rows, section, diff.meant[id(section)])
            if section.line in fix.lines and edit is not None and not template_section.pattern:
                yield edit
            continue
        found = adornment(rows, section.line)
        if section.line not in fix.lines or found is None:
            continue
        old = rows[section.line - 1]
        title = old[: len(old) - len(old.lstrip())] + diff.meant[id(section)]
        width = column_width(title)
        under = rows[found.under - 1].rstrip()
        new = [title, found.char * max(width, len(under))]
        if found.over:
            new.insert(0, found.char * max(width, len(rows[found.over - 1].rstrip())))
        yield Edit((found.over or section.line) - 1, found.under, tuple(new), retitles=True)


def _rename_heading(rows: tuple[str, ...], section: Section, meant: str) -> Edit | None:
    """A Markdown heading's text replaced, its marks kept: a ``#``
    heading's row (its closing marks too), or a setext heading's row with
    the underline under it (as wide as the new title where it was as wide
    as the old); None for a setext heading of several rows."""
    row = rows[section.line - 1]
    start = 0
    if section.style == "#":
        lead = len(row) - len(row.lstrip(" "))
        start = len(row) - len(row[lead:].lstrip("#"))
    at = row.find(section.title, start) if section.title else -1
    if at < 0:
        return None
    new = row[:at] + meant + row[at + len(section.title) :]
    if section.style == "#":
        return Edit(section.line - 1, section.line, (new,), retitles=True)
    under = rows[section.line] if section.line < len(rows) else ""
    if set(under.strip()) != {section.style}:
        return None
    if len(under.strip()) >= column_width(row.strip()):  # As wide as its title: so it stays.
        under = under[: len(under) - len(under.lstrip())] + section.style * column_width(new.strip())
    return Edit(section.line - 1, section.line + 1, (new, under), retitles=True)


@RULES.rule(NEAR_MISS, "near-miss-title", fix=rename_near_miss, fix_title='Rename to "{meant}", as in the template')
def check_near_miss_title(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """A title differs from the template's only by case, spacing or a typo.

    Beyond nova's gate, which reports it as a missing and an unexpected
    section; here it is one finding that says which title was meant.

    Bad::

        Use cases
        ---------

    Good::

        Use Cases
        ---------
    """
    diff = _diff(spec, ctx)
    for section, template_section in diff.near_misses:
        meant = diff.meant[id(section)]
        source = template_name(ctx) if meant == template_section.title else f'section-aliases for "{template_section.title}"'
        yield Hit(
            section.line, 1, f'title "{section.title}" should be "{meant}" as in {source}', quoted={"found": section.title, "meant": meant}
        )


@RULES.rule(MISPLACED, "misplaced-section")
def check_misplaced_section(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """A template section is present, but at the wrong level or place.

    Beyond nova's gate, which reports it as missing (and unexpected). One
    finding for the section that is out of place: the sections that follow
    it under it (where a wrong underline puts them) are not reported again.

    Bad::

        Use Cases
        =========

    Good::

        Use Cases
        ---------
    """
    for section, template_section, belongs, found in _diff(spec, ctx).misplaced:
        here = f'under "{found}" here (level {section.level})' if found else "a top-level section here"
        there = f'under "{belongs}" (level {template_section.level})' if belongs else "as a top-level section"
        yield Hit(section.line, 1, f'section "{section.title}" is {here}; {template_name(ctx)} has it {there}')


@RULES.rule("SK106", "section-order", default=False)
def check_section_order(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """Sections are not in the template's order.

    Beyond nova's gate. Reviewers read specs side by side in template order.

    Bad::

        Alternatives
        ------------
        ...
        Proposed change
        ===============

    Good::

        Proposed change
        ===============
        ...
        Alternatives
        ------------
    """
    for section, successor in _diff(spec, ctx).out_of_order:
        yield Hit(
            section.line,
            1,
            f'section "{section.title}" is out of order: {template_name(ctx)} puts it before "{successor}"',
        )


@RULES.rule("SK108", "duplicate-section", default=False)
def check_duplicate_section(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """The same section title appears twice among its siblings.

    Beyond nova's gate, which keeps only one of them; what is under the
    other is easily missed in review. Merge them.

    Bad::

        Testing
        =======
        ...
        Testing
        =======

    Good::

        Testing
        =======
        ... (all of it under one title)
    """
    for section, first in _diff(spec, ctx).duplicates:
        yield Hit(section.line, 1, f'duplicate section "{section.title}": also at line {first.line}, the one compared with the template')


@RULES.rule("SK110", "empty-section", default=False)
def check_empty_section(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """A template section is left empty; the template asks for "None".

    Beyond nova's gate. An empty section reads as forgotten.

    Bad::

        Security impact
        ---------------

        Notifications impact
        --------------------

    Good::

        Security impact
        ---------------

        None
    """
    for section in _diff(spec, ctx).empty:
        yield Hit(section.line, 1, f'section "{section.title}" is empty: expected text, or "None"')


def add_document_title(fix: FixInput) -> Iterator[Edit]:
    """A missing document title made from the file name (``live-migrate.rst``:
    "Live migrate"), over- and underlined in a style no section uses, above
    what follows the license comment; a spec with titles is left. In
    Markdown, a ``#`` heading named after the file without its number
    (``0007-use-postgres.md``: "Use postgres"), or after the folder of a
    ``README.md``."""
    if fix.spec.titles:
        return
    if fix.spec.format == "markdown":
        yield _markdown_title(fix)
        return
    if fix.spec.opening:
        row = fix.spec.opening - 1  # Above what comes first after the comments.
    elif fix.spec.sections:
        row = _title_start(fix.spec.sections[0]) - 1
    else:
        row = len(fix.spec.lines)  # Nothing but comments: above the sections the fix inserts there.
    name = fix.ctx.relpath.rsplit("/", 1)[-1].removesuffix(".rst")
    title = " ".join(name.replace("_", "-").split("-")).capitalize() or "Title"
    used = {section.style for section in fix.spec.all_sections()}
    char = next(c for c in '=-~#*+^"' if c * 2 not in used)
    adornment = char * max(column_width(title), 3)  # "-" alone would be a bullet.
    blank = ("",) if row > 0 and fix.rows[row - 1].strip() else ()
    yield Edit(row, row, (*blank, adornment, title, adornment, ""), underlines=(len(blank) + 2,))


def _markdown_title(fix: FixInput) -> Edit:
    """A ``#`` heading from the document's name, above what comes first."""
    spec = fix.spec
    row = spec.opening - 1 if spec.opening else spec.sections[0].line - 1 if spec.sections else len(spec.lines)
    parts = fix.ctx.relpath.split("/")
    name = parts[-1].rsplit(".", 1)[0]
    if name.casefold() in ("readme", "index") and len(parts) > 1:
        name = parts[-2]  # A folder's document is named by the folder.
    words = re.sub(r"^\d+[-_ ]+", "", name).replace("_", "-").split("-")
    title = " ".join(word for word in words if word).capitalize() or "Title"
    blank = ("",) if row > 0 and fix.rows[row - 1].strip() else ()
    return Edit(row, row, (*blank, f"# {title}", ""), underlines=(len(blank),))


@RULES.rule(
    "SK107", "document-title", fix=add_document_title, fix_moves_rows=True, fix_title="Add a document title from the file name"
)
def check_document_title(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """The spec has no document title, or more than one.

    The title names the spec (and the commit); it is the one over- and
    underlined title above every section. Without it, docutils takes the
    first section for the title, and every section moves up a level.
    Fixable when it is missing: the title is made from the file name, to
    be reworded.

    Bad::

        Problem description
        ===================

    Good::

        ==========================
        Awesome thing for servers
        ==========================

        Problem description
        ===================
    """
    if not spec.titles:
        line = _title_start(spec.sections[0]) if spec.sections else 1
        # As each format writes a title: Markdown's level-1 heading.
        wanted = "one # heading" if spec.format == "markdown" else "one over- and underlined title"
        yield Hit(line, 1, f"no document title: expected {wanted} before the first section")
    for extra in spec.titles[1:]:
        yield Hit(
            extra.line,
            1,
            f'{len(spec.titles)} document titles, expected one: "{extra.text}" after "{spec.titles[0].text}"',
        )


def lengthen_adornment(fix: FixInput) -> Iterator[Edit]:
    """Each flagged title's adornment as wide as the title (an over- and
    underlined one on both lines, with the title's inset); a title that is
    not one at the left margin is left."""
    rows = fix.rows
    for line in sorted(fix.lines):
        found = adornment(rows, line)
        if found is None:
            continue
        title = rows[line - 1].rstrip()
        under = rows[found.under - 1].rstrip()
        if found.over:
            width = column_width(title) + len(title) - len(title.lstrip())
            yield Edit.row(found.over, found.char * max(width, len(rows[found.over - 1].rstrip())), settles=True)
            yield Edit.row(found.under, found.char * max(width, len(under)), settles=True)
        else:
            yield Edit.row(found.under, found.char * max(column_width(title), len(under)), settles=True)


@RULES.rule("SK109", "short-adornment", fix=lengthen_adornment, fix_title="Lengthen the adornment")
def check_short_adornment(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """A title's underline or overline is shorter than the title.

    docutils warns, or (when it is very short) does not see a title at all.
    Wide characters count double, as docutils counts them. Fixable.

    Bad::

        Proposed change
        ======

    Good::

        Proposed change
        ===============
    """
    for message in spec.messages:
        if message.text.startswith(ADORNMENT_MESSAGES) and message.line:
            which = "overline" if "overline" in message.text else "underline"
            # docutils points at the overline, or at the underline.
            line = message.line + 1 if which == "overline" else max(1, message.line - 1)
            if line >= len(spec.lines):
                continue
            title = spec.lines[line - 1].rstrip()
            found = len(spec.lines[line - 2 if which == "overline" else line].rstrip())
            yield Hit(
                line,
                1,
                f'title {which} is {found} characters, expected at least {column_width(title)}'
                f' (the width of "{title.strip()}")',
            )
