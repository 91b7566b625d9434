"""Reports for CI systems: SARIF 2.1.0, JUnit XML, GitLab code quality.

Each is what its reader documents, and is checked against its published
schema (``tests/schemas/``). Paths are from the repository's top (the CLI
passes them so, see :func:`speckeeper.reporting.output.from_top`). Everything that
comes from the repository (paths, messages, a line's text) is shown as
:func:`~speckeeper.reporting.output.printable` shows it, so no control character
reaches the report, and XML stays well-formed whatever a file is named;
only SARIF's URIs carry a path as it is, percent-encoded byte by byte.

A finding's fingerprint (SARIF's partial fingerprint, GitLab's
``fingerprint``) is the baseline's: its path, code, message and the text of
its line, never its line number, so it stays the same across runs while the
finding does, wherever its line moves; the n-th of identical findings in a
file is told apart by n.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from speckeeper import __version__, rules
from speckeeper.rules import docs as ruledocs
from speckeeper.findings import Finding, fingerprint
from speckeeper.reporting.printable import printable

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# Every finding fails a check: one level for all, in each format's words.
SARIF_LEVEL = "error"
GITLAB_SEVERITY = "major"
# What XML 1.0 cannot hold at all, even as a character reference, once
# printable() has escaped the controls and lone surrogates.
_NOT_XML = re.compile("[\ufffe\uffff]")


def fingerprints(findings: Sequence[Finding]) -> Iterator[str]:
    """Each finding's fingerprint, stable across runs (see the module)."""
    seen: Counter[tuple[str, str]] = Counter()
    for f in findings:
        key = (f.path, fingerprint(f.code, f.message, f.context))
        seen[key] += 1
        text = "\0".join((*key, str(seen[key])))
        yield hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def sarif(findings: Sequence[Finding], docs_url: str = "") -> str:
    """A SARIF 2.1.0 log of one run: every rule with its documentation
    (``speckeeper rules CODE``, and its page at ``docs_url`` with ``{code}``
    and ``{name}`` filled in, when given), and each finding a result."""
    index = {rule.code: number for number, rule in enumerate(rules.ALL)}
    results = [
        {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": SARIF_LEVEL,
            "message": {"text": printable(f.message)},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact(f.path),
                        "region": {"startLine": max(f.line, 1), "startColumn": max(f.col, 1)},
                    }
                }
            ],
            "partialFingerprints": {"speckeeper/v1": fingerprint},
        }
        for f, fingerprint in zip(findings, fingerprints(findings))
    ]
    driver = {
        "name": "speckeeper",
        "version": __version__,
        "rules": [_descriptor(rule, docs_url) for rule in rules.ALL],
    }
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        # Columns count characters, as every other format's do.
        "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}],
    }
    return json.dumps(log, indent=2) + "\n"


def _descriptor(rule: rules.Rule, docs_url: str) -> dict[str, Any]:
    """A rule as SARIF describes one: GitHub shows its help beside an alert."""
    doc = ruledocs.parts(rule)
    page = {"helpUri": docs_url.format(code=rule.code, name=rule.name)} if docs_url else {}
    return {
        **page,
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": doc.what},
        "fullDescription": {"text": doc.why or doc.what},
        "help": {"text": ruledocs.page(rule), "markdown": ruledocs.markdown_page(rule)},
        "defaultConfiguration": {"enabled": rule.default, "level": SARIF_LEVEL},
        "properties": {"tags": [rule.group], "fixable": rule.fixable},
    }


def _artifact(path: str) -> dict[str, str]:
    """A path as a SARIF artifact location: a URI relative to the
    repository's top (``%SRCROOT%``), or a file URI outside it; every byte
    that is not plain ASCII is percent-encoded, so no character is lost."""
    import os
    from urllib.parse import quote

    uri = quote(os.fsencode(path).replace(os.sep.encode(), b"/"), safe="/")
    if uri.startswith("/"):
        return {"uri": f"file://{uri}"}
    return {"uri": uri, "uriBaseId": "%SRCROOT%"}


def junit(findings: Sequence[Finding]) -> str:
    """JUnit XML as Jenkins reads it: a test suite a spec, a failed test
    case a finding. The class name is the spec's path as a dotted name
    (``specs.2027_1.approved.my-spec``), so that Jenkins' package and class
    views show folders and specs, and the test's name is the code, the
    rule and the position. With no finding, one passing test case: an
    empty report fails a Jenkins job."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="speckeeper", tests=str(max(len(findings), 1)))
    root.set("failures", str(len(findings)))
    root.set("errors", "0")
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.path, []).append(f)
    for path, found in by_file.items():
        suite = _suite(root, _xml(path), len(found))
        suite.set("file", _xml(path))
        for f in found:
            name = f"{f.code} {rules.BY_CODE[f.code].name} ({f.line}:{f.col})"
            case = ET.SubElement(suite, "testcase", name=name, classname=_classname(path))
            failure = ET.SubElement(case, "failure", type=f.code, message=_xml(f.message))
            failure.text = _xml(f"{f.path}:{f.line}:{f.col}: {f.code} {f.message}") + (
                f"\n{_xml(f.context)}" if f.context else ""
            )
    if not findings:
        suite = _suite(root, "speckeeper", 0)
        ET.SubElement(suite, "testcase", name="no findings", classname="speckeeper")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(root: Any, name: str, failures: int) -> Any:
    import xml.etree.ElementTree as ET

    return ET.SubElement(root, "testsuite", name=name, tests=str(max(failures, 1)), failures=str(failures), errors="0")


def _xml(value: str) -> str:
    """Text XML can hold: escaped as in every format, and U+FFFE/U+FFFF,
    which XML forbids, escaped too."""
    return _NOT_XML.sub(lambda match: f"\\u{ord(match.group()):04x}", printable(value))


def _classname(path: str) -> str:
    """``specs/2027.1/approved/x.rst`` as ``specs.2027_1.approved.x``:
    Jenkins splits a class name at its dots into package and class."""
    *folders, name = path.split("/")
    stem = name[: -len(".rst")] if name.endswith(".rst") else name
    return ".".join(_xml(part).replace(".", "_") for part in (*folders, stem) if part)


def gitlab(findings: Sequence[Finding]) -> str:
    """GitLab's code quality report: a JSON list of issues, each with the
    fields GitLab reads (description, check_name, fingerprint, severity,
    location.path, location.lines.begin)."""
    issues = [
        {
            "description": f"{f.code} {printable(f.message)}",
            "check_name": f.code,
            "fingerprint": fingerprint,
            "severity": GITLAB_SEVERITY,
            "location": {"path": printable(f.path), "lines": {"begin": max(f.line, 1)}},
        }
        for f, fingerprint in zip(findings, fingerprints(findings))
    ]
    return json.dumps(issues, indent=2) + "\n"
