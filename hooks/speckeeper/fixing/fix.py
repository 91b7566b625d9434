"""``speckeeper fix``: repair what the fixable rules find, and prove the
meaning kept.

The fixes are the rules' own (each declared with its rule, see
:mod:`speckeeper.rules.registry`); this module knows no rule code. It asks
the registry for the fixes of the findings a spec has, applies them (those
that keep each row a row first, then those that move rows, bottom up), and
changes nothing else: every other byte stays as it was, and a spec with no
fixable finding is not written at all.

Before writing, the result is parsed with the same safe parser and its
document model compared with the original's (:mod:`.document.proof`, as
for any format), text whitespace and the inserted sections and document
title aside; for reStructuredText its doctree too (docutils' finer view).
The parser's messages must be the same too, but those an edit settles (a
short adornment's, a skipped Markdown heading level's) and docutils'
notes, which may go; a Markdown document's front matter must read the
same. On any other difference nothing is written and an SK005 finding
says why. Files are written by :mod:`speckeeper.files.atomic`: only while they are
what was read, never through a link, all at once.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple, TextIO

from docutils import nodes

from speckeeper import rules
from speckeeper.engine import parallel
from speckeeper.reporting import terminal
from speckeeper.files.atomic import Refused, Snapshot, inside, replace_file
from speckeeper.engine.check import Checker, Loaded, Ran, collect, per_spec
from speckeeper.config.settings import Config
from speckeeper.engine.decide import Selection, Gate, Recorded, silenced
from speckeeper.reporting.output import printable, segments
from speckeeper.findings import Finding
from speckeeper.rules.registry import Context, Edit, Fix, FixInput
from speckeeper.rules.files import NOT_FIXED
from speckeeper.rules.structure import TELLS_FROM_MISSING
from speckeeper.document.rst.rules import WARNING
from speckeeper.document import message_facts, proof
from speckeeper.document.rst.build import RstDocument, model
from speckeeper.document.model import Document as Spec, Message
from speckeeper.document import markdown
from speckeeper.document.loader import TemplateLoader


# Line breaks other than LF and CRLF that Python (and so docutils) honours.
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_LINE_END = re.compile(r"(\r\n|\r|\n)")
# docutils' automatic ids, which shift when a message comes or goes.
_AUTO_ID = re.compile(r"id\d+")
_VERBATIM = (nodes.literal_block, nodes.doctest_block, nodes.math_block, nodes.raw, nodes.comment)


# How many parses fixing one spec may cost when its fixes do not prove
# together (a halving costs about two): a spec with many fixes that
# change its meaning is bounded, and what was not tried is reported.
MOST_PROOFS = 32


class NotFixed(Exception):
    """A fix that cannot be made safely; the message says why."""


class Partial(NamedTuple):
    """What :meth:`Fixer.largest` came to: the bytes and model of the spec
    with what proved fixed, and each finding that did not, with why."""

    raw: bytes
    spec: Spec
    unfixed: list[tuple[Finding, str]]


class Result:
    """What fixing one file came to."""

    __slots__ = ("path", "before", "after", "problems", "identity", "fixed", "ran")

    def __init__(
        self,
        path: Path,
        before: bytes = b"",
        after: bytes | None = None,
        problems: list[Finding] | None = None,
        identity: tuple[int, int] = (0, 0),
        fixed: list[Finding] | None = None,
        ran: Ran | None = None,
    ) -> None:
        self.path = path
        self.before = before
        self.after = after  # None: nothing to change.
        self.problems = problems if problems is not None else []  # Why it was not fixed.
        self.identity = identity  # The file read (device, inode): replaced only while it is the same.
        self.fixed = fixed if fixed is not None else []  # What the change repairs.
        # Its rules' findings, when there was nothing to fix: the file is left
        # as read, and a check after the fix (``check --fix``) reuses them.
        self.ran = ran

    @property
    def changed(self) -> bool:
        return self.after is not None and self.after != self.before


class _Text:
    """A file's text as rows and their line endings, edited in place."""

    __slots__ = ("bom", "rows", "ends", "inserted", "retitled")

    def __init__(self, bom: str, rows: list[str], ends: list[str]) -> None:
        self.bom = bom
        self.rows = rows
        self.ends = ends  # "\n", "\r\n", "\r"; "" after a last row without one.
        self.inserted: set[int] = set()  # Rows holding an inserted title's underline.
        self.retitled: set[int] = set()  # Rows holding a renamed title's underline.

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

    def put(self, edit: Edit) -> None:
        """Apply an edit that keeps each row a row (and may change its ending)."""
        assert len(edit.rows) == edit.end - edit.start, "a fix that adds or joins rows must say so (fix_moves_rows)"
        self.rows[edit.start : edit.end] = edit.rows
        if edit.ends is not None:
            self.ends[edit.start : edit.end] = edit.ends

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
        # A renamed title moves with the rows added or joined above it.
        self.retitled = {row if row < start else row + shift for row in self.retitled}
        self.inserted |= {start + index for index in underlines}
        self.rows[start:end] = rows
        self.ends[start:end] = new_ends


