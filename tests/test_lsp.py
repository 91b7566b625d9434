"""``speckeeper lsp`` end to end: a real LSP client (pytest-lsp) talking to
the server over stdio, as an editor does.

One server for the module (starting one costs about half a second); each
test opens documents of its own, in a spec repo of its own.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import time
from pathlib import Path
from typing import Union

import pytest

pytest.importorskip("pygls", reason="the lsp extra (pygls) is not installed")
pytest_lsp = pytest.importorskip("pytest_lsp", reason="pytest-lsp is not installed")

from lsprotocol import types  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features  # noqa: E402
from pygls.protocol import default_converter  # noqa: E402

from speckeeper.document.rst.parse import RstParser  # noqa: E402

from .conftest import speckeeper  # noqa: E402
from speckeeper.document.template import load, packaged_path  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
SPEC = "specs/zed/approved/awesome-thing.rst"
PUBLISHED = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
WAIT = 20.0  # Seconds: far beyond a check (~15 ms), for a loaded CI machine.

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _converter():
    """pygls' converter, reading a code action that carries a command as a
    code action: lsprotocol's own takes any object with a "command" key
    for a Command, where the protocol tells them apart by its type (a
    string in a Command), as editors do."""
    converter = default_converter()

    def command_or_action(found: dict, _: object) -> types.Command | types.CodeAction:
        kind = types.Command if isinstance(found.get("command"), str) else types.CodeAction
        return converter.structure(found, kind)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], command_or_action)  # noqa: UP007 - the typing.Union lsprotocol registers
    return converter


def _client() -> LanguageClient:
    """pytest-lsp's client, keeping every diagnostics publication (with
    its version), not only the last of each document."""
    client = LanguageClient(converter_factory=_converter)
    client.published = []  # type: ignore[attr-defined]

    def published(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append(params)  # type: ignore[attr-defined]

    def register(client: LanguageClient, params: types.RegistrationParams) -> None:
        client.registered = [r.method for r in params.registrations]  # type: ignore[attr-defined]

    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES, PUBLISHED: published, types.CLIENT_REGISTER_CAPABILITY: register})
    return client


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "speckeeper", "lsp"], client_factory=_client),
    scope="module",
)
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("visual-studio-code"), process_id=None)
    )
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "speckeeper", "lsp"], client_factory=_client),
    scope="module",
)
async def configured(lsp_client: LanguageClient):
    """A server given initializationOptions, as an editor's settings give them."""
    options = {"baseline": False, "ruleDocsUrl": "https://docs.example/rules/{code}#{name}"}
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"), process_id=None, initialization_options=options
        )
    )
    yield
    await lsp_client.shutdown_session()


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A spec repo: the packaged nova template, one conformant spec."""
    (tmp_path / ".git").mkdir()
    (tmp_path / ".speckeeper.toml").write_text("", encoding="utf-8")
    spec = tmp_path / SPEC
    spec.parent.mkdir(parents=True)
    spec.write_text(GOOD, encoding="utf-8")
    return tmp_path


async def published(client: LanguageClient, uri: str, version: int) -> list[types.Diagnostic]:
    """The diagnostics published for ``uri`` at ``version``, once they come."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        for params in reversed(client.published):  # type: ignore[attr-defined]
            if params.uri == uri and params.version == version:
                return list(params.diagnostics)
        await asyncio.sleep(0.01)
    raise AssertionError(f"no diagnostics for {uri} at version {version} within {WAIT} s")


def open_spec(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = from_fs_path(str(path))
    assert uri is not None
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="restructuredtext", version=version, text=text or path.read_text())
        )
    )
    return uri


def change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def close(client: LanguageClient, uri: str) -> None:
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """The text with edits applied, as an editor applies them (positions in
    UTF-16 units; the tests' texts are ASCII, so units are characters)."""
    rows = text.splitlines(keepends=True) or [""]

    def offset(position: types.Position) -> int:
        return sum(len(row) for row in rows[: position.line]) + position.character

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = offset(edit.range.start), offset(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


def summary(diagnostics: list[types.Diagnostic]) -> list[tuple[int, str]]:
    """Each diagnostic as (0-based line, code)."""
    return [(d.range.start.line, str(d.code)) for d in diagnostics]


def line_of(text: str, wanted: str) -> int:
    """The 0-based line of the first line that is ``wanted``."""
    return text.splitlines().index(wanted)


async def actions(client: LanguageClient, uri: str, line: int, only: list[str] | None = None) -> list[types.CodeAction]:
    found = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(line, 0), types.Position(line, 0)),
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
    )
    return [action for action in found or [] if isinstance(action, types.CodeAction)]


