"""``speckeeper fix``: repair what the fixable rules find, and prove the
meaning kept.

Only lines with a finding change: over-long lines are rewrapped within
their paragraph (SK201, and SK202 where a repo turns it on), trailing
whitespace goes (SK203), CRLF becomes LF (SK205), a final newline is added
(SK207), a short title adornment is lengthened (SK109), and a missing
template section is inserted with "None" at its template position (SK101,
SK102). Every other byte stays as it was, and a spec with no such finding
is not written at all.

Before writing, the result is parsed with the same safe parser and its
doctree compared with the original's, text whitespace and the inserted
sections aside; docutils' messages must be the same too, the fixed short
adornments' aside. On any other difference nothing is written and an SK005
finding says why. Files are replaced atomically and keep their mode.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from docutils import nodes
from docutils.utils import column_width

from . import parallel, rules, wrap
from .atomic import Refused, Snapshot, replace_file
from .check import Checker, Loaded, Selection, collect
from .config import Config
from .output import printable
from .output import text as text_format
from .parse import Message
from .rule import Finding
from .rules import lines as line_rules
from .rules import structure
from .spec import ADORNMENT_CHARS, Spec
from .template import TemplateLoader, TemplateSection

NOT_FIXED = "SK005"
SHORT_ADORNMENT = "SK109"
MISSING_SECTION, MISSING_SUBSECTION = "SK101", "SK102"
WRAPPED = (line_rules.LINE_TOO_LONG, line_rules.DIRECTIVE_LINE_TOO_LONG)

# Line breaks other than LF and CRLF that Python (and so docutils) honours.
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_LINE_END = re.compile(r"(\r\n|\r|\n)")
# docutils' automatic ids, which shift when a message comes or goes.
_AUTO_ID = re.compile(r"id\d+")
_VERBATIM = (nodes.literal_block, nodes.doctest_block, nodes.math_block, nodes.raw, nodes.comment)
# Inline markup whose words may go on separate lines.
_BREAKABLE = (nodes.emphasis, nodes.strong, nodes.target)
# Paragraphs in these are never rewrapped: table rows hold several cells.
_FROZEN = (nodes.table, nodes.system_message)


class NotFixed(Exception):
    """A fix that cannot be made safely; the message says why."""


@dataclass
class Result:
    """What fixing one file came to."""

    path: Path
    before: bytes = b""
    after: bytes | None = None  # None: nothing to change.
    problems: list[Finding] = field(default_factory=list)  # Why it was not fixed.
    identity: tuple[int, int] = (0, 0)  # The file read (device, inode): replaced only while it is the same.

    @property
    def changed(self) -> bool:
        return self.after is not None and self.after != self.before


@dataclass
class _Text:
    """A file's text as rows and their line endings, edited in place."""

    bom: str
    rows: list[str]
    ends: list[str]  # "\n", "\r\n", "\r"; "" after a last row without one.
    inserted: set[int] = field(default_factory=set)  # Rows holding an inserted title's underline.

    @classmethod
    def parse(cls, text: str) -> _Text:
        bom = "\ufeff" if text.startswith("\ufeff") else ""
        parts = _LINE_END.split(text[len(bom) :])
        rows, ends = parts[0::2], [*parts[1::2], ""]
        if len(rows) > 1 and rows[-1] == "":
            rows.pop()
            ends.pop()
        return cls(bom, rows, ends)

    @property
    def newline(self) -> str:
        counts = Counter(end for end in self.ends if end)
        return counts.most_common(1)[0][0] if counts else "\n"

    def body(self) -> str:
        return "".join(row + end for row, end in zip(self.rows, self.ends))

    def text(self) -> str:
        return self.bom + self.body()

    def splice(self, start: int, end: int, rows: Sequence[str], underlines: Iterable[int] = ()) -> None:
        """Replace rows ``start:end``; ``underlines`` index into ``rows``."""
        newline = self.ends[start] if start < len(self.ends) and self.ends[start] else self.newline
        if start == len(self.rows) and self.rows and not self.ends[-1]:
            # Appending after a last row without a newline: the new last row has none.
            self.ends[-1] = newline
            new_ends = [newline] * (len(rows) - 1) + [""]
        else:
            new_ends = [newline] * len(rows)
            if end == len(self.rows) and end > start:
                new_ends[-1] = self.ends[end - 1]
        shift = len(rows) - (end - start)
        self.inserted = {row if row < start else row + shift for row in self.inserted}
        self.inserted |= {start + index for index in underlines}
        self.rows[start:end] = rows
        self.ends[start:end] = new_ends


