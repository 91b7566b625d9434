"""Markdown documents in every report: each output format, the baseline and
`status`, on a KEP missing a section whose kep.yaml has a status out of the
template's list (a finding in the document, one in its metadata file)."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from speckeeper.cli import main

from .test_lsp_markdown import README, kep_repo

pytest.importorskip("markdown_it", reason="the markdown extra is not installed")

KEP_YAML = README.replace("README.md", "kep.yaml")


@pytest.fixture
def repo(in_tmp: Path) -> Path:
    kep_repo(in_tmp)
    kep_yaml = in_tmp / KEP_YAML
    kep_yaml.write_text(kep_yaml.read_text().replace("status: implementable", "status: imlpemented"))
    return in_tmp


def status_line(repo: Path) -> int:
    return (repo / KEP_YAML).read_text().splitlines().index("status: imlpemented") + 1


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def test_every_output_format_names_the_document_and_its_metadata_file_at_their_lines(repo, capsys):
    line = status_line(repo)
    code, out = run(capsys, "check", "--format", "json", "keps")
    assert code == 1
    assert [(f["path"], f["line"], f["code"]) for f in json.loads(out)] == [(README, 37, "SK101"), (KEP_YAML, line, "SK702")]
    code, out = run(capsys, "check", "--format", "github", "keps")
    assert [row.split("::")[1].split(",title")[0] for row in out.splitlines()] == [
        f"error file={README},line=37,col=1",
        f"error file={KEP_YAML},line={line},col=1",
    ]
    code, out = run(capsys, "check", "--format", "sarif", "keps")
    results = json.loads(out)["runs"][0]["results"]
    where = [r["locations"][0]["physicalLocation"] for r in results]
    assert [(w["artifactLocation"]["uri"], w["region"]["startLine"]) for w in where] == [(README, 37), (KEP_YAML, line)]
    code, out = run(capsys, "check", "--format", "gitlab", "keps")
    assert [(f["location"]["path"], f["location"]["lines"]["begin"]) for f in json.loads(out)] == [(README, 37), (KEP_YAML, line)]
    code, out = run(capsys, "check", "--format", "junit", "keps")
    suites = ElementTree.fromstring(out).findall("testsuite")
    assert [(s.get("file"), s.find("testcase/failure").get("type")) for s in suites] == [(README, "SK101"), (KEP_YAML, "SK702")]  # type: ignore[union-attr]


def test_the_baseline_records_markdown_findings_and_only_new_ones_fail(repo, capsys):
    assert run(capsys, "baseline", "keps")[0] == 0
    assert run(capsys, "check", "keps") == (0, "")
    readme = repo / README
    readme.write_text(readme.read_text().replace("### Non-Goals\n", "### Non-Gaols\n", 1))
    code, out = run(capsys, "check", "keps")
    assert code == 1
    assert [row.split(": ", 1)[1] for row in out.splitlines() if row.startswith(README)] == [
        'SK104 title "Non-Gaols" should be "Non-Goals" as in the template'
    ]


def test_status_counts_kep_readmes_with_their_metadata_files_findings(repo, capsys):
    code, out = run(capsys, "status")
    assert code == 0
    assert out.splitlines()[1:] == [
        "         keps       1     0         2  SK101 (1), SK702 (1)",
        "         total      1     0         2  SK101 (1), SK702 (1)",
    ]
    data = json.loads(run(capsys, "status", "--format", "json")[1])
    assert sorted(data["specs"]) == [README]
    assert [f["path"] for f in data["specs"][README]] == [README, KEP_YAML]
    assert data["other"] == []