def edits_of(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    assert action.edit is not None and action.edit.changes is not None
    return list(action.edit.changes[uri])


async def test_a_conformant_spec_has_no_diagnostics(client: LanguageClient, repo: Path) -> None:
    uri = open_spec(client, repo / SPEC)
    assert await published(client, uri, 1) == []
    close(client, uri)


async def test_edits_are_diagnosed_as_typed_at_their_place(client: LanguageClient, repo: Path) -> None:
    uri = open_spec(client, repo / SPEC)
    await published(client, uri, 1)
    # Delete a subsection: reported where it belongs, with the rule's code.
    text = GOOD.replace("Alternatives\n------------\n\nNone\n\n", "")
    change(client, uri, 2, text)
    found = await published(client, uri, 2)
    assert summary(found) == [(line_of(text, "Data model impact"), "SK102")]
    assert found[0].message.startswith('missing subsection "Alternatives" in "Proposed change"')
    assert found[0].severity == types.DiagnosticSeverity.Error and found[0].source == "speckeeper"
    # Misspell a title: the range is the title, nothing more.
    text = GOOD.replace("Use Cases\n---------", "Use cases\n---------")
    change(client, uri, 3, text)
    (near,) = await published(client, uri, 3)
    row = line_of(text, "Use cases")
    assert (near.code, near.range) == ("SK104", types.Range(types.Position(row, 0), types.Position(row, 9)))
    # Join a paragraph: the part of the line past the limit.
    joined = "Operators want servers to move between hosts without downtime; this spec proposes the awesome thing that lets them."
    text = GOOD.replace(
        "Operators want servers to move between hosts without downtime; this spec\nproposes the awesome thing that lets them.",
        joined,
    )
    change(client, uri, 4, text)
    (long,) = await published(client, uri, 4)
    row = line_of(text, joined)
    assert (long.code, long.range) == ("SK201", types.Range(types.Position(row, 79), types.Position(row, len(joined))))
    close(client, uri)


async def test_quick_fixes_are_the_fixers_and_keep_the_meaning(client: LanguageClient, repo: Path) -> None:
    broken = (
        GOOD.replace("Alternatives\n------------\n\nNone\n\n", "")
        .replace("Dependencies\n============", "Dependencies\n=======")
        .replace("Use Cases\n---------", "Use cases\n---------")
        .replace("Moving a server today stops it for as long as the copy takes.", "Moving a server today stops it.   ")
        .replace(
            "Operators want servers to move between hosts without downtime; this spec\nproposes",
            "Operators want servers to move between hosts without downtime; this spec proposes",
        )
    )
    uri = open_spec(client, repo / SPEC, broken)
    found = await published(client, uri, 1)
    assert sorted(code for _, code in summary(found)) == ["SK102", "SK104", "SK109", "SK201", "SK203"]
    text = broken
    titles = []
    for code in ("SK201", "SK203", "SK109", "SK104", "SK102"):
        row = next(d.range.start.line for d in found if d.code == code)
        offered = await actions(client, uri, row, [types.CodeActionKind.QuickFix])
        (fix,) = [a for a in offered if a.diagnostics and a.diagnostics[0].code == code]
        titles.append(fix.title)
        text = apply(text, edits_of(fix, uri))
        version = len(titles) + 1
        change(client, uri, version, text)
        found = await published(client, uri, version)
        assert code not in {d.code for d in found}
    assert titles == [
        "Rewrap this paragraph",
        "Strip trailing whitespace",
        "Lengthen the adornment",
        'Rename to "Use Cases", as in the template',
        'Insert the missing subsection "Alternatives"',
    ]
    # Each finding fixed, nothing else changed: the spec as it was, but for the sentence cut short.
    assert found == []
    assert text == GOOD.replace("stops it for as long as the copy takes.", "stops it.")
    close(client, uri)


async def test_no_quick_fix_where_the_fix_would_change_the_meaning(client: LanguageClient, repo: Path) -> None:
    # An inserted "Dependencies" title would clash with the target of that name.
    text = GOOD.replace("Dependencies\n============\n\nNone\n\n", "").replace(
        "The admin guide gains a section on draining hosts.",
        "The admin guide gains a section on `dependencies`_.\n\n.. _dependencies: https://example.org/deps",
    )
    uri = open_spec(client, repo / SPEC, text)
    (missing,) = await published(client, uri, 1)
    assert missing.code == "SK101"
    assert await actions(client, uri, missing.range.start.line, [types.CodeActionKind.QuickFix]) == []
    # Nothing proves: "Fix all" is disabled, and says why.
    (fix_all,) = await actions(client, uri, 0, ["source.fixAll"])
    assert fix_all.edit is None and fix_all.disabled is not None
    assert fix_all.disabled.reason == (
        f'speckeeper fix left 1 finding: line {missing.range.start.line + 1}: not fixed: SK101 missing section'
        ' "Dependencies": the template has it here, before "Testing" (the fixed text would parse differently:'
        " <target> (line 118) would become <target>)"
    )
    close(client, uri)


async def test_fix_all_and_formatting_do_what_fix_does(client: LanguageClient, repo: Path) -> None:
    broken = GOOD.replace("as long as the copy takes.", "as long as the copy takes.  ").replace(
        "Dependencies\n============", "Dependencies\n====="
    )
    uri = open_spec(client, repo / SPEC, broken)
    await published(client, uri, 1)
    (fix_all,) = await actions(client, uri, 0, ["source.fixAll"])
    assert fix_all.title == "Fix all speckeeper findings"
    assert apply(broken, edits_of(fix_all, uri)) == GOOD
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(types.TextDocumentIdentifier(uri=uri), types.FormattingOptions(4, True))
    )
    assert apply(broken, list(edits or [])) == GOOD
    close(client, uri)