class Fixer:
    """Fixes specs under one configuration: one checker, one parser; what
    the gate holds back (the baseline records, a spec's comments silence),
    it leaves (a legacy spec is not rewritten by a commit that never
    touched it). With ``facts``, a spec it leaves as read comes with what
    the commit-message hooks read of it (see message_facts)."""

    def __init__(self, config: Config, selection: Selection = Selection(), recorded: Recorded = (), facts: bool = False) -> None:
        self.checker = Checker(config, selection, recorded=recorded)
        self.facts = facts

    def arguments(self) -> tuple[Config, Selection, Recorded, bool]:
        """What a worker process builds its own fixer from."""
        return self.checker.config, self.checker.selection, self.gate.recorded, self.facts

    @property
    def templates(self) -> TemplateLoader:
        return self.checker.templates

    @property
    def gate(self) -> Gate:
        return self.checker.gate

    def fix_file(self, path: Path) -> Result:
        opened = self.checker.load(path)
        if opened.loaded is None:
            return Result(path, problems=self.gate.decide(opened.problems).reported)
        return self.fix_loaded(path, opened.loaded)

    def fix_loaded(self, path: Path, loaded: Loaded) -> Result:
        """Fix one spec already read and parsed (a file, or an editor's
        text): what ``speckeeper fix`` would write, and why not. Fixes that
        cannot be proved together are tried in smaller sets
        (:meth:`largest`): what proves is fixed, what does not is reported
        at its own line."""
        before = loaded.spec.raw
        silencing = {loaded.spec.path: loaded.silenced}
        found = self.checker.run_rules(loaded)
        fixable = [f for f in found if rules.BY_CODE[f.code].fixable]
        findings = self.gate.decide(fixable, silencing).reported
        if not findings:
            facts = None
            if self.facts and loaded.spec.format != markdown.FORMAT:
                facts = message_facts.of(loaded.spec, loaded.ctx.settings.api_impact_section)
            return Result(path, before, ran=Ran(before, per_spec(loaded.ctx.enabled), found, loaded.silenced, facts))
        try:
            partial = self.largest(loaded, findings)
        except NotFixed as reason:  # The file itself: no fix can be made in it.
            return Result(path, before, problems=[Finding(str(path), 1, 1, NOT_FIXED, f"not fixed: {reason}")])
        # What the baseline records was not to be fixed: not "left".
        left = self.gate.decide(self._left(loaded, partial.spec, findings), silencing).reported
        left_over = {(f.code, f.message) for f in left}
        repaired = [f for f in findings if (f.code, f.message) not in left_over]
        problems = [
            Finding(str(path), f.line, f.col, NOT_FIXED, f"not fixed: {f.code} {f.message} ({reason})")
            for f, reason in _reasons(left, partial.unfixed)
        ]
        return Result(path, before, partial.raw, problems, loaded.identity, repaired)

    def largest(self, loaded: Loaded, findings: Sequence[Finding], most_proofs: int = MOST_PROOFS) -> Partial:
        """The spec with as many of ``findings`` fixed as can be proved to
        keep its meaning, and those that cannot, each with why.

        All are tried at once; a set that does not prove is split in
        halves, each tried on top of what proved so far, down to one
        finding, so a fix that would change the document costs only itself
        (and about two parses per halving). After ``most_proofs`` parses
        what is still untried is left, saying so, with the reason of the
        set it was in. NotFixed: no fix can be made in this file at all.
        """
        self._text(loaded.spec)  # The file's own reasons, before any parse.
        ordered = sorted(findings, key=lambda f: (f.line, f.col, f.code))
        accepted: list[Finding] = []
        unfixed: list[tuple[Finding, str]] = []
        best = (loaded.spec.raw, loaded.spec)
        budget = most_proofs

        def attempt(part: Sequence[Finding]) -> str:
            """Why ``part`` does not prove on top of what did ("": it does)."""
            nonlocal best, budget
            budget -= 1
            try:
                best = self.fixed(loaded, [*accepted, *part])
            except NotFixed as reason:
                return str(reason)
            accepted.extend(part)
            return ""

        def leave(part: Sequence[Finding], reason: str) -> None:
            """``part`` left unfixed for ``reason``; more than one: not tried alone."""
            spent = f"not tried alone ({most_proofs} parses spent); with {len(part) - 1} other(s): {reason}"
            unfixed.extend((finding, spent if len(part) > 1 else reason) for finding in part)

        def settle(part: Sequence[Finding], reason: str) -> None:
            """``part`` does not prove on top of what did, for ``reason``."""
            if len(part) == 1 or budget <= 0:
                leave(part, reason)
                return
            half = len(part) // 2
            first, second = part[:half], part[half:]
            why_first = attempt(first)
            if not why_first:  # With the second half it was ``part``, which did not prove.
                settle(second, reason)
                return
            settle(first, why_first)
            if budget <= 0:
                leave(second, f"not tried alone ({most_proofs} parses spent): {reason}" if len(second) == 1 else reason)
                return
            why_second = attempt(second)
            if why_second:
                settle(second, why_second)

        reason = attempt(ordered)
        if reason:
            settle(ordered, reason)
        return Partial(*best, sorted(unfixed, key=lambda pair: (pair[0].line, pair[0].col)))

    def _left(self, loaded: Loaded, fixed: Spec, findings: Sequence[Finding]) -> list[Finding]:
        """What the fixed spec still has of the findings it was fixed for
        (a line no rewrap can shorten: an image's path, a table's cell)."""
        codes = frozenset(f.code for f in findings)
        # With the rules that tell a section moved or misspelt from a
        # missing one, when on: without them, it would read as missing.
        telling = loaded.ctx.enabled & frozenset(TELLS_FROM_MISSING)
        was = loaded.ctx
        ctx = Context(was.relpath, was.settings, was.template, codes | telling, was.template_name)
        # What the fixed spec's own comments silence (a Markdown document's rules are held back by it).
        return [f for f in self.checker.run_rules(Loaded(fixed, ctx, silenced(fixed))) if f.code in codes]

    def fixed(self, loaded: Loaded, findings: Sequence[Finding]) -> tuple[bytes, Spec]:
        """The file's bytes with the findings fixed, once proved to mean the
        same, and its spec model (the one read, when nothing changes)."""
        spec = loaded.spec
        original = spec.raw.decode("utf-8")
        text = self._text(spec)
        wanted = _wanted(findings)
        settled: set[int] = set()
        retitled: set[int] = set()  # 1-based underline lines of renamed titles.
        # Fixes that keep each row a row first, each on the rows the one
        # before left: no row moves, so the doctree's lines hold for all.
        for fix, (codes, lines) in wanted.items():
            if not _moves_rows(fix):
                for edit in fix(FixInput(spec, loaded.ctx, tuple(text.rows), tuple(text.ends), lines, codes)):
                    text.put(edit)
                    if edit.settles:
                        settled.update(range(edit.start + 1, edit.end + 1))
                    if edit.retitles:
                        retitled.add(edit.end)
                        text.retitled.add(edit.end - 1)
        # Then fixes that add or join rows, on that result, applied bottom up.
        edits: list[Edit] = []
        for fix, (codes, lines) in wanted.items():
            if _moves_rows(fix):
                edits.extend(fix(FixInput(spec, loaded.ctx, tuple(text.rows), tuple(text.ends), lines, codes)))
        # Bottom up; at one row, what replaces it before what goes above it
        # (a title inserted at row 0 and the paragraph rewrapped there).
        for edit in sorted(edits, key=lambda edit: (edit.start, edit.end), reverse=True):
            text.splice(edit.start, edit.end, edit.rows, edit.underlines)
        fixed_text = text.text()
        if fixed_text == original:
            return spec.raw, spec
        renamed = (retitled, {row + 1 for row in text.retitled})
        raw = fixed_text.encode("utf-8")
        return raw, self._prove_same(spec, fixed_text[len(text.bom) :], raw, text.inserted, settled, renamed)

    @staticmethod
    def _text(spec: Spec) -> _Text:
        """The spec's rows to edit; NotFixed where they are not the lines
        docutils reads, so that no fix can be placed in this file."""
        original = spec.raw.decode("utf-8")
        if _OTHER_BREAKS.search(original):
            raise NotFixed("the file has line breaks other than LF and CRLF (form feed, vertical tab, ...)")
        text = _Text.parse(original)
        if len(text.rows) != max(len(spec.lines), 1):
            reader = "markdown-it" if spec.format == markdown.FORMAT else "docutils"
            raise NotFixed(f"the file's lines are not the lines {reader} reads")
        return text

    def _prove_same(
        self,
        spec: Spec,
        fixed_text: str,
        raw: bytes,
        inserted: set[int],
        settled: set[int],
        renamed: tuple[set[int], set[int]],
    ) -> Spec:
        """The fixed text's model; NotFixed unless it is the same document:
        the same model (:mod:`.document.proof`, every format's) and the
        format's own comparison, inserted sections and the text of renamed
        titles aside (``inserted``, ``renamed``: the last rows of their
        titles; renamed ones before and after)."""
        underlines = {row + 1 for row in inserted}
        if spec.format == markdown.FORMAT:
            return _prove_markdown(spec, fixed_text, raw, underlines, settled, renamed)
        assert isinstance(spec, RstDocument)
        return self._prove_rst(spec, fixed_text, raw, underlines, settled, renamed)

    def _prove_rst(
        self,
        spec: RstDocument,
        fixed_text: str,
        raw: bytes,
        underlines: set[int],
        settled: set[int],
        renamed: tuple[set[int], set[int]],
    ) -> RstDocument:
        """The same doctree (the finer comparison) and model, and the same
        docutils messages, but notes and those about ``settled`` lines
        (1-based) may go."""
        doctree, messages = self.checker.parser.parse(fixed_text, spec.path)
        after = model(spec.path, fixed_text, doctree, messages, raw)
        difference = difference_between(spec.doctree, doctree, underlines, *renamed) or proof.difference(
            spec, after, underlines, *renamed
        )
        if difference:
            raise NotFixed(f"the fixed text would parse differently: {difference}")
        # Messages on settled lines may go, and docutils' notes (a line of
        # "--" that could have been an underline, until the paragraph above
        # it is rewrapped), which say no more than the doctree, already compared.
        may_go = [m for m in spec.messages if m.line in settled or m.level < WARNING]
        changed = _changed_messages(spec.messages, messages, may_go, ())
        if changed:
            which, message = changed
            raise NotFixed(f"the fixed text would {which} a docutils message: {message.splitlines()[0]}")
        return after


