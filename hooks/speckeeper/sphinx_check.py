"""The checks of a Sphinx build's documents, in a process of their own.

``speckeeper.sphinx`` starts this (``python -m speckeeper.sphinx_check``,
the request on standard input) when Sphinx has listed the documents it is
about to read, and collects what it wrote once Sphinx has written them: the
checks run on another core while Sphinx reads and writes, and this process
imports no Sphinx (its docutils lookups are docutils' own, as ``check``'s
are).

The request is JSON: ``{"paths": [...], "config": file or null,
"baseline": bool}``. The answer, on standard output, is two lines of JSON,
each by path: first the files its check depends on (configuration,
template, baseline), which Sphinx must have before it saves what it has
read, then its findings (line, column, code, message, and the file it is
about where that is not the document: its metadata file), which it shows
when the build is done. Each file is checked as
``speckeeper check`` checks it (a Markdown file only where the
configuration checks it: a Markdown template applies and the file is one
of its ``markdown-names``), through the findings cache in the user's
cache folder (an unchanged file under unchanged settings is not parsed
again; ``SPECKEEPER_CACHE_DIR=""`` turns it off, as for the template store).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from speckeeper.config.settings import Config
from speckeeper.document.template import NoTemplate
from speckeeper.engine.cache import Cache, open_cache
from speckeeper.engine.check import is_document
from speckeeper.files import usercache
from speckeeper.findings import Finding
from speckeeper.lsp.engine import Engine, Engines, repo_level

def depends(engines: Engines, paths: list[Path]) -> dict[str, list[str]]:
    """The files each document's check depends on: its configuration's,
    its template, its baseline. Found before any is checked (the template
    is read, not a spec), so that Sphinx can keep them when it has read the
    documents, before the checks are done."""
    return {str(path): _depends(engines, path) for path in paths}


def _depends(engines: Engines, path: Path) -> list[str]:
    engine = engines.for_document(path)
    if engine.fixer is not None:
        config = engine.config
        relpath = config.relpath(path)
        try:
            engine.watch(Path(engine.fixer.checker.templates.for_spec(relpath, config.for_path(relpath)).path))
        except NoTemplate:
            pass
    return sorted(str(depended.resolve()) for depended in engine.stamps if depended.is_file())


def check_documents(paths: list[Path], engines: Engines, caches: dict[Path, Cache | None]) -> dict[str, list[list[object]]]:
    """Each document's findings: (line, column, code, message), and the
    file one is about where that is not the document (``kep.yaml``)."""
    return {str(path): [_answer(f, path) for f in _document(engines, path, caches)] for path in paths}


def _answer(finding: Finding, document: Path) -> list[object]:
    f = finding
    elsewhere = os.path.realpath(f.path) != os.path.realpath(document)  # A repo-level finding may spell it otherwise.
    return [f.line, f.col, f.code, f.message, *([os.path.abspath(f.path)] if elsewhere else [])]


def _document(engines: Engines, path: Path, caches: dict[Path, Cache | None]) -> list[Finding]:
    engine = engines.for_document(path)
    try:
        return _findings(engines, engine, path, caches)
    except Exception as error:  # noqa: BLE001  A bug must cost one document, not the build's checks.
        return [Finding(str(path), 1, 1, "", f"speckeeper could not check this document: {type(error).__name__}: {error}")]


def _findings(engines: Engines, engine: Engine, path: Path, caches: dict[Path, Cache | None]) -> list[Finding]:
    """What ``check`` reports of the file: its own rules (from the cache
    when it holds them), the repo-level rules' findings about it, less what
    its comments silence and the baseline records."""
    if engine.fixer is None:  # A configuration that does not load: one finding says why.
        return [Finding(str(path), 1, 1, "", engine.error)]
    config = engine.config
    if not is_document(config, path):  # Excluded, or Markdown the configuration does not check.
        return []
    checker = engine.fixer.checker
    if checker.cache is None:
        checker.cache = _cache(config, caches)
    checked = checker.check_file(path)
    verdict = checker.gate.decide([*checked.findings, *repo_level(engines, path)], {str(path): checked.silenced})
    return sorted(verdict.reported, key=lambda f: (f.line, f.col))


def _cache(config: Config, caches: dict[Path, Cache | None]) -> Cache | None:
    """The findings cache in the user's cache folder, one a repository."""
    if config.repo not in caches:
        user = usercache.default()
        caches[config.repo] = open_cache(user / "findings", config.repo) if user is not None else None
    return caches[config.repo]


def main() -> int:
    request = json.load(sys.stdin)
    engines = Engines(request["config"], bool(request["baseline"]))
    paths = [Path(path) for path in request["paths"]]
    # One line each, the dependencies first: Sphinx waits for those alone.
    for answer in (lambda: depends(engines, paths), lambda: check_documents(paths, engines, {})):
        sys.stdout.write(json.dumps(answer(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
