"""The fixer's proof over the document model (speckeeper.document.proof):
what any format's fix must keep."""

from __future__ import annotations

from speckeeper.document import proof
from speckeeper.document.rst.build import build
from speckeeper.document.rst.parse import RstParser

BEFORE = (
    "=====\nTitle\n=====\n\nProblem\n=======\n\nSome words\nwrapped here.\n\n- a `link <https://x.org>`_\n"
    "\nSolution\n========\n\nNone.\n"
)


def _model(text: str):
    return build("x.rst", text, RstParser())


def test_a_rewrap_keeps_the_model() -> None:
    after = BEFORE.replace("Some words\nwrapped here.", "Some words wrapped\nhere.")
    assert proof.difference(_model(BEFORE), _model(after)) == ""


def test_changed_words_or_links_are_a_difference() -> None:
    worded = BEFORE.replace("Some words", "Other words")
    assert proof.difference(_model(BEFORE), _model(worded)) == (
        'paragraph "Some words wrapped here." (line 8) would become paragraph "Other words wrapped here."'
    )
    relinked = BEFORE.replace("https://x.org", "https://y.org")
    assert proof.difference(_model(BEFORE), _model(relinked)).startswith('paragraph "a link" (line 11)')


def test_an_inserted_section_is_left_out_and_a_lost_one_is_not() -> None:
    added = BEFORE + "\nHistory\n=======\n\nNone\n"
    assert proof.difference(_model(BEFORE), _model(added), inserted={19}) == ""
    assert proof.difference(_model(BEFORE), _model(added)) == 'section "history" would be added or lost'


def test_a_renamed_title_is_compared_without_its_text() -> None:
    renamed = BEFORE.replace("Problem\n=======", "Problems\n========")
    assert proof.difference(_model(BEFORE), _model(renamed), retitled={6}) == ""
    assert proof.difference(_model(BEFORE), _model(renamed)).startswith('section "problem" (line 5) would become')


def test_a_message_in_a_table_cell_is_no_part_of_its_text() -> None:
    """docutils writes its note into the cell with the line it stands on:
    rows joined above it move it, and mean the same."""
    table = "\n.. list-table::\n\n   * - a\n     - 2. x\n"
    joined = BEFORE.replace("Some words\nwrapped here.", "Some words wrapped here.")
    before, after = _model(BEFORE + table), _model(joined + table)
    cells = [row for block in before.blocks() for row in block.rows]
    assert "Enumerated list start value" in cells[0][1]  # The note is in the cell's text.
    assert proof.difference(before, after) == ""
