"""``speckeeper init``: a repo's first ``.speckeeper.toml``, from its tree.

What a check with no configuration reads off the tree (:mod:`speckeeper.config.detect`)
is written down, so that a maintainer sees it, can change it, and commits
it: only the values that differ from the defaults, each under a comment
that says what it is. Then the first check runs with it, and its findings
are counted by rule, with the command that records them (``speckeeper
baseline``) so that only new ones fail.

An existing configuration is never overwritten; the file is created
through the safe-write path (inside the repository, never through a link
or into ``.git``, never over a file that appeared meanwhile).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from speckeeper.config import settings as config_module
from speckeeper.reporting import output
from speckeeper.engine import parallel
from speckeeper.engine.check import Checker
from speckeeper.config.settings import Config, ConfigError, Settings, key_value
from speckeeper.config.detect import detect
from speckeeper.findings import Finding

FILE = ".speckeeper.toml"
_DEFAULTS = Settings._field_defaults


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help=f"print the {FILE} it would write; write nothing")


def run(args: argparse.Namespace, jobs: int, specs_of: Callable[[Config], list[Path]]) -> int:
    """Write (or print) the file; check what ``check`` with no path would,
    ``specs_of`` the configuration, and count the findings."""
    start = Path.cwd().resolve()
    existing = config_module.governing_file(start)
    if existing is not None:
        raise ConfigError(f"{existing}: a configuration exists already: not overwritten")
    root = config_module.discover(start).root
    found = detect(root)
    text = render(found.table, found.notes)
    target = root / FILE
    config = _load(text, root, None if args.dry_run else target)
    say = sys.stderr if args.dry_run else sys.stdout
    if args.dry_run:
        sys.stdout.write(text)
        sys.stdout.flush()  # The file first, then what the check finds.
    else:
        _create(target, text, config)
        print(f"wrote {output.printable(_shown(target))}: what was read off the tree", file=say)
    findings = Checker(config).check(specs_of(config), jobs=jobs or parallel.default_jobs())
    say.write(summary(findings))
    return 0


def render(table: dict[str, Any], notes: tuple[str, ...] = ()) -> str:
    """The file: a header saying what was read, then each setting that
    differs from its default under a comment saying what it is, then any
    overrides."""
    lines = [
        "# speckeeper's configuration, written by `speckeeper init` from what it",
        "# read off this repository: only what differs from the defaults (see the",
        "# README's Configuration section for every key).",
        *(f"#   {' '.join(note.split())}" for note in notes),
    ]
    for name, value in table.items():
        if name == "overrides" or _same(value, _DEFAULTS.get(name)):
            continue
        lines += ["", f"# {config_module.KEYS[name].what()}", key_value(name, value)]
    for override in table.get("overrides", []):
        lines += ["", "[[overrides]]"] + [key_value(name, value) for name, value in override.items()]
    return "\n".join(lines) + "\n"


def summary(findings: list[Finding]) -> str:
    """What the first check found, counted by rule, and what to do next."""
    if not findings:
        return "the first check finds nothing: every spec passes\n"
    files = len({finding.path for finding in findings})
    counted = "".join(f"  {line}\n" for line in output.statistics_text(findings).splitlines())
    return (
        f"the first check finds {len(findings)} finding(s) in {files} file(s):\n{counted}"
        "to fail only on new ones, record these: speckeeper baseline\n"
    )


def _same(value: object, default: object) -> bool:
    return (tuple(value) if isinstance(value, list) else value) == default


def _load(text: str, root: Path, source: Path | None) -> Config:
    """The configuration the text says, read back as a check will read it:
    what cannot be (a file name TOML cannot hold) is not written."""
    toml = config_module.tomllib()
    try:
        data = toml.loads(text)
    except toml.TOMLDecodeError as error:
        raise ConfigError(f"cannot write {FILE}: what was read off the tree is not valid TOML ({error})") from None
    return config_module.from_table(data, root, source)


def _create(target: Path, text: str, config: Config) -> None:
    from speckeeper.files.atomic import create_file, writing

    with writing(_shown(target)):
        create_file(target, text.encode("utf-8"), config.repo)


def _shown(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
