"""An opt-in content-hash cache of each file's findings (``--cache DIR``).

A file's findings are a function of its bytes, of where it is (its path
relative to the config: overrides, release, naming), of the settings and
rules that apply to it, of its template's text, and of speckeeper and
docutils themselves. The key hashes all of these, so an entry is never
stale: an edit, a config change or an upgrade simply misses. Entries are
written atomically (a temporary file, then a rename); an entry that cannot
be read or does not hold findings is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .atomic import write_atomically
from .rule import Finding

if TYPE_CHECKING:
    from .check import Checker

# Bump when the entry format changes.
FORMAT = "1"

_GITIGNORE = "# Created by speckeeper: a cache, never to be committed.\n*\n"
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by speckeeper.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


def _code_digest() -> str:
    """What speckeeper's own behaviour depends on: its code, version and
    packaged templates, docutils' version and the Python version."""
    import docutils

    from . import __version__

    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{docutils.__version__}\0{sys.version_info[:2]}".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".rst", ".yml") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _valid(record: object) -> bool:
    """An entry's record: [path or null, line, col, code, message]."""
    return (
        isinstance(record, list)
        and len(record) == 5
        and (record[0] is None or isinstance(record[0], str))
        and all(isinstance(n, int) and not isinstance(n, bool) for n in record[1:3])
        and all(isinstance(s, str) for s in record[3:])
    )


class Cache:
    """Findings by content hash, one small JSON file an entry, under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._code = _code_digest()
        self._templates: dict[Path, str] = {}
        self._warned = False

    def key(self, checker: Checker, path: Path) -> str | None:
        """The key of ``path``'s findings; None when it is not worth caching
        (it is refused, or has no template: the check itself is cheap)."""
        from .check import enabled_codes
        from .source import Refusal
        from .template import NoTemplate, _read_following_links

        relpath = checker.config.relpath(path)
        settings = checker.config.for_path(relpath)
        # Read as the check reads: a FIFO, a huge file or a symlink out of
        # the repo is refused here too (and cheaply checked, uncached).
        source = checker.read_source(path, settings)
        if isinstance(source, Refusal):
            return None
        try:
            template = checker.templates.path_for(relpath, settings).resolve()
        except NoTemplate:
            return None
        if template not in self._templates:
            try:
                text = _read_following_links(template)
            except (OSError, UnicodeDecodeError):
                return None
            self._templates[template] = hashlib.sha256(text.encode()).hexdigest()
        enabled = ",".join(sorted(enabled_codes(settings, checker.selection)))
        digest = hashlib.sha256()
        for part in (self._code, relpath, repr(settings), enabled, self._templates[template]):
            digest.update(part.encode() + b"\0")
        digest.update(source.raw)
        return digest.hexdigest()

    def _entry(self, key: str) -> Path:
        return self.root / key[:2] / f"{key[2:]}.json"

    def get(self, key: str, shown: str) -> list[Finding] | None:
        """The findings stored under ``key``, reported against ``shown``;
        None when there is no usable entry."""
        try:
            records = json.loads(self._entry(key).read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(records, list) or not all(_valid(record) for record in records):
            return None
        return [Finding(shown if path is None else path, line, col, code, message) for path, line, col, code, message in records]

    def put(self, key: str, shown: str, findings: list[Finding]) -> None:
        """Store ``findings`` under ``key``; a cache that cannot be written is
        reported once and otherwise ignored."""
        records = [[None if f.path == shown else f.path, f.line, f.col, f.code, f.message] for f in findings]
        entry = self._entry(key)
        try:
            if not self.root.is_dir():
                self.root.mkdir(parents=True, exist_ok=True)
                (self.root / ".gitignore").write_text(_GITIGNORE, encoding="utf-8")
                (self.root / "CACHEDIR.TAG").write_text(_CACHEDIR_TAG, encoding="utf-8")
            entry.parent.mkdir(exist_ok=True)
            write_atomically(entry, json.dumps(records, ensure_ascii=False).encode("utf-8"), durable=False)
        except OSError as error:
            if not self._warned:
                self._warned = True
                print(f"speckeeper: warning: cannot write the cache in {self.root}: {error}", file=sys.stderr)
