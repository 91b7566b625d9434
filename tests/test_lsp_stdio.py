"""``speckeeper lsp`` as a process, fed bytes on its standard input: what
no well-behaved client sends (issue 23, item 19)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("pygls", reason="the lsp extra (pygls) is not installed")

from speckeeper.lsp.framing import MOST_MESSAGE_BYTES  # noqa: E402


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


INITIALIZE = frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, "processId": None}})
INITIALIZED = frame({"jsonrpc": "2.0", "method": "initialized", "params": {}})
SHUTDOWN = frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
EXIT = frame({"jsonrpc": "2.0", "method": "exit"})


def serve(stdin: bytes, cwd) -> tuple[int, list[dict], str]:
    """The server's exit code, the messages it wrote and its standard
    error, run with a memory cap (what would fill memory fails the test)."""

    def cap_memory() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    done = subprocess.run(
        [sys.executable, "-m", "speckeeper", "lsp"],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        timeout=60,
        preexec_fn=cap_memory if sys.platform != "win32" else None,
        check=False,
    )
    return done.returncode, _messages(done.stdout), done.stderr.decode("utf-8", "replace")


def _messages(out: bytes) -> list[dict]:
    found = []
    while out:
        header, _, rest = out.partition(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in header.split(b"\r\n") if line.startswith(b"Content-Length"))
        found.append(json.loads(rest[:length]))
        out = rest[length:]
    return found


@pytest.mark.parametrize(
    "length",
    [
        pytest.param(b"3000000000", id="memory-error"),
        pytest.param(b"9" * 30, id="overflow-error"),
        pytest.param(b"9" * 5000, id="more-digits-than-int-reads"),
    ],
)
def test_an_absurd_content_length_is_dropped_and_the_server_goes_on(tmp_path, length: bytes) -> None:
    absurd = b"Content-Length: " + length + b"\r\n\r\n" + b'{"jsonrpc": "2.0", "id": 7, "method": "shutdown"}'
    code, messages, err = serve(INITIALIZE + INITIALIZED + absurd + SHUTDOWN + EXIT, tmp_path)
    assert "Traceback" not in err
    dropped = [m["params"]["message"] for m in messages if m.get("method") == "window/logMessage"]
    assert dropped and dropped[0].startswith("a message of ")
    assert dropped[0].endswith(f" bytes was dropped: speckeeper lsp reads at most {MOST_MESSAGE_BYTES:,}")
    # Served on: the shutdown after it is answered, and the exit is clean.
    assert [m["id"] for m in messages if "id" in m] == [1, 2]
    assert code == 0


def test_exit_without_shutdown_exits_1(tmp_path) -> None:
    code, messages, err = serve(INITIALIZE + INITIALIZED + EXIT, tmp_path)
    assert [m["id"] for m in messages if "id" in m] == [1]
    assert (code, "Traceback" in err) == (1, False)


def test_exit_after_shutdown_exits_0(tmp_path) -> None:
    code, messages, _ = serve(INITIALIZE + INITIALIZED + SHUTDOWN + EXIT, tmp_path)
    assert [m["id"] for m in messages if "id" in m] == [1, 2]
    assert code == 0