def _prove_markdown(
    spec: Spec, fixed_text: str, raw: bytes, underlines: set[int], settled: set[int], renamed: tuple[set[int], set[int]]
) -> Spec:
    """A Markdown document's proof: the same model (hard line breaks
    included), the same front matter, and the same messages of the format
    (an unclosed fence, a skipped level), but those about ``settled`` lines
    may go and an inserted heading may skip a level as its template does."""
    from speckeeper.document.markdown.build import parse  # Only for a Markdown fix.

    after = parse(spec.path, fixed_text, raw=raw)
    if spec.metadata_path:  # The file beside it, which no fix touches.
        after = after._replace(
            metadata=spec.metadata,
            metadata_path=spec.metadata_path,
            metadata_lines=spec.metadata_lines,
            metadata_error=spec.metadata_error,
        )
    elif after.metadata != spec.metadata or after.metadata_error != spec.metadata_error:
        raise NotFixed("the fixed text would read its front matter differently")
    difference = proof.difference(spec, after, underlines, *renamed)
    if difference:
        raise NotFixed(f"the fixed text would parse differently: {difference}")
    inserted_titles = {title for line in underlines for title in (line, line - 1)}
    may_come = [m for m in after.messages if m.kind == markdown.SKIPPED_LEVEL and m.line in inserted_titles]
    changed = _changed_messages(spec.messages, after.messages, [m for m in spec.messages if m.line in settled], may_come)
    if changed:
        which, message = changed
        raise NotFixed(f"the fixed text would {which} a Markdown problem: {message}")
    return after


