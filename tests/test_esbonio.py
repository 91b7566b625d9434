"""esbonio, Sphinx's language server, given a spec repo whose ``conf.py``
loads ``speckeeper.sphinx``, shows speckeeper's findings: its real server
(from scripts/test's .venv-docs) over stdio, driven by hand as an editor
drives it. esbonio has no diagnostics of its own: it shows what its
Sphinx build warns, so the findings arrive as Sphinx warnings."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any

import pytest

from .conftest import REPO
from .test_sphinx_extension import DOCS_PYTHON, checked, project

pytestmark = pytest.mark.slow


def _esbonio() -> str:
    if not DOCS_PYTHON.is_file():
        pytest.skip("no .venv-docs (bash scripts/test makes it)")
    probe = subprocess.run([str(DOCS_PYTHON), "-c", "import esbonio, sphinx, re2"], capture_output=True, text=True, timeout=60)
    if probe.returncode:
        pytest.skip(f".venv-docs lacks esbonio, Sphinx or google-re2 (bash scripts/test installs them): {probe.stderr.strip()}")
    return str(DOCS_PYTHON)


class Client:
    """The editor's end of the JSON-RPC stream: what the server sends,
    as it comes, and the answers to its requests of the client."""

    def __init__(self, process: subprocess.Popen[bytes], settings: dict[str, Any]) -> None:
        self.process, self.settings = process, settings
        self.received: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, args=(process.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes] | None) -> None:
        assert stream is not None
        while True:
            headers: dict[str, str] = {}
            while not headers.get("content-length"):
                line = stream.readline()
                if not line:
                    self.received.put(None)
                    return
                name, _, value = line.decode("ascii").partition(":")
                if value:
                    headers[name.strip().casefold()] = value.strip()
            while stream.readline().strip():  # The rest of the header.
                pass
            self.received.put(json.loads(stream.read(int(headers["content-length"]))))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def next(self, deadline: float) -> dict[str, Any]:
        """The next notification, once the server's requests are answered."""
        while True:
            message = self.received.get(timeout=max(deadline - time.monotonic(), 0.1))
            assert message is not None, "esbonio exited"
            if "id" in message and "method" in message:
                self.send({"id": message["id"], "result": self._answer(message)})
            else:
                return message

    def _answer(self, request: dict[str, Any]) -> object:
        if request["method"] != "workspace/configuration":
            return None  # Progress tokens, capability registrations: accepted.
        answers = []
        for item in request["params"]["items"]:
            value: Any = self.settings
            for part in filter(None, item.get("section", "").split(".")):
                value = value.get(part, {})
            answers.append(value)
        return answers


def test_esbonio_shows_each_finding_at_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    python = _esbonio()
    root = project(tmp_path)
    spec = root / "specs/zed/approved/awesome-thing-x.rst"
    # The build's Python is the docs venv, with this checkout's speckeeper.
    settings = {"esbonio": {"sphinx": {"pythonCommand": {"command": [python], "env": {"PYTHONPATH": str(REPO / "hooks")}}}}}
    server = subprocess.Popen([python, "-m", "esbonio", "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=root)
    try:
        client = Client(server, settings)
        capabilities = {"workspace": {"configuration": True, "workspaceFolders": True}, "window": {"workDoneProgress": True}}
        folder = {"uri": root.as_uri(), "name": "specs"}
        client.send({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": root.as_uri(), "workspaceFolders": [folder], "capabilities": capabilities}})
        deadline = time.monotonic() + 240
        diagnostics = None
        while diagnostics is None:
            message = client.next(deadline)
            if message.get("id") == 1:
                client.send({"method": "initialized", "params": {}})
                document = {"uri": spec.as_uri(), "languageId": "restructuredtext", "version": 1, "text": spec.read_text(encoding="utf-8")}
                client.send({"method": "textDocument/didOpen", "params": {"textDocument": document}})
            elif message.get("method") == "sphinx/appCreated":  # Its Sphinx is ready: a save builds.
                client.send({"method": "textDocument/didSave", "params": {"textDocument": {"uri": spec.as_uri()}}})
            elif message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == spec.as_uri():
                diagnostics = message["params"]["diagnostics"]
    finally:
        server.kill()
        server.wait()
    shown = sorted((d["range"]["start"]["line"] + 1, d["message"].split()[0]) for d in diagnostics)
    expected = sorted((line, code) for path, line, code in checked(root, capsys) if path == "specs/zed/approved/awesome-thing-x.rst")
    assert shown == expected
    assert {code for _, code in shown} == {"SK101", "SK303"}
    assert all(d["message"].endswith(f"[speckeeper.{d['message'].split()[0]}]") for d in diagnostics)
