"""A committed file whose name is not UTF-8 (the byte 0xff): the check,
the baseline and every report handle it, each report valid against its
schema (tests/schemas/) with the name escaped as the format allows."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import FIXTURES, speckeeper

jsonschema = pytest.importorskip("jsonschema")
xmlschema = pytest.importorskip("xmlschema")

SCHEMAS = Path(__file__).resolve().parent / "schemas"
pytestmark = pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="needs a file system that takes any byte in a name")


@pytest.fixture()
def repo(in_tmp: Path) -> Path:
    """A repo with one spec named with the byte 0xff; its tracker URL
    names another slug, so the finding's message quotes the name."""
    (in_tmp / ".git").mkdir()
    folder = in_tmp / "specs" / "2026.2" / "approved"
    folder.mkdir(parents=True)
    with open(os.fsencode(folder) + b"/bad\xffname.rst", "wb") as stream:
        stream.write((FIXTURES / "good-spec.rst").read_bytes())
    return in_tmp


def test_a_name_that_is_not_utf8_is_recorded_in_the_baseline_and_matched(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = speckeeper(capsys, "check")
    assert before.code == 1
    assert before.out[0].startswith("specs/2026.2/approved/bad\\xffname.rst:")
    wrote = speckeeper(capsys, "baseline")
    assert (wrote.code, wrote.err) == (0, [f"wrote {len(before.out)} finding(s) to the baseline .speckeeper-baseline.json"])
    entries = json.loads((repo / ".speckeeper-baseline.json").read_bytes().decode("utf-8"))["entries"]
    assert {entry["path"] for entry in entries} == {"specs/2026.2/approved/bad\udcffname.rst"}
    after = speckeeper(capsys, "check")
    assert (after.code, after.out, after.err) == (0, [], [])


def _report(capsys: pytest.CaptureFixture[str], form: str) -> str:
    ran = speckeeper(capsys, "check", "--no-baseline", "--format", form)
    assert ran.code == 1
    return "\n".join(ran.out)


def test_a_name_that_is_not_utf8_in_a_sarif_report_is_a_percent_encoded_uri(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = json.loads(_report(capsys, "sarif"))
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert not list(jsonschema.Draft4Validator(schema).iter_errors(log))
    result: dict[str, Any] = log["runs"][0]["results"][0]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "specs/2026.2/approved/bad%FFname.rst", "uriBaseId": "%SRCROOT%"}
    assert "bad\\xffname" in result["message"]["text"]


def test_a_name_that_is_not_utf8_in_a_gitlab_report_is_escaped(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    issues = json.loads(_report(capsys, "gitlab"))
    schema = json.loads((SCHEMAS / "gitlab-codeclimate.json").read_text(encoding="utf-8"))
    for issue in issues:  # The schema is one issue's.
        assert not list(jsonschema.Draft7Validator(schema).iter_errors(issue))
    assert {issue["location"]["path"] for issue in issues} == {"specs/2026.2/approved/bad\\xffname.rst"}
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)


def test_a_name_that_is_not_utf8_in_a_junit_report_is_escaped(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = _report(capsys, "junit")
    xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd")).validate(text)
    assert 'file="specs/2026.2/approved/bad\\xffname.rst"' in text
