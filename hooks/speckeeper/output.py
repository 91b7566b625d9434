"""Output formats: how findings are shown to people, editors and CI."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .rule import Finding


def text(findings: Sequence[Finding]) -> str:
    """``path:line:col: CODE message``, one a line: editors jump to it."""
    return "".join(f"{f.path}:{f.line}:{f.col}: {f.code} {f.message}\n" for f in findings)


def as_json(findings: Sequence[Finding]) -> str:
    import json  # Only for this format: a one-file check does without.

    records = [
        {"path": f.path, "line": f.line, "col": f.col, "code": f.code, "message": f.message} for f in findings
    ]
    return json.dumps(records, indent=2) + "\n"


def _escape_github(value: str, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: each finding an annotation."""
    return "".join(
        f"::error file={_escape_github(f.path, True)},line={f.line},col={f.col},"
        f"title={f.code}::{_escape_github(f'{f.code} {f.message}')}\n"
        for f in findings
    )


FORMATS: dict[str, Callable[[Sequence[Finding]], str]] = {"text": text, "json": as_json, "github": github}
