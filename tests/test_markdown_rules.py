"""Markdown validity (SK6xx): what renders otherwise than its author meant."""

from __future__ import annotations

import pytest

from speckeeper import rules
from speckeeper.cli import main
from speckeeper.config.settings import Settings
from speckeeper.document.markdown import build as markdown_build
from speckeeper.document.rst.parse import RstParser
from speckeeper.rules.registry import Context
from speckeeper.document.rst.build import build
from speckeeper.document.template import Template

CTX = Context("doc.md", Settings(), Template("t.md", "T", ()), frozenset(rules.BY_CODE))
VALIDITY = [rule for rule in rules.ALL if rule.group == "markdown"]

BROKEN = """\
---
status: [proposed
---
# Title

##

## Proposal

#### Risks

```yaml
key: value

## Design Details
"""


def hits(text: str) -> list[tuple[int, str, str]]:
    document = markdown_build.parse("doc.md", text)
    return [(hit.line, rule.code, hit.message) for rule in VALIDITY for hit in rule.check_spec(document, CTX)]


def test_each_problem_is_reported_at_its_line_in_its_own_code():
    assert sorted(hits(BROKEN)) == [
        (2, "SK604", "front matter is not read: expected ',' or ']', but got '<stream end>'"),
        (6, "SK602", "heading ## has no text"),
        (10, "SK603", "heading level 4 under level 2, expected level 3 at most"),
        (12, "SK601", "code fence ``` is never closed: everything after it is code"),
    ]


def test_a_good_document_has_none():
    assert hits("---\nstatus: accepted\n---\n# T\n\n## A\n\n### B\n\n```\ncode\n```\n\n## C\n") == []


def test_an_rst_spec_has_none():
    spec = build("a.rst", "T\n=\n\n.. code-block::\n\n   x\n\nA\n-\n", RstParser())
    assert [hit for rule in VALIDITY for hit in rule.check_spec(spec, CTX)] == []


@pytest.mark.parametrize("code", ["SK601", "SK602", "SK603", "SK604"])
def test_each_rule_explains_itself(code, capsys):
    assert main(["rules", code]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{code} ") and "(markdown; on" in out and "Bad:" in out and "Good:" in out
