"""The pygls server: documents in, diagnostics and edits out.

Every check, fix and look at a parse runs on one worker thread, one at a
time (docutils and the checker's caches are not shared between threads),
while the event loop goes on reading the client's messages. A document
edited while its check runs is checked again once that check ends, with
the text it has then: changes in between are coalesced, and no fixed
delay is waited.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from speckeeper import __version__
from speckeeper.findings import Finding
from speckeeper.lsp import features, framing
from speckeeper.lsp.engine import Analysis, Engines, analyse, repo_level

T = TypeVar("T")
# A Markdown document's metadata file (a KEP's kep.yaml): a change to one
# has the open documents checked again, their configurations kept.
METADATA = ("**/*.yaml", "**/*.yml")
# The files a configuration comes from; an event about one rebuilds them.
# (A KEP's template is a README.md, with a kep.yaml, in a folder so named.)
WATCHED = (
    "**/.speckeeper.toml",
    "**/pyproject.toml",
    "**/*template*.rst",
    "**/*template*.md",
    "**/*template*/*",
    "**/.speckeeper-baseline.json",
    *METADATA,
)
# Completion is asked for on an adornment line (a Markdown heading's marks) as it is typed.
TRIGGERS = ["=", "-", "~", "^", "*", "+", "#", "'", '"', "`", ":", "."]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Options:
    """What the server is started with: ``--config``, ``--no-baseline``,
    and the client's ``initializationOptions`` on top."""

    config: str | None = None
    baseline: bool = True
    docs_url: str = ""  # A rule's documentation: "{code}" and "{name}" filled in.

    def updated(self, given: object) -> Options:
        """These options with the client's initializationOptions applied;
        what is not a known key of the right type is left out."""
        if not isinstance(given, dict):
            return self
        config = given.get("config")
        baseline = given.get("baseline")
        docs_url = given.get("ruleDocsUrl")
        return Options(
            config if isinstance(config, str) and config else self.config,
            baseline if isinstance(baseline, bool) else self.baseline,
            docs_url if isinstance(docs_url, str) else self.docs_url,
        )


class Session:
    """The open documents, their latest analyses and their checks."""

    def __init__(self, server: LanguageServer, options: Options) -> None:
        self.server = server
        self.options = options
        self.engines = Engines(options.config, options.baseline)
        self.worker = ThreadPoolExecutor(1, thread_name_prefix="speckeeper-check")
        self.latest: dict[str, Analysis] = {}
        self.saved: dict[str, tuple[Finding, ...]] = {}  # Repo-level findings at the last save.
        self.dirty: set[str] = set()
        self.checking: dict[str, asyncio.Task[None]] = {}

    def configure(self, options: Options) -> None:
        self.options = options
        self.engines = Engines(options.config, options.baseline)

    async def run(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.worker, work)

    def request(self, uri: str) -> None:
        """Check ``uri`` as soon as the check running for it (if any) ends."""
        if _path(uri) is None:
            return
        self.dirty.add(uri)
        if uri not in self.checking:
            self.checking[uri] = asyncio.ensure_future(self._check_while_dirty(uri))

    async def _check_while_dirty(self, uri: str) -> None:
        try:
            while uri in self.dirty:
                self.dirty.discard(uri)
                analysis = await self.current(uri)
                if analysis is not None and uri in self.server.workspace.text_documents:
                    self._publish(uri, analysis)
        except Exception:  # noqa: BLE001  One document's failure leaves the others served.
            log.exception("checking %s", uri)
        finally:
            self.checking.pop(uri, None)

    async def current(self, uri: str) -> Analysis | None:
        """The analysis of the document as it is now: the latest one, when
        the text is the same, or a new check."""
        path = _path(uri)
        if path is None or uri not in self.server.workspace.text_documents:
            return None
        document = self.server.workspace.get_text_document(uri)
        text, version = document.source, document.version
        known = self.latest.get(uri)
        if known is not None and known.text == text and known.version == version:
            return known
        saved = self.saved.get(uri, ())
        analysis = await self.run(lambda: analyse(self.engines, path, text, version, saved))
        if uri in self.server.workspace.text_documents:
            self.latest[uri] = analysis
        return analysis

    def _publish(self, uri: str, analysis: Analysis) -> None:
        found = features.diagnostics(analysis, self.lines(uri, analysis), self.docs_url())
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=found, version=analysis.version)
        )

    def docs_url(self) -> str:
        """The rule documentation link, for clients that show one."""
        capabilities = self.server.client_capabilities.text_document
        supported = capabilities is not None and capabilities.publish_diagnostics is not None and bool(
            capabilities.publish_diagnostics.code_description_support
        )
        return self.options.docs_url if supported else ""

    def disabled_support(self) -> bool:
        """Whether the client shows why a disabled code action is."""
        capabilities = self.server.client_capabilities.text_document
        code_action = capabilities.code_action if capabilities is not None else None
        return code_action is not None and bool(code_action.disabled_support)

    def tell(self, message: str) -> None:
        """A warning the editor shows the user (what a fix left, and why)."""
        self.server.window_show_message(types.ShowMessageParams(types.MessageType.Warning, message))

    def lines(self, uri: str, analysis: Analysis) -> features.Lines:
        return features.Lines(analysis.text, self.server.workspace.position_codec.client_num_units)

    async def saved_file(self, uri: str) -> None:
        """On save: the repo-level rules about the file, and a check of
        every open document if a file a configuration came from changed."""
        path = _path(uri)
        if path is None:
            return
        if await self.run(self.engines.stale):
            self.recheck_all()
        self.saved[uri] = await self.run(lambda: repo_level(self.engines, path))
        self.latest.pop(uri, None)  # Its findings are to be joined to the rules'.
        self.request(uri)

    def closed(self, uri: str) -> None:
        for table in (self.latest, self.saved):
            table.pop(uri, None)
        self.dirty.discard(uri)
        self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    async def files_changed(self) -> None:
        """A configuration, template or baseline file changed: rebuild,
        and check every open document again."""
        await self.run(self.engines.forget)
        self.recheck_all()

    def recheck_all(self) -> None:
        self.latest.clear()
        for uri in list(self.server.workspace.text_documents):
            self.request(uri)


