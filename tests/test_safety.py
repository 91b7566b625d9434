"""What speckeeper will and will not write, and what it prints, when a
change is hostile or a user is unlucky (issue 13): never through a link,
never into .git, never over an edit made meanwhile, never a half-written
file; output that cannot forge a line or drive a terminal."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from speckeeper.fixing import fix
from speckeeper.engine import parallel
from speckeeper.cli import main

from .conftest import FIXTURES, speckeeper

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
# A spec that `fix` rewrites: one paragraph line past the limit.
LONG = GOOD.replace("None\n", "This line of the paragraph is too long: it runs well past the seventy-ninth column.\n", 1)
assert LONG != GOOD


@pytest.fixture()
def repo(in_tmp: Path) -> Path:
    """An empty git work tree with a spec folder and an empty config:
    nova's defaults (with no config, a tree with no line gate would get no
    long-line findings to fix)."""
    (in_tmp / ".git" / "hooks").mkdir(parents=True)
    (in_tmp / ".speckeeper.toml").write_text("", encoding="utf-8")
    (in_tmp / ".git" / "config").write_text("[core]\n\tbare = false\n", encoding="utf-8")
    (in_tmp / "specs" / "2026.2" / "approved").mkdir(parents=True)
    return in_tmp


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    ran = speckeeper(capsys, *argv)
    return ran.code, ran.out


def spec(relpath: str, text: str = LONG) -> Path:
    path = Path(relpath)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# Item 1: never through a link, never into .git.


def test_fix_never_writes_through_a_link_into_git(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    link = Path("specs/2026.2/approved/x.rst")
    link.symlink_to(Path("../../../.git/config"))
    before = Path(".git/config").read_bytes()
    code, out = run(capsys, "fix", "specs")
    assert code == 1
    # Not even read: what a finding quotes from it would leak into CI logs.
    assert out == ["specs/2026.2/approved/x.rst:1:1: SK001 symlink into the version control folder .git/: not read"]
    assert Path(".git/config").read_bytes() == before and link.is_symlink()


def test_fix_never_writes_through_a_linked_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = spec("drafts/x.rst")
    Path("specs/2026.2/approved/x.rst").symlink_to(Path("../../../drafts/x.rst"))
    code, out = run(capsys, "fix", "specs")
    assert (code, out) == (1, ["specs/2026.2/approved/x.rst:1:1: SK005 not fixed: is a symbolic link: checked, never written through"])
    assert target.read_text(encoding="utf-8") == LONG


def test_fix_never_writes_through_a_linked_folder(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = spec("elsewhere/x.rst")
    Path("specs/2026.2/approved").rmdir()
    Path("specs/2026.2/approved").symlink_to(Path("../../elsewhere"))
    code, out = run(capsys, "fix", "specs/2026.2/approved/x.rst")
    assert (code, out) == (
        1,
        ["specs/2026.2/approved/x.rst:1:1: SK005 not fixed: reached through the symbolic link approved: checked, never written through"],
    )
    assert target.read_text(encoding="utf-8") == LONG


def test_a_linked_folder_out_of_the_repository_is_not_read(repo: Path, tmp_path_factory, capsys) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "x.rst").write_text(LONG, encoding="utf-8")
    Path("specs/2026.2/approved").rmdir()
    Path("specs/2026.2/approved").symlink_to(outside)
    code, out = run(capsys, "fix", "specs/2026.2/approved/x.rst")
    assert code == 1
    assert out == [f"specs/2026.2/approved/x.rst:1:1: SK001 symlink to {outside.resolve() / 'x.rst'}, outside the repository: not read"]
    assert (outside / "x.rst").read_text(encoding="utf-8") == LONG


@pytest.mark.slow
def test_new_never_writes_through_a_dangling_link(repo: Path, tmp_path_factory, capsys) -> None:
    outside = tmp_path_factory.mktemp("outside") / "planted.rst"
    Path("specs/2026.2/approved/my-feature.rst").symlink_to(outside)
    code = main(["new", "--defaults", "--release", "2026.2", "-d", "blueprint=my-feature"])
    assert code == 1
    assert "specs/2026.2/approved/my-feature.rst already exists; nothing written" in capsys.readouterr().err
    assert not outside.exists()


def test_write_baseline_never_overwrites_a_links_target(repo: Path, tmp_path_factory, capsys) -> None:
    outside = tmp_path_factory.mktemp("outside") / "precious.json"
    outside.write_text("precious\n", encoding="utf-8")
    spec("specs/2026.2/approved/x.rst", GOOD.replace("Problem description", "Problem statement"))
    Path("baseline.json").symlink_to(outside)
    code = main(["check", "specs", "--write-baseline", "baseline.json"])
    assert code == 2
    assert capsys.readouterr().err.strip() == (
        "speckeeper: error: baseline.json: cannot write the baseline: is a symbolic link: checked, never written through"
    )
    assert outside.read_text(encoding="utf-8") == "precious\n"


# Item 4: an edit made while `fix` runs is never lost.


def _meanwhile(monkeypatch: pytest.MonkeyPatch, change) -> None:  # type: ignore[no-untyped-def]
    """Run ``change`` after fix has computed every file, before it writes."""
    real = parallel.map_files

    def map_files(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = real(*args, **kwargs)
        change()
        return found

    monkeypatch.setattr(fix.parallel, "map_files", map_files)


def test_a_spec_edited_while_fixing_keeps_the_edit(repo, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = spec("specs/2026.2/approved/x.rst")
    edited = LONG + "\nA line the author added meanwhile.\n"
    _meanwhile(monkeypatch, lambda: path.write_text(edited, encoding="utf-8"))
    code, out = run(capsys, "fix", "specs")
    assert (code, out) == (1, ["specs/2026.2/approved/x.rst:1:1: SK005 not fixed: changed while fixing: left as it is now"])
    assert path.read_text(encoding="utf-8") == edited


def test_a_spec_replaced_while_fixing_is_left(repo, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An editor that saves by rename: the same bytes, another file."""
    path = spec("specs/2026.2/approved/x.rst")

    def save_by_rename() -> None:
        Path("specs/2026.2/approved/.x.rst.swp").write_text(LONG, encoding="utf-8")
        os.replace("specs/2026.2/approved/.x.rst.swp", path)

    _meanwhile(monkeypatch, save_by_rename)
    code, out = run(capsys, "fix", "specs")
    assert out == ["specs/2026.2/approved/x.rst:1:1: SK005 not fixed: changed while fixing (replaced by another file): left as it is now"]
    assert path.read_text(encoding="utf-8") == LONG


