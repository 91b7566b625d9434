"""Rewrapping one paragraph: what moves, what stays, what is never split."""

from __future__ import annotations

from speckeeper.rules import wrap


def test_rows_before_the_long_one_and_after_the_last_change_stay_as_they_are():
    rows = ["Short   first  row.", "A long row with words that cross the limit.", "Next row.", "Last   row."]
    assert wrap.rewrap(rows, 0, 0, 40, {1}) == [
        "Short   first  row.",
        "A long row with words that cross the",
        "limit. Next row.",
        "Last   row.",
    ]


def test_spacing_within_a_row_is_kept_where_words_stay_together():
    result = wrap.rewrap(["One.  Two.  Three and then some more words to go long."], 0, 0, 30, {0})
    assert result == ["One.  Two.  Three and then", "some more words to go long."]


def test_new_rows_take_the_given_indent_and_the_first_keeps_its_prefix():
    result = wrap.rewrap(["  * a b c d e f g h"], 4, 4, 12, {0})
    assert result == ["  * a b c d", "    e f g h"]


def test_unbreakable_spans_are_kept_whole_even_across_rows():
    rows = ["see ``a literal", "written over two rows`` and more words to come here"]
    result = wrap.rewrap(rows, 0, 0, 30, {1}, ["``a literal written over two rows``"])
    assert result == ["see ``a literal", "written over two rows`` and", "more words to come here"]


def test_a_literal_split_before_the_long_row_is_rejoined_when_redone():
    rows = ["see ``a literal", "written over two rows`` and more words to come here"]
    result = wrap.rewrap(rows, 0, 0, 40, {0, 1}, ["``a literal written over two rows``"])
    assert result == ["see ``a literal written over two rows``", "and more words to come here"]


def test_an_escaped_space_is_never_a_break():
    atoms = wrap.atoms(["foo\\ bar baz"])
    assert [atom.text for atom in atoms] == ["foo\\ bar", "baz"]


def test_punctuation_never_starts_a_row_nor_makes_one_alone():
    assert wrap.rewrap(["aaa bbb -- ccc ddd"], 0, 0, 9, {0}) == ["aaa", "bbb --", "ccc ddd"]
    assert wrap.rewrap(["-- bbb ccc"], 0, 0, 3, {0}) == ["-- bbb", "ccc"]