def _path(uri: str) -> Path | None:
    """The file a document is, or None for one that is not a file
    (``untitled:``): its configuration cannot be found."""
    if not uri.startswith("file:"):
        return None
    found = to_fs_path(uri)
    return Path(found) if found else None


def build(options: Options) -> LanguageServer:
    """The server, its features registered."""
    server = LanguageServer("speckeeper", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
    session = Session(server, options)

    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        session.configure(options.updated(params.initialization_options))

    @server.feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams) -> None:
        await _watch_files(server)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        session.request(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        session.request(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(params: types.DidSaveTextDocumentParams) -> None:
        await session.saved_file(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        session.closed(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        if params.changes and all(change.uri.endswith((".yaml", ".yml")) for change in params.changes):
            session.recheck_all()  # A metadata file: each check reads it again.
        else:
            await session.files_changed()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, features.FIX_ALL]),
    )
    async def code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        return await _on_current(
            session,
            uri,
            [],
            lambda a, lines: features.code_actions(
                a, uri, lines, params.range, params.context.only, session.docs_url(), session.disabled_support()
            ),
        )

    @server.command(features.SHOW_NOT_FIXED)
    def show_not_fixed(ls: LanguageServer, *arguments: object) -> None:
        """Run by the client after it applies a "Fix all" that left findings."""
        message = next((argument for argument in arguments if isinstance(argument, str)), "")
        if message:
            session.tell(message)

    @server.feature(framing.DROPPED)
    def message_dropped(ls: LanguageServer, params: object) -> None:
        """The input skipped a message over its limit: the client is told.
        (``ls`` first: pygls passes the server to a handler that asks.)"""
        message = params.get("message") if isinstance(params, dict) else getattr(params, "message", "")
        ls.window_log_message(types.LogMessageParams(types.MessageType.Error, str(message)))

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    async def formatting(params: types.DocumentFormattingParams) -> list[types.TextEdit]:
        nothing: tuple[list[types.TextEdit], str] = ([], "")
        edits, why = await _on_current(session, params.text_document.uri, nothing, features.formatting)
        if why:
            session.tell(why)
        return edits

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(params: types.HoverParams) -> types.Hover | None:
        return await _on_current(
            session, params.text_document.uri, None, lambda a, lines: features.hover(a, lines, params.position)
        )

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=TRIGGERS))
    async def completion(params: types.CompletionParams) -> list[types.CompletionItem]:
        return await _on_current(
            session, params.text_document.uri, [], lambda a, lines: features.completion(a, lines, params.position)
        )

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def document_symbol(params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        return await _on_current(session, params.text_document.uri, [], features.symbols)

    return server


async def _on_current(
    session: Session, uri: str, empty: T, answer: Callable[[Analysis, features.Lines], T]
) -> T:
    """``answer`` about the document as it is now, on the worker thread
    (a fix parses); ``empty`` for a document that is not open or a file."""
    analysis = await session.current(uri)
    if analysis is None:
        return empty
    lines = session.lines(uri, analysis)
    return await session.run(lambda: answer(analysis, lines))


async def _watch_files(server: LanguageServer) -> None:
    """Ask the client to report changes to configuration files, where it
    can; elsewhere the next check notices them itself."""
    workspace = server.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace is not None else None
    if watched is None or not watched.dynamic_registration:
        return
    registration = types.Registration(
        id="speckeeper-configuration",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED]
        ),
    )
    try:
        await server.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
    except Exception:  # noqa: BLE001  A client that refuses still gets checks that notice changes.
        log.warning("the client did not register file watchers")


def serve(options: Options) -> int:
    """Serve on standard input and output until the client stops the
    server: 0 after ``shutdown``, 1 without it, as the protocol asks
    (pygls computes that code, then its own loop swallows the exit)."""
    server = build(options)
    stopped: list[bool] = []

    @server.feature(types.SHUTDOWN)
    def shutdown(params: None) -> None:
        stopped.append(True)

    server.start_io(framing.BoundedInput(sys.stdin.buffer))  # type: ignore[arg-type]
    return 0 if stopped else 1

