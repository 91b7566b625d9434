"""Output formats, as tools and people read them."""

from __future__ import annotations

import json

from speckeeper.reporting.output import FORMATS
from speckeeper.findings import Finding

FINDINGS = [
    Finding("specs/a.rst", 3, 1, "SK101", 'missing section "Testing": the template has it here'),
    Finding("specs/b,c.rst", 10, 80, "SK201", "line is 90 characters, 114% of 79\nsecond"),
]


def test_text() -> None:
    assert FORMATS["text"](FINDINGS[:1]) == (
        'specs/a.rst:3:1: SK101 missing section "Testing": the template has it here\n'
    )


def test_json() -> None:
    assert json.loads(FORMATS["json"](FINDINGS[:1])) == [
        {
            "path": "specs/a.rst",
            "line": 3,
            "col": 1,
            "code": "SK101",
            "message": 'missing section "Testing": the template has it here',
        }
    ]


def test_github_annotations_escape_what_they_must() -> None:
    assert FORMATS["github"](FINDINGS).splitlines() == [
        '::error file=specs/a.rst,line=3,col=1,title=SK101::SK101 missing section "Testing": the template has it here',
        # A newline is shown escaped, as in every format: it never starts a command.
        "::error file=specs/b%2Cc.rst,line=10,col=80,title=SK201::SK201 line is 90 characters, 114%25 of 79\\nsecond",
    ]
