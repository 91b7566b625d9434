"""Leftover rules: placeholders and guidance copied from the template and
not replaced, images, the license header; all read from the template."""

from __future__ import annotations

from pathlib import Path

import pytest

from speckeeper import rules
from speckeeper.cli import main
from speckeeper.document.template import packaged_path

from .conftest import FIXTURES

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
TEMPLATE = packaged_path().read_text(encoding="utf-8")
LEFTOVERS = ",".join(r.code for r in rules.ALL if r.group == "leftovers")
SPEC = "specs/zed/approved/awesome-thing.rst"


def run(root: Path, capsys: pytest.CaptureFixture[str], text: str, *args: str) -> tuple[int, list[str]]:
    spec = root / SPEC
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(text, encoding="utf-8")
    code = main(["check", SPEC, "--select", LEFTOVERS, *args])
    return code, [line.replace(SPEC, "spec") for line in capsys.readouterr().out.splitlines()]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_good_spec_is_clean(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(in_tmp, capsys, GOOD) == (0, [])


def test_the_template_itself_is_all_leftovers(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(in_tmp, capsys, TEMPLATE, "--extend-select", "SK303")
    codes = [line.split()[1] for line in out]
    assert code == 1
    # Title, two assignee placeholders, the liaison placeholder; the example
    # URL is SK303's.
    assert codes.count("SK401") == 4 and codes.count("SK303") == 1
    assert codes.count("SK402") > 20
    assert "SK404" not in codes


def test_placeholders_are_the_templates(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD.replace("Awesome thing for server migrations", "Example Spec - The title of your blueprint")
    text = text.replace("  jdoe\n", "  <launchpad-id or None>\n")
    code, out = run(in_tmp, capsys, text)
    assert code == 1
    assert out == [
        'spec:8:1: SK401 title "Example Spec - The title of your blueprint" is the template\'s: '
        "expected the spec's own title",
        f'spec:{line_of(text, "<launchpad-id")}:1: SK401 placeholder "<launchpad-id or None>" left from the '
        "template: expected a real value",
    ]


def test_a_placeholder_wrapped_over_two_lines_is_still_one(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD.replace("  jdoe\n", "  <launchpad-id or\n  None>\n")
    assert run(in_tmp, capsys, text) == (
        1,
        [
            f'spec:{line_of(text, "<launchpad-id")}:1: SK401 placeholder "<launchpad-id or None>" left from the '
            "template: expected a real value"
        ],
    )


def test_example_url_is_a_placeholder_unless_sk303_reports_it(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = "https://blueprints.launchpad.net/nova/+spec/example"
    text = GOOD.replace("https://blueprints.launchpad.net/nova/+spec/awesome-thing", example)
    line = line_of(text, example)
    assert run(in_tmp, capsys, text) == (
        1,
        [f"spec:{line}:1: SK401 example URL {example} left from the template: expected the spec's own"],
    )
    code, out = run(in_tmp, capsys, text, "--extend-select", "SK303")
    assert [o.split()[1] for o in out] == ["SK303"]


def test_placeholders_come_from_the_repos_template(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = TEMPLATE.replace("<launchpad-id or None>", "<your gerrit name>")
    (in_tmp / "template.rst").write_text(template, encoding="utf-8")
    (in_tmp / ".speckeeper.toml").write_text('template = "template.rst"\n')
    text = GOOD.replace("  jdoe\n", "  <launchpad-id or None>\n")
    text = text.replace("  None\n\nFeature", "  <your gerrit name>\n\nFeature")
    code, out = run(in_tmp, capsys, text)
    assert out == [
        f'spec:{line_of(text, "<your gerrit")}:1: SK401 placeholder "<your gerrit name>" left from the template: '
        "expected a real value"
    ]


def test_guidance_paragraph_left_in(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Rewrapped: guidance compares whitespace aside.
    guidance = (
        "What use cases does this address?\nWhat impact on actors does this change have?\n"
        "Ensure you are clear about the actors in each use case: Developer, End User,\nDeployer etc."
    )
    text = GOOD.replace("As an operator, I want", f"{guidance}\n\nAs an operator, I want")
    code, out = run(in_tmp, capsys, text)
    assert out == [
        f'spec:{line_of(text, "What use cases")}:1: SK402 guidance from the template left in: '
        '"What use cases does this address? What impact on actors d...": expected the spec\'s own text'
    ]


def test_a_whole_list_left_in_is_one_finding(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    security = TEMPLATE.split("Security impact\n---------------\n", 1)[1].split("For more detailed guidance")[0]
    bullets = security.split("consider include:\n\n", 1)[1]
    text = GOOD.replace("Security impact\n---------------\n\nNone\n", f"Security impact\n---------------\n\n{bullets}")
    code, out = run(in_tmp, capsys, text)
    assert [o.split(":")[1] for o in out] == [str(line_of(text, "* Does this change touch sensitive data"))]
    # An edited list: the items left as they were are reported, each.
    edited = text.replace("* Does this change involve cryptography or hashing?", "* It hashes nothing.")
    code, out = run(in_tmp, capsys, edited)
    assert len(out) == 5 and all(" SK402 " in o for o in out)


def test_a_form_filled_in_is_not_guidance(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """REST API impact reads like a form: the template's item kept as a
    label, the author's answer under it."""
    answer = (
        "* Specification for the method\n\n"
        "  * A description of what the method does suitable for use in\n    user documentation\n\n"
        "    * Injects an NMI to a server.\n\n"
        "  * URL for the resource\n\n    * /v2.1/servers/{server_id}/action\n"
    )
    text = GOOD.replace("REST API impact\n---------------\n\nNone\n", f"REST API impact\n---------------\n\n{answer}")
    assert run(in_tmp, capsys, text) == (0, [])


def test_table_cells_are_not_guidance(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = TEMPLATE.split("History\n=======\n", 1)[1].split(".. list-table::")[1]
    text = GOOD.split(".. list-table::")[0] + ".. list-table::" + history
    assert run(in_tmp, capsys, text) == (0, [])


@pytest.mark.parametrize(
    ("directive", "message"),
    [
        (".. image:: /_images/flow.png\n", 'image "/_images/flow.png"'),
        (".. figure:: flow.svg\n\n   The flow.\n", 'figure "flow.svg"'),
        # Directive names are case-blind; an image can be a substitution's.
        (".. IMAGE :: flow.png\n", 'image "flow.png"'),
        (".. |flow| Image:: flow.png\n\nThe |flow| diagram.\n", 'image "flow.png"'),
    ],
)
def test_images(in_tmp: Path, capsys: pytest.CaptureFixture[str], directive: str, message: str) -> None:
    text = GOOD.replace("Proposed change\n===============\n\n", f"Proposed change\n===============\n\n{directive}\n")
    line = line_of(text, directive.splitlines()[0])
    assert run(in_tmp, capsys, text) == (
        1,
        [f"spec:{line}:1: SK403 {message}: expected an ASCII diagram in a literal block"],
    )
    (in_tmp / ".speckeeper.toml").write_text('[[overrides]]\npaths = ["specs/zed/**"]\nallow-images = true\n')
    assert run(in_tmp, capsys, text) == (0, [])


def test_license_header(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = GOOD.split("\n\n", 2)[2]
    assert body.startswith("===")
    assert run(in_tmp, capsys, body) == (
        1,
        ['spec:1:1: SK404 license header missing: expected the template\'s first comment '
         '".. This work is licensed under a Creative Commons..."'],
    )
    altered = GOOD.replace(" License.\n", " License.\n A\n", 1)
    code, out = run(in_tmp, capsys, altered)
    assert out[0].startswith("spec:1:1: SK404 license header differs from the template's: expected")
    # A template that starts with no comment asks for no header.
    (in_tmp / "template.rst").write_text(TEMPLATE.split("\n\n", 2)[2], encoding="utf-8")
    (in_tmp / ".speckeeper.toml").write_text('template = "template.rst"\n')
    assert run(in_tmp, capsys, body) == (0, [])