class Fixer:
    """Fixes specs under one configuration: one checker, one parser."""

    def __init__(self, config: Config, selection: Selection = Selection()) -> None:
        self.checker = Checker(config, selection)

    # What a worker process builds its own fixer from (parallel.FileWorker).
    @property
    def config(self) -> Config:
        return self.checker.config

    @property
    def selection(self) -> Selection:
        return self.checker.selection

    @property
    def templates(self) -> TemplateLoader:
        return self.checker.templates

    def fix_file(self, path: Path) -> Result:
        loaded = self.checker.load(path)
        if isinstance(loaded, list):
            return Result(path, problems=loaded)
        before = loaded.spec.raw
        findings = [f for f in self.checker.run_rules(loaded) if rules.BY_CODE[f.code].fixable]
        if not findings:
            return Result(path, before)
        try:
            after = self.fixed(loaded, findings)
        except NotFixed as reason:
            return Result(path, before, problems=[Finding(str(path), 1, 1, NOT_FIXED, f"not fixed: {reason}")])
        return Result(path, before, after, identity=loaded.identity)

    def fixed(self, loaded: Loaded, findings: Sequence[Finding]) -> bytes:
        """The file's bytes with the findings fixed, once proved to mean the same."""
        spec = loaded.spec
        original = spec.raw.decode("utf-8")
        if _OTHER_BREAKS.search(original):
            raise NotFixed("the file has line breaks other than LF and CRLF (form feed, vertical tab, ...)")
        text = _Text.parse(original)
        if len(text.rows) != max(len(spec.lines), 1):
            raise NotFixed("the file's lines are not the lines docutils reads")
        lines_of: dict[str, set[int]] = {}
        for finding in findings:
            lines_of.setdefault(finding.code, set()).add(finding.line)
        # Edits within a row first: no row moves, so the doctree's lines hold.
        if line_rules.CARRIAGE_RETURN in lines_of:
            text.ends = ["\n" if end else "" for end in text.ends]
        for line in lines_of.get(line_rules.TRAILING_WHITESPACE, ()):
            text.rows[line - 1] = text.rows[line - 1].rstrip()
        adorned = {line for line in lines_of.get(SHORT_ADORNMENT, ()) if _lengthen_adornment(text.rows, line)}
        if line_rules.MISSING_FINAL_NEWLINE in lines_of and text.rows and not text.ends[-1]:
            text.ends[-1] = text.newline
        # Then edits that add rows, from the bottom up.
        flagged = set().union(*(lines_of.get(code, set()) for code in WRAPPED))
        edits = list(_rewraps(spec, text.rows, flagged, loaded.ctx.settings.line_length))
        edits.extend(_insertions(loaded, spec, text.rows, lines_of))
        for start, end, rows, underlines in sorted(edits, key=lambda edit: edit[0], reverse=True):
            text.splice(start, end, rows, underlines)
        fixed_text = text.text()
        if fixed_text == original:
            return spec.raw
        self._prove_same(spec, fixed_text[len(text.bom) :], text.inserted, adorned)
        return fixed_text.encode("utf-8")

    def _prove_same(self, spec: Spec, fixed_text: str, inserted: set[int], adorned: set[int]) -> None:
        """Raise NotFixed unless the fixed text parses to the same document."""
        doctree, messages = self.checker.parser.parse(fixed_text, spec.path)
        difference = difference_between(spec.doctree, doctree, {row + 1 for row in inserted})
        if difference:
            raise NotFixed(f"the fixed text would parse differently: {difference}")
        old_messages = Counter(
            (m.level, m.text)
            for m in spec.messages
            if not (m.text.startswith(structure._SHORT) and _message_title(m) in adorned)
        )
        new_messages = Counter((m.level, m.text) for m in messages)
        if old_messages != new_messages:
            gained = new_messages - old_messages
            lost = old_messages - new_messages
            which, (_, message) = ("add", next(iter(gained))) if gained else ("lose", next(iter(lost)))
            raise NotFixed(f"the fixed text would {which} a docutils message: {message.splitlines()[0]}")