async def test_fix_all_and_formatting_fix_what_proves_and_say_why_the_rest_was_not(
    client: LanguageClient, repo: Path
) -> None:
    """A near-miss title a link names cannot be renamed: "Fix all" and
    formatting still strip the whitespace, and the editor is told why the
    title was left (issue 23, item 4)."""
    linked = GOOD.replace("Use Cases\n---------", "Use cses\n--------").replace(
        "Copy memory pages while", "Copy memory pages (see `Use cses`_) while"
    )
    broken = linked.replace("as long as the copy takes.", "as long as the copy takes.  ")
    uri = open_spec(client, repo / SPEC, broken)
    await published(client, uri, 1)
    line = linked.splitlines().index("Use cses") + 1
    why = (
        f'speckeeper fix left 1 finding: line {line}: not fixed: SK104 title "Use cses" should be "Use Cases" as in'
        " the template (the fixed text would parse differently: <reference> (line ?) would become <problematic>)"
    )
    (fix_all,) = await actions(client, uri, 0, ["source.fixAll"])
    fixed = apply(broken, edits_of(fix_all, uri))
    assert fixed.replace("Copy memory pages (see `Use cses`_) while the server runs, then switch over.\n", "") == (
        linked.replace("Copy memory pages (see `Use cses`_) while the server runs, then switch over. The state\n", "")
        .replace("machine looks like this::", "The state machine looks like this::")
    )
    # Applied, the action's command shows why the rest was left.
    assert fix_all.command is not None
    client.messages.clear()
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(fix_all.command.command, fix_all.command.arguments)
    )
    assert [(m.type, m.message) for m in client.messages] == [(types.MessageType.Warning, why)]
    client.messages.clear()
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(types.TextDocumentIdentifier(uri=uri), types.FormattingOptions(4, True))
    )
    assert apply(broken, list(edits or [])) == fixed
    assert [(m.type, m.message) for m in client.messages] == [(types.MessageType.Warning, why)]
    close(client, uri)


async def test_hover_shows_the_template_guidance_and_the_rule(client: LanguageClient, repo: Path) -> None:
    text = GOOD.replace("Use Cases\n---------", "Use cases\n---------")
    uri = open_spec(client, repo / SPEC, text)
    await published(client, uri, 1)
    on_title = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri=uri), types.Position(line_of(text, "Use cases"), 2))
    )
    assert on_title is not None and isinstance(on_title.contents, types.MarkupContent)
    shown = on_title.contents.value
    assert shown.startswith("**Use Cases**: what the template asks for here")
    assert "What use cases does this address? What impact on actors does this change have?" in shown
    assert "**SK104** `near-miss-title`: A title differs from the template's only by case, spacing or a typo." in shown
    on_text = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri=uri), types.Position(line_of(text, "None"), 1))
    )
    assert on_text is None
    close(client, uri)


