"""The document model the reStructuredText format builds: what each rule
reads of a spec instead of docutils' nodes."""

from __future__ import annotations

import sys

from docutils.utils import column_width as docutils_column_width

from speckeeper.document.model import Block, column_width, shape
from speckeeper.document.rst.build import build, retitled
from speckeeper.document.rst.parse import RstParser

SOURCE = """\
..
 License text here.

=====
Title
=====

https://blueprints.launchpad.net/nova/+spec/thing

See https://example.com/other for more.

- https://example.com/in-a-list

Problem
=======

A paragraph with ``a literal that is long`` in it.

- one
- two

  - nested

.. list-table::

   * - Release
     - Change
   * - 2025.1
     - Introduced

.. figure:: flow.png

   The flow.

.. image:: alone.png

.. note:: Careful.

Term
  Its definition.

Use Cases
---------

.. unknown-directive:: x

Empty
=====

.. a comment only
"""


def _spec():
    return build("x.rst", SOURCE, RstParser())


def _kinds(blocks: tuple[Block, ...]) -> list[tuple[str, str]]:
    return [(block.kind, block.name) for block in blocks]


def test_sections_have_their_lines_ends_and_blocks_by_kind() -> None:
    spec = _spec()
    problem, use_cases, empty = spec.all_sections()
    assert (problem.title, problem.level, problem.line, problem.style) == ("Problem", 1, 14, "=")
    assert (use_cases.level, use_cases.line, use_cases.end) == (2, 42, 46)
    assert problem.end == 46  # Up to the next top-level title.
    assert empty.end == len(spec.lines) == 50
    assert _kinds(problem.blocks) == [
        ("paragraph", ""),
        ("list", "bullet"),
        ("table", ""),
        ("directive", "figure"),
        ("directive", "image"),
        ("directive", "note"),
        ("list", "definition"),
    ]
    assert {b.kind for b in use_cases.blocks} == {"message"}  # Not empty: docutils' error stands there.
    assert not use_cases.is_empty and empty.is_empty  # A comment alone says nothing.


def test_lists_hold_items_named_after_their_list() -> None:
    bullets = _spec().all_sections()[0].blocks[1]
    assert [(b.kind, b.name, b.line) for b in bullets.children] == [("item", "bullet", 19), ("item", "bullet", 20)]
    assert _kinds(bullets.children[1].children) == [("paragraph", ""), ("list", "bullet")]


def test_tables_images_and_paragraphs_carry_what_only_docutils_tells() -> None:
    blocks = _spec().all_sections()[0].blocks
    assert blocks[2].rows == (("Release", "Change"), ("2025.1", "Introduced"))
    assert (blocks[3].target, blocks[4].target) == ("flow.png", "alone.png")
    assert blocks[0].unbreakable == len("``a literal that is long``")


def test_the_preamble_keeps_comments_and_links_with_whether_they_stand_alone() -> None:
    spec = _spec()
    assert _kinds(spec.preamble) == [("comment", ""), ("paragraph", ""), ("paragraph", ""), ("list", "bullet")]
    links = [(link.url, link.line, link.alone) for block in spec.preamble for b in block.walk() for link in b.links]
    assert links == [
        ("https://blueprints.launchpad.net/nova/+spec/thing", 8, True),
        ("https://example.com/other", 10, False),
        ("https://example.com/in-a-list", 12, True),
    ]
    # docutils' line for a comment: the one after its end, as the start commit's.
    assert spec.comments == ((3, "License text here."), (50, "a comment only"))
    assert spec.opening == 0 and [t.text for t in spec.titles] == ["Title"]


def test_a_spec_without_a_title_says_where_it_opens() -> None:
    spec = build("x.rst", ".. comment\n\n.. _label:\n\nText first.\n\nSection\n=======\n\nBody.\n", RstParser())
    assert spec.titles == [] and spec.opening == 3  # The target after the comment.


def test_content_under_several_titles_is_kept_apart_from_the_preamble() -> None:
    text = "=====\nOne\n=====\n\nUnder one.\n\nS\n=\n\nBody.\n\n=====\nTwo\n=====\n\nUnder two.\n"
    spec = build("x.rst", text, RstParser())
    assert [t.text for t in spec.titles] == ["One", "Two"]
    assert spec.preamble == ()
    assert [b.text for b in spec.under_titles] == ["Under one.", "Under two."]
    assert [b.text for b in spec.blocks()][:2] == ["Under one.", "Under two."]


def test_retitled_reads_the_title_as_sphinx_does_with_what_stands_under_it() -> None:
    text = ".. note:: First.\n\n=====\nTitle\n=====\n\nIntro.\n\nS\n=\n\nBody.\n"
    spec = retitled(build("x.rst", text, RstParser()))
    assert [t.text for t in spec.titles] == ["Title"]
    assert [(s.title, s.level) for s in spec.sections] == [("S", 1)]
    assert _kinds(spec.preamble) == [("directive", "note"), ("paragraph", "")]


def test_doc8s_verdict_on_long_lines_is_the_formats() -> None:
    long = "word " * 20
    text = f"Title\n=====\n\n{long}\n\n::\n\n    {long}\n"
    spec = build("x.rst", text, RstParser())
    assert spec.gate_long_lines(79) == {4}  # A literal block is exempt.
    assert spec.gate_long_lines(200) == set()


def test_shape_leaves_docutils_messages_out() -> None:
    spec = _spec()
    assert not [row for row in shape(spec) if row[0] == "message"]
    assert ("section", 2, "use cases") in list(shape(spec))


def test_column_width_counts_as_docutils_counts() -> None:
    every = "".join(chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF)
    assert column_width(every) == docutils_column_width(every)
    for text in ("Título", "設計", "e\u0301", "\u3099", "abc"):
        assert column_width(text) == docutils_column_width(text), text
