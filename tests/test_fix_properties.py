"""Properties of the fixer over generated reStructuredText: it never changes
the doctree, a second fix changes nothing, and it refuses only documents
docutils already warns about."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from speckeeper import fix, wrap
from speckeeper.config import Config, Settings

WORDS = st.sampled_from(
    [
        "nova",
        "the",
        "compute",
        "host",
        "scheduler",
        "placement",
        "a",
        "of",
        "resource-provider",
        "instance.",
        "flavor,",
        "(optional)",
        "--",
        "-",
        "1.",
        "#.",
        "::x",
        "e.g.",
        "``hw:cpu_policy``",
        "``openstack server create --flavor m1.small``",
        "`placement API <placement.html>`_",
        ":ref:`the section on CPU pinning <cpu-pinning>`",
        ":doc:`spec`",
        "*emphasised words here*",
        "**strong**",
        "https://docs.openstack.org/nova/latest/admin/cpu-topologies.html",
        "averyveryveryveryveryveryveryveryveryveryveryveryverylongtokenwithnospacesatallinit",
        "\\*not-emphasis\\*",
        "====",
        "..",
        "|",
        "A.",
        "(a)",
        "i.",
        ">>>",
        "--option",
        "`title reference`",
        "word::",
    ]
)


@st.composite
def text_lines(draw: st.DrawFn, indent: int, first: str = "") -> list[str]:
    """Some words broken into lines at random places: some short, some long."""
    words = draw(st.lists(WORDS, min_size=1, max_size=40))
    breaks = draw(st.lists(st.booleans(), min_size=len(words), max_size=len(words)))
    lines: list[list[str]] = [[]]
    for word, new_line in zip(words, breaks):
        if new_line and lines[-1] and len(lines) < 6:
            lines.append([])
        lines[-1].append(word)
    pad = " " * indent
    return [(first if number == 0 else pad) + " ".join(line) for number, line in enumerate(lines)]


@st.composite
def blocks(draw: st.DrawFn) -> str:
    kinds = ["paragraph", "bullet", "nested", "enumerated", "definition", "note", "field", "quote", "code", "section"]
    kind = draw(st.sampled_from(kinds))
    if kind == "paragraph":
        rows = draw(text_lines(0))
    elif kind == "bullet":
        rows = [row for _ in range(draw(st.integers(1, 3))) for row in draw(text_lines(2, "- "))]
    elif kind == "nested":
        rows = [*draw(text_lines(2, "- ")), "", *draw(text_lines(4, "  - "))]
    elif kind == "section":
        title = draw(st.sampled_from(["Problem description", "Use Cases", "Proposed change"]))
        underline = draw(st.sampled_from(["=", "-"])) * draw(st.integers(4, len(title) + 3))
        rows = [title, underline, "", *draw(text_lines(0))]
    elif kind == "enumerated":
        rows = [row for _ in range(draw(st.integers(1, 3))) for row in draw(text_lines(3, "#. "))]
    elif kind == "definition":
        rows = ["term", *draw(text_lines(4, "    "))]
    elif kind == "note":
        rows = draw(text_lines(3, ".. note:: "))
    elif kind == "field":
        rows = draw(text_lines(4, ":Field name: "))
    elif kind == "quote":
        rows = draw(text_lines(4, "    "))
    else:
        rows = ["Example::", "", *("    " + row for row in draw(text_lines(0)))]
    trailing = draw(st.sampled_from(["", "", " ", "  "]))
    return "\n".join(row + trailing for row in rows)


@st.composite
def documents(draw: st.DrawFn) -> str:
    parts = ["=====\nTitle\n=====", *draw(st.lists(blocks(), min_size=1, max_size=5))]
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return newline.join("\n\n".join(parts).split("\n")) + newline


FIXABLE = ("SK201", "SK202", "SK203", "SK205", "SK109")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_fix_keeps_the_doctree_and_is_idempotent(document: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        fixer = fix.Fixer(Config(root=root, base=Settings(select=FIXABLE)))
        path = root / "spec.rst"
        path.write_bytes(document.encode("utf-8"))
        first = fixer.fix_file(path)
        before, messages = fixer.checker.parser.parse(document, "before")
        if first.problems and first.after is None:
            # Refusing is the fixer's way to keep the meaning; it may only
            # need to where docutils already warns (a transition after a
            # title, say, which docutils judges by the messages before it).
            assert [m for m in messages if m.level >= 2], (first.problems, document)
            return
        if first.changed:
            path.write_bytes(first.after or b"")
        after, _ = fixer.checker.parser.parse(path.read_bytes().decode("utf-8"), "after")
        assert fix.difference_between(before, after) == ""
        # Fixed once: a second fix changes nothing, and what the first could
        # not fix (a word longer than a line) it cannot either.
        second = fixer.fix_file(path)
        assert not second.changed and second.problems == first.problems


@settings(max_examples=150, deadline=None)
@given(text_lines(2, "- "), st.integers(min_value=20, max_value=100))
def test_rewrap_keeps_the_words_in_order_and_fits_them(rows: list[str], limit: int) -> None:
    flagged = {number for number, row in enumerate(rows) if len(row) > limit}
    if not flagged:
        return
    result = wrap.rewrap(rows, 2, 2, limit, flagged)
    assert " ".join(result).split() == " ".join(rows).split()
    assert result[0].startswith("- ") and all(row.startswith("  ") for row in result[1:])
    for row in result:
        atoms = wrap.atoms([row[2:]])
        # Over the limit only with one word, or one that may not start a line.
        assert len(row) <= limit or len([a for a in atoms if not a.glued]) == 1
    again = wrap.rewrap(result, 2, 2, limit, {n for n, row in enumerate(result) if len(row) > limit} or {0})
    assert again == result
