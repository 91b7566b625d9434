"""``speckeeper.sphinx``: the checks in a Sphinx build, as Sphinx warnings.

Add ``"speckeeper.sphinx"`` to a project's ``extensions`` and every finding
``speckeeper check`` reports about a document the build reads (its
reStructuredText specs; its Markdown ones, where myst-parser reads them and
the configuration checks them) becomes a warning at the spec's file and line, of type ``speckeeper`` and the rule's
code as subtype: ``sphinx-build -W`` fails on it, and
``suppress_warnings = ["speckeeper.SK201"]`` silences one rule (or
``["speckeeper"]`` all). The repo's configuration and baseline are those
``check`` reads (found from the document's folder, or the file
``speckeeper_config`` names; ``speckeeper_baseline = False`` reports what the
baseline records too), through the pipeline the language server runs on an
editor's text (:mod:`speckeeper.lsp.engine`), on the file's text with its
own line endings (Sphinx's has none but newlines).

Documents are checked while Sphinx reads and writes them: when it has
listed the documents it will read (``env-before-read-docs``), a process of
their own (:mod:`speckeeper.sphinx_check`) checks those, on another core;
once it has read them (``env-updated``) each gets its configuration,
template and baseline files as dependencies, so a change to one of those
has Sphinx read again the documents it governs; once the build is done
(``build-finished``) their findings become warnings. So an incremental
build checks only what it reads again, nothing is parsed twice in Sphinx's
own process, and a parallel build (``-j``) is the same: the checks run
beside its readers. A file unchanged since a check is not parsed again
(the findings cache in the user's cache folder).

``.. speckeeper-status::`` renders ``speckeeper status``'s report (one row a
release and state) as a table; the page holding it is read at every build.

Sphinx is the ``docs`` extra; nothing else imports this module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from docutils import nodes
from docutils.parsers.rst import directives, roles
from sphinx.application import Sphinx
from sphinx.config import Config as SphinxConfig
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from speckeeper import __version__
from speckeeper.commands.status import gather
from speckeeper.document import markdown
from speckeeper.reporting.status import Report, most_common
from speckeeper.config.settings import ConfigError, discover, load_file

WARNING_TYPE = "speckeeper"

logger = logging.getLogger(__name__)
# docutils' own lookups, as they are when Sphinx loads the extension, before
# a read puts its domains' in their place.
_DIRECTIVE_LOOKUP = directives.directive
_ROLE_LOOKUP = roles.role


@dataclass
class _Running:
    """The check of the documents a build reads, under way."""

    process: subprocess.Popen[bytes]
    answer: IO[bytes]
    docnames: dict[str, str]  # By path.


@dataclass
class _Checks:
    """The build's checks: what conf.py says, and the check under way."""

    config_file: str | None = None
    use_baseline: bool = True
    running: _Running | None = None


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("speckeeper_config", None, "env", [str])
    app.add_config_value("speckeeper_baseline", True, "env", [bool])
    checks = _Checks()

    def configured(app: Sphinx, config: SphinxConfig) -> None:
        if config.speckeeper_config:  # From here on, absolute: the directive reads it too.
            config.speckeeper_config = str(Path(app.confdir, config.speckeeper_config))
        checks.config_file, checks.use_baseline = config.speckeeper_config, bool(config.speckeeper_baseline)

    def before_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
        _stop(checks)  # A build reads once; a second read starts afresh.
        checks.running = _start(checks, env, docnames)

    def read(app: Sphinx, env: BuildEnvironment) -> list[str]:
        if checks.running is not None:
            _note_dependencies(checks.running, env)
        return []

    def finished(app: Sphinx, error: BaseException | None) -> None:
        if error is None and checks.running is not None:
            _warn_findings(checks.running)
        _stop(checks)  # Done, or a build that failed: nothing is left running.

    app.connect("config-inited", configured)
    # Last, so the list is final once other extensions have changed it.
    app.connect("env-before-read-docs", before_read, priority=900)
    app.connect("env-updated", read)
    # The findings when the build is done, so the checks have the time it
    # takes to write too; warnings then still count for ``-W``.
    app.connect("build-finished", finished)
    app.add_directive("speckeeper-status", StatusDirective)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}


def _start(checks: _Checks, env: BuildEnvironment, docnames: list[str]) -> _Running | None:
    """The check of the reStructuredText and Markdown documents among
    ``docnames`` (myst-parser's; the rules read no other format), started
    in a process of its own, which tells the documents the configuration
    checks from the other Markdown files."""
    paths = {str(env.doc2path(docname)): docname for docname in docnames}
    paths = {path: docname for path, docname in paths.items() if path.endswith((".rst", *markdown.SUFFIXES))}
    if not paths:
        return None
    request = tempfile.TemporaryFile()  # Not a pipe: the child reads it when it is ready.
    request.write(json.dumps({"paths": sorted(paths), "config": checks.config_file, "baseline": checks.use_baseline}).encode("utf-8"))
    request.seek(0)
    answer = tempfile.TemporaryFile()
    # The child imports this speckeeper, wherever it was found.
    here = str(Path(__file__).resolve().parent.parent)
    child_env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (here, os.environ.get("PYTHONPATH"))))}
    with request:
        process = subprocess.Popen([sys.executable, "-m", "speckeeper.sphinx_check"], stdin=request, stdout=answer, env=child_env)
    return _Running(process, answer, paths)


