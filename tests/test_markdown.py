"""The Markdown format: a file's text read into the document model."""

from __future__ import annotations

import builtins
import textwrap

import pytest

from speckeeper.document import markdown
from speckeeper.document.markdown import build
from speckeeper.document.model import Document, shape


def parse(text: str) -> Document:
    return build.parse("doc.md", textwrap.dedent(text).lstrip("\n"))


def outline(document: Document) -> list[tuple[int, int, str, str]]:
    return [(s.level, s.line, s.style, s.title) for s in document.all_sections()]


def test_atx_and_setext_headings_are_sections_under_the_title():
    document = parse(
        """
        # KEP-1234: Do the thing

        ## Summary

        Setext section
        --------------

        ### Goals
        """
    )
    assert [(t.text, t.line) for t in document.titles] == [("KEP-1234: Do the thing", 1)]
    assert outline(document) == [(1, 3, "#", "Summary"), (1, 5, "-", "Setext section"), (2, 8, "#", "Goals")]
    assert [c.title for c in document.sections[1].children] == ["Goals"]


def test_a_section_ends_before_the_next_at_its_level_or_above():
    document = parse(
        """
        # T

        ## One

        ### One.a

        text

        ## Two
        """
    )
    one, two = document.sections
    assert (one.end, one.children[0].end, two.end) == (8, 8, 9)


def test_a_second_level_one_heading_is_a_second_title_and_what_follows_stays_sections():
    document = parse(
        """
        # First

        Before A.

        ## A

        # Second

        Under the second title.

        ## B
        """
    )
    assert [t.text for t in document.titles] == ["First", "Second"]
    assert [(s.level, s.title) for s in document.all_sections()] == [(1, "A"), (1, "B")]
    assert [b.text for b in document.preamble] == ["Before A."]
    assert [b.text for b in document.under_titles] == ["Under the second title."]
    assert document.sections[0].end == 6


def test_without_a_title_the_opening_is_what_comes_first():
    assert parse("<!-- note -->\n\nSome text.\n\n## A\n").opening == 3
    assert parse("## A\n\ntext\n").opening == 0


def test_inline_literals_links_and_images():
    document = parse(
        """
        # T

        Run `kubectl get pods --all-namespaces` and see [the docs](https://k8s.io/docs).

        ![diagram](images/flow.png)
        """
    )
    text, image = document.preamble
    assert text.text == "Run kubectl get pods --all-namespaces and see the docs."
    assert text.unbreakable == len("`kubectl get pods --all-namespaces`")  # Longer than the link.
    assert image.target == "images/flow.png"


def test_a_skipped_level_nests_one_deeper_and_is_a_message():
    document = parse(
        """
        # T

        ## A

        #### Deep
        """
    )
    assert outline(document) == [(1, 3, "#", "A"), (2, 5, "#", "Deep")]
    assert [(m.line, m.kind, m.text) for m in document.messages] == [
        (5, "skipped level", "heading level 4 under level 2, expected level 3 at most")
    ]


def test_block_kinds_and_lines():
    document = parse(
        """
        # T

        ## S

        A paragraph
        on two lines.

        - one
        - two

        > quoted

        | a | b |
        | - | - |
        | 1 | 2 |

        ```python
        x = 1
        ```

            indented code

        <!-- a comment -->

        <div>html</div>
        """
    )
    (section,) = document.sections
    assert [(b.kind, b.line, b.end, b.name) for b in section.blocks] == [
        ("paragraph", 5, 6, ""),
        ("list", 8, 9, "bullet"),
        ("quote", 11, 11, ""),
        ("table", 13, 15, ""),
        ("literal", 17, 19, "python"),
        ("literal", 21, 21, ""),
        ("comment", 23, 23, "html"),
        ("other", 25, 25, "html"),
    ]
    paragraph, listing, quote, table, fenced, indented, comment, _ = section.blocks
    assert paragraph.text == "A paragraph\non two lines."
    assert [(item.kind, item.name, item.text) for item in listing.children] == [
        ("item", "bullet", "one"),
        ("item", "bullet", "two"),
    ]
    assert quote.children[0].text == "quoted"
    assert table.rows == (("a", "b"), ("1", "2"))
    assert fenced.text == "x = 1\n"
    assert indented.text == "indented code\n"
    assert comment.text == "a comment"
    assert document.comments == ((23, "a comment"),)
    assert document.literal_lines == frozenset({18, 21})