def difference_between(before: nodes.document, after: nodes.document, inserted: set[int] = frozenset()) -> str:
    """The first way two doctrees differ, text whitespace and messages aside,
    or "" when they do not; sections titled at an ``inserted`` underline
    line of ``after`` are left out of it."""
    old_records = list(_shape(before, set()))
    new_records = list(_shape(after, inserted))
    for old, new in zip(old_records, new_records):
        if old[:-1] != new[:-1]:
            return f"{_describe(old)} (line {old[-1] or '?'}) would become {_describe(new)}"
    if len(old_records) != len(new_records):
        longer = new_records if len(new_records) > len(old_records) else old_records
        return f"{_describe(longer[min(len(old_records), len(new_records))])} would be added or lost"
    return ""


def _message_title(message: Message) -> int:
    """The title line a short-adornment message is about, as SK109 reports it."""
    line = message.line or 0
    return line + 1 if "overline" in message.text else line - 1


def _lengthen_adornment(rows: list[str], line: int) -> bool:
    """Make a title's adornment (SK109's line is the title's) as wide as it;
    False when the title is not one at the left margin."""
    title = rows[line - 1].rstrip()
    under = rows[line].rstrip() if line < len(rows) else ""
    if not under or not set(under) <= ADORNMENT_CHARS:
        return False
    char = under[0]
    over = line >= 2 and rows[line - 2].strip() != "" and set(rows[line - 2].rstrip()) == {char}
    if over:
        # Over- and underlined: as wide as the title and its inset, both sides.
        width = column_width(title) + len(title) - len(title.lstrip())
        rows[line - 2] = char * max(width, len(rows[line - 2].rstrip()))
        rows[line] = char * max(width, len(under))
    else:
        rows[line] = char * max(column_width(title), len(under))
    return True


Edit = tuple[int, int, list[str], list[int]]  # start row, end row, new rows, underline rows among them


@dataclass(frozen=True)
class _Paragraph:
    start: int  # First row (0-based).
    end: int  # Row after the last.
    column: int  # Where its text starts on its first row.
    indent: int  # Indentation of its other rows, and of new ones.
    unbreakable: tuple[str, ...]  # Its inline markup that a break may not split, as written.


def paragraphs(spec: Spec, rows: Sequence[str]) -> Iterator[_Paragraph]:
    """The paragraphs whose rows can be rewrapped: found, checked against the
    source, outside tables, without tabs."""
    for node in spec.doctree.findall(nodes.paragraph):
        if node.line is None or not node.rawsource or _inside(node, _FROZEN):
            continue
        raw = str(node.rawsource).split("\n")
        start, end = node.line - 1, node.line - 1 + len(raw)
        if end > len(rows) or any("\t" in row for row in rows[start:end]):
            continue
        first = rows[start].rstrip()
        if not raw[0] or not first.endswith(raw[0]):
            continue
        column = len(first) - len(raw[0])
        others = rows[start + 1 : end]
        indents = {len(row) - len(row.lstrip()) for row in others}
        if len(indents) > 1 or any(row.strip() != text.strip() for row, text in zip(others, raw[1:])):
            continue
        opens_item = isinstance(node.parent, nodes.list_item) and node is _first_child(node.parent)
        if indents:
            indent = indents.pop()
        elif opens_item and rows[start].lstrip().startswith(("..", ":")):
            # ".. note:: - item": docutils takes the note's indentation from
            # its next rows, so no next row can continue the item.
            continue
        elif opens_item:
            indent = column  # docutils aligns a list item's rows with its text.
        else:
            indent = _hanging_indent(rows, start, end, column)
        yield _Paragraph(start, end, column, indent, _unbreakable(node))


