"""The runner over the real corpus: the acceptance test, and mutations of
real specs reported with the right code and line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from speckeeper import rules
from speckeeper.cli import main

from .conftest import Found

STRUCTURE_CODES = re.compile(r":\d+:\d+: (SK1\d\d) ")
BEYOND_GATE = {"SK106", "SK108", "SK110"}
DEFAULT_STRUCTURE = ",".join(r.code for r in rules.ALL if r.group == "structure" and r.default)


def test_corpus_has_no_structure_finding_under_the_gate_config(nova_repo: Path, nova_findings: tuple[Found, ...]) -> None:
    specs = [p for p in (nova_repo / "specs").rglob("*.rst") if not p.name.endswith("-template.rst")]
    assert len([p for p in specs if "abandoned" not in p.parts]) >= 800
    found = {f.code for f in nova_findings if f.code.startswith("SK1")}
    # Every spec passes nova's gate, so only the rules beyond it may speak:
    # order and empty sections, which are off by default.
    assert found <= BEYOND_GATE


def test_recent_corpus_passes_under_the_packaged_default(
    corpus: Path, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Specs from ussuri on were written against today's section list."""
    releases = ["ussuri", "victoria", "wallaby", "xena", "yoga", "zed"]
    releases += sorted(p.name for p in (corpus / "specs").glob("20[2-9][0-9].[12]"))
    code = main(["check", *[str(corpus / "specs" / r) for r in releases], "--select", "SK1"])
    out = capsys.readouterr().out
    assert code in (0, 1)
    assert set(STRUCTURE_CODES.findall(out)) <= BEYOND_GATE, out[:2000]


MUTATIONS = [
    # (name, old, new, code, line of the text the finding points at)
    ("drop section", "\nDependencies\n============\n", "\n", "SK101", "Testing"),
    ("drop subsection", "\nUse Cases\n---------\n", "\n", "SK102", "Proposed change"),
    ("rename", "\nTesting\n=======\n", "\nTests\n=====\n", "SK103", "Tests"),
    ("typo", "\nTesting\n=======\n", "\nTesitng\n=======\n", "SK104", "Tesitng"),
    ("change case", "\nDocumentation Impact\n====================\n", "\nDocumentation impact\n====================\n",
     "SK104", "Documentation impact"),
    ("change level", "\nAlternatives\n------------\n", "\nAlternatives\n============\n", "SK105", "Alternatives"),
    ("unexpected", "\nReferences\n==========\n", "\nRollout\n=======\n\nNone\n\nReferences\n==========\n",
     "SK103", "Rollout"),
]