def test_links_with_their_lines_and_whether_they_stand_alone():
    document = parse(
        """
        # T

        [https://github.com/o/r/issues/1](https://github.com/o/r/issues/1)

        See
        [the design](https://example.org/d) here.
        """
    )
    links = [link for block in document.blocks() for link in block.links]
    assert [(link.url, link.text, link.line, link.alone) for link in links] == [
        ("https://github.com/o/r/issues/1", "https://github.com/o/r/issues/1", 3, True),
        ("https://example.org/d", "the design", 6, False),
    ]
    assert [b.kind for b in document.preamble] == ["paragraph", "paragraph"]


def test_front_matter_is_the_metadata():
    document = parse(
        """
        ---
        status: accepted
        date: 2026-01-02
        deciders: [jane, joe]
        ---
        # Use Markdown
        """
    )
    # A date stays the text written: whether it is one is the metadata
    # rules' to say (2026-30-01 is not), not a reason the file is unread.
    assert dict(document.metadata) == {"status": "accepted", "date": "2026-01-02", "deciders": ["jane", "joe"]}
    assert document.metadata_lines[("date",)] == 3
    assert document.metadata_lines[("deciders", 1)] == 4
    assert [t.line for t in document.titles] == [6]
    assert document.messages == []


@pytest.mark.parametrize(
    ("front", "line", "text"),
    [
        ("a: [1\n", 2, "front matter is not read: expected ',' or ']', but got '<stream end>'"),
        ("a: &x 1\nb: *x\n", 3, "front matter is not read: an alias (*x): aliases are not allowed"),
        ("- a\n- b\n", 2, "front matter is a list, expected a mapping of keys"),
    ],
)
def test_front_matter_that_is_not_a_mapping_is_a_message_at_its_line(front, line, text):
    document = build.parse("doc.md", f"---\n{front}---\n# T\n")
    assert [(m.line, m.kind, m.text) for m in document.messages] == [(line, "front matter", text)]
    assert document.metadata == {}


def test_an_unclosed_fence_is_a_message_at_its_opening_line():
    document = parse(
        """
        # T

        ## S

        ~~~~
        code

        ## Not a heading
        """
    )
    assert [(m.line, m.kind, m.text) for m in document.messages] == [
        (5, "unclosed fence", "code fence ~~~~ is never closed: everything after it is code")
    ]
    assert [s.title for s in document.all_sections()] == ["S"]
    assert document.literal_lines == frozenset(range(6, 9))


def test_a_closed_fence_in_a_list_item_is_no_message():
    document = parse(
        """
        # T

        - item

          ```
          code
          ```
        """
    )
    assert document.messages == []
    assert document.literal_lines == frozenset({6})


def test_a_heading_with_no_text_is_a_message():
    document = parse(
        """
        # T

        ##

        ## S
        """
    )
    assert [(m.line, m.kind, m.text) for m in document.messages] == [(3, "empty heading", "heading ## has no text")]


def test_shape_leaves_out_what_fixes_change():
    before = parse("# T\n\n## S\n\nSome   words\nwrapped.\n")
    after = parse("# T\n\nS\n-\n\nSome words wrapped.\n")
    assert list(shape(before)) == list(shape(after))


def test_without_the_extra_one_line_names_it(monkeypatch):
    real_import = builtins.__import__

    def no_markdown_it(name, *args, **kwargs):
        if name.startswith(("markdown_it", "mdit_py_plugins")):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_markdown_it)
    with pytest.raises(markdown.MarkdownUnavailable) as raised:
        build.parse("doc.md", "# T\n")
    assert str(raised.value) == "Markdown files need the markdown extra: pip install 'speckeeper[markdown]'"


def test_a_markdown_file_is_named_md():
    assert markdown.is_markdown("keps/sig-x/1-a/README.md")
    assert not markdown.is_markdown("specs/a.rst")


def test_an_unclosed_fence_in_a_list_item_ends_with_the_item():
    document = parse(
        """
        # T

        - item

          ```
          code
         ```

        ## After
        """
    )
    assert [(m.line, m.text) for m in document.messages][:1] == [
        (5, "code fence ``` is never closed: the rest of its list item or quote is code")
    ]
