"""The spec model's line classes: literal blocks and directive bodies,
decided from the doctree and RST's explicit-markup rule."""

from __future__ import annotations

from speckeeper.document.rst.parse import RstParser
from speckeeper.document.rst.build import build

SOURCE = """\
=====
Title
=====

Para::

    literal one
    literal two

.. code-block:: python
   :linenos:

   code a

   code b

.. code:: ini

   [devices]
   enabled = a,b

.. parsed-literal::

   parsed *x*

- item::

      nested literal

.. list-table::

   * - cell

.. note:: first
   second

>>> doctest
1

.. math::

   a + b

Shown, not run::

    .. note:: not a directive
       still literal
"""


def _spec():
    return build("x.rst", SOURCE, RstParser())


def _numbers(text: str) -> set[int]:
    lines = SOURCE.splitlines()
    return {number for number, line in enumerate(lines, 1) if line.strip() == text}


def test_literal_lines_cover_every_verbatim_block_kind():
    literal = _spec().literal_lines
    for text in (
        "literal one",
        "literal two",
        "code a",
        "code b",
        "[devices]",
        "enabled = a,b",
        "parsed *x*",
        "nested literal",
        ">>> doctest",
        "a + b",
        ".. note:: not a directive",
    ):
        assert _numbers(text) <= literal, text


def test_literal_lines_leave_out_directive_lines_options_and_prose():
    literal = _spec().literal_lines
    for text in ("Para::", ".. code-block:: python", ":linenos:", "second", "* - cell", "- item::"):
        assert not _numbers(text) & literal, text


def test_directive_lines_are_the_body_after_the_directive_line():
    spec = _spec()
    body = spec.directive_lines
    assert _numbers("* - cell") <= body
    assert _numbers("second") <= body
    assert _numbers(":linenos:") <= body
    assert not _numbers(".. note:: first") & body
    assert not _numbers("Para::") & body


def test_a_directive_inside_a_literal_block_opens_no_body():
    spec = _spec()
    assert _numbers("still literal") <= spec.literal_lines
    assert not _numbers("still literal") & spec.directive_lines
