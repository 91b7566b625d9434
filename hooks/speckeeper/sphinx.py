"""``speckeeper.sphinx``: the checks in a Sphinx build, as Sphinx warnings.

Add ``"speckeeper.sphinx"`` to a project's ``extensions`` and every finding
``speckeeper check`` reports about a document the build reads becomes a
warning at the spec's file and line, of type ``speckeeper`` and the rule's
code as subtype: ``sphinx-build -W`` fails on it, and
``suppress_warnings = ["speckeeper.SK201"]`` silences one rule (or
``["speckeeper"]`` all). The repo's configuration and baseline are those
``check`` reads (found from the document's folder, or the file
``speckeeper_config`` names; ``speckeeper_baseline = False`` reports what the
baseline records too), through the pipeline the language server runs on an
editor's text (:mod:`speckeeper.lsp.engine`), on the file's text with its
own line endings (Sphinx's has none but newlines).

Documents are checked as Sphinx reads them (``source-read``), so an
incremental build checks only what changed; each depends on its
configuration, template and baseline files, so a change to one of those
has Sphinx read again the documents it governs. Reading runs in Sphinx's worker processes under ``-j``: each has
its own checker, and nothing is shared.

``.. speckeeper-status::`` renders ``speckeeper status``'s report (one row a
release and state) as a table; the page holding it is read at every build.

Sphinx is the ``docs`` extra; nothing else imports this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives, roles
from sphinx.application import Sphinx
from sphinx.config import Config as SphinxConfig
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from speckeeper import __version__
from speckeeper.commands.status import gather
from speckeeper.reporting.status import Report, most_common
from speckeeper.config.settings import ConfigError, discover, load_file
from speckeeper.findings import Finding
from speckeeper.lsp.engine import Engines, analyse, repo_level

WARNING_TYPE = "speckeeper"

logger = logging.getLogger(__name__)
# docutils' own lookups, as they are when Sphinx loads the extension, before
# a read puts its domains' in their place.
_DIRECTIVE_LOOKUP = directives.directive
_ROLE_LOOKUP = roles.role


@dataclass
class _Checks:
    """One process's checker: built when the project's conf.py is read."""

    engines: Engines = field(default_factory=Engines)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("speckeeper_config", None, "env", [str])
    app.add_config_value("speckeeper_baseline", True, "env", [bool])
    checks = _Checks()

    def configured(app: Sphinx, config: SphinxConfig) -> None:
        if config.speckeeper_config:  # From here on, absolute: the directive reads it too.
            config.speckeeper_config = str(Path(app.confdir, config.speckeeper_config))
        checks.engines = Engines(config.speckeeper_config, bool(config.speckeeper_baseline))

    def read(app: Sphinx, docname: str, source: list[str]) -> None:
        _warn_findings(checks.engines, app.env, docname, source[0])

    app.connect("config-inited", configured)
    app.connect("source-read", read)
    app.add_directive("speckeeper-status", StatusDirective)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}


def _warn_findings(engines: Engines, env: BuildEnvironment, docname: str, text: str) -> None:
    """Each finding about the document as a warning at its line."""
    path = Path(env.doc2path(docname))
    if path.suffix != ".rst":
        return  # The rules read reStructuredText.
    with _plain_docutils():
        analysis = analyse(engines, path, _as_written(path, text), None, repo_level(engines, path))
    for finding in analysis.findings:
        _warn(finding, docname)
    if analysis.engine is not None:
        # Read again when the configuration, the template or the baseline
        # changes: Sphinx compares their times with the document's.
        for depended in sorted(analysis.engine.stamps):
            if depended.is_file():
                env.note_dependency(str(depended.resolve()))


def _as_written(path: Path, read: str) -> str:
    """The file's text with its own line endings: Sphinx reads with
    universal newlines, and the rules about carriage returns read them.
    What Sphinx read, when the file cannot be read so."""
    try:
        with open(path, encoding="utf-8", newline="") as file:
            return file.read()
    except (OSError, UnicodeDecodeError):
        return read


def _warn(finding: Finding, docname: str) -> None:
    # A finding with no code is speckeeper's own failure (a configuration
    # that does not load): a warning of its type, suppressed with it.
    message = f"{finding.code} {finding.message}" if finding.code else finding.message
    logger.warning(message, type=WARNING_TYPE, subtype=finding.code or "error", location=(docname, finding.line))


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
