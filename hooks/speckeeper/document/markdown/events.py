"""The fast reading of Markdown: pulldown-cmark's events (pyromark, the
``markdown-fast`` extra), made into the tokens markdown-it-py makes, so
that :mod:`.build` reads either the same way.

pulldown-cmark is CommonMark, as markdown-it-py is, with GFM tables; it
parses in Rust, about twelve times as fast (the KEP READMEs of
kubernetes/enhancements, 20 MB: 0.5 s against 6 s of one core). What it
does not do as markdown-it-py does is done here: front matter (read by the
rules of mdit-py-plugins' front_matter), lines counted as markdown-it
counts them (``\\r\\n`` and ``\\r`` are line ends, NUL is U+FFFD), a
paragraph round the text of a tight list item, link destinations
normalized and unsafe ones (``javascript:``) left as text, and no block
nested more than 20 deep (markdown-it's bound; deeper containers are
flattened into the one at that depth).
``tests/test_markdown_events.py`` compares the documents built both ways,
on every KEP of a kubernetes/enhancements snapshot where there is one.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

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


_NO_ATTRS: dict[str, str] = {}  # Shared, never changed: most tokens have none.


class Token:
    """The part of markdown-it's Token that :mod:`.build` reads; of an
    inline run's children, a text token is its text alone (a str)."""

    __slots__ = ("type", "nesting", "map", "tag", "markup", "content", "info", "attrs", "children")

    def __init__(
        self,
        type: str,  # noqa: A002 - markdown-it's name.
        nesting: int = 0,
        map: list[int] | None = None,  # noqa: A002 - markdown-it's name.
        tag: str = "",
        markup: str = "",
        content: str = "",
        info: str = "",
        attrs: dict[str, str] = _NO_ATTRS,
        children: list[Token | str] | None = None,
    ) -> None:
        self.type = type
        self.nesting = nesting
        self.map = map
        self.tag = tag
        self.markup = markup
        self.content = content
        self.info = info
        self.attrs = attrs
        self.children = children


def normalized(text: str) -> str:
    """The text as markdown-it reads it: line ends made ``\\n``, NUL U+FFFD."""
    return _NEWLINES.sub("\n", text).replace("\0", "\ufffd")


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


def tokens(text: str) -> list[Token]:
    """The tokens markdown-it-py ("commonmark", tables, front matter) makes
    of ``text``, made of pulldown-cmark's events."""
    import pyromark

    source = normalized(text)
    lines = source.split("\n")
    found: list[Token] = []
    fence = front_matter(lines)
    if fence is not None:
        closing, after, _ = fence
        content = "\n".join(lines[1:closing])
        found.append(Token("front_matter", map=[0, after], markup="---", content=content))
        # Blank lines in its place keep every line where it was.
        source = "\n" * (closing + 1) + "\n".join(lines[closing + 1 :])
    if "\t" in source:  # Two KEPs in three have none: no need to look for them.
        source = _FENCE_TABS.sub(lambda match: match.group(1) + " " * len(match.group(2)), source)
    data = source.encode("utf-8")
    rows = data.split(b"\n")
    newlines = list(accumulate((len(row) + 1 for row in rows[:-1]), initial=-1))[1:]
    reader = _Reader(data, newlines, source.split("\n"))
    options = pyromark.Options.ENABLE_TABLES
    found.extend(reader.read(pyromark.events_with_range(source, options=options, merge_text=True)))
    return found


_END_IMAGE = {"End": "Image"}
_CONTAINERS = {"BlockQuote": "blockquote", "Item": "list_item", "TableHead": "thead", "TableRow": "tr", "TableCell": "td"}


