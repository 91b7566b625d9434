"""Line rules: what a spec's lines look like, byte by byte.

By default these reproduce nova-specs' own gate (lines under 80 characters
with its exemptions, no carriage return, no zero-width space, no trailing
spaces), but decide what is a literal block from the parse rather than
from "any indented line after ``::``", and read the bytes rather than
text mode, which hides carriage returns. Prose inside a directive body,
which nova's gate never checks, has a code of its own; so do the checks
the gate does not make.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator

from speckeeper.rules import wrap
from speckeeper.config.settings import Settings
from speckeeper.config.patterns import compile as compile_pattern
from speckeeper.rules.registry import Context, Edit, FixInput, Hit, Registry
from speckeeper.document.model import Document as Spec
from speckeeper.document.model import column_width
from speckeeper.document.rst.adornment import adornment

LINE_TOO_LONG = "SK201"
DIRECTIVE_LINE_TOO_LONG = "SK202"
TRAILING_WHITESPACE = "SK203"
CARRIAGE_RETURN = "SK205"
MISSING_FINAL_NEWLINE = "SK207"

# A line that is one token (a long URL, a path, a hash) cannot be wrapped.
_SINGLE_TOKEN = re.compile(r"\s*\S+$")
# A Markdown setext heading's underline (CommonMark: at most 3 spaces in).
_SETEXT_UNDERLINE = re.compile(r" {0,3}(?:=+|-+)[ \t]*")
# A URL, and what may follow it on a line it needs: the end of a link.
_URL = re.compile(r"https?://[^\s<>`]+")
_URL_END = re.compile(r"""[>`_.,;:!?)\]'"]*\s*$""")
# An image or figure directive with its path and nothing else.
_IMAGE = re.compile(r"\s*\.\.\s+(?:image|figure)::\s*\S+\s*$")
# Where a line's text starts: after its indentation and a list marker
# (a bullet, or an enumerator such as "1.", "(a)", "iv)", "#.").
_TEXT_START = re.compile(r"\s*(?:(?:[-*+\u2022\u2023\u2043]|\(?(?:\d+|#|[A-Za-z]|[ivxlcdmIVXLCDM]+)[.)])\s+)?")
ZERO_WIDTH_SPACE = "\u200b"
BYTE_ORDER_MARK = "\ufeff"

RULES = Registry("lines")


def _url_needs_room(line: str, limit: int) -> bool:
    """The line is long only as far as its URL needs: the text before the
    URL fits, and nothing but the end of a link follows it."""
    match = _URL.search(line)
    return match is not None and match.start() <= limit and _URL_END.match(line, match.end()) is not None


# The exemptions a ``line-length-exemptions`` list may name, but
# "literal-block", which the parse decides: each says whether a long line
# is exempt.
EXEMPTIONS: dict[str, Callable[[str, int], bool]] = {
    "url": lambda line, limit: "http://" in line or "https://" in line,
    "url-needs-room": _url_needs_room,
    "single-token": lambda line, limit: _SINGLE_TOKEN.match(line) is not None,
    "image": lambda line, limit: _IMAGE.match(line) is not None,
    "double-colon": lambda line, limit: "::" in line,
}
LITERAL_BLOCK = "literal-block"
LONG_INLINE = "long-inline"


def exempt(line: str, settings: Settings) -> bool:
    """Whether a long line is exempt by the repo's ``line-length-exemptions``
    (nova's gate: a URL, or a single token) or matches one of its
    ``line-length-exempt-patterns``; literal blocks and paragraphs aside."""
    limit = settings.line_length + uncounted(line, settings)  # Where the line passes it.
    return any(EXEMPTIONS[name](line, limit) for name in settings.line_length_exemptions if name in EXEMPTIONS) or any(
        compile_pattern(pattern).search(line) is not None for pattern in settings.line_length_exempt_patterns
    )


def uncounted(line: str, settings: Settings) -> int:
    """How many columns at the start of a line do not count against the
    limit: with ``line-length-count = "text"``, its indentation and list
    marker; with an ``line-length-indent-allowance``, that many on a line
    indented at least as far; else none."""
    if settings.line_length_count == "text":
        match = _TEXT_START.match(line)
        return match.end() if match is not None else 0
    allowance = settings.line_length_indent_allowance
    return allowance if allowance and len(line) - len(line.lstrip()) >= allowance else 0


def too_long(line: str, settings: Settings, what: str = "line") -> tuple[int, str]:
    """The column a long line passes the limit at, and what to say of it."""
    limit, skipped = settings.line_length, uncounted(line, settings)
    if settings.line_length_count == "text":
        said = f"{what} is {len(line) - skipped} characters long without its indentation and list marker"
        return skipped + limit + 1, f"{said}, expected at most {limit}"
    if skipped:
        said = f"{what} is {len(line)} characters long, expected at most {limit + skipped}"
        return skipped + limit + 1, f"{said} (indented by {skipped} or more)"
    return limit + 1, f"{what} is {len(line)} characters long, expected at most {limit}"


def _long_inline_paragraphs(spec: Spec, limit: int) -> frozenset[int]:
    """The lines of each paragraph that holds an inline literal or a link
    longer than the limit as written: no wrapping makes such a paragraph fit."""
    found: set[int] = set()
    for paragraph in spec.blocks():
        if paragraph.kind == "paragraph" and paragraph.unbreakable > limit:
            found.update(range(paragraph.line, paragraph.end + 1))
    return frozenset(found)


def long_lines(spec: Spec, settings: Settings) -> Iterator[tuple[int, str, bool]]:
    """Over-long lines, as the repo's gate counts them: (line, text, in a
    directive body)."""
    limit = settings.line_length
    long = [(n, line) for n, line in enumerate(spec.lines, 1) if len(line) > limit]
    if not long:
        return  # Most specs: nothing more to look at.
    if settings.line_length_style == "doc8":
        # doc8 never flags a line of one token or holding a URL; its check
        # walks the whole parse, so it runs only where it may flag.
        maybe = [line for _, line in long if " " in line.lstrip() and not EXEMPTIONS["url"](line, limit)]
        flagged = _gate_long_lines(spec, limit) if maybe else frozenset()
        long = [(n, line) for n, line in long if n in flagged]
    else:
        long = [(n, line) for n, line in long if len(line) - uncounted(line, settings) > limit]
        long = [(n, line) for n, line in long if not exempt(line, settings)]
        if long and LITERAL_BLOCK in settings.line_length_exemptions:
            literal = spec.literal_lines
            long = [(n, line) for n, line in long if n not in literal]
        if long and LONG_INLINE in settings.line_length_exemptions:
            paragraphs = _long_inline_paragraphs(spec, limit)
            long = [(n, line) for n, line in long if n not in paragraphs]
    for number, line in long:
        # Literal content is the author's text wherever it stands: a
        # ``code-block``'s lines are judged as a ``::`` block's are.
        yield number, line, number in spec.directive_lines and number not in spec.literal_lines


def _gate_long_lines(spec: Spec, limit: int) -> frozenset[int]:
    """The long lines doc8's own D001 check flags: the format's gate (its
    exemptions read from the parse), or, in a format without one, every
    line of more than one token that holds no URL."""
    flagged = spec.gate_long_lines(limit)
    if flagged is not None:
        return flagged
    long = enumerate(spec.lines, 1)
    return frozenset(n for n, line in long if len(line) > limit and " " in line.lstrip() and not _URL.search(line))


def rewrap_long_lines(fix: FixInput) -> Iterator[Edit]:
    """Rewrap each paragraph that holds a flagged line to the limit: only
    the rows from the first flagged one on, only as far as words move."""
    settings = fix.ctx.settings
    for paragraph in fix.spec.wrappable(fix.rows):
        mine = {line - 1 - paragraph.start for line in fix.lines if paragraph.start < line <= paragraph.end}
        if not mine:
            continue
        old = list(fix.rows[paragraph.start : paragraph.end])
        # The columns that do not count, as few as on any of its rows and of
        # the rows the rewrap adds (indented as its others are).
        limit = settings.line_length + min(uncounted(row, settings) for row in [*old, " " * paragraph.indent + "x"])
        new = wrap.rewrap(old, paragraph.column, paragraph.indent, limit, mine, paragraph.unbreakable)
        if new != old:
            yield Edit(paragraph.start, paragraph.end, tuple(new))


@RULES.rule(LINE_TOO_LONG, "line-too-long", fix=rewrap_long_lines, fix_moves_rows=True, fix_title="Rewrap this paragraph")
def check_line_too_long(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """A line is longer than the limit (``line-length``, 79 by default).

    As nova's gate: a line holding a URL (``http://``, ``https://``) or a
    single token is exempt, and so is literal content, which the doctree
    tells (``::`` blocks, ``code-block``, ``code``, ``parsed-literal``, a
    repo's ``literal-directives``, doctest), all of it alike: without the
    ``literal-block`` exemption its long lines are this rule's, wherever
    they stand. Prose in a directive body (a note, a list-table cell) is
    SK202. A repo whose gate differs lists its exemptions
    (``line-length-exemptions``, ``line-length-exempt-patterns``), says
    what counts (``line-length-count``, ``line-length-indent-allowance``)
    or counts as doc8 does (``line-length-style = "doc8"``). Markdown
    documents only where the repo wraps them (``markdown-wrapped``): most
    Markdown is written a paragraph a line.
    Fixable: ``speckeeper fix`` rewraps the paragraph.

    Bad::

        The scheduler will consider the new trait when it filters the hosts for an instance.

    Good::

        The scheduler will consider the new trait when it filters the hosts
        for an instance.
    """
    if spec.format == "markdown" and not ctx.settings.markdown_wrapped:
        return  # A paragraph a line: the repo does not wrap its Markdown.
    for number, line, in_directive in long_lines(spec, ctx.settings):
        if not in_directive:
            yield Hit(number, *too_long(line, ctx.settings))


@RULES.rule(
    DIRECTIVE_LINE_TOO_LONG,
    "body-line-too-long",
    default=False,
    fix=rewrap_long_lines,
    fix_moves_rows=True,
    fix_title="Rewrap this paragraph",
)
def check_directive_line_too_long(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """A line in a directive body (a note, a list-table cell) is too long.

    Beyond nova's gate, which skips every indented line after a line that
    holds ``::`` and so never reads directive bodies; a repo that wants
    its notes and tables wrapped too turns this on. Literal content (a
    ``code-block``, ``code``, ``parsed-literal``, a repo's literal
    directive) is not prose: it is SK201's, exempt as a ``::`` block is
    (``literal-block``), never this rule's. Fixable in notes and other
    body directives; table cells are left alone.

    Bad::

        .. note:: Keep this short.
           This sentence in the note runs on and on well past the seventy-ninth column.

    Good::

        .. note:: Keep this short.
           This sentence in the note runs on and on, but wraps before the
           seventy-ninth column.
    """
    for number, line, in_directive in long_lines(spec, ctx.settings):
        if in_directive:
            yield Hit(number, *too_long(line, ctx.settings, "line in a directive body"))


def _trailing(ctx: Context) -> str:
    """The characters that count as trailing whitespace (``trailing-whitespace``)."""
    return " " if ctx.settings.trailing_whitespace == "spaces" else " \t"


def strip_trailing_whitespace(fix: FixInput) -> Iterator[Edit]:
    """Each flagged line without its trailing spaces (and tabs, unless the
    repo counts spaces only). In Markdown, two spaces that end a line
    inside a paragraph or a heading of several lines are a hard line
    break: they become a backslash, CommonMark's visible way to write one."""
    breaks = _hard_break_rows(fix.spec, fix.rows) if fix.spec.format == "markdown" else frozenset()
    for line in sorted(fix.lines):
        row = fix.rows[line - 1]
        kept = row.rstrip(_trailing(fix.ctx))
        hard = line in breaks and row.endswith("  ") and not kept.endswith("\\")
        yield Edit.row(line, kept + "\\" if hard else kept)


def _hard_break_rows(spec: Spec, rows: tuple[str, ...]) -> frozenset[int]:
    """The lines that end in a hard line break: a paragraph's (the model
    keeps them), and a setext heading's lines but its last, which the
    model reads as its title's words alone."""
    headings = (_setext_title_rows(section.line, rows) for section in spec.all_sections() if section.style in ("=", "-"))
    return frozenset(line for block in spec.blocks() for line in block.breaks).union(*headings)


def _setext_title_rows(first: int, rows: tuple[str, ...]) -> range:
    """The lines of a setext heading starting at line ``first`` but its
    last: those before the underline's row but one."""
    underline = next((line for line in range(first + 1, len(rows) + 1) if _SETEXT_UNDERLINE.fullmatch(rows[line - 1])), first + 1)
    return range(first, underline - 1)


@RULES.rule(TRAILING_WHITESPACE, "trailing-whitespace", fix=strip_trailing_whitespace, fix_title="Strip trailing whitespace")
def check_trailing_whitespace(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """A line ends in spaces or tabs.

    Invisible, and noise in every diff that touches the line; nova's gate
    rejects trailing spaces. Spaces and tabs only: other Unicode spaces (a
    thin space ending a diagram's line) are text. A repo whose gate counts
    spaces only says ``trailing-whitespace = "spaces"``.

    Bad::

        None···

    Good::

        None
    """
    characters = _trailing(ctx)
    for number, line in enumerate(spec.lines, 1):
        kept = line.rstrip(characters)
        if kept != line:
            extra = len(line) - len(kept)
            yield Hit(number, len(kept) + 1, f"trailing whitespace ({extra} character(s)), expected none")


@RULES.rule("SK204", "tab", default=False, highlight="character")
def check_tab(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """A line holds a tab character.

    Beyond nova's gate. docutils expands tabs to 8 columns, editors to
    whatever they like, so indentation that looks right may not parse as
    it looks. A repo whose gate is doc8 (D003) flags tabs only where they
    indent: ``tabs = "indentation"``.

    Bad::

        -→item

    Good::

        - item
    """
    indentation = ctx.settings.tabs == "indentation"
    for number, line in enumerate(spec.lines, 1):
        if "\t" in line:
            column = line.index("\t")
            if indentation and line[:column].strip():
                continue
            where = "tab character in the indentation" if indentation else "tab character"
            yield Hit(number, column + 1, f"{where}, expected spaces")


def _raw(spec: Spec) -> bytes:
    return spec.raw or spec.text.encode("utf-8")


def use_lf(fix: FixInput) -> Iterator[Edit]:
    """Every line ending LF."""
    for index, end in enumerate(fix.ends):
        if end and end != "\n":
            yield Edit(index, index + 1, (fix.rows[index],), ends=("\n",))


@RULES.rule(CARRIAGE_RETURN, "carriage-return", fix=use_lf, fix_title="Use LF line endings")
def check_carriage_return(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """The file holds carriage returns (CRLF or CR line endings).

    nova's gate means to reject them, but reads files in text mode, where
    Python turns CRLF into LF, so it never sees one; this reads the bytes.
    One finding a file, at the first. Fixable: line endings become LF.

    Bad::

        None\\r\\n

    Good::

        None\\n
    """
    raw = _raw(spec)
    first = raw.find(b"\r")
    if first < 0:
        return
    line = raw.count(b"\n", 0, first) + 1
    col = len(raw[raw.rfind(b"\n", 0, first) + 1 : first].decode("utf-8", "replace")) + 1
    count = raw.count(b"\r")
    yield Hit(line, col, f"{count} carriage return(s) (\\r) in the file, first here; expected LF line endings")


def _characters(spec: Spec, char: str) -> Iterator[tuple[int, int]]:
    if char not in spec.text:
        return  # Most specs: no need to look line by line.
    for number, line in enumerate(spec.lines, 1):
        col = line.find(char)
        while col >= 0:
            yield number, col + 1
            col = line.find(char, col + 1)


@RULES.rule("SK206", "zero-width-space", highlight="character")
def check_zero_width_space(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """The text holds a zero-width space (U+200B).

    Invisible, usually pasted from a web page; it splits words and links
    in ways nobody can see. nova's gate rejects it.

    Bad::

        nova-compute\u200b (with U+200B after "compute")

    Good::

        nova-compute
    """
    for number, col in _characters(spec, ZERO_WIDTH_SPACE):
        yield Hit(number, col, "zero-width space (U+200B), expected none")


def add_final_newline(fix: FixInput) -> Iterator[Edit]:
    """The last line ended as most lines of the file are."""
    if fix.rows and not fix.ends[-1]:
        last = len(fix.rows) - 1
        yield Edit(last, last + 1, (fix.rows[last],), ends=(fix.newline,))


@RULES.rule(
    MISSING_FINAL_NEWLINE, "missing-final-newline", default=False, fix=add_final_newline, fix_title="Add the final newline"
)
def check_missing_final_newline(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """The file does not end with a newline.

    Beyond nova's gate (and some real specs lack one, so it is off by
    default). Tools that read line by line lose or merge the last line;
    diffs show "No newline at end of file". Fixable.

    Bad::

        None<end of file>

    Good::

        None
        <end of file>
    """
    raw = _raw(spec)
    if raw and not raw.endswith((b"\n", b"\r")):
        col = len(spec.lines[-1]) + 1 if spec.lines else 1
        yield Hit(max(len(spec.lines), 1), col, "no newline at end of file, expected one")


@RULES.rule("SK208", "byte-order-mark", highlight="character")
def check_byte_order_mark(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """The file starts with a byte order mark, or holds one (U+FEFF).

    Beyond nova's gate. UTF-8 needs no byte order mark; some tools show
    it as junk, and inside the text it is an invisible character.

    Bad::

        <U+FEFF>..
         This work is licensed under a Creative Commons Attribution 3.0

    Good::

        ..
         This work is licensed under a Creative Commons Attribution 3.0
    """
    if _raw(spec).startswith(codecs.BOM_UTF8):
        yield Hit(1, 1, "byte order mark at the start of the file, expected plain UTF-8")
    for number, col in _characters(spec, BYTE_ORDER_MARK):
        yield Hit(number, col, "byte order mark (U+FEFF) in the text, expected none")


def _adornments(spec: Spec) -> Iterator[tuple[int, str, list[int]]]:
    """Every title: its line, its text as docutils measures it, its adornment lines."""
    lines = spec.lines
    title_lines = [title.line for title in spec.titles] + [section.line for section in spec.all_sections()]
    for number in sorted(set(title_lines)):
        found = adornment(lines, number)
        if found is not None:
            yield number, lines[number - 1].rstrip(), [line for line in (found.over, found.under) if line]


@RULES.rule("SK209", "long-adornment", default=False)
def check_long_adornment(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """A title's underline or overline is longer than the title.

    Valid RST, and only a style choice: off by default. Wide characters
    count double, as docutils counts them.

    Bad::

        Proposed change
        =======================

    Good::

        Proposed change
        ===============
    """
    for number, title, adorned in _adornments(spec):
        # ASCII (most titles): a column a character, without column_width's
        # look at each character's width.
        width = len(title) if title.isascii() else column_width(title)
        for line in adorned:
            length = len(spec.lines[line - 1].rstrip())
            if length > width:
                which = "overline" if line < number else "underline"
                message = f"title {which} is {length} characters, expected {width} (the title's width)"
                yield Hit(line, width + 1, message)
