"""``speckeeper status``: counts per release and state, in text, JSON and
one HTML page; the page read in a real headless browser (Debian's
chromium), and the counts over the nova corpus against the folders."""

from __future__ import annotations

import contextlib
import html.parser
import io
import json
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from speckeeper.cli import main

from .conftest import FIXTURES, Ran, speckeeper

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
# A file name a change could bring: markup and a control character.
HOSTILE = "x<img src=q onerror=alert(1)>\x1b"


def repo(root: Path) -> Path:
    """Specs in two releases and the abandoned folder; nova's defaults."""
    files = {
        ".speckeeper.toml": 'project = "nova"\n',
        "specs/zed/approved/awesome-thing.rst": GOOD,
        "specs/zed/implemented/awesome-thing-two.rst": GOOD,  # SK303: the URL names another blueprint.
        "specs/2025.1/approved/awesome-thing-x.rst": GOOD.replace("Testing\n=======\n\n", ""),
        "specs/2025.1/approved/awesome-thing-y.rst": GOOD.replace("awesome-thing", "awesome-thing-y"),
        "specs/zed/redirects": "approved/gone.rst ../implemented/gone.rst\n",
        "specs/abandoned/awesome-thing-z.rst": GOOD.replace("awesome-thing", "awesome-thing-z"),
    }
    for relpath, text in files.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(text, encoding="utf-8")
    return root


def test_text_counts_specs_passes_and_findings_per_release_and_state(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(in_tmp)
    ran = speckeeper(capsys, "status")
    assert ran == Ran(
        0,
        [
            "release  state        specs  pass  findings  most common",
            "zed      approved         1     1         0",
            "zed      implemented      1     0         1  SK303 (1)",
            "2025.1   approved         2     1         2  SK303 (1), SK101 (1)",
            "         abandoned        1     1         0",
            "         total            5     3         3  SK303 (2), SK101 (1)",
            "other files: 1 finding(s): SK311 (1)",
        ],
        [],
    )


def test_json_has_the_groups_the_total_and_each_specs_findings(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(in_tmp)
    ran = speckeeper(capsys, "status", "--format", "json")
    data = json.loads("\n".join(ran.out))
    assert data["total"] == {"release": "", "state": "total", "specs": 5, "passing": 3, "findings": 3, "codes": {"SK303": 2, "SK101": 1}}
    assert [(g["release"], g["state"], g["specs"], g["passing"]) for g in data["groups"]] == [
        ("zed", "approved", 1, 1),
        ("zed", "implemented", 1, 0),
        ("2025.1", "approved", 2, 1),
        ("", "abandoned", 1, 1),
    ]
    assert sorted(data["specs"]) == ["specs/2025.1/approved/awesome-thing-x.rst", "specs/zed/implemented/awesome-thing-two.rst"]
    assert [f["code"] for f in data["other"]] == ["SK311"]


def test_html_escapes_what_the_repo_names(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(in_tmp)
    (in_tmp / f"specs/zed/approved/{HOSTILE}.rst").write_text(GOOD, encoding="utf-8")
    page = "\n".join(speckeeper(capsys, "status", "--format", "html").out)
    assert "<img" not in page and "<script" not in page.lower() and "\x1b" not in page
    assert "x&lt;img src=q onerror=alert(1)&gt;\\x1b.rst" in page
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")  # Nothing fetched.


def status_of(repo: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    """``speckeeper status ARGS`` in ``repo``, in this process; its output."""
    monkeypatch.chdir(repo)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["status", *args]) == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One findings cache for the module's runs over the corpus: the second
    reads what the first found (a check of 809 specs takes a while)."""
    return str(tmp_path_factory.mktemp("findings-cache"))


def test_on_nova_the_counts_are_the_files_per_folder(nova_repo: Path, monkeypatch: pytest.MonkeyPatch, cache: str) -> None:
    """Counted independently: the .rst files of each release's state
    folders, templates aside (the nova-gate configuration excludes them
    and the abandoned folder)."""
    data = json.loads(status_of(nova_repo, monkeypatch, "--format", "json", "--cache", cache))
    folders = {
        (folder.parent.name, folder.name): len([p for p in folder.glob("*.rst") if not p.name.endswith("-template.rst")])
        for folder in (nova_repo / "specs").glob("*/*")
        if folder.is_dir() and folder.parent.name != "abandoned"
    }
    counted = {(g["release"], g["state"]): g["specs"] for g in data["groups"]}
    assert counted == {place: count for place, count in folders.items() if count}
    assert data["total"]["specs"] == sum(folders.values()) == 809
    assert data["total"]["passing"] == 809 - len(data["specs"]) == sum(g["passing"] for g in data["groups"])
    assert [f["code"] for f in data["other"]] == ["SK311"] * 3  # nova's three broken redirects.


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_path() -> str:
    """Debian's chromium; the test skips, saying why, without it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium; .ci/run installs it): the HTML report is not checked in a browser")
    return found


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """chromium, headless, with a profile of the test's own."""
    return subprocess.run(
        [chromium_path(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def png_size(path: Path) -> tuple[int, int]:
    """A PNG's width and height, from its header."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


class _Text(html.parser.HTMLParser):
    """The text a reader sees, from a dumped DOM (styles aside)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._style = tag in ("style", "title")

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.parts.append(data)


def test_on_nova_the_html_report_reads_in_a_browser(nova_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: str) -> None:
    chromium_path()  # Skip before the corpus is checked.
    page = tmp_path / "status.html"
    page.write_text(status_of(nova_repo, monkeypatch, "--format", "html", "--cache", cache), encoding="utf-8")
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><title>blank</title>", encoding="utf-8")
    shots = {}
    for name, source in (("report", page), ("blank", blank)):
        shot = tmp_path / f"{name}.png"
        done = chromium(tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,1500", source.as_uri())
        assert shot.is_file(), done.stderr[-2000:]
        assert png_size(shot) == (1200, 1500)
        shots[name] = shot.stat().st_size
    # Charts and tables drawn: far more to compress than a blank page.
    assert shots["report"] > 10 * shots["blank"], shots
    done = chromium(tmp_path / "profile", "--dump-dom", page.as_uri())
    reader = _Text()
    reader.feed(done.stdout)
    text = " ".join(" ".join(reader.parts).split())
    assert "809 specs in 26 releases" in text
    for heading in ("Specs per release and state", "Specs that pass, per release", "By release and state", "Specs with findings"):
        assert heading in text
    assert "2026.2 approved 6 6 100%" in text and "juno implemented 49" in text
    assert "Findings on other files (3)" in text and "SK311" in text
    # Read without JavaScript: the page has none (and no handler for any).
    assert "<script" not in done.stdout.lower() and " on" not in page.read_text().split("<body>", 1)[0]