def _first_child(parent: nodes.Element) -> nodes.Node | None:
    """Its first child that is source, not a message docutils put there."""
    return next((child for child in parent.children if not isinstance(child, nodes.system_message)), None)


def _unbreakable(paragraph: nodes.paragraph) -> tuple[str, ...]:
    """Inline markup written with spaces that a line break must not split:
    literals, roles, references (`` `link <url>`_ ``); emphasis may break."""
    return tuple(
        str(node.rawsource)
        for node in paragraph.findall(nodes.Inline)
        if not isinstance(node, _BREAKABLE) and node.rawsource and len(str(node.rawsource).split()) > 1
    )


def _hanging_indent(rows: Sequence[str], start: int, end: int, column: int) -> int:
    """Where new rows of a one-row paragraph go: its own indentation, or
    after a field, option or directive, that of the block it opens (the
    rows after it indented past the marker), else under its text (a
    directive's content: three columns in)."""
    prefix = rows[start][:column]
    if not prefix.strip():
        return column
    marker = len(prefix) - len(prefix.lstrip())
    block = []
    for row in rows[end:]:
        if not row.strip():
            continue
        indent = len(row) - len(row.lstrip())
        if indent <= marker:
            break
        block.append(indent)
    if block:
        return min(block)
    return marker + 3 if prefix.lstrip().startswith("..") else column


def _inside(node: nodes.Node, kinds: tuple[type[nodes.Node], ...]) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, kinds):
            return True
        parent = parent.parent
    return False


def _rewraps(spec: Spec, rows: Sequence[str], flagged: set[int], limit: int) -> Iterator[Edit]:
    """Rewrap each paragraph that holds a flagged (over-long) line."""
    if not flagged:
        return
    for paragraph in paragraphs(spec, rows):
        mine = {line - 1 - paragraph.start for line in flagged if paragraph.start < line <= paragraph.end}
        if not mine:
            continue
        old = list(rows[paragraph.start : paragraph.end])
        new = wrap.rewrap(old, paragraph.column, paragraph.indent, limit, mine, paragraph.unbreakable)
        if new != old:
            yield paragraph.start, paragraph.end, new, []


def _insertions(loaded: Loaded, spec: Spec, rows: Sequence[str], lines_of: dict[str, set[int]]) -> Iterator[Edit]:
    """Insert each missing template section, with "None" under it."""
    wanted = [code for code in (MISSING_SECTION, MISSING_SUBSECTION) if code in lines_of]
    if not wanted:
        return
    styles: dict[int, str] = {}
    for section in spec.all_sections():
        styles.setdefault(section.level, section.style)
    at: dict[int, list[tuple[int, TemplateSection, str]]] = {}
    for template_section, parent, where in structure.compare(spec, loaded.ctx).missing:
        code = MISSING_SUBSECTION if parent else MISSING_SECTION
        if code in wanted:
            at.setdefault(where - 1, []).append((template_section.level, template_section, parent))
    for row, missing in at.items():
        block: list[tuple[str, bool]] = []
        # Deeper first: a subsection ends its section before the next section starts.
        for _, template_section, _ in sorted(missing, key=lambda item: -item[0]):
            block.extend(_section_rows(loaded, template_section, styles))
            block.append(("", False))
        if row == len(rows):
            block.pop()  # No blank line at the end of the file.
        if row > 0 and rows[row - 1].strip():
            block.insert(0, ("", False))
        yield row, row, [text for text, _ in block], [index for index, (_, under) in enumerate(block) if under]


def _section_rows(loaded: Loaded, section: TemplateSection, styles: dict[int, str]) -> list[tuple[str, bool]]:
    """A template section's title, then "None" or its required subsections:
    (row, whether it is the title's underline)."""
    style = styles.get(section.level, section.style)
    adornment = style[0] * column_width(section.title)
    found = [(adornment, False)] if len(style) == 2 else []
    found += [(section.title, False), (adornment, True)]
    children = [c for c in section.children if not structure._optional(loaded.ctx, c, section.title)]
    if not children:
        found += [("", False), ("None", False)]
    for child in children:
        found.append(("", False))
        found.extend(_section_rows(loaded, child, styles))
    return found