@pytest.mark.parametrize(("name", "old", "new", "code", "at"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_mutations_of_real_specs(
    corpus: Path,
    in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    old: str,
    new: str,
    code: str,
    at: str,
) -> None:
    originals = sorted((corpus / "specs" / "2025.1" / "implemented").glob("*.rst"))[:8]
    tried = 0
    for original in originals:
        text = original.read_text(encoding="utf-8")
        if text.count(old) != 1:
            continue
        tried += 1
        spec = in_tmp / original.name
        spec.write_text(text, encoding="utf-8")
        assert main(["check", str(spec), "--select", DEFAULT_STRUCTURE]) == 0, capsys.readouterr().out
        mutated = text.replace(old, new)
        spec.write_text(mutated, encoding="utf-8")
        assert main(["check", str(spec), "--select", DEFAULT_STRUCTURE]) == 1
        out = capsys.readouterr().out.splitlines()
        line = mutated.splitlines().index(at) + 1
        assert any(o.startswith(f"{spec}:{line}:1: {code} ") for o in out), (original.name, out)
    assert tried >= 3, f"too few corpus specs fit the mutation {name!r}"


def test_swapped_and_duplicated_and_emptied_real_spec(
    corpus: Path, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = corpus / "specs" / "2025.1" / "implemented" / "openapi.rst"
    text = original.read_text(encoding="utf-8")
    testing_at = text.index("\nTesting\n=======\n")
    docs_at = text.index("\nDocumentation Impact\n")
    deps_at = text.index("\nDependencies\n============\n")
    deps, testing = text[deps_at:testing_at], text[testing_at:docs_at]
    swapped = text[:deps_at] + testing + deps + text[docs_at:]
    spec = in_tmp / "openapi.rst"
    spec.write_text(swapped, encoding="utf-8")
    assert main(["check", str(spec), "--select", "SK106"]) == 1
    line = swapped.splitlines().index("Dependencies") + 1
    assert capsys.readouterr().out == (
        f'{spec}:{line}:1: SK106 section "Dependencies" is out of order: the template puts it before "Testing"\n'
    )
    duplicated = text[:docs_at] + testing + text[docs_at:]
    spec.write_text(duplicated, encoding="utf-8")
    assert main(["check", str(spec), "--select", "SK108"]) == 1
    assert "SK108 duplicate section \"Testing\"" in capsys.readouterr().out
    emptied = text[:deps_at] + "\nDependencies\n============\n" + text[testing_at:]
    spec.write_text(emptied, encoding="utf-8")
    assert main(["check", str(spec), "--select", "SK110"]) == 1
    line = emptied.splitlines().index("Dependencies") + 1
    assert capsys.readouterr().out == f'{spec}:{line}:1: SK110 section "Dependencies" is empty: expected text, or "None"\n'


def test_folders_recurse_and_templates_are_left_alone(
    corpus: Path, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(corpus / "specs" / "2027.1", in_tmp / "2027.1")
    (in_tmp / "2027.1" / "approved" / "notes.txt").write_text("not a spec\n")
    assert main(["check", str(in_tmp)]) == 0
    assert capsys.readouterr().out == ""


def test_file_rules_are_rules_a_user_can_select_and_ignore(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """SK001-SK005 are listed, documented and selected like any other rule."""
    Path(".speckeeper.toml").write_text('template = "specs/{release}-template.rst"\n', encoding="utf-8")
    Path("specs/zed/approved").mkdir(parents=True)
    Path("specs/zed/approved/x.rst").write_text("Title\n=====\n", encoding="utf-8")
    assert main(["check", "specs"]) == 1
    assert capsys.readouterr().out == (
        "specs/zed/approved/x.rst:1:1: SK003 no template for this spec: specs/zed-template.rst does not exist\n"
    )
    assert main(["check", "--ignore", "SK003", "specs"]) == 0
    assert main(["rules", "SK003"]) == 0
    assert capsys.readouterr().out.startswith("SK003 no-template (files; on)\n\nThe spec has no template")


# Counts, with an audit hook, how often each spec is opened in one run
# (speckeeper's own files, hashed for the cache key, aside).
READS = """
import collections, json, sys
from speckeeper import cli
opened = collections.Counter()
def hook(event, args):
    if event == "open" and isinstance(args[0], str) and args[0].startswith("specs/"):
        opened[args[0]] += 1
sys.addaudithook(hook)
code = cli.main(sys.argv[1:])
print(json.dumps({"code": code, "opened": opened}), file=sys.stderr)
"""


@pytest.mark.parametrize("cache", ["cold", "warm"])
def test_each_spec_is_read_once_a_run(tmp_path: Path, cache: str) -> None:
    """With a baseline, the findings cache, a repo-level finding and a
    suppression comment: the key, the parse, the suppressions and the
    baseline's fingerprints all come from one read."""
    import json
    import subprocess
    import sys

    from .conftest import FIXTURES

    good = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
    for state in ("approved", "implemented"):
        (tmp_path / "specs" / "zed" / state).mkdir(parents=True)
        text = good.replace("awesome-thing", "twice").replace("Problem description", "Problem statement")
        (tmp_path / "specs" / "zed" / state / "twice.rst").write_text(text, encoding="utf-8")
    silenced = tmp_path / "specs" / "zed" / "approved" / "twice.rst"
    silenced.write_text(silenced.read_text(encoding="utf-8") + "\n.. speckeeper: ignore SK312\n", encoding="utf-8")
    argv = ["check", "specs", "--jobs", "1", "--cache", ".cache", "--baseline", "baseline.json"]
    (tmp_path / "baseline.json").write_text('{"speckeeper-baseline": 1, "entries": []}\n', encoding="utf-8")
    runs = 2 if cache == "warm" else 1
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", READS, *argv], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 1
    assert "SK312" not in done.stdout and "SK103" in done.stdout  # Silenced by the comment; the rest reported.
    assert report["opened"] == {"specs/zed/approved/twice.rst": 1, "specs/zed/implemented/twice.rst": 1}