async def test_hover_on_a_title_accepted_for_a_template_section_shows_that_sections_guidance(
    client: LanguageClient, repo: Path
) -> None:
    (repo / ".speckeeper.toml").write_text('[section-aliases]\n"Use Cases" = ["User stories"]\n', encoding="utf-8")
    text = GOOD.replace("Use Cases\n---------", "User stories\n------------")
    uri = open_spec(client, repo / SPEC, text)
    assert await published(client, uri, 1) == []
    on_title = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri=uri), types.Position(line_of(text, "User stories"), 2))
    )
    assert on_title is not None and isinstance(on_title.contents, types.MarkupContent)
    assert on_title.contents.value.startswith("**Use Cases**: what the template asks for here")
    close(client, uri)


async def test_completion_on_an_adornment_line_offers_missing_sections_in_template_order(
    client: LanguageClient, repo: Path
) -> None:
    text = GOOD.replace("Dependencies\n============\n\nNone\n\n", "").replace(
        "Testing\n=======\n\nUnit and functional tests; a tempest scenario for live moves.\n\n", "===\n\n"
    )
    uri = open_spec(client, repo / SPEC, text)
    await published(client, uri, 1)
    row = line_of(text, "===")
    found = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri=uri), types.Position(row, 3))
    )
    items = found.items if isinstance(found, types.CompletionList) else list(found or [])
    assert [item.label for item in sorted(items, key=lambda item: item.sort_text or "")] == ["Dependencies", "Testing"]
    first = min(items, key=lambda item: item.sort_text or "")
    assert isinstance(first.text_edit, types.TextEdit)
    assert first.text_edit.new_text == "Dependencies\n============"
    assert first.text_edit.range == types.Range(types.Position(row, 0), types.Position(row, 3))
    elsewhere = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri=uri), types.Position(line_of(text, "None"), 2))
    )
    assert not (elsewhere.items if isinstance(elsewhere, types.CompletionList) else elsewhere)
    close(client, uri)


async def test_outline_lists_the_sections(client: LanguageClient, repo: Path) -> None:
    uri = open_spec(client, repo / SPEC)
    await published(client, uri, 1)
    found = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(uri=uri))
    )
    symbols = [s for s in found or [] if isinstance(s, types.DocumentSymbol)]
    # The spec has every section of the packaged template, in its order.
    template = load(packaged_path(), RstParser())
    assert [s.name for s in symbols] == ["Awesome thing for server migrations", *(s.title for s in template.sections)]
    problem = symbols[1]
    assert [child.name for child in problem.children or []] == ["Use Cases"]
    assert problem.selection_range.start.line == line_of(GOOD, "Problem description")
    assert problem.range.end.line == line_of(GOOD, "Proposed change")
    close(client, uri)


async def test_a_configuration_change_is_picked_up_without_a_restart(client: LanguageClient, repo: Path) -> None:
    uri = open_spec(client, repo / SPEC)
    assert await published(client, uri, 1) == []
    before = len(client.published)  # type: ignore[attr-defined]
    (repo / ".speckeeper.toml").write_text("line-length = 60\n", encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent(uri=from_fs_path(str(repo / ".speckeeper.toml")) or "", type=types.FileChangeType.Changed)]
        )
    )
    deadline = time.monotonic() + WAIT
    while not [p for p in client.published[before:] if p.uri == uri and p.diagnostics]:  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, "no new diagnostics after the configuration changed"
        await asyncio.sleep(0.01)
    assert {d.code for d in client.diagnostics[uri]} == {"SK201"}
    # Without the client's event too: the next check sees the file changed.
    (repo / ".speckeeper.toml").write_text('ignore = ["SK201"]\nline-length = 60\n', encoding="utf-8")
    change(client, uri, 2, GOOD)
    assert await published(client, uri, 2) == []
    # A configuration that does not load is one diagnostic, not a crash.
    (repo / ".speckeeper.toml").write_text("line-length = \n", encoding="utf-8")
    change(client, uri, 3, GOOD)
    (broken,) = await published(client, uri, 3)
    assert broken.message.startswith("configuration error: ") and "not valid TOML" in broken.message
    assert broken.range.start == types.Position(0, 0)
    close(client, uri)


async def test_hostile_documents_get_one_diagnostic_and_the_server_goes_on(client: LanguageClient, repo: Path) -> None:
    huge = open_spec(client, repo / "specs/zed/approved/huge.rst", "x\n" * 600_000)
    (too_large,) = await published(client, huge, 1)
    assert too_large.code == "SK004" and "max-bytes" in too_large.message
    many = open_spec(client, repo / "specs/zed/approved/many.rst", "".join(f"T{i}\n===\n\n" for i in range(1100)))
    (sections,) = await published(client, many, 1)
    assert sections.code == "SK004" and "max-sections" in sections.message
    deep = open_spec(client, repo / "specs/zed/approved/deep.rst", "".join("  " * i + "* x\n\n" for i in range(400)))
    found = await published(client, deep, 1)
    assert [d.code for d in found if d.code == "SK004"] == ["SK004"]
    surrogate = open_spec(client, repo / "specs/zed/approved/odd.rst", "Title\n=====\n\n\ud800\n")
    (undecodable,) = await published(client, surrogate, 1)
    assert undecodable.code == "SK002"
    good = open_spec(client, repo / SPEC)
    assert await published(client, good, 1) == []
    for uri in (huge, many, deep, surrogate, good):
        close(client, uri)


