"""``speckeeper status``: counts per release and state, in text, JSON and
one HTML page; the page read in a real headless browser (Debian's
chromium), and the counts over the nova corpus against the folders."""

from __future__ import annotations

import contextlib
import html.parser
import io
import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from speckeeper.cli import main

from .conftest import FIXTURES, Ran, git, git_repo, speckeeper

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
    assert re.search(r"Made \d{4}-\d\d-\d\d \d\d:\d\d UTC", text) and "Older releases (25)" in text
    assert "4 abandoned, not checked" in text  # nova's gate excludes them: counted all the same.
    # Read without JavaScript: the page has none (and no handler for any).
    assert "<script" not in done.stdout.lower() and " on" not in page.read_text().split("<body>", 1)[0]
    # Older releases folded: a page to keep open, not to scroll (11,932 px before).
    assert page_height(tmp_path, page, 1100) < 3000


def page_height(folder: Path, page: Path, width: int) -> int:
    """How tall chromium lays ``page`` out at ``width``: read by a script of
    the test's own, in a page holding it in a frame (the report has none)."""
    frame = folder / "measure.html"
    frame.write_text(
        f'<!DOCTYPE html><body><iframe id="f" src="{page.name}" style="width:{width}px;height:500px"></iframe><script>'
        "document.getElementById('f').onload = function () {"
        " document.body.dataset.height = this.contentDocument.documentElement.scrollHeight; };</script></body>",
        encoding="utf-8",
    )
    done = chromium(folder / "profile", "--allow-file-access-from-files", "--virtual-time-budget=5000", "--dump-dom", frame.as_uri())
    found = re.search(r'data-height="(\d+)"', done.stdout)
    assert found, done.stderr[-2000:]
    return int(found.group(1))


def html_of(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    ran = speckeeper(capsys, "status", "--format", "html")
    assert (ran.code, ran.err) == (0, [])
    return "\n".join(ran.out)


def test_html_says_when_and_at_which_commit_it_was_made(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    git_repo(repo(in_tmp))
    commit = git(in_tmp, "rev-parse", "HEAD").strip()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796601600")
    assert f'<p class="made">Made 2026-12-07 00:00 UTC at commit <code>{commit[:12]}</code>.</p>' in html_of(in_tmp, capsys)
    assert json.loads("\n".join(speckeeper(capsys, "status", "--format", "json").out))["commit"] == commit[:12]


def test_html_outside_git_says_so(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(in_tmp)
    assert re.search(r'<p class="made">Made \d{4}-\d\d-\d\d \d\d:\d\d UTC outside a git work tree\.</p>', html_of(in_tmp, capsys))


def releases_repo(root: Path) -> Path:
    """Findings in four releases whose text order (2025.1, 2026.1, yoga,
    zed) is not their release order (yoga, zed, 2025.1, 2026.1)."""
    repo(root)
    for release in ("yoga", "2026.1"):
        path = root / f"specs/{release}/approved/awesome-thing-two.rst"
        path.parent.mkdir(parents=True)
        path.write_text(GOOD, encoding="utf-8")  # SK303: the URL names another blueprint.
    return root


def test_html_shows_the_newest_release_first_and_folds_the_older(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = html_of(releases_repo(in_tmp), capsys)
    shown, folded = page.split("<h2>By release and state</h2>", 1)[1].split("<details><summary>Older releases (3)</summary>", 1)
    assert "<td>2026.1</td>" in shown and "<td>total</td>" in shown and "<td>abandoned</td>" in shown
    folded = folded.split("</details>", 1)[0]
    assert re.findall(r"<tr><td>([^<]+)</td>", folded) == ["2025.1", "zed", "zed", "yoga"]


def test_html_lists_findings_per_release_in_the_tables_order(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Newest first, the newest with findings open (2027.1 has none)."""
    releases_repo(in_tmp)
    (in_tmp / "specs/2027.1/approved").mkdir(parents=True)
    (in_tmp / "specs/2027.1/approved/awesome-thing.rst").write_text(GOOD, encoding="utf-8")
    page = html_of(in_tmp, capsys)
    summaries = re.findall(r"<details( open)?><summary>([^<]+)</summary>", page.split("Specs with findings", 1)[1])
    assert summaries == [
        (" open", "2026.1: 1 spec, 1 finding"),
        ("", "2025.1: 1 spec, 2 findings"),
        ("", "zed: 1 spec, 1 finding"),
        ("", "yoga: 1 spec, 1 finding"),
    ]


def test_html_tells_pass_from_fail_by_more_than_hue(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Okabe and Ito's blue and vermilion, the fail bars hatched, both named."""
    chart = html_of(repo(in_tmp), capsys).split("<h2>Specs that pass, per release</h2>", 1)[1].split("<h2>", 1)[0]
    assert re.search(r'<rect [^>]*fill="#0072b2"[^>]*><title>2025\.1 pass: 50%</title>', chart)
    assert re.search(r'<rect [^>]*fill="url\(#hatchd55e00\)"[^>]*><title>2025\.1 fail: 50%</title>', chart)
    assert '<pattern id="hatchd55e00"' in chart
    assert "</span>pass</li>" in chart and "</span>fail (hatched)</li>" in chart


def test_abandoned_specs_the_configuration_excludes_are_counted(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo(in_tmp)
    (in_tmp / ".speckeeper.toml").write_text('project = "nova"\nexclude = ["*-template.rst", "specs/abandoned/**"]\n', encoding="utf-8")
    (in_tmp / "specs/abandoned/index.rst").write_text("Abandoned\n=========\n", encoding="utf-8")  # No spec.
    assert speckeeper(capsys, "status").out[-1] == "abandoned: 1 spec(s), not checked (excluded)"
    assert json.loads("\n".join(speckeeper(capsys, "status", "--format", "json").out))["unchecked"] == {"abandoned": 1}
    page = html_of(in_tmp, capsys)
    assert "; 1 abandoned, not checked.</p>" in page
    assert '<td>abandoned</td><td class="n">1</td><td colspan="4">not checked: the configuration excludes them</td>' in page