def _shape(doctree: nodes.document, inserted: set[int]) -> Iterator[tuple[object, ...]]:
    """The document as comparable records, pre-order: depth, tag, attributes,
    text (whitespace collapsed outside verbatim blocks), and its line last.

    Messages are compared apart; sections whose title is at an ``inserted``
    underline line are left out."""

    def walk(node: nodes.Node, depth: int, verbatim: bool) -> Iterator[tuple[object, ...]]:
        if isinstance(node, nodes.system_message):
            return
        if isinstance(node, nodes.Text):
            text = str(node) if verbatim else " ".join(str(node).split())
            yield depth, "#text", (), text, None
            return
        assert isinstance(node, nodes.Element)
        if isinstance(node, nodes.section) and node.children and isinstance(node[0], nodes.title):
            if node[0].line in inserted:
                return
        yield depth, node.tagname, _attributes(node), "", node.line
        inner = verbatim or isinstance(node, _VERBATIM)
        for child in node.children:
            yield from walk(child, depth + 1, inner)

    yield from walk(doctree, 0, False)


def _attributes(node: nodes.Element) -> tuple[tuple[str, object], ...]:
    found = []
    for key, value in sorted(node.attributes.items()):
        if key == "source":
            continue
        if isinstance(value, list):
            value = tuple(v for v in value if not (isinstance(v, str) and _AUTO_ID.fullmatch(v)))
        elif isinstance(value, str) and key == "refid" and _AUTO_ID.fullmatch(value):
            continue
        found.append((key, value))
    return tuple(found)


def _describe(record: tuple[object, ...]) -> str:
    _, tag, _, text, _ = record
    return f'text "{str(text)[:40]}"' if tag == "#text" else f"<{tag}>"


def diff(result: Result) -> str:
    """The change as a unified diff, by lines of text."""
    before = result.before.decode("utf-8", "replace").splitlines(keepends=True)
    after = (result.after or b"").decode("utf-8", "replace").splitlines(keepends=True)
    shown = printable(str(result.path))
    return "".join(difflib.unified_diff(before, after, shown, shown))


def run(config: Config, paths: Iterable[Path], write: bool, show_diff: bool, out: TextIO, jobs: int = 1) -> bool:
    """Fix every spec under ``paths``; True when anything changed, would
    change or could not be fixed. Specs are fixed in ``jobs`` processes;
    this one writes them (each only while it is still what was read, see
    :mod:`speckeeper.atomic`), and reports in the order of the list."""
    fixer = Fixer(config)
    unreadable: list[Finding] = []
    files = list(collect(paths, config, unreadable))
    anything = _report(unreadable, out)
    for result in parallel.map_files(fixer, Fixer.fix_file, files, parallel.jobs_for(len(files), jobs)):
        anything = _report(result.problems, out) or anything
        if not result.changed:
            continue
        anything = True
        shown = printable(str(result.path))
        if show_diff:
            out.write(diff(result))
        if not write:
            out.write(f"Would fix {shown}\n")
            continue
        problem = _write(result, config)
        if problem:
            _report([Finding(str(result.path), 1, 1, NOT_FIXED, f"not fixed: {problem}")], out)
        else:
            out.write(f"Fixing {shown}\n")
    return anything


def _write(result: Result, config: Config) -> str:
    """Replace the spec with its fixed bytes; why not, if it was not."""
    device, inode = result.identity
    try:
        replace_file(result.path, result.after or b"", config.repo, Snapshot(device, inode, result.before))
    except Refused as reason:
        return str(reason)
    except OSError as error:
        return f"cannot write: {error.strerror or error}"
    return ""


def _report(problems: Sequence[Finding], out: TextIO) -> bool:
    out.write(text_format(problems))
    return bool(problems)
