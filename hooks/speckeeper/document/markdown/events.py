"""The fast reading of Markdown: pulldown-cmark's events (pyromark, the
``markdown-fast`` extra) read straight into what :mod:`.build` makes of
markdown-it-py's tokens (a :class:`~.reading.Reading`: the front matter,
the headings, the blocks), with no token made between.

pulldown-cmark is CommonMark, as markdown-it-py is, with GFM tables; it
parses in Rust, about twelve times as fast (the KEP READMEs of
kubernetes/enhancements, 20 MB: 0.5 s against 6 s of one core). What it
does not do as markdown-it-py does is done here: front matter (read by the
rules of mdit-py-plugins' front_matter), lines counted as markdown-it
counts them (``\\r\\n`` and ``\\r`` are line ends, NUL is U+FFFD), a
paragraph round the text of a tight list item, where a block ends (a
list's not on the link definitions after it), link destinations
normalized and unsafe ones (``javascript:``) left as text, and no block
nested more than 20 deep (markdown-it's bound; deeper containers are
flattened into the one at that depth). Each container open is a frame
that collects its blocks; a block is made when it ends, by the functions
of :mod:`.reading` that make it of markdown-it-py's tokens too.
``tests/test_markdown_events.py`` compares the documents built both ways,
on every KEP of a kubernetes/enhancements snapshot where there is one.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import partial
from itertools import accumulate
from typing import Any

from speckeeper.document.markdown import reading
from speckeeper.document.markdown.reading import CODE, HARD, HTML, IMAGE, LINK_CLOSE, LINK_OPEN, LISTS, SOFT, Child, Heading, Inline, Reading, extent
from speckeeper.document.model import Block

# markdown-it's bound on nested blocks ("commonmark" preset's maxNesting).
MAX_NESTING = 20
_NEWLINES = re.compile(r"\r\n?")
# A fence's line with tabs after it: pulldown-cmark does not take it as a
# closing fence, CommonMark (and markdown-it) do; a space in each tab's
# place keeps every byte where it was.
_FENCE_TABS = re.compile(r"^( {0,3}(?:`{3,}|~{3,}))([ \t]*\t[ \t]*)$", re.MULTILINE)
_ITEM = re.compile(r" {0,3}(?:[-+*]|[0-9]{1,9}[.)])( {1,4}(?=\S)|[ \t]*$)")
# What markdown-it's normalizeLink leaves as it is.
_SAFE_URL = re.compile(r"[A-Za-z0-9;/?:@&=+$,\-_.!~*'()#]*")
_BAD_PROTOCOL = re.compile(r"^(vbscript|javascript|file|data):", re.IGNORECASE)
_GOOD_DATA = re.compile(r"^data:image/(gif|png|jpeg|webp);", re.IGNORECASE)


def available() -> bool:
    """Whether pyromark is installed (and markdown-it-py, whose link
    normalization this reading borrows)."""
    try:
        import markdown_it  # noqa: F401
        import pyromark  # noqa: F401
    except ImportError:
        return False
    return True


def normalized(text: str) -> str:
    """The text as markdown-it reads it: line ends made ``\\n``, NUL U+FFFD."""
    if "\r" in text:  # Most texts have none: no need to look for them.
        text = _NEWLINES.sub("\n", text)
    return text.replace("\0", "\ufffd")


def front_matter(lines: list[str]) -> tuple[int, int, bool] | None:
    """Where front matter is, as mdit-py-plugins' front_matter finds it:
    (the line of its closing marker, the first line after it, closed by
    a marker), or None. ``lines`` are the text's, without their ends."""
    if not lines or not lines[0].startswith("---"):
        return None
    dashes = len(lines[0]) - len(lines[0].lstrip("-"))
    for number in range(1, len(lines)):
        line = lines[number]
        stripped = line.lstrip(" \t")
        if line.startswith("...") and not line[3:].strip(" \t"):
            return number, number + 1, True
        if not stripped.startswith("-") or _indent(line) >= 4:
            continue
        run = len(stripped) - len(stripped.lstrip("-"))
        if run >= dashes and not stripped[run:].strip(" \t"):
            return number, number + 1, True
    return None


