"""Reports for CI systems, each checked against its published schema
(tests/schemas/SOURCES.md says where each comes from): SARIF 2.1.0,
JUnit XML as Jenkins reads it, GitLab code quality."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from speckeeper import rules
from speckeeper.rules import docs as ruledocs
from speckeeper.cli import main
from speckeeper.findings import Finding
from speckeeper.reporting.output import FORMATS

from .conftest import FIXTURES

jsonschema = pytest.importorskip("jsonschema")
xmlschema = pytest.importorskip("xmlschema")

SCHEMAS = Path(__file__).resolve().parent / "schemas"
GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
BROKEN = GOOD.replace("Testing\n=======\n", "Tests\n=====\n").replace("None\n", "trailing   \n", 1)
# What a file name can hold that no report may print as it is: a newline,
# an escape, a bidi override, a byte that is not UTF-8, and U+FFFF (which
# XML cannot hold even as a reference).
HOSTILE = "specs/x\n::error file=a\x1b[2J\u202e\udcff\uffff<&\"'>.rst"
FINDINGS = [
    Finding("specs/2027.1/approved/a.rst", 3, 1, "SK101", 'missing section "Testing": the template has it here'),
    Finding("specs/2027.1/approved/a.rst", 10, 80, "SK201", "line is 90 characters", context="x" * 90),
    Finding(HOSTILE, 1, 1, "SK103", "unexpected \x1b]0;owned\x07 section <b>", context="\x00\uffff"),
]


def _sarif_validator() -> Any:
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def _no_control_characters(text: str) -> None:
    """None of what output.py promises never to print as it is: controls
    (but the report's own newlines), bidi overrides, lone surrogates."""
    found = re.findall("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]", text)
    assert not found, found


@pytest.mark.parametrize("findings", [FINDINGS, []], ids=["findings", "none"])
def test_sarif_is_valid_sarif_2_1_0(findings: list[Finding]) -> None:
    text = FORMATS["sarif"](findings)
    _no_control_characters(text)
    log = json.loads(text)
    errors = sorted(_sarif_validator().iter_errors(log), key=str)
    assert not errors, errors[0]
    assert log["version"] == "2.1.0"
    assert len(log["runs"][0]["results"]) == len(findings)


def test_sarif_describes_every_rule_from_the_registry() -> None:
    log = json.loads(FORMATS["sarif"](FINDINGS))
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "speckeeper"
    assert [rule["id"] for rule in driver["rules"]] == [rule.code for rule in rules.ALL]
    sk201 = driver["rules"][[rule.code for rule in rules.ALL].index("SK201")]
    assert sk201["name"] == "line-too-long"
    assert sk201["shortDescription"]["text"] == ruledocs.parts(rules.BY_CODE["SK201"]).what
    assert sk201["help"]["text"] == ruledocs.page(rules.BY_CODE["SK201"])
    assert sk201["properties"] == {"tags": ["lines"], "fixable": True}
    for result in log["runs"][0]["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_locations_are_uris_from_the_top_with_every_byte_kept() -> None:
    results = json.loads(FORMATS["sarif"](FINDINGS))["runs"][0]["results"]
    locations = [result["locations"][0]["physicalLocation"] for result in results]
    assert locations[1] == {
        "artifactLocation": {"uri": "specs/2027.1/approved/a.rst", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 10, "startColumn": 80},
    }
    # The newline, the escape, the override, the stray byte: percent-encoded, not lost.
    assert locations[2]["artifactLocation"]["uri"] == (
        "specs/x%0A%3A%3Aerror%20file%3Da%1B%5B2J%E2%80%AE%FF%EF%BF%BF%3C%26%22%27%3E.rst"
    )
    assert results[2]["message"]["text"] == "unexpected \\x1b]0;owned\\x07 section <b>"


@pytest.fixture(scope="module")
def junit_schema() -> Any:
    return xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"))


@pytest.mark.parametrize("findings", [FINDINGS, []], ids=["findings", "none"])
def test_junit_is_valid_as_jenkins_reads_it(junit_schema: Any, findings: list[Finding]) -> None:
    text = FORMATS["junit"](findings)
    _no_control_characters(text)
    root = ET.fromstring(text.encode("utf-8"))  # Well-formed, whatever the file names hold.
    junit_schema.validate(text)
    cases = root.findall("testsuite/testcase")
    if not findings:
        assert [(case.get("classname"), case.get("name"), list(case)) for case in cases] == [
            ("speckeeper", "no findings", [])
        ]
        assert root.get("failures") == "0"
        return
    assert [suite.get("name") for suite in root.findall("testsuite")] == [
        "specs/2027.1/approved/a.rst",
        "specs/x\\n::error file=a\\x1b[2J\\u202e\\xff\\uffff<&\"'>.rst",
    ]
    assert [(case.get("classname"), case.get("name")) for case in cases[:2]] == [
        ("specs.2027_1.approved.a", "SK101 missing-section (3:1)"),
        ("specs.2027_1.approved.a", "SK201 line-too-long (10:80)"),
    ]
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("type") == "SK201"
    assert failure.text == "specs/2027.1/approved/a.rst:10:80: SK201 line is 90 characters\n" + "x" * 90
    assert root.get("failures") == "3"


def _documented_gitlab_fields(issue: dict[str, Any]) -> None:
    """What GitLab's documentation requires of each issue, beyond its
    parser's schema."""
    assert isinstance(issue["description"], str) and issue["description"]
    assert isinstance(issue["check_name"], str) and issue["check_name"]
    assert isinstance(issue["fingerprint"], str) and issue["fingerprint"]
    assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
    assert isinstance(issue["location"]["path"], str)
    assert isinstance(issue["location"]["lines"]["begin"], int) and issue["location"]["lines"]["begin"] >= 1


def test_gitlab_code_quality_is_what_gitlab_validates_and_documents() -> None:
    text = FORMATS["gitlab"](FINDINGS)
    _no_control_characters(text)
    issues = json.loads(text)
    schema = json.loads((SCHEMAS / "gitlab-codeclimate.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    for issue in issues:
        assert not list(validator.iter_errors(issue))
        _documented_gitlab_fields(issue)
    assert issues[0] == {
        "description": 'SK101 missing section "Testing": the template has it here',
        "check_name": "SK101",
        "fingerprint": issues[0]["fingerprint"],
        "severity": "major",
        "location": {"path": "specs/2027.1/approved/a.rst", "lines": {"begin": 3}},
    }
    # U+FFFF is JSON text (and written escaped); XML alone cannot hold it.
    assert issues[2]["location"]["path"] == "specs/x\\n::error file=a\\x1b[2J\\u202e\\xff\uffff<&\"'>.rst"
    assert len({issue["fingerprint"] for issue in issues}) == 3


@pytest.fixture()
def spec_repo(in_tmp: Path) -> Path:
    (in_tmp / ".git").mkdir()
    (in_tmp / "specs").mkdir()
    (in_tmp / "specs" / "a.rst").write_text(BROKEN, encoding="utf-8")
    (in_tmp / "specs" / "b.rst").write_text(BROKEN, encoding="utf-8")
    return in_tmp


def _report(capsys: pytest.CaptureFixture[str], form: str, *paths: str) -> str:
    assert main(["check", "--format", form, *paths]) == 1
    return capsys.readouterr().out


def test_fingerprints_stay_while_the_finding_does(spec_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Across runs, and when lines come above a finding; two identical
    findings are told apart, and their files too."""

    def fingerprints() -> list[tuple[str, str, str]]:
        gitlab = json.loads(_report(capsys, "gitlab", "specs"))
        sarif = json.loads(_report(capsys, "sarif", "specs"))["runs"][0]["results"]
        assert [issue["fingerprint"] for issue in gitlab] == [r["partialFingerprints"]["speckeeper/v1"] for r in sarif]
        return [(issue["location"]["path"], issue["check_name"], issue["fingerprint"]) for issue in gitlab]

    first = fingerprints()
    assert first == fingerprints()
    assert len({fingerprint for _, _, fingerprint in first}) == len(first)
    moved = BROKEN.replace("None\n", "None\n\nA new paragraph above.\n", 1)
    (spec_repo / "specs" / "a.rst").write_text(moved, encoding="utf-8")
    assert fingerprints() == first


@pytest.mark.parametrize("form", ["sarif", "junit", "gitlab"])
def test_paths_are_from_the_repositorys_top_wherever_the_check_runs(
    spec_repo: Path, capsys: pytest.CaptureFixture[str], form: str
) -> None:
    os.chdir(spec_repo / "specs")
    report = _report(capsys, form, "a.rst")
    assert "specs/a.rst" in report
    assert main(["check", "a.rst"]) == 1
    assert capsys.readouterr().out.startswith("a.rst:")  # The text format: as named, for editors.


def test_a_hostile_file_name_end_to_end(in_tmp: Path, capsys: pytest.CaptureFixture[str], junit_schema: Any) -> None:
    name = os.fsencode(in_tmp) + b"/x\n\x1b[2J\xff\xef\xbf\xbf<&>.rst"
    with open(name, "w", encoding="utf-8") as stream:
        stream.write(BROKEN)
    junit = _report(capsys, "junit", ".")
    junit_schema.validate(junit)
    assert "x\\n\\x1b[2J\\xff\\uffff&lt;&amp;&gt;.rst" in junit
    sarif = json.loads(_report(capsys, "sarif", "."))
    assert not list(_sarif_validator().iter_errors(sarif))
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "x%0A%1B%5B2J%FF%EF%BF%BF%3C%26%3E.rst"
    )
    for issue in json.loads(_report(capsys, "gitlab", ".")):
        _documented_gitlab_fields(issue)
        _no_control_characters(json.dumps(issue, ensure_ascii=False))