def _changed_messages(
    before: Iterable[Message], after: Iterable[Message], may_go: Iterable[Message], may_come: Iterable[Message]
) -> tuple[str, str] | None:
    """How a format's messages of the fixed text differ from the spec's
    (by level and text, wherever they are), but for those that may go or
    come: ("add" or "lose", the first such message's text), or None."""

    def counted(messages: Iterable[Message]) -> Counter[tuple[int, str]]:
        return Counter((m.level, m.text) for m in messages)

    old, new = counted(before), counted(after)
    gained = new - old - counted(may_come)
    lost = old - new - counted(may_go)
    if not (gained or lost):
        return None
    which, (_, text) = ("add", next(iter(gained))) if gained else ("lose", next(iter(lost)))
    return which, text


def _reasons(left: Sequence[Finding], unfixed: Sequence[tuple[Finding, str]]) -> list[tuple[Finding, str]]:
    """Each finding left with why: the reason of the unfixed finding it is
    (the same code and message; else the same code, as a fix made may have
    changed the message: a line shorter by its trailing space), in line
    order, as the fixes moved them; "no fix keeps its meaning" for one
    that every fix tried left (a line no rewrap can shorten)."""
    pending = list(unfixed)
    found: list[tuple[Finding, str]] = []
    for f in left:
        match = next((pair for pair in pending if (pair[0].code, pair[0].message) == (f.code, f.message)), None)
        match = match or next((pair for pair in pending if pair[0].code == f.code), None)
        if match is not None:
            pending.remove(match)
        found.append((f, match[1] if match is not None else "no fix keeps its meaning"))
    return found


