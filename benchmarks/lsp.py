"""The language server's latency and memory: ``speckeeper lsp`` driven by
a real LSP client (pygls') over stdio, as an editor drives it.

    .venv/bin/python benchmarks/lsp.py                 # 200 edits, 50 open specs
    .venv/bin/python benchmarks/lsp.py --edits 50 --open 10   # a smoke run
    .venv/bin/python benchmarks/lsp.py --markdown FILE  # also write the report
    .venv/bin/python benchmarks/lsp.py --kep           # a 2,000-line KEP README instead

On a copy of the nova-specs corpus configured as nova's gate (as
``benchmarks/run.py``), it measures:

1. latency: the spec nearest 500 lines is opened; then, 200 times, one
   character is typed (an incremental ``didChange``, alternately inserting
   and deleting a letter in its prose) and the time until the server
   publishes the diagnostics of that version is taken. One edit waits for
   the one before: this is the time a check takes the server, end to end,
   not how well it coalesces. Target: median <= 50 ms, 95th percentile <=
   100 ms. The server's CPU time per edit is reported too: wall times
   grow with the machine's other work, CPU time much less; and so is the
   same check run in this process without a server, right after: the
   floor the latency is made of.
2. memory: the server's resident memory with that one spec open, then with
   50 specs open (each checked), read from /proc (VmRSS, VmHWM).

With ``--kep``, the document is a KEP README of 2,000 lines in a KEP repo
(``preset = "kep"``: the template, the README's ``kep.yaml`` and its
production readiness approval, from tests/fixtures/markdown/kep): the
conforming KEP of the fixtures, its "Test Plan" grown by detail
subsections (prose, a list, a YAML block) to 2,000 lines; the other
fixture KEPs are the documents opened for the memory figure. The same
targets hold for Markdown.

It stands apart from ``benchmarks/run.py``, whose items time whole
commands: this one times messages inside one long-lived process.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "nova-specs"
sys.path.insert(0, str(REPO))
from tests.conftest import NOVA_GATE_CONFIG  # noqa: E402  (the gate, as the tests configure it)

from lsprotocol import types  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402

TARGET_LINES = 500
KEP_LINES = 2_000
KEP_FIXTURES = REPO / "tests" / "fixtures" / "markdown" / "kep"
WAIT = 30.0  # Seconds a publication may take before the run fails.


class Client(LanguageClient):
    """pygls' client, noting when each version's diagnostics arrive."""

    def __init__(self) -> None:
        super().__init__("speckeeper-benchmark", "1")
        self.arrived: dict[tuple[str, int | None], float] = {}

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.arrived[(params.uri, params.version)] = time.perf_counter()

    async def diagnosed(self, uri: str, version: int) -> float:
        """When the diagnostics of ``uri`` at ``version`` arrived."""
        deadline = time.monotonic() + WAIT
        while (uri, version) not in self.arrived:
            if time.monotonic() > deadline:
                raise RuntimeError(f"no diagnostics for {uri} version {version} in {WAIT} s")
            await asyncio.sleep(0.0005)
        return self.arrived[(uri, version)]


def _memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def _cpu(pid: int) -> float:
    """User and system CPU seconds a process has used: unlike wall time,
    what the machine's other work barely changes."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _in_process(spec: Path, text: str, runs: int = 25) -> float:
    """The median time of the same check in this process, without a
    server: the floor the server's latency is to be compared with."""
    from speckeeper.lsp.engine import Engines, analyse

    engines = Engines()
    analyse(engines, spec, text, 0)  # The template loaded, the configuration found.
    times = []
    for run in range(runs):
        start = time.perf_counter()
        analyse(engines, spec, text + "x" * (run % 2), run)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _nearest(specs: list[Path], lines: int) -> Path:
    return min(specs, key=lambda path: (abs(len(path.read_text(encoding="utf-8").splitlines()) - lines), str(path)))


def _prose_line(text: str) -> int:
    """A 0-based line of plain prose, in the middle of the spec, to type in."""
    rows = text.splitlines()
    middle = len(rows) // 2
    for offset in range(len(rows)):
        for row in (middle + offset, middle - offset):
            if 0 <= row < len(rows) and rows[row][:1].isalpha() and 20 < len(rows[row]) < 70 and rows[row].count(" ") > 3:
                if row + 1 < len(rows) and rows[row + 1].strip() and rows[row + 1][:1].isalpha():
                    return row
    raise RuntimeError("no prose line to type in")


