"""The checks of a Sphinx build's documents, in a process of their own.

``speckeeper.sphinx`` starts this (``python -m speckeeper.sphinx_check``,
the request on standard input) when Sphinx has listed the documents it is about to read, and
collects what it wrote once Sphinx has read them: the checks run on the
second core while Sphinx parses on the first, and this process imports no
Sphinx (its docutils lookups are docutils' own, as ``check``'s are).

The request is JSON: ``{"paths": [...], "config": file or null,
"baseline": bool}``. The answer, on standard output, is JSON: for each
path, its findings (line, column, code, message) and the files its check
depended on (configuration, template, baseline). Each file is checked as
``speckeeper check`` checks it, through the findings cache in the user's
cache folder (an unchanged file under unchanged settings is not parsed
again; ``SPECKEEPER_CACHE_DIR=""`` turns it off, as for the template store).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from speckeeper.config.settings import Config
from speckeeper.document.template import NoTemplate
from speckeeper.engine.cache import Cache, open_cache
from speckeeper.engine.decide import unsilenced
from speckeeper.files import usercache
from speckeeper.findings import Finding
from speckeeper.lsp.engine import Engine, Engines, new_findings, repo_level

Document = dict[str, list[list[object]] | list[str]]


def check_documents(paths: list[Path], engines: Engines, caches: dict[Path, Cache | None]) -> dict[str, Document]:
    """Each document's findings and the files they depend on."""
    return {str(path): _document(engines, path, caches) for path in paths}


def _document(engines: Engines, path: Path, caches: dict[Path, Cache | None]) -> Document:
    engine = engines.for_document(path)
    try:
        findings = _findings(engines, engine, path, caches)
    except Exception as error:  # noqa: BLE001  A bug must cost one document, not the build's checks.
        findings = [Finding(str(path), 1, 1, "", f"speckeeper could not check this document: {type(error).__name__}: {error}")]
    return {
        "findings": [[f.line, f.col, f.code, f.message] for f in findings],
        "depends": sorted(str(depended.resolve()) for depended in engine.stamps if depended.is_file()),
    }


def _findings(engines: Engines, engine: Engine, path: Path, caches: dict[Path, Cache | None]) -> list[Finding]:
    """What ``check`` reports of the file: its own rules (from the cache
    when it holds them), the repo-level rules' findings about it, less what
    its comments silence and the baseline records."""
    if engine.fixer is None:  # A configuration that does not load: one finding says why.
        return [Finding(str(path), 1, 1, "", engine.error)]
    config = engine.config
    relpath = config.relpath(path)
    if config.excluded(relpath):
        return []
    checker = engine.fixer.checker
    if checker.cache is None:
        checker.cache = _cache(config, caches)
    try:  # Read again when the template changes.
        engine.watch(Path(checker.templates.for_spec(relpath, config.for_path(relpath)).path))
    except NoTemplate:
        pass
    checked = checker.check_file(path)
    found = checked.findings + unsilenced(list(repo_level(engines, path)), {str(path): checked.silenced})
    return sorted(new_findings(engine, path, found), key=lambda f: (f.line, f.col))


def _cache(config: Config, caches: dict[Path, Cache | None]) -> Cache | None:
    """The findings cache in the user's cache folder, one a repository."""
    if config.repo not in caches:
        user = usercache.default()
        caches[config.repo] = open_cache(user / "findings", config.repo) if user is not None else None
    return caches[config.repo]


def main() -> int:
    request = json.load(sys.stdin)
    engines = Engines(request["config"], bool(request["baseline"]))
    answer = check_documents([Path(path) for path in request["paths"]], engines, {})
    json.dump(answer, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
