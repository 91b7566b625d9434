"""The baseline: today's findings recorded, so that only new ones fail.

A repo adopting speckeeper (or turning more rules on) records what it has
with ``speckeeper baseline``, in ``.speckeeper-baseline.json`` at its top
(the ``baseline`` setting); from then on ``check``, ``fix`` and every hook
report, fail on and fix only findings the file does not record, and
``check`` lists the entries that no longer occur, so that the file can
shrink (write it again). ``check --baseline FILE`` and
``--write-baseline FILE`` name another file.

The baseline is applied in one place, :class:`speckeeper.engine.decide.Gate`;
this module reads, matches and writes it.

An entry is a finding's path (relative to the config's folder), its code
and a fingerprint of its message and of the text of its line, whitespace
aside; never the line number, so a finding keeps matching when lines are
added above it. Entries count: a file with the same finding twice needs
two entries.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from speckeeper.files.atomic import Refused, replace_file
from speckeeper.config.settings import Config, ConfigError, read_small_file
from speckeeper.findings import Finding, fingerprint

FORMAT = "speckeeper-baseline"
VERSION = 1
# An entry takes about 200 bytes: room for some 150,000 findings.
MAX_BYTES = 32_000_000


class Entry(NamedTuple):
    """One recorded finding."""

    path: str
    code: str
    fingerprint: str
    message: str = ""  # For the people who read the file; not compared.

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.path, self.code, self.fingerprint)


def entries(findings: Iterable[Finding], config: Config) -> list[tuple[Entry, Finding]]:
    """Each finding with its baseline entry (from the line the check read:
    no file is read again)."""
    return [
        (Entry(config.relpath(Path(f.path)), f.code, fingerprint(f.code, f.message, f.context), f.message), f)
        for f in findings
    ]


def write(path: Path, findings: Iterable[Finding], config: Config) -> int:
    """Record ``findings`` in ``path``; the number of entries written."""
    recorded = sorted(entry for entry, _ in entries(findings, config))
    try:
        replace_file(path, dumps(recorded).encode("utf-8"), config.repo)
    except Refused as reason:
        raise ConfigError(f"{path}: cannot write the baseline: {reason}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot write the baseline: {error.strerror or error}") from None
    return len(recorded)


def dumps(recorded: Iterable[Entry]) -> str:
    """A baseline file's text: its entries in order, as ``write`` writes them;
    a lone surrogate (a file name's byte that is not UTF-8) written as
    JSON's escape of it (``\\udcff``), which reads back as the same name."""
    data = {
        FORMAT: VERSION,
        "entries": [
            {"path": e.path, "code": e.code, "fingerprint": e.fingerprint, "message": e.message} for e in sorted(recorded)
        ],
    }
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def load(path: Path) -> list[Entry]:
    """The entries of a baseline file; a file that is not one is a ConfigError."""
    return parse(read_small_file(path, MAX_BYTES, "the baseline", "the baseline"), path)


def parse(raw: bytes, path: Path | str) -> list[Entry]:
    """The entries of a baseline file's bytes (read from ``path``); bytes
    that are not one are a ConfigError."""
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(f"{path}: not a baseline (expected JSON from --write-baseline): {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not a baseline: JSON nested too deeply") from None
    if not isinstance(data, dict) or data.get(FORMAT) != VERSION or not isinstance(data.get("entries"), list):
        raise ConfigError(f"{path}: not a baseline: expected {{{FORMAT!r}: {VERSION}, 'entries': [...]}}")
    found: list[Entry] = []
    for index, item in enumerate(data["entries"], 1):
        fields = ("path", "code", "fingerprint")
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in fields):
            raise ConfigError(f"{path}: baseline entry #{index} needs path, code and fingerprint strings")
        message = item.get("message", "")
        found.append(Entry(item["path"], item["code"], item["fingerprint"], message if isinstance(message, str) else ""))
    return found


def unrecorded(recorded: Iterable[Entry], findings: Iterable[Finding], config: Config) -> list[Finding]:
    """The findings the baseline does not record (each entry matches one)."""
    return compare(recorded, findings, config, lambda entry: False)[0]


def compare(
    recorded: Iterable[Entry],
    findings: Iterable[Finding],
    config: Config,
    checked: Callable[[Entry], bool],
) -> tuple[list[Finding], list[Entry]]:
    """The findings not in the baseline, and the entries that no longer
    occur among those ``checked`` (of a path and code this run looked at)."""
    left = Counter(entry.key for entry in recorded)
    kinds = {(path, code) for path, code, _ in left}
    new = []
    for finding in findings:
        path = config.relpath(Path(finding.path))
        # A fingerprint only where an entry of the path and code could
        # match: most findings of a commit have none, and need no hashing.
        key = None
        if (path, finding.code) in kinds:
            key = (path, finding.code, fingerprint(finding.code, finding.message, finding.context))
        if key is not None and left[key] > 0:
            left[key] -= 1
        else:
            new.append(finding)
    stale = []
    for entry in sorted(recorded):
        if left[entry.key] > 0 and checked(entry):
            left[entry.key] -= 1
            stale.append(entry)
    return new, stale
