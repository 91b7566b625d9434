"""The fast reading of Markdown (pulldown-cmark's events, the
``markdown-fast`` extra) builds the document markdown-it-py's does: the
same model, block for block, line for line, on every Markdown fixture, on
the cases where the two parsers' outputs differ in shape, and on every
KEP of a kubernetes/enhancements snapshot where one has been fetched."""

from __future__ import annotations

from pathlib import Path

import pytest

from speckeeper.document.markdown import build, events

from .conftest import FIXTURES
from .test_kep_snapshot import check, enhancements  # noqa: F401 - the fixture, shared.

pytestmark = pytest.mark.skipif(not events.available(), reason="pyromark is not installed (the markdown-fast extra)")


# An image's label is its text as written: a link in it, unsafe or an
# autolink, is the label's text, not a link of the paragraph's.
IMAGES_HOLDING_LINKS = [
    "# T\n\n![a [b](javascript:x)](i.png)\n",
    "# T\n\n![a [b](http://x)](i.png) c\n",
    "# T\n\n![a <http://x.y/%7E> b](i.png)\n",
    "# T\n\n[![x](i.png)](javascript:y) z\n",
]


def both(text: str) -> tuple[object, object]:
    return build.parse("x.md", text, fast=False), build.parse("x.md", text, fast=True)


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.md")), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_markdown_fixture_reads_the_same(path: Path):
    slow, fast = both(path.read_text())
    assert fast == slow


@pytest.mark.parametrize(
    "text",
    [
        # A tight list's items hold no paragraph event; a nested list's
        # range starts at the line end before it.
        "# T\n\n- a\n  b\n- c\n\t* d\n",
        # Link definitions after a list are not the list's; inside an item, the item's.
        "# T\n\n- a\n\n[x]: http://x\n\n1. b\n\n   [y]: http://y\n\nz\n",
        # A fence closed by a line with a tab after it.
        "# T\n\n```\ncode\n```\t\n\n## S\n",
        # Tabs and one space before a line end are text in markdown-it; a
        # no-break space at a paragraph's end is not.
        "# T\n\nx\t\ny \nz \u00a0\n",
        # Front matter, then the document; CRLF line ends.
        "---\r\nstatus: a\r\n---\r\n# T\r\n\r\n## S\r\n",
        "---\nstatus: a\n...\n# T\n",
        "---\nnever closed\n# T\n",
        # Autolinks shown decoded, unsafe links as text, a URL percent-encoded.
        "# T\n\n<https://x.y/a%20b> <a@b.c> [j](javascript:x) [s](<a b>) ![i *e*](p.png)\n",
        # Tables: a header alone, cells stripped, a link in one.
        "# T\n\n| a |\n|---|\n\n| a | b\u00a0 |\n|---|---|\n| [1](u) | `2` |\n",
        # Setext headings, an indented code block, HTML and comments, a rule.
        "T\n=\n\nS\n-\n\n    code\n\n<div>\nx\n</div>\n\n<!-- c -->\n\n***\n> q\n> > r\n",
        # A paragraph's text that starts and ends with a link made text or
        # an autolink (what is stripped at its ends), a line end in a label.
        "# T\n\n[j](javascript:x) a\nb <https://x.y/%7E>\n\n- [j *e*](vbscript:y)\n- `c` [d\ne](f)\n",
        # HTML and code blocks' lines, in a list item and a quote; a tab
        # after a fence there.
        "# T\n\n- <div>\n  x\n  </div>\n\n  ```sh\n  a\n  ```\t\n> <!-- c\n> d -->\n>\n>     e\n",
        *IMAGES_HOLDING_LINKS,
        "",
        "\0 \r",
    ],
)
def test_the_cases_where_the_parsers_differ_in_shape_read_the_same(text: str):
    slow, fast = both(text)
    assert fast == slow


@pytest.mark.parametrize("text", IMAGES_HOLDING_LINKS)
def test_an_image_holding_a_link_is_read_fast_not_by_the_fallback(text: str):
    # A raise here would be hidden by the fall back to markdown-it-py.
    assert events.read(text, text.splitlines()).blocks


@pytest.mark.parametrize(
    "text",
    ["# T\n\n" + ">" * 2000 + " deep\n", "# T\n\n" + "".join("  " * i + "- x\n" for i in range(200)), "[" * 5000 + "\n"],
)
def test_hostile_nesting_is_read_without_a_traceback(text: str):
    document = build.parse("x.md", text, fast=True)
    assert not text.startswith("#") or document.titles[0].text == "T"


# Two KEPs markdown-it-py reads otherwise than GitHub's renderer
# (cmark-gfm) does, where pulldown-cmark reads them as GitHub does: a line
# indented past its list item's marker but short of its content, after a
# paragraph, is a lazy continuation of the paragraph ("*   ^ Be sure" in
# 5073; "```go" in 2644, which so opens no fence), not code.
GITHUB_AGREES_WITH_PULLDOWN = {
    "keps/sig-api-machinery/5073-declarative-validation-with-validation-gen/README.md",
    "keps/sig-storage/2644-honor-pv-reclaim-policy/README.md",
}


def outline(document: build.Document) -> tuple[object, ...]:
    sections = [(s.title, s.level, s.line, s.style, s.end) for s in document.all_sections()]
    return sections, document.titles, document.messages, document.comments, document.literal_lines, document.metadata


@pytest.mark.slow
def test_every_kep_reads_the_same(enhancements):  # noqa: F811 - the fixture.
    differ, whole = set(), 0
    readmes = sorted((enhancements / "keps").rglob("*.md"))
    for path in readmes:
        text = path.read_text()
        slow, fast = build.parse(str(path), text, fast=False), build.parse(str(path), text, fast=True)
        whole += slow == fast
        if outline(slow) != outline(fast):
            differ.add(path.relative_to(enhancements).as_posix())
    assert differ <= GITHUB_AGREES_WITH_PULLDOWN
    # The rest differ, if at all, in where a block ends or a space in a
    # paragraph's text: what no rule of the KEP preset reads.
    assert whole >= len(readmes) - 10


@pytest.mark.slow
def test_the_kep_findings_are_the_same_with_either_reading(enhancements, monkeypatch):  # noqa: F811
    fast = check(enhancements, "--jobs", "1")
    monkeypatch.setattr(events, "available", lambda: False)
    assert check(enhancements, "--jobs", "1") == fast


def test_a_panic_of_the_fast_parser_falls_back_to_markdown_it(monkeypatch):
    class PanicException(BaseException):  # As pyo3 raises a Rust panic.
        pass

    def panics(text: str, lines: list[str]) -> None:
        raise PanicException("index out of bounds")

    monkeypatch.setattr(events, "read", panics)
    document = build.parse("x.md", "# T\n\n## S\n", fast=True)
    assert [s.title for s in document.sections] == ["S"]