@dataclass
class _Reader:
    data: bytes
    newlines: list[int]  # Byte offsets of the text's "\n".
    lines: list[str]
    out: list[Token] = field(default_factory=list)
    depth: int = 0  # Containers open, as markdown-it nests them.
    dropped: list[bool] = field(default_factory=list)  # Of each open container: left out (too deep)?
    opened: list[tuple[Token, int]] = field(default_factory=list)  # Each container kept, and where what it holds ends.
    inline: list[Token | str] | None = None  # The children of the inline run open, if one is.
    inline_span: list[int] = field(default_factory=list)  # Its first and last byte.
    implicit: bool = False  # Whether the open paragraph is one of a tight list item's.
    leaf: Token | None = None  # A code or HTML block open.
    link: list[tuple[Token, int, int, str]] = field(default_factory=list)  # Links open: token, index, start, destination.
    image: list[list[Any]] = field(default_factory=list)  # Images open: token, where their label starts, ends.
    table_head: bool = False
    table_body: bool = False
    last_end: int = 0  # Where the last event that is not a start ended.

    def line(self, offset: int) -> int:
        """The 0-based line of a byte offset."""
        return bisect_right(self.newlines, offset - 1) if offset > 0 else 0

    def span(self, start: int, end: int) -> list[int]:
        """markdown-it's map of a block over bytes [start, end)."""
        data = self.data
        while start < end - 1 and data[start] == 10:
            start += 1  # A nested list's range starts at the line end before it.
        first = bisect_right(self.newlines, start - 1) if start > 0 else 0
        last = end - 1 if end - 1 > start else start
        after = bisect_right(self.newlines, last - 1) + 1 if last > 0 else 1
        return [first, after if after > first else first + 1]

    def read(self, events: Any) -> Iterator[Token]:
        event_of = self.event
        for event, where in events:
            end = where["end"]
            # The most of them, text in a paragraph or an HTML or code
            # block's lines, straight here.
            if event.__class__ is dict:
                if self.leaf is not None:
                    value = event.get("Html", event.get("Text"))
                    if value is not None:
                        self.leaf.content += value
                        self.last_end = end
                        continue
                if "Text" in event and self.inline is not None and not self.image:
                    self.inline.append(event["Text"])
                    if end > self.inline_span[1]:
                        self.inline_span[1] = end
                    self.last_end = end
                    continue
            event_of(event, where["start"], end)
        self.close_inline()
        return iter(self.out)

    # Blocks.

    def open(self, kind: str, start: int, end: int, **fields: Any) -> None:
        self.close_inline()
        if self.depth >= MAX_NESTING:
            self.dropped.append(True)
            return
        self.dropped.append(False)
        self.depth += 1
        opening = Token(kind + "_open", 1, self.span(start, end), **fields)
        self.out.append(opening)
        self.opened.append((opening, 0))

    def close(self, kind: str) -> None:
        self.close_inline()
        if self.dropped.pop():
            return
        self.depth -= 1
        # A container ends with what it holds: pulldown-cmark's range takes
        # in the link definitions after a list, which markdown-it leaves out.
        opening, last = self.opened.pop()
        if opening.map is not None:
            opening.map[1] = max(last, self.kept(kind, opening.map))
        self.emit(Token(kind + "_close", -1), opening.map)

    def kept(self, kind: str, span: list[int]) -> int:
        """Where a list item or quote ends, as markdown-it has it: not on the
        lines after it that pulldown-cmark's range takes in (link
        definitions, blank lines) but that are not indented into it."""
        first, after = span
        if kind in ("bullet_list", "ordered_list"):
            return 0  # Its items'.
        if kind not in ("list_item", "blockquote"):
            return after
        column = -1  # A quote's lines are inside it by their ">".
        if kind == "list_item":
            match = _ITEM.match(self.lines[first])
            # Past its content's column, or no line (a marker not found).
            column = max(1, len(self.lines[first][: match.end()].expandtabs(4))) if match else 1 << 30
        while after > first + 1 and not _inside(self.lines[after - 1], column):
            after -= 1
        return after

    def emit(self, token: Token, extent: list[int] | None = None) -> None:
        """Append a token; what it spans (its map, or ``extent``) is held
        by the container open."""
        self.out.append(token)
        spans = token.map or extent
        if spans is not None and self.opened:
            opening, last = self.opened[-1]
            if spans[1] > last:
                self.opened[-1] = (opening, spans[1])

    def event(self, event: Any, start: int, end: int) -> None:
        if self.image and event != _END_IMAGE:
            # markdown-it's image content is its label as written.
            label = self.image[-1]
            label[1] = start if label[1] < 0 else label[1]
            label[2] = max(label[2], end)
        if isinstance(event, str):
            self.bare(event, start, end)
        else:
            ((what, value),) = event.items()
            if what == "Start":
                self.start(value, start, end)
                return
            if what == "End":
                self.end(value, end)
            else:
                self.text(what, value, start, end)
        self.last_end = end

    def bare(self, event: str, start: int, end: int) -> None:
        if event == "SoftBreak":
            # markdown-it keeps what ends a line but one space; pulldown-cmark
            # drops tabs too.
            gap = self.data[self.last_end : start]
            if gap and not gap.strip(b" \t") and self.inline and not self.image:
                kept = gap.decode()[:-1] if gap.endswith(b" ") else gap.decode()
                if kept:
                    self.inline_token(kept, self.last_end, start)
        if event in ("SoftBreak", "HardBreak"):
            self.inline_token(Token(event.lower()), start, end)
        elif event == "Rule":
            self.close_inline()
            self.emit(Token("hr", 0, self.span(start, end), markup="---"))

    def start(self, value: Any, start: int, end: int) -> None:
        detail: Any = None
        name = value if isinstance(value, str) else next(iter(value))
        if not isinstance(value, str):
            detail = value[name]
        if name == "Item":  # The most common, first.
            self.open("list_item", start, end)
        elif name == "Paragraph":
            self.close_inline()
            self.out.append(Token("paragraph_open", 1, self.span(start, end), tag="p"))
            self.begin_inline(start)
        elif name == "Heading":
            self.close_inline()
            level = int(detail["level"][1:])
            row = self.data[start:end].lstrip(b" ")
            markup = "#" * level if row.startswith(b"#") else "=" if level == 1 else "-"
            self.out.append(Token("heading_open", 1, self.span(start, end), tag=f"h{level}", markup=markup))
            self.begin_inline(start)
        elif name == "CodeBlock":
            self.close_inline()
            fenced = isinstance(detail, dict)
            self.leaf = Token("fence" if fenced else "code_block", 0, self.span(start, end), info=detail["Fenced"] if fenced else "")
        elif name == "HtmlBlock":
            self.close_inline()
            self.leaf = Token("html_block", 0, self.span(start, end))
        elif name == "List":
            self.open("ordered_list" if detail is not None else "bullet_list", start, end)
        elif name == "Table":
            self.open("table", start, end)
        elif name == "TableHead":
            self.table_head = True
            self.open("thead", start, end)
            self.open("tr", start, end)
        elif name == "TableCell":
            self.open("th" if self.table_head else "td", start, end)
            self.begin_inline(start)
        elif name in _CONTAINERS:
            if name == "TableRow" and not self.table_body:
                self.table_body = True
                self.open("tbody", start, end)
            self.open(_CONTAINERS[name], start, end)
        elif name == "Link":
            self.start_link(detail, start, end)
        elif name == "Image":
            self.ensure_inline(start)
            self.image.append([Token("image", attrs={"src": _url(detail["dest_url"])}), -1, -1])
        # Emphasis, Strong: markup the model leaves out.

    def end(self, value: Any, end: int) -> None:
        name = value if isinstance(value, str) else next(iter(value))
        if name == "Item":  # The most common, first.
            self.close("list_item")
        elif name == "Paragraph":
            self.close_inline()
            self.out.append(Token("paragraph_close", -1, tag="p"))
        elif name == "Heading":
            level = int(value["Heading"][1:])
            self.close_inline()
            self.out.append(Token("heading_close", -1, tag=f"h{level}"))
        elif name in ("CodeBlock", "HtmlBlock"):
            if self.leaf is not None:
                self.emit(self.leaf)
            self.leaf = None
        elif name == "List":
            self.close("ordered_list" if value["List"] else "bullet_list")
        elif name == "Table":
            if self.table_body:
                self.table_body = False
                self.close("tbody")
            self.close("table")
        elif name == "TableHead":
            self.close("tr")
            self.close("thead")
            self.table_head = False
        elif name == "TableCell":
            self.close("th" if self.table_head else "td")
        elif name in _CONTAINERS:
            self.close(_CONTAINERS[name])
        elif name == "Link":
            self.end_link(end)
        elif name == "Image":
            token, first, last = self.image.pop()
            token.content = self.data[first:last].decode("utf-8", "replace") if first >= 0 else ""
            if not self.image:
                self.inline_token(token, -1, -1)

    # Leaf content and inline runs.

    def text(self, what: str, value: str, start: int, end: int) -> None:
        if self.leaf is not None:
            self.leaf.content += value
            return
        if self.image:
            return
        if what == "Text":
            self.inline_token(value, start, end)
        elif what == "Code":
            row = self.data[start:end]
            ticks = len(row) - len(row.lstrip(b"`"))
            self.inline_token(Token("code_inline", content=value, markup="`" * ticks), start, end)
        elif what in ("InlineHtml", "Html"):
            self.inline_token(Token("html_inline", content=value), start, end)

    def begin_inline(self, start: int) -> None:
        self.inline = []
        self.inline_span = [start, start]

    def ensure_inline(self, start: int) -> None:
        """Text straight in a tight list item: a paragraph round it, as
        markdown-it has (hidden)."""
        if self.inline is None:
            self.out.append(Token("paragraph_open", 1, None, tag="p"))
            self.implicit = True
            self.begin_inline(start)

    def inline_token(self, token: Token | str, start: int, end: int) -> None:
        if self.image:
            return
        if start >= 0:
            self.ensure_inline(start)
            if end > self.inline_span[1]:
                self.inline_span[1] = end
        assert self.inline is not None
        self.inline.append(token)

    def close_inline(self) -> None:
        if self.inline is None:
            return
        first, last = self.inline_span
        children, self.inline = self.inline, None
        # markdown-it strips a paragraph's or heading's text as Python
        # strips (a no-break space too).
        if children and isinstance(children[0], str):
            children[0] = children[0].lstrip()
        if children and isinstance(children[-1], str):
            children[-1] = children[-1].rstrip()
        # Its content (markdown-it's source of the run) is read by nothing.
        self.emit(Token("inline", 0, self.span(first, last), children=children))
        if self.implicit:
            self.implicit = False
            opening = next(t for t in reversed(self.out) if t.type == "paragraph_open")
            opening.map = self.span(first, last)
            self.out.append(Token("paragraph_close", -1, tag="p"))

    def start_link(self, detail: dict[str, str], start: int, end: int) -> None:
        self.ensure_inline(start)
        url = detail["dest_url"]
        if detail["link_type"] == "Email":
            url = "mailto:" + url
        autolink = detail["link_type"] in ("Autolink", "Email")
        token = Token("link_open", 1, attrs={"href": _url(url)}, markup="autolink" if autolink else "")
        self.inline_token(token, start, end)
        assert self.inline is not None
        self.link.append((token, len(self.inline) - 1, start, detail["dest_url"]))
        self.inline_span[1] = max(self.inline_span[1], end)

    def end_link(self, end: int) -> None:
        token, index, start, destination = self.link.pop()
        assert self.inline is not None
        if token.markup == "autolink":
            # Its text, as markdown-it writes it: percent-escapes decoded.
            self.inline[index + 1 :] = [_url_text(destination)]
        if _BAD_PROTOCOL.match(token.attrs["href"]) and not _GOOD_DATA.match(token.attrs["href"]):
            # markdown-it makes no link of it: its source is text, but for
            # the label of one in brackets, read as any text is
            # ("[a *b*](javascript:x)" is "[a b](javascript:x)").
            if token.markup == "autolink":
                self.inline[index:] = [self.data[start:end].decode("utf-8", "replace")]
                return
            label_end = self.last_end if self.last_end > start else start + 1
            self.inline[index] = self.data[start:start + 1].decode("utf-8", "replace")
            self.inline.append(self.data[label_end:end].decode("utf-8", "replace"))
            return
        self.inline.append(Token("link_close", -1, markup=token.markup))


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