def _inside(line: str, column: int) -> bool:
    """Whether a line is of a list item whose content starts at ``column``
    (indented to it), or of a quote (``column`` -1: it has a ">")."""
    if not line.strip():
        return False
    return line.lstrip(" ").startswith(">") if column < 0 else _indent(line) >= column


def _indent(line: str) -> int:
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def read(text: str, lines: Sequence[str]) -> Reading:
    """What :mod:`.build` reads of ``text`` (its front matter, headings and
    top-level blocks), made straight of pulldown-cmark's events, as it
    makes them of markdown-it-py's tokens ("commonmark", tables, front
    matter). ``lines``: the text's, as the build counts them."""
    import pyromark

    source = normalized(text)
    rows = source.split("\n")
    matter: str | None = None
    fence = front_matter(rows)
    if fence is not None:
        closing = fence[0]
        matter = "\n".join(rows[1:closing])
        # Blank lines in its place keep every line where it was.
        source = "\n" * (closing + 1) + "\n".join(rows[closing + 1 :])
    if "\t" in source:  # Two KEPs in three have none: no need to look for them.
        source = _FENCE_TABS.sub(lambda match: match.group(1) + " " * len(match.group(2)), source)
    data = source.encode("utf-8")
    # Where each "\n" is: the sum of the lengths of the rows before it, and of their ends.
    newlines = list(accumulate(map((1).__add__, map(len, data.split(b"\n")[:-1])), initial=-1))[1:]
    reader = _Reader(data, newlines, source.split("\n"), lines)
    reader.read(pyromark.events_with_range(source, options=pyromark.Options.ENABLE_TABLES, merge_text=True))
    return Reading(matter, reader.headings, reader.blocks, reader.leaves)


# What an inline run is of: a paragraph, one round a tight list item's
# text (markdown-it has one there, hidden), a heading, a table cell.
_PARAGRAPH, _IMPLICIT, _HEADING, _CELL = range(4)
_END_IMAGE = {"End": "Image"}
_TABLE_PARTS = frozenset({"table", "thead", "tbody", "tr", "th", "td"})


class _Frame:
    """A container open (markdown-it's names: a list, an item, a quote, a
    table or a part of one), and where what it holds ends."""

    __slots__ = ("after", "children", "first", "kind", "last", "name", "row", "rows")

    def __init__(self, kind: str, first: int, after: int, name: str) -> None:
        self.kind = kind
        self.first = first  # Its lines: markdown-it's map, 0-based, the end exclusive.
        self.after = after
        self.last = 0  # The line after the last of what it holds.
        self.name = name  # A list's kind (its items'), else "".
        self.children: list[Block] | None = []  # None in a table: its rows are what it holds.
        self.row: tuple[int, list[Inline]] | None = None  # A table row's line and cells (its cells' too).
        self.rows: list[list[Inline]] | None = None  # A table's.


