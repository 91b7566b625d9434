"""Metadata kept to the schema the template implies (SK7xx): a KEP's
kep.yaml against the KEP template's own, front matter against a Markdown
template's, a repo's JSON Schema; the files that belong with a document.
As the user sees them: `speckeeper check` output, exit codes."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from speckeeper.files import yamlfile
from speckeeper.cli import main
from speckeeper.config.settings import Settings
from speckeeper.rules.metadata import problems, schema_of

from .conftest import FIXTURES
from .test_markdown_check import KEP, kep_repo, run

KEP_PRESET = 'preset = "kep"\n'
K4026 = "keps/sig-apps/4026-crojob-scheduled-timestamp-annotation"
K5495 = "keps/sig-network/5495-deprecate-ipvs-mode-in-kube-proxy"


def kep_preset_repo(root: Path) -> Path:
    kep_repo(root)
    (root / ".speckeeper.toml").write_text(KEP_PRESET)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


# The bounded YAML reader, with each value's line.


def test_each_value_has_its_line():
    marked = yamlfile.load_marked("title: T\nauthors:\n  - '@a'\n  - '@b'\nmilestone:\n  beta: v1.2\n")
    assert marked.data == {"title": "T", "authors": ["@a", "@b"], "milestone": {"beta": "v1.2"}}
    assert (marked.lines[("authors", 1)], marked.lines[("milestone", "beta")]) == (4, 6)


def test_a_date_and_a_zero_led_number_stay_as_written():
    # YAML 1.1 would build a date (and fail on 2025-30-01) and read 0752 as octal.
    data = yamlfile.load_marked("a: 2025-30-01\nb: 2025-01-30\nn: 0752\nm: 12\nok: true\n").data
    assert data == {"a": "2025-30-01", "b": "2025-01-30", "n": "0752", "m": 12, "ok": True}


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("a: &x [1]\nb: *x\n", 2, "an alias (*x): aliases are not allowed"),
        ("a: " + "[" * 60 + "]" * 60 + "\n", 1, "nested more than 50 levels deep"),
        ("a: " + "x" * 100_001, 0, "larger than 100,000 bytes"),
        ("a: [\n", 2, "expected the node content, but found '<stream end>'"),
        ("? [a]\n: b\n", 1, "a key that is not a plain value"),
        ("a: \0\n", 0, "unacceptable character #x0000: special characters are not allowed"),
    ],
)
def test_the_marked_reader_keeps_the_bounds(text, line, reason):
    with pytest.raises(yamlfile.Refused) as refused:
        yamlfile.load_marked(text)
    assert (refused.value.line, refused.value.reason) == (line, reason)


@pytest.mark.parametrize("name", ["template-kep.yaml", "4026-kep.yaml", "5495-kep.yaml", "4009-kep.yaml"])
def test_libyaml_reads_as_the_pure_loader_does(name, monkeypatch):
    text = (KEP / name).read_text()
    fast = yamlfile.load_marked(text)
    monkeypatch.setattr(yamlfile, "_fast", lambda text: None)
    assert yamlfile.load_marked(text) == fast


def test_an_impossible_date_in_plain_yaml_is_refused_not_a_traceback():
    with pytest.raises(yamlfile.Refused, match="month must be in 1..12"):
        yamlfile.load("date: 2025-30-01\n")


# The schema read off the KEP template's own kep.yaml.


def template_schema():
    return schema_of(yamlfile.load_marked((KEP / "template-kep.yaml").read_text()).data, Settings())


def test_the_kep_templates_placeholders_read_as_a_schema():
    keys = template_schema().keys
    assert keys["status"].kind == "choices"
    assert keys["status"].choices == ("provisional", "implementable", "implemented", "deferred", "rejected", "withdrawn", "replaced")
    assert (keys["stage"].kind, keys["stage"].choices) == ("choices", ("alpha", "beta", "stable"))
    assert keys["creation-date"].kind == "date"
    assert (keys["authors"].kind, keys["authors"].items.kind) == ("list", "handle")
    # TBD and "@alice.doe" side by side: still a list of handles.
    assert keys["reviewers"].items.kind == "handle"
    assert keys["kep-number"].kind == "number"
    assert (keys["title"].kind, keys["title"].example) == ("example", "KEP Template")
    assert keys["milestone"].keys["beta"].example == "v1.20"


def test_a_real_kep_conforms_to_the_templates_schema():
    data = yamlfile.load_marked((KEP / "4026-kep.yaml").read_text()).data
    assert list(problems(data, template_schema(), Settings(metadata_kept_examples=("latest-milestone",)))) == []


def test_madr_template_front_matter_reads_as_a_schema():
    # MADR writes {prompts}; YAML reads "{YYYY-MM-DD when ...}" as a mapping
    # of one key. Its status list is open ("…").
    from speckeeper.document.markdown import build

    template = build.parse("t.md", (FIXTURES / "markdown/madr/adr-template.md").read_text())
    keys = schema_of(dict(template.metadata), Settings()).keys
    assert (keys["status"].kind, keys["status"].open) == ("choices", True)
    assert "superseded by ADR-0123" in keys["status"].choices
    assert keys["date"].kind == "date"
    data = {"status": "superseded by ADR-0007", "date": {"YYYY-MM-DD when the decision was last updated": None}}
    found = [(p.code, p.message) for p in problems(data, schema_of(dict(template.metadata), Settings()), Settings())]
    assert found == [("SK705", "date is '{YYYY-MM-DD when the decision was last updated}', the template's own placeholder")]


# speckeeper check on a KEP repo, preset = "kep".


def test_conforming_keps_get_no_metadata_finding(in_tmp, capsys):
    kep_preset_repo(in_tmp)
    code, out, _ = run(capsys, "keps", "--select", "SK7")
    assert (code, out) == (0, [])


def test_the_kep_metadata_findings_at_their_kep_yaml_lines(in_tmp, capsys):
    kep_preset_repo(in_tmp)
    kep = in_tmp / K4026 / "kep.yaml"
    edit(kep, "title: Add job creation timestamp to job annotations", "title: KEP Template")
    edit(kep, "status: implemented", "status: imlpemented")
    edit(kep, "creation-date: 2023-06-06", "creation-date: 2025-30-01")
    edit(kep, '  - "@atiratree"', "  - atiratree\n  - TBD")
    code, out, _ = run(capsys, K4026)
    assert code == 1
    assert out == [
        f"{K4026}/kep.yaml:1:1: SK705 title is 'KEP Template', the template's own example",
        f"{K4026}/kep.yaml:8:1: SK702 status is 'imlpemented', expected one of: provisional, implementable,"
        " implemented, deferred, rejected, withdrawn, replaced (did you mean 'implemented'?)",
        f"{K4026}/kep.yaml:9:1: SK703 creation-date is '2025-30-01', not a date: month must be in 1..12",
        f"{K4026}/kep.yaml:12:1: SK704 reviewers is 'atiratree', expected a handle like '@alice.doe'",
        f"{K4026}/kep.yaml:13:1: SK705 reviewers is 'TBD', left from the template",
    ]


def test_a_stage_the_kep_code_knows_beyond_the_template_is_allowed(in_tmp, capsys):
    # 5495's stage is "deprecated": the template lists alpha|beta|stable,
    # its comment and api/proposal.go more; the preset says so.
    kep_preset_repo(in_tmp)
    code, out, _ = run(capsys, K5495, "--select", "SK7")
    assert (code, out) == (0, [])
    edit(in_tmp / K5495 / "kep.yaml", "stage: deprecated", "stage: retired")
    code, out, _ = run(capsys, K5495, "--select", "SK7")
    assert out == [
        f"{K5495}/kep.yaml:24:1: SK702 stage is 'retired', expected one of: alpha, beta, stable, deprecated, disabled, removed"
    ]


def test_a_kep_yaml_named_is_its_keps_check(in_tmp, capsys):
    kep_preset_repo(in_tmp)
    edit(in_tmp / K4026 / "kep.yaml", "status: implemented", "status: done")
    code, out, _ = run(capsys, f"{K4026}/kep.yaml", f"{K4026}/README.md")
    assert code == 1
    assert [line.split(": ", 1)[0] for line in out] == [f"{K4026}/kep.yaml:8:1"]
    # The template's own kep.yaml is beside no document that is checked.
    assert run(capsys, "keps/NNNN-kep-template/kep.yaml")[:2] == (0, [])


def test_a_kep_without_kep_yaml_or_a_required_key(in_tmp, capsys):
    kep_preset_repo(in_tmp)
    (in_tmp / K5495 / "kep.yaml").unlink()
    edit(in_tmp / K4026 / "kep.yaml", "owning-sig: sig-apps\n", "")
    code, out, _ = run(capsys, "keps", "--select", "SK7")
    assert code == 1
    assert out == [
        f"{K4026}/kep.yaml:1:1: SK706 metadata key 'owning-sig' is missing",
        f"{K5495}/README.md:1:1: SK701 metadata file kep.yaml is missing",
    ]


def test_kep_yaml_that_is_not_yaml_is_one_finding_at_its_line(in_tmp, capsys):
    kep_preset_repo(in_tmp)
    edit(in_tmp / K4026 / "kep.yaml", "status: implemented", "status: [implemented")
    code, out, _ = run(capsys, K4026, "--select", "SK7")
    assert code == 1
    # Where YAML stopped: the next key, inside the unclosed list.
    assert out == [f"{K4026}/kep.yaml:9:1: SK701 metadata file kep.yaml not read: expected ',' or ']', but got ':'"]


def test_an_approval_is_required_past_alpha_with_an_approver_for_the_stage(in_tmp, capsys):
    kep_preset_repo(in_tmp)
    approval = in_tmp / "keps/prod-readiness/sig-apps/4026.yaml"
    edit(approval, 'stable:\n  approver: "@wojtek-t"\n', "")
    code, out, _ = run(capsys, K4026, "--select", "SK7")
    why = "(status=implementable|implemented, stage>=beta, latest-milestone>=v1.21)"
    assert out == [f"{K4026}/README.md:1:1: SK708 companion file keps/prod-readiness/sig-apps/4026.yaml has no 'stable' entry {why}"]
    approval.unlink()
    code, out, _ = run(capsys, K4026, "--select", "SK7")
    assert out == [f"{K4026}/README.md:1:1: SK708 companion file keps/prod-readiness/sig-apps/4026.yaml is missing {why}"]
    # Alpha, or a KEP older than v1.21 (as the KEP CI), needs none.
    edit(in_tmp / K4026 / "kep.yaml", 'latest-milestone: "v1.32"', 'latest-milestone: "v1.20"')
    assert run(capsys, K4026, "--select", "SK7")[:2] == (0, [])
    edit(in_tmp / K4026 / "kep.yaml", 'latest-milestone: "v1.20"', 'latest-milestone: "v1.32"')
    edit(in_tmp / K4026 / "kep.yaml", "stage: stable", "stage: alpha")
    assert run(capsys, K4026, "--select", "SK7")[:2] == (0, [])


def test_a_kep_yaml_that_is_a_fifo_is_refused_not_waited_for(in_tmp, capsys):
    kep_preset_repo(in_tmp)
    (in_tmp / K4026 / "kep.yaml").unlink()
    os.mkfifo(in_tmp / K4026 / "kep.yaml")
    code, out, _ = run(capsys, K4026, "--select", "SK701")
    assert code == 1
    assert out == [f"{K4026}/kep.yaml:1:1: SK701 metadata file kep.yaml not read: not a regular file (a device, FIFO or socket)"]


def test_a_metadata_value_never_leads_a_companion_path_out_of_its_folder(in_tmp, capsys):
    kep_preset_repo(in_tmp)
    edit(in_tmp / K4026 / "kep.yaml", "owning-sig: sig-apps", "owning-sig: ../../..")
    code, out, _ = run(capsys, K4026, "--select", "SK708")
    assert (code, out) == (0, [])


@pytest.mark.parametrize("companions", ["companion-files = {}\n", ""])
def test_the_findings_cache_knows_the_kep_yaml(in_tmp, capsys, companions):
    # A KEP's findings are cached, keyed by its kep.yaml too, and by the
    # files its companion-files name (their bytes, or that they are missing).
    kep_preset_repo(in_tmp)
    (in_tmp / ".speckeeper.toml").write_text(KEP_PRESET + companions)
    assert run(capsys, K4026, "--select", "SK7", "--cache", ".cache")[:2] == (0, [])
    edit(in_tmp / K4026 / "kep.yaml", "status: implemented", "status: done")
    code, out, _ = run(capsys, K4026, "--select", "SK7", "--cache", ".cache")
    assert code == 1 and len(out) == 1 and " SK702 status is 'done'" in out[0]
    (in_tmp / "keps/prod-readiness/sig-apps/4026.yaml").unlink()
    edit(in_tmp / K4026 / "kep.yaml", "status: done", "status: implemented")
    out = run(capsys, K4026, "--select", "SK7", "--cache", ".cache")[1]
    assert [line.split(": ")[1].split()[0] for line in out] == ([] if companions else ["SK708"])
    # The approval back: the first run's findings, from the cache.
    shutil.copy(KEP / "prr-sig-apps-4026.yaml", in_tmp / "keps/prod-readiness/sig-apps/4026.yaml")
    cached = {path.stat().st_mtime_ns for path in (in_tmp / ".cache").rglob("*") if path.is_file()}
    assert cached
    assert run(capsys, K4026, "--select", "SK7", "--cache", ".cache")[:2] == (0, [])
    assert {path.stat().st_mtime_ns for path in (in_tmp / ".cache").rglob("*") if path.is_file()} == cached


def test_a_kep_folder_is_named_by_its_number(in_tmp, capsys):
    kep_preset_repo(in_tmp)
    edit(in_tmp / K4026 / "kep.yaml", "kep-number: 4026", "kep-number: 4062")
    (in_tmp / "keps/prod-readiness/sig-apps/4026.yaml").rename(in_tmp / "keps/prod-readiness/sig-apps/4062.yaml")
    code, out, _ = run(capsys, K4026, "--select", "SK7")
    assert out == [
        f"{K4026}/kep.yaml:2:1: SK709 path {K4026}/README.md does not end as"
        " {kep-number}-*/README.md says for kep-number '4062'"
    ]


def test_a_kep_number_written_with_or_without_its_zero_names_the_folder(in_tmp, capsys):
    kep_preset_repo(in_tmp)
    folder = in_tmp / "keps/sig-apps/0402-zero-led"
    shutil.copytree(in_tmp / K4026, folder)
    edit(folder / "kep.yaml", "kep-number: 4026", "kep-number: 402")
    edit(folder / "kep.yaml", "status: implemented", "status: provisional")
    assert run(capsys, str(folder.relative_to(in_tmp)), "--select", "SK7")[:2] == (0, [])


def test_the_template_kep_yaml_is_needed_once_as_configuration(in_tmp, capsys):
    kep_preset_repo(in_tmp)
    (in_tmp / "keps/NNNN-kep-template/kep.yaml").unlink()
    code, out, err = run(capsys, "keps")
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "keps/NNNN-kep-template/kep.yaml: cannot read the template's metadata" in err


def test_show_settings_writes_the_kep_presets_tables_as_toml(in_tmp, capsys):
    from speckeeper.config.settings import tomllib  # tomli on Python 3.10.

    kep_preset_repo(in_tmp)
    assert main(["check", "--show-settings", "keps"]) == 0
    shown = [line.split("  (")[0].strip() for line in capsys.readouterr().out.splitlines() if "(preset kep)" in line]
    table = tomllib().loads("\n".join(shown))
    assert table["metadata-values"] == {"stage": ["alpha", "beta", "stable", "deprecated", "disabled", "removed"]}
    assert list(table["companion-files"]) == ["/keps/prod-readiness/{owning-sig}/{kep-number}.yaml#{stage}"]


def test_a_companion_condition_that_does_not_read_is_a_configuration_error(in_tmp, capsys):
    kep_preset_repo(in_tmp)
    (in_tmp / ".speckeeper.toml").write_text(KEP_PRESET + 'companion-files = {"x.yaml" = ["stage beyond beta"]}\n')
    code, _, err = run(capsys, "keps")
    assert code == 2
    assert "companion-files: x.yaml: condition 'stage beyond beta' is not key=a|b or key>=b" in err


def test_preset_madr_keeps_front_matter_to_madrs(in_tmp, capsys):
    decisions = in_tmp / "docs/decisions"
    decisions.mkdir(parents=True)
    (in_tmp / ".git").mkdir()
    (in_tmp / ".speckeeper.toml").write_text('preset = "madr"\n')
    for name in ("adr-template.md", "0005-use-dashes-in-filenames.md"):
        shutil.copy(FIXTURES / "markdown/madr" / name, decisions / name)
    assert run(capsys, "docs")[:2] == (0, [])
    edit(
        decisions / "0005-use-dashes-in-filenames.md",
        "parent: Decisions",
        "status: superseded by ADR-0009\ndate: 2024-13-01\ndecision-makers: {list everyone involved in the decision}",
    )
    code, out, _ = run(capsys, "docs")
    assert out == [
        "docs/decisions/0005-use-dashes-in-filenames.md:3:1: SK703 date is '2024-13-01', not a date: month must be in 1..12",
        "docs/decisions/0005-use-dashes-in-filenames.md:4:1: SK705 decision-makers is"
        " '{list everyone involved in the decision}', the template's own placeholder",
    ]


# A repo's own JSON Schema.

SCHEMA = '{"type": "object", "required": ["status"], "properties": {"status": {"enum": ["proposed", "accepted"]}}}'


def schema_repo(root: Path, schema: str = SCHEMA) -> None:
    (root / ".git").mkdir()
    (root / "docs").mkdir()
    (root / "docs/TEMPLATE.md").write_text("# <Title>\n\n## Problem\n\nWhat.\n")
    (root / "docs/a.md").write_text("---\nowner: me\nstatus: done\n---\n# A\n\n## Problem\n\nThis.\n")
    (root / "schema.json").write_text(schema)
    (root / ".speckeeper.toml").write_text(
        'markdown-template = "docs/TEMPLATE.md"\nexclude = ["TEMPLATE.md"]\nmetadata-schema = "schema.json"\n'
    )


def test_a_json_schema_is_the_truth_where_given(in_tmp, capsys):
    schema_repo(in_tmp)
    code, out, _ = run(capsys, "docs")
    assert (code, out) == (1, ["docs/a.md:3:1: SK707 status: 'done' is not one of ['proposed', 'accepted']"])


def test_a_schema_that_is_not_one_is_one_line_and_exit_2(in_tmp, capsys):
    schema_repo(in_tmp, '{"type": "nothing"}')
    code, _, err = run(capsys, "docs")
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "schema.json: not a JSON Schema: " in err


def test_jsonschema_is_asked_for_only_where_a_schema_is_configured(in_tmp, capsys, monkeypatch):
    from speckeeper.config import metadata_schema

    metadata_schema._validator.cache_clear()
    monkeypatch.setitem(sys.modules, "jsonschema", None)  # Not installed.
    schema_repo(in_tmp)
    code, _, err = run(capsys, "docs")
    assert (code, err.strip()) == (2, "speckeeper: error: metadata-schema needs jsonschema: pip install 'speckeeper[metadata]'")
    (in_tmp / ".speckeeper.toml").write_text('markdown-template = "docs/TEMPLATE.md"\nexclude = ["TEMPLATE.md"]\n')
    assert run(capsys, "docs")[0] == 0
    metadata_schema._validator.cache_clear()


# MADR's own template: what its comments mark optional may be left out.


def madr_repo(root: Path) -> Path:
    decisions = root / "docs/decisions"
    decisions.mkdir(parents=True)
    (root / ".git").mkdir()
    (root / ".speckeeper.toml").write_text('preset = "madr"\n')
    for name in ("adr-template.md", "0010-required-sections-only.md"):
        shutil.copy(FIXTURES / "markdown/madr" / name, decisions / name)
    return decisions / "0010-required-sections-only.md"


def test_a_decision_record_may_leave_out_what_madr_marks_optional(in_tmp, capsys):
    # No "Decision Drivers", "Consequences", "Confirmation", "Pros and
    # Cons of the Options" nor "More Information": each marked optional.
    madr_repo(in_tmp)
    assert run(capsys, "docs")[:2] == (0, [])


@pytest.mark.parametrize("section", ["Context and Problem Statement", "Considered Options", "Decision Outcome"])
def test_a_decision_record_missing_a_required_section_is_reported(in_tmp, capsys, section):
    record = madr_repo(in_tmp)
    text = record.read_text()
    start = text.index(f"## {section}")
    following = text.find("\n## ", start + 1)
    record.write_text(text[:start] + (text[following + 1 :] if following > 0 else ""))
    code, out, _ = run(capsys, "docs")
    assert code == 1
    assert [line.split(": ", 1)[1].split(":")[0] for line in out] == [f'SK101 missing section "{section}"']