def _wanted(findings: Sequence[Finding]) -> dict[Fix, tuple[frozenset[str], frozenset[int]]]:
    """Each fix the findings call for, once (rules may share one), with the
    codes and lines of its findings, in rule order."""
    codes: dict[Fix, set[str]] = {}
    lines: dict[Fix, set[int]] = {}
    for rule in rules.ALL:
        found = {f.line for f in findings if f.code == rule.code}
        if rule.fix is None or not found:
            continue
        codes.setdefault(rule.fix, set()).add(rule.code)
        lines.setdefault(rule.fix, set()).update(found)
    return {fix: (frozenset(codes[fix]), frozenset(lines[fix])) for fix in codes}


def _moves_rows(fix: Fix) -> bool:
    return any(rule.fix_moves_rows for rule in rules.ALL if rule.fix is fix)


def difference_between(
    before: nodes.document,
    after: nodes.document,
    inserted: Collection[int] = frozenset(),
    retitled: Collection[int] = frozenset(),
    retitled_after: Collection[int] | None = None,
) -> str:
    """The first way two doctrees differ, text whitespace and messages aside,
    or "" when they do not; sections titled at an ``inserted`` underline
    line of ``after`` are left out of it, and so are the title text and
    names of sections titled at a ``retitled`` one of ``before`` and at a
    ``retitled_after`` one of ``after`` (the same lines, unless rows were
    added or joined above them)."""
    old_records = list(_shape(before, set(), retitled))
    new_records = list(_shape(after, inserted, retitled if retitled_after is None else retitled_after))
    for old, new in zip(old_records, new_records):
        if old[:-1] != new[:-1]:
            return f"{_describe(old)} (line {old[-1] or '?'}) would become {_describe(new)}"
    if len(old_records) != len(new_records):
        longer = new_records if len(new_records) > len(old_records) else old_records
        return f"{_describe(longer[min(len(old_records), len(new_records))])} would be added or lost"
    return ""


