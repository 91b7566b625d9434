"""A Markdown document parsed a piece at a time (the language server's, at
every keystroke) reads exactly as it does parsed whole: the same tokens,
at the same lines, after any edit, whatever the pieces kept from before."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

pytest.importorskip("markdown_it", reason="the markdown extra is not installed")

from speckeeper.document.markdown import build  # noqa: E402
from speckeeper.document.markdown.pieces import Pieces  # noqa: E402

from .conftest import FIXTURES  # noqa: E402

PARSE = build._parser().parse
DOCUMENTS = sorted((FIXTURES / "markdown").rglob("*.md"))


def read(tokens: list) -> list[tuple]:
    """What a parse says: each token, its lines and its inline children."""
    return [
        (t.type, t.tag, t.map, t.content, t.level, t.markup, t.info, t.attrs, [(c.type, c.content, c.attrs) for c in t.children or ()])
        for t in tokens
    ]


def recording(parsed: list[str]):
    """markdown-it's parse, noting each text it is given in ``parsed``."""

    def parse(source: str, env: dict) -> list:
        parsed.append(source)
        return PARSE(source, env)

    return parse


def same_as_whole(kept: Pieces, text: str) -> bool:
    return read(kept.tokens("doc.md", text, PARSE)) == read(PARSE(text, {}))


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_a_fixture_in_pieces_reads_as_whole_through_forty_edits(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    kept = Pieces()
    assert same_as_whole(kept, text)
    chosen = random.Random(path.name)
    for _ in range(40):
        lines = text.split("\n")
        row = chosen.randrange(len(lines))
        edit = chosen.choice(("type", "break", "join", "fence", "heading"))
        if edit == "type":
            lines[row] = lines[row][:3] + "x" + lines[row][3:]
        elif edit == "break":
            lines.insert(row, "")
        elif edit == "join" and len(lines) > 2:
            del lines[row]
        elif edit == "fence":
            lines.insert(row, "```")
        else:
            lines.insert(row, "## New heading")
        text = "\n".join(lines)
        assert same_as_whole(kept, text), (edit, row)
    # And the model built of them, which reads the tokens kept for the next parse.
    assert build.parse("doc.md", text, pieces=kept) == build.parse("doc.md", text)


@pytest.mark.parametrize(
    "text",
    [
        "# T\n\n```\n## not a heading\n```\n\n## Real\n",
        "# T\n\n~~~~\n## not\n~~~\n## still not\n~~~~\n## Real\n",
        "# T\n\n<!--\n## commented out\n-->\n## Real\n",
        "# T\n\n<div>\n## raw HTML until a blank line\n\n## Real\n",
        "# T\n\n<pre>\n## kept\n</pre>\n## Real\n",
        "---\ntitle: x\n# a YAML comment\n---\n# T\n\n## Real\n",
        # Front matter as markdown-it finds it: its opening line may go on,
        # and its closing marker is at least as long as the opening one.
        "---x\ntitle: x\n# a YAML comment\n---\n# T\n\n## Real\n",
        "-----\ntitle: x\n---\n# a YAML comment\n-----\n# T\n\n## Real\n",
        "# T\n\nSee [the guide].\n\n## Links\n\n[the guide]: https://example.com/guide\n",
        "# T\n\n[a]: /first\n\n## Again\n\n[a]: /second\n\n[a]\n",
        "# T\n\n- item\n## Heading ends the list\n> quote\n## and the quote\n",
        "# T\r\n\r\n## CR LF\r\n",
        "# T\n\n    ```\n## after indented code\n",
    ],
)
def test_what_a_heading_line_could_belong_to_reads_as_whole(text: str) -> None:
    kept = Pieces()
    assert same_as_whole(kept, text)
    assert same_as_whole(kept, text.replace("## Real", "## Real!"))


def test_a_heading_in_a_fence_or_comment_is_parsed_with_what_holds_it() -> None:
    text = "# T\n\n```\n## code\n```\n<!--\n## comment\n-->\n\n## Real\n\nText.\n"
    parsed: list[str] = []
    counting = recording(parsed)
    kept = Pieces()
    kept.tokens("doc.md", text, PARSE)  # The first time, whole.
    kept.tokens("doc.md", text, counting)
    # Cut at each heading line; a piece left open at its end taken again with the next.
    assert parsed[-1] == "## Real\n\nText.\n"
    assert "# T\n\n```\n## code\n```\n<!--\n## comment\n-->\n\n" in parsed


def test_only_the_edited_piece_is_parsed_again() -> None:
    text = "# T\n\nIntro.\n\n## A\n\nOne.\n\n## B\n\nTwo.\n"
    parsed: list[str] = []
    counting = recording(parsed)
    kept = Pieces()
    kept.tokens("doc.md", text, counting)
    assert parsed == [text]  # The first time, whole; then in pieces.
    kept.tokens("doc.md", text, counting)
    parsed.clear()
    kept.tokens("doc.md", text.replace("Two.", "Two!"), counting)
    assert parsed == ["## B\n\nTwo!\n"]


def test_a_document_of_more_pieces_than_the_bound_is_parsed_whole() -> None:
    text = "# T\n" + "## h\n" * 5_000
    parsed: list[str] = []
    counting = recording(parsed)
    kept = Pieces()
    for edit in ("", "x"):
        kept.tokens("doc.md", text + edit, counting)
    assert parsed == [text, text + "x"]