async def test_changes_made_during_a_check_are_coalesced(client: LanguageClient, repo: Path) -> None:
    uri = open_spec(client, repo / SPEC)
    await published(client, uri, 1)
    start = len(client.published)  # type: ignore[attr-defined]
    for version in range(2, 32):
        change(client, uri, version, GOOD + "\n" + "word " * version)
    await published(client, uri, 31)
    versions = [p.version for p in client.published[start:] if p.uri == uri]  # type: ignore[attr-defined]
    assert versions == sorted(versions) and versions[-1] == 31
    assert len(versions) < 30  # Fewer checks than edits: those made meanwhile were coalesced.
    close(client, uri)


async def test_repo_level_findings_come_on_save(client: LanguageClient, repo: Path) -> None:
    other = repo / "specs/zed/implemented/awesome-thing.rst"
    other.parent.mkdir(parents=True)
    other.write_text(GOOD, encoding="utf-8")
    uri = open_spec(client, repo / SPEC)
    assert await published(client, uri, 1) == []
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))
    deadline = time.monotonic() + WAIT
    while "SK312" not in {d.code for d in client.diagnostics.get(uri, [])}:
        assert time.monotonic() < deadline, "no repo-level finding after the save"
        await asyncio.sleep(0.01)
    close(client, uri)


async def test_the_baseline_applies_unless_the_settings_say_not(
    client: LanguageClient, configured: LanguageClient, repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    (repo / SPEC).write_text(GOOD.replace("Use Cases\n---------", "Use cases\n---------"), encoding="utf-8")
    monkeypatch.chdir(repo)
    assert speckeeper(capsys, "baseline").code == 0
    # As `speckeeper check`: what the baseline records is not shown.
    recorded = open_spec(client, repo / SPEC)
    assert await published(client, recorded, 1) == []
    # "baseline": false shows it, its code linked to the docs the settings name.
    shown = open_spec(configured, repo / SPEC)
    (near,) = await published(configured, shown, 1)
    assert near.code == "SK104" and near.code_description is not None
    assert near.code_description.href == "https://docs.example/rules/SK104#near-miss-title"
    close(client, recorded)
    close(configured, shown)




@pytest.mark.skipif(importlib.util.find_spec("markdown_it") is None, reason="the markdown extra is not installed")
async def test_a_kep_readme_is_served_over_stdio_as_typed(client: LanguageClient, tmp_path: Path) -> None:
    # In process, tests/test_lsp_markdown.py asks for hover and completion too.
    from .test_lsp_markdown import README, kep_repo

    readme = kep_repo(tmp_path) / README
    text = readme.read_text()
    uri = from_fs_path(str(readme))
    assert uri is not None
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=text))
    )
    assert summary(await published(client, uri, 1)) == [(line_of(text, "## Summary"), "SK101")]
    change(client, uri, 2, text.replace("### Non-Goals\n", "### Non-Gaols\n", 1))
    assert summary(await published(client, uri, 2)) == [(line_of(text, "## Summary"), "SK101"), (line_of(text, "### Non-Goals"), "SK104")]
    # Its kep.yaml changed on disk, as the editor reports it: checked again.
    kep_yaml = readme.parent / "kep.yaml"
    kep_yaml.write_text(kep_yaml.read_text().replace("status: implementable", "status: imlpemented"))
    before = len(client.published)  # type: ignore[attr-defined]
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams([types.FileEvent(from_fs_path(str(kep_yaml)) or "", types.FileChangeType.Changed)])
    )
    deadline = time.monotonic() + WAIT
    while not [p for p in client.published[before:] if p.uri == uri] and time.monotonic() < deadline:  # type: ignore[attr-defined]
        await asyncio.sleep(0.01)
    again = [p for p in client.published[before:] if p.uri == uri]  # type: ignore[attr-defined]
    assert again and [(d.range.start.line, d.code) for d in again[-1].diagnostics if d.code == "SK702"] == [(0, "SK702")]
    close(client, uri)