def _stop(checks: _Checks) -> None:
    running, checks.running = checks.running, None
    if running is not None and running.process.poll() is None:
        running.process.kill()
        running.process.wait()
    if running is not None:
        running.answer.close()


def _answer(running: _Running, number: int) -> dict[str, Any] | None:
    """The check's ``number``-th line of answer (0: the dependencies, 1:
    the findings), once it has written it; None if it ended without."""
    while True:
        ended = running.process.poll() is not None
        running.answer.seek(0)
        lines = running.answer.read().split(b"\n")
        if len(lines) > number + 1:  # The line is whole.
            try:
                found = json.loads(lines[number])
            except ValueError:
                return None
            return found if isinstance(found, dict) else None
        if ended:
            return None
        time.sleep(0.02)


def _note_dependencies(running: _Running, env: BuildEnvironment) -> None:
    """Each document's configuration, template and baseline files as its
    dependencies: Sphinx reads it again when one of them changes."""
    found = _answer(running, 0) or {}
    for path, docname in running.docnames.items():
        for depended in found.get(path, []):
            env.note_dependency(depended, docname=docname)


def _warn_findings(running: _Running) -> None:
    """Each finding about a document read as a warning at its line."""
    running.process.wait()
    found = _answer(running, 1)
    if found is None:
        code = running.process.returncode
        logger.warning(f"speckeeper could not check the documents (its process exited {code})", type=WARNING_TYPE, subtype="error")
        return
    for path in sorted(running.docnames):
        for line, _col, rule, message, *about in found.get(path, []):
            # A finding about a document's metadata file (a KEP's kep.yaml,
            # no page of the build) is at that file's line.
            _warn(f"{about[0]}:{line}" if about else (running.docnames[path], line), rule, message)


def _warn(location: tuple[str, int] | str, code: str, message: str) -> None:
    # A finding with no code is speckeeper's own failure (a configuration
    # that does not load): a warning of its type, suppressed with it.
    text = f"{code} {message}" if code else message
    logger.warning(text, type=WARNING_TYPE, subtype=code or "error", location=location)


@contextmanager
def _plain_docutils() -> Iterator[None]:
    """docutils as ``speckeeper check`` parses with it, for the duration.

    Sphinx reads a document with its domains' roles and directives put in
    docutils' lookups, and its own and its extensions' in docutils'
    registries: those need a Sphinx document, and a spec parsed here must
    mean what it means to ``check``. Both are set aside and put back after;
    a read runs in one thread, so nothing else sees the swap.
    """
    saved = (directives.directive, roles.role, directives._directives, roles._roles)  # noqa: SLF001
    directives.directive, roles.role = _DIRECTIVE_LOOKUP, _ROLE_LOOKUP
    directives._directives, roles._roles = {}, {}  # noqa: SLF001
    try:
        yield
    finally:
        directives.directive, roles.role, directives._directives, roles._roles = saved  # noqa: SLF001


class StatusDirective(SphinxDirective):
    """``.. speckeeper-status::``: the status report as a table."""

    has_content = False
    required_arguments = 0

    def run(self) -> list[nodes.Node]:
        self.env.note_reread()  # Any spec's change changes the report.
        source = Path(self.env.doc2path(self.env.docname))
        try:
            named = self.config.speckeeper_config
            config = load_file(Path(named)) if named else discover(source.parent)
            with _plain_docutils():
                report = gather(config, jobs=1)
        except ConfigError as error:
            logger.warning(f"cannot report status: {error}", type=WARNING_TYPE, subtype="error", location=self.get_location())
            return []
        return [_table(report)]


_HEADER = ("release", "state", "specs", "pass", "findings", "most common")


def _table(report: Report) -> nodes.table:
    """One row a release and state, and the total, as ``status`` prints them."""
    rows = [
        (group.release, group.state, str(len(group.specs)), str(group.passing), str(group.findings), most_common(group.codes))
        for group in [*report.groups, report.total()]
    ]
    table = nodes.table(classes=["speckeeper-status"])
    tgroup = nodes.tgroup(cols=len(_HEADER))
    table += tgroup
    for _ in _HEADER:
        tgroup += nodes.colspec(colwidth=1)
    thead = nodes.thead()
    thead += _row(_HEADER)
    tbody = nodes.tbody()
    for row in rows:
        tbody += _row(row)
    tgroup += thead
    tgroup += tbody
    return table


def _row(cells: tuple[str, ...]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += nodes.paragraph(text=cell)
        row += entry
    return row