def _shape(doctree: nodes.document, inserted: Collection[int], retitled: Collection[int] = frozenset()) -> Iterator[tuple[object, ...]]:
    """The document as comparable records, pre-order: depth, tag, attributes,
    text (whitespace collapsed outside verbatim blocks), and its line last.

    Messages are compared apart; sections whose title is at an ``inserted``
    underline line are left out, and so is an inserted document title (with
    the names and ids it gives the document); a section whose title is at a
    ``retitled`` one is compared without its title's text, names and ids."""

    def walk(node: nodes.Node, depth: int, verbatim: bool) -> Iterator[tuple[object, ...]]:
        if isinstance(node, nodes.system_message):
            return
        if isinstance(node, nodes.Text):
            text = str(node) if verbatim else " ".join(str(node).split())
            yield depth, "#text", (), text, None
            return
        assert isinstance(node, nodes.Element)
        if isinstance(node, (nodes.section, nodes.document)) and node.children and _inserted(node[0], inserted):
            if isinstance(node, nodes.section):
                return
            # The title gives the document its "title", and its names and ids.
            attributes = _attributes(node, leave=("title",), empty=("ids", "names"))
            yield depth, node.tagname, attributes, "", node.line
            for child in node.children[1:]:
                yield from walk(child, depth + 1, verbatim)
            return
        if isinstance(node, nodes.section) and node.children and _inserted(node[0], retitled):
            yield depth, node.tagname, _attributes(node, empty=("ids", "names")), "", node.line
            yield depth + 1, "title", _attributes(node[0]), "", node[0].line  # Its text is the rename.
            for child in node.children[1:]:
                yield from walk(child, depth + 1, verbatim)
            return
        yield depth, node.tagname, _attributes(node), "", node.line
        inner = verbatim or isinstance(node, _VERBATIM)
        for child in node.children:
            yield from walk(child, depth + 1, inner)

    yield from walk(doctree, 0, False)


def _inserted(node: nodes.Node, inserted: Collection[int]) -> bool:
    """Whether ``node`` is a title the fix inserted (at an inserted underline)."""
    return isinstance(node, nodes.title) and node.line in inserted


def _attributes(
    node: nodes.Element, leave: tuple[str, ...] = (), empty: tuple[str, ...] = ()
) -> tuple[tuple[str, object], ...]:
    """A node's attributes as compared: ``leave`` left out, ``empty`` as if
    nothing had given them a value."""
    found = []
    for key, value in sorted(node.attributes.items()):
        if key == "source" or key in leave:
            continue
        if key in empty:
            value = []
        if isinstance(value, list):
            value = tuple(v for v in value if not (isinstance(v, str) and _AUTO_ID.fullmatch(v)))
        elif isinstance(value, str) and key == "refid" and _AUTO_ID.fullmatch(value):
            continue
        found.append((key, value))
    return tuple(found)


def _describe(record: tuple[object, ...]) -> str:
    _, tag, _, text, _ = record
    return f'text "{str(text)[:40]}"' if tag == "#text" else f"<{tag}>"


def diff(result: Result, top: Path) -> bytes:
    """The change as a unified diff that ``git apply`` and ``patch -p1``
    take as they are: the path from the repository's ``top`` after ``a/``
    and ``b/``, quoted where git quotes it; lines split at LF alone, as git
    splits them (a CR stays in its line); git's mark after a last line
    without a newline."""
    parts = inside(result.path, top)
    name = os.fsencode("/".join(parts) if parts else str(result.path))
    before, after = _lines(result.before), _lines(result.after or b"")
    lines = difflib.diff_bytes(difflib.unified_diff, before, after, _git_name(b"a/" + name), _git_name(b"b/" + name))
    return b"".join(line if line.endswith(b"\n") else line + b"\n\\ No newline at end of file\n" for line in lines)