def _open(client: Client, path: Path) -> str:
    uri = from_fs_path(str(path)) or ""
    text = path.read_text(encoding="utf-8")
    language = "markdown" if path.suffix == ".md" else "restructuredtext"
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)))
    return uri


def _detail(number: int) -> list[str]:
    """One detail subsection of a long KEP: a heading, prose, a list, a
    YAML block (about 25 lines)."""
    return [
        f"#### Detail {number}: the controller's handling of case {number}",
        "",
        "The controller watches the objects this enhancement adds and",
        "reconciles them with the state of the cluster. When the annotation",
        "is present, it records the time the job was scheduled and exposes",
        "it to the users who need it, without changing the behaviour of",
        "workloads that do not opt in. Failures are retried with backoff.",
        "",
        "- the API server validates the new field on create and update",
        "- the controller sets it once, and never clears it afterwards",
        "- clients that do not know the field keep working unchanged",
        "- the metric `job_scheduled_timestamp_total` counts the updates",
        "",
        "```yaml",
        "apiVersion: batch/v1",
        "kind: CronJob",
        "metadata:",
        f"  name: example-{number}",
        "  annotations:",
        '    batch.kubernetes.io/cronjob-scheduled-timestamp: "2026-01-01T00:00:00Z"',
        "```",
        "",
        "Reviewers asked whether the timestamp should be in UTC; it is, as every",
        "timestamp of the API, and the tests check that it round-trips.",
        "",
    ]


def kep_root(work: Path) -> tuple[Path, Path, list[Path]]:
    """A KEP repo in ``work``: its root, the 2,000-line README, and the
    other KEPs (see the module)."""
    root = work / "enhancements"
    keps = root / "keps"
    (root / ".git").mkdir(parents=True)
    (root / ".speckeeper.toml").write_text('preset = "kep"\n', encoding="utf-8")
    places = {
        "NNNN-kep-template": ("template.md", "template-kep.yaml"),
        "sig-apps/4026-crojob-scheduled-timestamp-annotation": ("4026-conforming.md", "4026-kep.yaml"),
        "sig-network/5495-deprecate-ipvs-mode-in-kube-proxy": ("5495-missing-one.md", "5495-kep.yaml"),
        "sig-node/4009-add-cdi-devices-to-device-plugin-api": ("4009-missing-two.md", "4009-kep.yaml"),
    }
    for folder, (readme, metadata) in places.items():
        (keps / folder).mkdir(parents=True)
        shutil.copy(KEP_FIXTURES / readme, keps / folder / "README.md")
        shutil.copy(KEP_FIXTURES / metadata, keps / folder / "kep.yaml")
    for sig, number in (("sig-apps", "4026"), ("sig-network", "5495")):
        (keps / "prod-readiness" / sig).mkdir(parents=True)
        shutil.copy(KEP_FIXTURES / f"prr-{sig}-{number}.yaml", keps / "prod-readiness" / sig / f"{number}.yaml")
    spec = keps / "sig-apps/4026-crojob-scheduled-timestamp-annotation/README.md"
    rows = spec.read_text(encoding="utf-8").split("\n")
    at = rows.index("### Graduation Criteria")
    details: list[str] = []
    while len(rows) + len(details) < KEP_LINES:
        details += _detail(len(details) // 25 + 1)
    rows[at:at] = details
    spec.write_text("\n".join(rows), encoding="utf-8")
    others = [keps / folder / "README.md" for folder in places if folder != "NNNN-kep-template"]
    return root, spec, [path for path in others if path != spec]


def _type(client: Client, uri: str, version: int, row: int, column: int) -> None:
    """One character typed (even versions) or deleted again (odd ones)."""
    if version % 2 == 0:
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(row, column), types.Position(row, column)), text="x"
        )
    else:
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(row, column), types.Position(row, column + 1)), text=""
        )
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(types.VersionedTextDocumentIdentifier(uri=uri, version=version), [change])
    )