def test_a_spec_deleted_while_fixing_is_not_created_again(repo, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = spec("specs/2026.2/approved/x.rst")
    _meanwhile(monkeypatch, path.unlink)
    code, out = run(capsys, "fix", "specs")
    assert (code, out) == (1, ["specs/2026.2/approved/x.rst:1:1: SK005 not fixed: deleted while fixing: not created again"])
    assert not path.exists()
    assert os.listdir("specs/2026.2/approved") == []


def test_a_read_only_spec_is_not_rewritten(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = spec("specs/2026.2/approved/x.rst")
    path.chmod(0o444)
    code, out = run(capsys, "fix", "specs")
    assert (code, out) == (1, ["specs/2026.2/approved/x.rst:1:1: SK005 not fixed: read-only (mode 0444): not rewritten"])
    assert path.read_text(encoding="utf-8") == LONG and stat.S_IMODE(path.stat().st_mode) == 0o444


def test_a_spec_with_hard_links_is_not_split(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = spec("specs/2026.2/approved/x.rst")
    os.link(path, "copy.rst")
    code, out = run(capsys, "fix", "specs")
    assert out == ["specs/2026.2/approved/x.rst:1:1: SK005 not fixed: has 2 hard links: replacing it would split them, so it is left as it is"]
    assert os.path.samefile(path, "copy.rst") and path.read_text(encoding="utf-8") == LONG


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file to another user needs root")
def test_fix_keeps_owner_and_group(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = spec("specs/2026.2/approved/x.rst")
    os.chown(path, 65534, 65534)
    code, out = run(capsys, "fix", "specs")
    assert (code, out) == (1, ["Fixing specs/2026.2/approved/x.rst"])
    assert (path.stat().st_uid, path.stat().st_gid) == (65534, 65534)
    assert path.read_text(encoding="utf-8") != LONG


def test_fix_keeps_extended_attributes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = spec("specs/2026.2/approved/x.rst")
    try:
        os.setxattr(path, "user.speckeeper-test", b"kept")
    except (AttributeError, OSError) as error:
        pytest.skip(f"no user extended attributes here: {error}")
    code, out = run(capsys, "fix", "specs")
    assert out == ["Fixing specs/2026.2/approved/x.rst"]
    assert os.getxattr(path, "user.speckeeper-test") == b"kept"


# A fixer killed at the worst moments: after its file is written, before it
# has a name; and after it has a name, before the rename.
KILLER = """
import os, signal, sys
from speckeeper.cli import main
event = sys.argv[1]
def hook(name, args):
    if name == event:
        os.kill(os.getpid(), signal.SIGKILL)
sys.addaudithook(hook)
main(["fix", "-j", "1", "x.rst"])
"""


@pytest.mark.parametrize("event", ["os.link", "os.rename"])
def test_a_fixer_killed_leaves_the_old_spec_and_the_next_run_cleans_up(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], event: str
) -> None:
    path = spec("x.rst")
    done = subprocess.run([sys.executable, "-c", KILLER, event], capture_output=True, check=False)
    assert done.returncode == -signal.SIGKILL
    assert path.read_text(encoding="utf-8") == LONG
    code, out = run(capsys, "fix", "x.rst")
    assert (code, out) == (1, ["Fixing x.rst"])
    assert sorted(os.listdir(".")) == ["x.rst"]


# Item 6: nothing skipped without a word.


def test_a_folder_that_cannot_be_listed_is_one_finding(repo, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    spec("specs/2026.2/approved/x.rst", GOOD)
    real = os.scandir

    # As root, a mode of 000 does not stop a listing: refuse it the way the system would.
    def scandir(path=".") -> object:  # type: ignore[no-untyped-def]
        if str(path).endswith("approved"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, out = run(capsys, "check", "specs")
    assert (code, out) == (1, ["specs/2026.2/approved:1:1: SK001 cannot read folder: Permission denied"])


def test_a_path_too_long_for_the_system_is_one_finding(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = os.open(".", os.O_RDONLY)
    for _ in range(18):  # 18 folders of 250 characters: past PATH_MAX (4096).
        os.mkdir("d" * 250, dir_fd=folder)
        inner = os.open("d" * 250, os.O_RDONLY, dir_fd=folder)
        os.close(folder)
        folder = inner
    os.close(os.open("x.rst", os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=folder))
    os.close(folder)
    code, out = run(capsys, "check", ".")
    assert code == 1 and len(out) == 1
    assert out[0].endswith(":1:1: SK001 cannot read folder: File name too long")


# Item 10: output cannot forge a line or drive a terminal.


def test_a_file_name_cannot_start_a_workflow_command(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = "x\n::error file=README.md,line=1::forged.rst"
    Path(name).write_text(GOOD.replace("Problem description", "Problem statement"), encoding="utf-8")
    for output in ("text", "github"):
        code, out = run(capsys, "check", "--format", output, ".")
        assert code == 1 and out
        assert not any(line.startswith("::error file=README.md") for line in out)
        expected = "x\\n::error file=README.md,line=1::forged.rst:" if output == "text" else "::error file=x\\n"
        assert all(line.startswith(expected) for line in out), out


def test_a_title_cannot_send_escape_sequences(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("x.rst").write_text(GOOD.replace("Problem description", "\x1b]0;owned\x07\x1b[2JProblem"), encoding="utf-8")
    code, out = run(capsys, "check", "x.rst")
    assert code == 1
    assert not any("\x1b" in line or "\x07" in line for line in out)
    assert any('\\x1b]0;owned\\x07\\x1b[2JProblem' in line for line in out)


# Item 11: a file name that is not UTF-8.


def test_a_file_name_that_is_not_utf8_is_printed_escaped_and_the_run_goes_on(tmp_path: Path) -> None:
    bad = os.fsencode(tmp_path) + b"/a\xff.rst"
    with open(bad, "w", encoding="utf-8") as stream:
        stream.write(LONG)
    (tmp_path / "b.rst").write_text(LONG, encoding="utf-8")
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-m", "speckeeper", "fix", "-j", "1", "."],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert b"Traceback" not in done.stderr
    assert done.stdout.decode("utf-8").splitlines() == ["Fixing a\\xff.rst", "Fixing b.rst"]


# Item 12: one spec named four ways is one spec.


def test_one_spec_named_four_ways_is_checked_once(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("specs").mkdir()
    Path("specs/a.rst").write_text(GOOD.replace("Problem description", "Problem statement"), encoding="utf-8")
    Path("linked").symlink_to("specs")
    once_code, once = run(capsys, "check", "specs/a.rst")
    code, out = run(capsys, "check", "specs/a.rst", "./specs/a.rst", str(in_tmp / "specs/a.rst"), "linked/a.rst")
    assert (code, out) == (once_code, once) and once


def test_a_spec_deleted_just_before_the_rename_is_not_created_again(repo, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Deleted after the fixed text is on disk beside it, before it takes
    the spec's name: the last look before the rename sees it gone."""
    from speckeeper.files import atomic

    path = spec("specs/2026.2/approved/x.rst")
    real = atomic._write_temporary

    def write_then_delete(*args, **kwargs):  # type: ignore[no-untyped-def]
        written = real(*args, **kwargs)
        path.unlink()
        return written

    monkeypatch.setattr(atomic, "_write_temporary", write_then_delete)
    code, out = run(capsys, "fix", "specs")
    assert (code, out) == (1, ["specs/2026.2/approved/x.rst:1:1: SK005 not fixed: deleted while fixing: not created again"])
    assert not path.exists()
    assert os.listdir("specs/2026.2/approved") == []