def _lines(data: bytes) -> list[bytes]:
    lines = [line + b"\n" for line in data.split(b"\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


# How git writes a file name in a diff (quote_c_style): in double quotes,
# with C escapes, when it holds a control character, a quote, a backslash
# or a byte past ASCII; and a tab after a name with a space, for patch.
_C_ESCAPES = {7: b"\\a", 8: b"\\b", 9: b"\\t", 10: b"\\n", 11: b"\\v", 12: b"\\f", 13: b"\\r", 34: b'\\"', 92: b"\\\\"}


def _git_name(name: bytes) -> bytes:
    if not any(byte < 0x20 or byte >= 0x7F or byte in b'"\\' for byte in name):
        return name + b"\t" if b" " in name else name
    return b'"' + b"".join(_c_escape(byte) for byte in name) + b'"'


def _c_escape(byte: int) -> bytes:
    if byte in _C_ESCAPES:
        return _C_ESCAPES[byte]
    return b"\\%03o" % byte if byte < 0x20 or byte >= 0x7F else bytes([byte])


class How(NamedTuple):
    """How ``fix`` runs: whether it writes, shows a diff, in how many
    processes, on which codes, leaving what the baseline records, in
    colour or not (``--color``), reporting progress to what."""

    write: bool = True
    show_diff: bool = False
    jobs: int = 1
    selection: Selection = Selection()
    recorded: Recorded = ()
    color: str = "never"
    progress: parallel.Progress | None = None
    # ``check --fix``: what cannot be fixed is neither reported here nor
    # counted, as the check that follows reports it.
    quiet_problems: bool = False
    # ``check --fix --staged``: the commit-message hooks' facts of each
    # spec left as read, in what ``ran`` is given.
    facts: bool = False


def run(
    config: Config,
    paths: Iterable[Path],
    how: How = How(),
    out: TextIO | None = None,
    err: TextIO | None = None,
    ran: dict[str, Ran] | None = None,
) -> bool:
    """Fix every spec under ``paths`` but what the baseline records; True
    when anything changed, would change or could not be fixed. Specs are
    fixed in ``how.jobs`` processes; this one writes them (each only while
    it is still what was read, see :mod:`speckeeper.files.atomic`), and reports
    in the order of the list: ``Fixing <path>`` on ``out``, what it fixed
    there on ``err``. With a diff, ``out`` has the diff alone; what would
    be fixed, and what cannot be, go to ``err``. ``ran`` is given the
    rules' findings of each spec with nothing to fix, by its path."""
    out = out or sys.stdout
    err = err or sys.stderr
    notes = err if how.show_diff else out
    fixer = Fixer(config, how.selection, how.recorded, how.facts)
    unreadable: list[Finding] = []
    files = list(collect(paths, config, unreadable))
    anything = not how.quiet_problems and _report(unreadable, notes, how.color)
    workers = parallel.jobs_for(len(files), how.jobs)
    for result in parallel.map_files(fixer, Fixer.fix_file, files, workers, progress=how.progress):
        if ran is not None and result.ran is not None:
            ran[str(result.path)] = result.ran
        if not how.quiet_problems:
            anything = _report(result.problems, notes, how.color) or anything
        if not result.changed:
            continue
        anything = True
        shown = printable(str(result.path))
        if how.show_diff:
            _write_bytes(out, diff(result, config.repo))
        if not how.write:
            notes.write(f"Would fix {shown}\n")
            continue
        problem = _write(result, config)
        if problem:
            _report([Finding(str(result.path), 1, 1, NOT_FIXED, f"not fixed: {problem}")], out, how.color)
        else:
            out.write(f"Fixing {shown}\n")
            # What was wrong, and where, for whoever reads why the file changed.
            _report([f._replace(message=f"{f.message} (fixed)") for f in result.fixed], err, how.color)
    return anything


def _write_bytes(out: TextIO, data: bytes) -> None:
    """A diff's bytes as they are (a spec's text is not the terminal's
    encoding to change), after what ``out`` holds."""
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        out.write(data.decode("utf-8", "surrogateescape"))
        return
    out.flush()
    buffer.write(data)
    buffer.flush()


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


def _report(problems: Sequence[Finding], stream: TextIO, color: str) -> bool:
    terminal.write(segments(problems), stream, bool(problems) and terminal.wants_color(color, stream))
    return bool(problems)