async def measure(root: Path, spec: Path, specs: list[Path], edits: int, open_count: int) -> dict[str, object]:
    text = spec.read_text(encoding="utf-8")
    client = Client()
    await client.start_io(sys.executable, "-m", "speckeeper", "lsp", cwd=str(root))
    assert client._server is not None
    pid = client._server.pid
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(), process_id=os.getpid()))
    client.initialized(types.InitializedParams())
    uri = _open(client, spec)
    await client.diagnosed(uri, 1)
    row = _prose_line(text)
    column = len(text.splitlines()[row]) // 2
    latencies = []
    cpu = _cpu(pid)
    for version in range(2, edits + 2):
        sent = time.perf_counter()
        _type(client, uri, version, row, column)
        latencies.append(await client.diagnosed(uri, version) - sent)
    cpu = (_cpu(pid) - cpu) / edits
    one = _memory(pid)
    others = [path for path in specs if path != spec][: max(open_count - 1, 0)]
    for path in others:
        await client.diagnosed(_open(client, path), 1)
    many = _memory(pid)
    await client.shutdown_async(None)
    floor = _in_process(spec, text)
    client.exit(None)
    await client.stop()
    ms = sorted(latency * 1000 for latency in latencies)
    return {
        "spec": f"{spec.relative_to(root).as_posix()} ({len(text.splitlines())} lines)",
        "markdown": spec.suffix == ".md",
        "edits": len(ms),
        "median": statistics.median(ms),
        "p95": ms[min(len(ms) - 1, round(0.95 * len(ms)) - 1)],
        "min": ms[0],
        "max": ms[-1],
        "cpu": cpu * 1000,
        "floor": floor,
        "rss one": one["VmRSS"] / 1024,
        "rss many": many["VmRSS"] / 1024,
        "peak": many["VmHWM"] / 1024,
        "open": 1 + len(others),
    }


def report(found: dict[str, object], argv: Sequence[str], load: float) -> str:
    median, p95 = float(found["median"]), float(found["p95"])  # type: ignore[arg-type]
    verdict = "met" if median <= 50 and p95 <= 100 else "**not met**"
    return "\n".join(
        [
            "## The language server (`benchmarks/lsp.py`)" + (", a KEP README" if found["markdown"] else ""),
            "",
            f"- command: `{' '.join(['python', 'benchmarks/lsp.py', *argv])}`",
            f"- date: {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
            f"- machine: nproc {os.cpu_count()}, {platform.machine()}, Python {platform.python_version()},"
            f" load average before {load:.2f}, after {os.getloadavg()[0]:.2f}",
            f"- spec: {found['spec']}; {found['edits']} one-character edits (incremental didChange), each"
            " waiting for the diagnostics of its version",
            "",
            "| what | value | target | |",
            "| --- | ---: | ---: | --- |",
            f"| didChange to publishDiagnostics, median | {median:.1f} ms | <= 50 ms | {verdict} |",
            f"| didChange to publishDiagnostics, 95th percentile | {p95:.1f} ms | <= 100 ms | |",
            f"| fastest, slowest | {found['min']:.1f} ms, {found['max']:.1f} ms | | |",
            f"| server CPU time per edit (user + system) | {found['cpu']:.1f} ms | | |",
            f"| the same check in one process, no server, median of 25 | {found['floor']:.1f} ms | | |",
            f"| server memory, 1 spec open (VmRSS) | {found['rss one']:.0f} MB | | |",
            f"| server memory, {found['open']} specs open (VmRSS; peak VmHWM) | {found['rss many']:.0f} MB;"
            f" {found['peak']:.0f} MB | | |",
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the nova-specs corpus (holds specs/)")
    parser.add_argument("--edits", type=int, default=200, metavar="N", help="one-character edits timed (default 200)")
    parser.add_argument("--open", type=int, default=50, metavar="N", help="specs open for the memory figure (default 50)")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="also write the report to FILE")
    parser.add_argument("--kep", action="store_true", help=f"a {KEP_LINES:,}-line KEP README in a KEP repo, not nova's corpus")
    args = parser.parse_args(argv)
    if not args.kep and not (args.corpus / "specs").is_dir():
        parser.error(f"no corpus at {args.corpus} (see --corpus)")
    work = Path(tempfile.mkdtemp(prefix="speckeeper-lsp-bench-"))
    try:
        if args.kep:
            root, spec, specs = kep_root(work)
        else:
            root = work / "nova"
            shutil.copytree(args.corpus / "specs", root / "specs")
            (root / ".git").mkdir()
            (root / ".speckeeper.toml").write_text(NOVA_GATE_CONFIG, encoding="utf-8")
            specs = sorted(path for path in (root / "specs").rglob("*.rst") if not path.name.endswith("template.rst"))
            spec = _nearest(specs, TARGET_LINES)
        os.environ["SPECKEEPER_CACHE_DIR"] = str(work / "cache")  # Templates parsed once, in the work folder.
        load = os.getloadavg()[0]
        found = asyncio.run(measure(root, spec, specs, args.edits, args.open))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = report(found, argv, load)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