class _Reader:
    """Reads the events of one text, as markdown-it-py's tokens would be."""

    def __init__(self, data: bytes, newlines: list[int], rows: list[str], lines: Sequence[str]) -> None:
        self.data = data
        self.newlines = newlines  # Byte offsets of the text's "\n".
        self.rows = rows  # Its lines as pulldown-cmark read them.
        self.lines = lines  # As the build counts them.
        self.headings: list[Heading] = []  # At the top level.
        self.blocks: list[tuple[int, Block]] = []  # At the top level.
        self.leaves: list[Block] = []  # The comments and literal blocks, in order.
        self.stack: list[_Frame] = []  # The containers open.
        self.excess = 0  # Containers open past MAX_NESTING: left out, what they hold is in the last one kept.
        self.inline: list[Child] | None = None  # The children of the inline run open, if one is.
        self.plain = True  # Whether they are all text.
        self.inline_first = 0  # Its first byte, and the end of its last.
        self.inline_last = 0
        self.owner = _PARAGRAPH  # What it is of.
        self.owner_map = (0, 0)  # Its paragraph's or heading's lines (as a _Frame's).
        self.heading = (1, "#")  # Its heading's level and style.
        self.leaf: tuple[str, int, int, list[str], str] | None = None  # A code or HTML block open: kind, lines, content, info.
        self.link: list[tuple[tuple[str, str, str], int, int, str]] = []  # Links open: token, index, start, destination.
        self.image: list[list[Any]] = []  # Images open: src, where their label starts, ends.
        self.table_head = False
        self.table_body = False
        self.last_end = 0  # Where the last event that is not a start ended.

    def span(self, start: int, end: int) -> tuple[int, int]:
        """markdown-it's map of a block over bytes [start, end)."""
        data = self.data
        while start < end - 1 and data[start] == 10:
            start += 1  # A nested list's range starts at the line end before it.
        first = bisect_right(self.newlines, start - 1) if start > 0 else 0
        last = end - 1 if end - 1 > start else start
        after = bisect_right(self.newlines, last - 1) + 1 if last > 0 else 1
        return first, after if after > first else first + 1

    def add(self, block: Block) -> None:
        """A block read, into the container open (not a table's part) or the top level."""
        if self.stack:
            children = self.stack[-1].children
            if children is not None:
                children.append(block)
        else:
            self.blocks.append((len(self.blocks) + len(self.headings), block))

    def holds(self, after: int) -> None:
        """The container open holds what ends before line ``after``."""
        if self.stack and after > self.stack[-1].last:
            self.stack[-1].last = after

    def read(self, events: Any) -> None:
        starts = self.starts()
        ends = self.ends()
        for event, where in events:
            start, end = where["start"], where["end"]
            if self.image and event != _END_IMAGE:
                # markdown-it's image content is its label as written.
                label = self.image[-1]
                label[1] = start if label[1] < 0 else label[1]
                label[2] = max(label[2], end)
            if event.__class__ is str:
                if event == "SoftBreak" and start == self.last_end and self.inline is not None and not self.image:
                    # The most of them: a line end right after text, in a paragraph.
                    self.inline.append(SOFT)
                    self.plain = False
                    if end > self.inline_last:
                        self.inline_last = end
                else:
                    self.bare(event, start, end)
                self.last_end = end
                continue
            ((what, value),) = event.items()
            # The most common first: text in a paragraph, a list item.
            if what == "Text":
                if self.inline is not None and self.leaf is None and not self.image:
                    self.inline.append(value)
                    if end > self.inline_last:
                        self.inline_last = end
                else:
                    self.text(what, value, start, end)
            elif what == "Start":
                if value == "Item":
                    self.open("list_item", start, end)
                elif value.__class__ is str:
                    opens = starts.get(value)
                    if opens is not None:
                        opens(None, start, end)
                else:
                    ((name, detail),) = value.items()
                    opens = starts.get(name)
                    if opens is not None:
                        opens(detail, start, end)
                continue  # A start is no end: the last end stays.
            elif what == "End":
                if value == "Item":
                    self.close()
                else:
                    closes = ends.get(value if value.__class__ is str else next(iter(value)))
                    if closes is not None:
                        closes(end)
            elif what == "Html" and self.leaf is not None:  # An HTML block's line.
                self.leaf[3].append(value)
            elif what == "Code" and self.inline is not None and self.leaf is None and not self.image:
                row = self.data[start:end]
                self.inline.append((CODE, value, len(row) - len(row.lstrip(b"`"))))
                self.plain = False
                if end > self.inline_last:
                    self.inline_last = end
            else:
                self.text(what, value, start, end)
            self.last_end = end
        if self.inline is not None:
            self.close_inline()

    def starts(self) -> dict[str, Callable[[Any, int, int], None]]:
        """What each event that starts something starts (by its name; a
        list item, the commonest, is opened in :meth:`read`'s loop, and
        closed there); Emphasis and Strong are markup the model leaves out."""
        return {
            "Paragraph": self.start_paragraph,
            "Heading": self.start_heading,
            "CodeBlock": self.start_code,
            "HtmlBlock": self.start_html,
            "List": self.start_list,
            "BlockQuote": self.start_quote,
            "Table": self.start_table,
            "TableHead": self.start_table_head,
            "TableRow": self.start_table_row,
            "TableCell": self.start_table_cell,
            "Link": self.start_link,
            "Image": self.start_image,
        }

    def ends(self) -> dict[str, Callable[[int], None]]:
        """What each event that ends something ends (by its name)."""
        return {
            "Paragraph": self.end_inline,
            "Heading": self.end_inline,
            "CodeBlock": self.end_leaf,
            "HtmlBlock": self.end_leaf,
            "List": self.close,
            "BlockQuote": self.close,
            "Table": self.end_table,
            "TableHead": self.end_table_head,
            "TableRow": self.close,
            "TableCell": self.close,
            "Link": self.end_link,
            "Image": self.end_image,
        }

    # Blocks.

    def open(self, kind: str, start: int, end: int) -> None:
        if self.inline is not None:
            self.close_inline()
        stack = self.stack
        if len(stack) >= MAX_NESTING:
            self.excess += 1
            return
        first, after = self.span(start, end)
        parent = stack[-1] if stack else None
        if kind == "list_item":  # The most common: nothing more to it.
            stack.append(_Frame(kind, first, after, parent.name if parent else ""))
            return
        frame = _Frame(kind, first, after, LISTS.get(kind, ""))
        if kind in _TABLE_PARTS:
            frame.children = None
            if kind == "table":
                frame.rows = []
            elif kind == "tr":
                frame.row = (first + 1, [])
                table = next(open_ for open_ in reversed(stack) if open_.rows is not None)
                assert table.rows is not None
                table.rows.append(frame.row[1])
            elif kind in ("th", "td") and parent is not None:
                frame.row = parent.row
        stack.append(frame)

    def close(self, end: int = 0) -> None:
        if self.inline is not None:
            self.close_inline()
        if self.excess:
            self.excess -= 1
            return
        stack = self.stack
        frame = stack.pop()
        # A container ends with what it holds: pulldown-cmark's range takes
        # in the link definitions after a list, which markdown-it leaves out.
        after = self.kept(frame)
        if frame.last > after:
            after = frame.last
        if stack and after > stack[-1].last:
            stack[-1].last = after
        if frame.children is not None:
            start, end = extent(frame.first, after, self.lines)
            self.add(reading.container(frame.kind, start, end, frame.name, tuple(frame.children)))
        elif frame.rows is not None:
            self.add(reading.table(*extent(frame.first, after, self.lines), frame.rows))

    def kept(self, frame: _Frame) -> int:
        """Where a list item or quote ends, as markdown-it has it: not on the
        lines after it that pulldown-cmark's range takes in (link
        definitions, blank lines) but that are not indented into it."""
        kind, first, after = frame.kind, frame.first, frame.after
        if kind in LISTS:
            return 0  # Its items'.
        if after <= first + 1 or kind not in ("list_item", "blockquote"):
            return after
        column = -1  # A quote's lines are inside it by their ">".
        if kind == "list_item":
            match = _ITEM.match(self.rows[first])
            # Past its content's column, or no line (a marker not found).
            column = max(1, len(self.rows[first][: match.end()].expandtabs(4))) if match else 1 << 30
        while after > first + 1 and not _inside(self.rows[after - 1], column):
            after -= 1
        return after

    def bare(self, event: str, start: int, end: int) -> None:
        if event == "SoftBreak":
            # markdown-it keeps what ends a line but one space; pulldown-cmark
            # drops tabs too.
            gap = self.data[self.last_end : start]
            if gap and not gap.strip(b" \t") and self.inline and not self.image:
                kept = gap.decode()[:-1] if gap.endswith(b" ") else gap.decode()
                if kept:
                    self.inline_token(kept, self.last_end, start)
            self.inline_token(SOFT, start, end)
        elif event == "HardBreak":
            self.inline_token(HARD, start, end)
        elif event == "Rule":
            if self.inline is not None:
                self.close_inline()
            first, after = self.span(start, end)
            self.add(reading.container("hr", *extent(first, after, self.lines), "", ()))
            self.holds(after)

    def start_list(self, detail: int | None, start: int, end: int) -> None:
        self.open("ordered_list" if detail is not None else "bullet_list", start, end)

    def start_quote(self, detail: Any, start: int, end: int) -> None:
        self.open("blockquote", start, end)

    def start_paragraph(self, detail: None, start: int, end: int) -> None:
        if self.inline is not None:
            self.close_inline()
        self.owner_map = self.span(start, end)
        self.begin_inline(start, _PARAGRAPH)

    def start_heading(self, detail: dict[str, Any], start: int, end: int) -> None:
        if self.inline is not None:
            self.close_inline()
        level = int(detail["level"][1:])
        row = self.data[start:end].lstrip(b" ")
        self.heading = (level, "#" if row.startswith(b"#") else "=" if level == 1 else "-")
        self.owner_map = self.span(start, end)
        self.begin_inline(start, _HEADING)

    def end_inline(self, end: int) -> None:
        if self.inline is not None:
            self.close_inline()

    def start_code(self, detail: Any, start: int, end: int) -> None:
        if self.inline is not None:
            self.close_inline()
        fenced = isinstance(detail, dict)
        first, after = self.span(start, end)
        self.leaf = ("fence" if fenced else "code_block", first, after, [], detail["Fenced"] if fenced else "")

    def start_html(self, detail: None, start: int, end: int) -> None:
        if self.inline is not None:
            self.close_inline()
        first, after = self.span(start, end)
        self.leaf = ("html_block", first, after, [], "")

    def end_leaf(self, end: int) -> None:
        if self.leaf is not None:
            kind, first, after, parts, info = self.leaf
            start, last = extent(first, after, self.lines)
            make = reading.html if kind == "html_block" else partial(reading.literal, info=info)
            block = make(start, last, "".join(parts))
            self.add(block)
            if block.kind in ("comment", "literal") and (not self.stack or self.stack[-1].children is not None):
                self.leaves.append(block)
            self.holds(after)
        self.leaf = None

    def start_table(self, detail: Any, start: int, end: int) -> None:
        self.open("table", start, end)

    def end_table(self, end: int) -> None:
        if self.table_body:
            self.table_body = False
            self.close()  # Its body.
        self.close()

    def start_table_head(self, detail: None, start: int, end: int) -> None:
        self.table_head = True
        self.open("thead", start, end)
        self.open("tr", start, end)

    def end_table_head(self, end: int) -> None:
        self.close()  # Its row.
        self.close()
        self.table_head = False

    def start_table_row(self, detail: None, start: int, end: int) -> None:
        if not self.table_body:
            self.table_body = True
            self.open("tbody", start, end)
        self.open("tr", start, end)

    def start_table_cell(self, detail: None, start: int, end: int) -> None:
        self.open("th" if self.table_head else "td", start, end)
        self.begin_inline(start, _CELL)

    def start_image(self, detail: dict[str, str], start: int, end: int) -> None:
        self.ensure_inline(start)
        self.image.append([_url(detail["dest_url"]), -1, -1])

    def end_image(self, end: int) -> None:
        src, first, last = self.image.pop()
        content = self.data[first:last].decode("utf-8", "replace") if first >= 0 else ""
        if not self.image:
            self.inline_token((IMAGE, content, src), -1, -1)

    # Leaf content and inline runs.

    def text(self, what: str, value: str, start: int, end: int) -> None:
        if self.leaf is not None:
            self.leaf[3].append(value)
            return
        if self.image:
            return
        if what == "Text":
            self.inline_token(value, start, end)
        elif what == "Code":
            row = self.data[start:end]
            self.inline_token((CODE, value, len(row) - len(row.lstrip(b"`"))), start, end)
        elif what in ("InlineHtml", "Html"):
            self.inline_token((HTML, value), start, end)

    def begin_inline(self, start: int, owner: int) -> None:
        self.inline = []
        self.plain = True
        self.inline_first = self.inline_last = start
        self.owner = owner

    def ensure_inline(self, start: int) -> None:
        """Text straight in a tight list item: a paragraph round it, as
        markdown-it has (hidden)."""
        if self.inline is None:
            self.begin_inline(start, _IMPLICIT)

    def inline_token(self, token: Child, start: int, end: int) -> None:
        if self.image:
            return
        if start >= 0:
            self.ensure_inline(start)
            if end > self.inline_last:
                self.inline_last = end
        assert self.inline is not None
        self.inline.append(token)
        if token.__class__ is not str:
            self.plain = False

    def close_inline(self) -> None:
        """The inline run open read, into the block it is of."""
        children = self.inline
        if children is None:
            return
        self.inline = None
        stack = self.stack
        first = after = 0  # Its lines: needed in a container, or where its block has none of its own.
        if stack or self.owner != _PARAGRAPH and self.owner != _HEADING:
            first, after = self.span(self.inline_first, self.inline_last)
            if stack and after > stack[-1].last:
                stack[-1].last = after
        # markdown-it strips a paragraph's or heading's text as Python
        # strips (a no-break space too).
        if children and isinstance(children[0], str):
            children[0] = children[0].lstrip()
        if children and isinstance(children[-1], str):
            children[-1] = children[-1].rstrip()
        lines = self.lines
        if self.owner == _PARAGRAPH or self.owner == _IMPLICIT:
            start, end = extent(*(self.owner_map if self.owner == _PARAGRAPH else (first, after)), lines)
            self.add(reading.paragraph(start, end, self.read_inline(children, start)))
        elif self.owner == _HEADING:
            start, end = extent(*self.owner_map, lines)
            if self.stack:  # In a list item or a quote: no section, a block of a block of no text.
                inner = reading.container("inline", *extent(first, after, lines), "", ())
                self.add(reading.container("heading", start, end, "", (inner,)))
            else:
                level, style = self.heading
                # As it reads rendered: "**Test** Plan" is "Test Plan".
                title = " ".join(self.read_inline(children, start).text.split())
                self.headings.append(Heading(level, start, title, style, len(self.blocks) + len(self.headings)))
        else:  # A table cell's, in its row (or left out where its row is, too deep).
            frame = self.stack[-1] if self.stack else None
            if frame is not None and frame.row is not None:
                line, cells = frame.row
                cells.append(self.read_inline(children, line))
            else:
                self.add(reading.container("inline", *extent(first, after, lines), "", ()))

    def read_inline(self, children: list[Child], line: int) -> Inline:
        if self.plain:  # Most are: no need to look at each.
            return Inline("".join(children), (), "", 0)  # type: ignore[arg-type]
        return reading.read_inline(children, line)

    def start_link(self, detail: dict[str, str], start: int, end: int) -> None:
        if self.inline is None:
            self.begin_inline(start, _IMPLICIT)
        inline = self.inline
        assert inline is not None
        url = detail["dest_url"]
        kind = detail["link_type"]
        if kind == "Email":
            url = "mailto:" + url
        token = (LINK_OPEN, _url(url), "autolink" if kind in ("Autolink", "Email") else "")
        if not self.image:  # In an image, its label's text alone.
            inline.append(token)
            self.plain = False
        self.link.append((token, len(inline) - 1, start, detail["dest_url"]))
        if end > self.inline_last:
            self.inline_last = end

    def end_link(self, end: int) -> None:
        (_, href, markup), index, start, destination = self.link.pop()
        if self.image:  # Its label's text alone is the image's: nothing was added for it.
            return
        inline = self.inline
        assert inline is not None
        if markup == "autolink":
            # Its text, as markdown-it writes it: percent-escapes decoded.
            inline[index + 1 :] = [_url_text(destination)]
        if _BAD_PROTOCOL.match(href) and not _GOOD_DATA.match(href):
            # markdown-it makes no link of it: its source is text, but for
            # the label of one in brackets, read as any text is
            # ("[a *b*](javascript:x)" is "[a b](javascript:x)").
            if markup == "autolink":
                inline[index:] = [self.data[start:end].decode("utf-8", "replace")]
                return
            label_end = self.last_end if self.last_end > start else start + 1
            inline[index] = self.data[start : start + 1].decode("utf-8", "replace")
            inline.append(self.data[label_end:end].decode("utf-8", "replace"))
            return
        inline.append((LINK_CLOSE, markup))
        self.plain = False


def _url_text(url: str) -> str:
    """A destination as markdown-it shows it as text (escapes decoded)."""
    if "%" not in url and "xn--" not in url:
        return url
    from markdown_it.common.normalize_url import normalizeLinkText

    return normalizeLinkText(url)


def _url(url: str) -> str:
    """A destination as markdown-it normalizes it (percent-encoded)."""
    if _SAFE_URL.fullmatch(url):
        return url
    from markdown_it.common.normalize_url import normalizeLink

    return normalizeLink(url)
