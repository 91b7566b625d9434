"""The opt-in content-hash cache: reused while nothing a file's findings
depend on changes, missed as soon as something does, never a crash."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from speckeeper import findings_cache as cache_module
from speckeeper import check, usercache
from speckeeper.findings_cache import Cache, open_cache
from speckeeper.cli import main
from speckeeper.document.model import Document as Spec

from .conftest import FIXTURES, speckeeper

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
RENAMED = GOOD.replace("Testing\n=======\n", "Tests\n=====\n")


@pytest.fixture()
def repo(in_tmp: Path) -> Path:
    (in_tmp / "specs").mkdir()
    (in_tmp / "specs" / "good.rst").write_text(GOOD)
    (in_tmp / "specs" / "renamed.rst").write_text(RENAMED)
    return in_tmp


def _run(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    # Structure rules: these specs are not where naming rules want them.
    ran = speckeeper(capsys, "check", "specs", "--select", "SK1", "--cache", ".cache", "--jobs", "1", *extra)
    return ran.code, "".join(line + "\n" for line in ran.out)


def _entries(repo: Path) -> list[Path]:
    return sorted((repo / ".cache").glob("*/*.json"))


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(path: str, *args: object, **kwargs: object) -> None:
        raise AssertionError(f"{path} was parsed again")

    monkeypatch.setattr(check, "build", fail)


def test_a_second_run_reuses_every_file(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cold = _run(capsys)
    assert cold[0] == 1 and "specs/renamed.rst" in cold[1] and "SK103" in cold[1]
    assert len(_entries(repo)) == 2
    _no_parsing(monkeypatch)
    assert _run(capsys) == cold


def test_the_cache_folder_is_marked_as_a_cache(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys)
    assert (repo / ".cache" / ".gitignore").read_text().endswith("\n*\n")
    assert (repo / ".cache" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")


def test_an_edited_file_is_checked_again(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys)
    (repo / "specs" / "good.rst").write_text(RENAMED)
    code, out = _run(capsys)
    assert code == 1
    assert "specs/good.rst" in out and "specs/renamed.rst" in out


def test_a_config_change_checks_again(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, before = _run(capsys)
    (repo / ".speckeeper.toml").write_text('ignore = ["SK103"]\n')
    code, after = _run(capsys)
    assert "SK103" in before and "SK103" not in after
    assert code == 1  # The missing "Testing" section is still reported.
    assert main(["check", "specs", "--select", "SK1", "--cache", ".cache", "--ignore", "SK101"]) == 0


def test_a_template_change_checks_again(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = repo / "template.rst"
    template.write_text(GOOD)
    (repo / ".speckeeper.toml").write_text('template = "template.rst"\n')
    assert _run(capsys)[0] == 1
    template.write_text(RENAMED)
    code, out = _run(capsys)
    assert code == 1 and out.startswith("specs/good.rst:")  # Now good.rst is the odd one.
    assert "specs/renamed.rst" not in out


@pytest.mark.parametrize("garbage", [b"", b"{not json", b'{"a": 1}', b'[["x", "1", 1, "SK1", "m"]]', b"\xff\xfe"])
def test_a_corrupt_entry_is_ignored_and_replaced(repo: Path, capsys: pytest.CaptureFixture[str], garbage: bytes) -> None:
    cold = _run(capsys)
    for entry in _entries(repo):
        entry.write_bytes(garbage)
    assert _run(capsys) == cold
    assert all(entry.read_bytes() != garbage for entry in _entries(repo))


def test_a_cache_that_cannot_be_written_is_a_warning(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".cache").write_text("a file, not a folder")
    assert main(["check", "specs", "--select", "SK1", "--cache", ".cache"]) == 1
    out, err = capsys.readouterr()
    assert "SK103" in out
    assert err.count("speckeeper: warning: cannot write the cache in .cache:") == 1


def test_findings_are_reported_against_the_path_as_given(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys)
    spec = repo / "specs" / "renamed.rst"
    assert main(["check", str(spec), "--select", "SK1", "--cache", ".cache"]) == 1
    assert capsys.readouterr().out.startswith(f"{spec}:")


@pytest.mark.parametrize("keep_signature", [False, True], ids=["bare", "with-the-entry's-own-signature"])
def test_a_committed_entry_of_no_findings_does_not_pass_a_failing_spec(
    repo: Path, capsys: pytest.CaptureFixture[str], keep_signature: bool
) -> None:
    """A change could commit ``.cache/<key>.json`` holding ``[]``: only
    entries this user's speckeeper signed decide a verdict, and a signature
    covers the findings."""
    cold = _run(capsys)
    for entry in _entries(repo):
        signature = entry.read_bytes().split(b"\n")[0] + b"\n" if keep_signature else b""
        entry.write_bytes(signature + b"[]")
    assert _run(capsys) == cold


def test_entries_signed_by_another_key_are_not_used(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Entries another user's (or machine's) speckeeper wrote, committed
    along: signed, but not with this user's key."""
    cold = _run(capsys)
    monkeypatch.setenv(usercache.ENV, str(repo / "another-users-cache"))
    parsed: list[str] = []
    build = check.build

    def counted(path: str, *args: Any, **kwargs: Any) -> Spec:
        parsed.append(path)
        return build(path, *args, **kwargs)

    monkeypatch.setattr(check, "build", counted)
    assert _run(capsys) == cold
    assert len(parsed) == 2


def _user_cache(repo: Path) -> Cache:
    """The cache as this user's speckeeper writes it."""
    cache = open_cache(repo / ".cache", repo)
    assert cache is not None
    return cache


def _sign_for_every_entry(repo: Path, body: bytes) -> None:
    """Write ``body`` under every entry's key, signed with the user's key:
    what only a bug of speckeeper's own (or another version's) could do."""
    cache = _user_cache(repo)
    for entry in _entries(repo):
        cache._write(entry.parent.name + entry.stem, body)


def _entry(*records: bytes, silenced: bytes = b"[]") -> bytes:
    """An entry's body: its findings' records, and the codes its file silences."""
    return b'{"findings": [' + b", ".join(records) + b'], "silenced": ' + silenced + b', "first_line": ""}'


@pytest.mark.parametrize(
    "body",
    [
        _entry(b'[null, 1, 1, "SK999", "a code no rule has", ""]'),
        _entry(b'[null, 1, 1, ["SK103"], "a code that is a list", ""]'),
        _entry(b'[null, 0, 1, "SK103", "line 0", ""]'),
        _entry(b'[null, 1, -1, "SK103", "a negative column", ""]'),
        _entry(b'[null, true, 1, "SK103", "a line that is a boolean", ""]'),
        _entry(b'[null, 1, 1, "SK103", "' + b"x" * (cache_module.MAX_STRING + 1) + b'", ""]'),
        _entry(b'[null, 1, 1, "SK103", "no line text"]'),
        _entry(silenced=b'"SK103"'),
        b'[[null, 1, 1, "SK103", "an entry of the format before"]]',
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=[
        "unknown-code",
        "code-a-list",
        "line-0",
        "negative-column",
        "boolean",
        "long-message",
        "five-fields",
        "silenced-not-a-list",
        "old-format",
        "nested-too-deeply",
    ],
)
def test_a_signed_entry_is_validated_before_use(repo: Path, capsys: pytest.CaptureFixture[str], body: bytes) -> None:
    cold = _run(capsys)
    _sign_for_every_entry(repo, body)
    assert _run(capsys) == cold


def test_the_control_a_signed_entry_is_used(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The control for the tests above: what the user's key signs is read."""
    _run(capsys)
    _sign_for_every_entry(repo, _entry(b'[null, 3, 1, "SK103", "signed, so trusted", ""]'))
    code, out = _run(capsys)
    assert code == 1 and out.count("SK103 signed, so trusted") == 2


def test_an_unsigned_entry_nested_too_deeply_is_a_miss(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cold = _run(capsys)
    for entry in _entries(repo):
        entry.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    assert _run(capsys) == cold


def _turned_off(repo: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(usercache.ENV, "")
    return "the user's cache folder is turned off (SPECKEEPER_CACHE_DIR is empty)"


def _folder_others_may_write(repo: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    folder = repo / "user-cache"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    monkeypatch.setenv(usercache.ENV, str(folder))
    return f"{folder}: owned by another user, or others may access it"


def _key_others_may_read(repo: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(usercache.ENV, str(repo / "user-cache"))
    cache_module.user_key()
    (repo / "user-cache" / cache_module.KEY_FILE).chmod(0o644)
    return f"{repo / 'user-cache' / cache_module.KEY_FILE}: owned by another user, or others may access it"


@pytest.mark.parametrize("no_key", [_turned_off, _folder_others_may_write, _key_others_may_read])
def test_without_a_private_key_the_cache_is_not_used(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], no_key: Callable[[Path, pytest.MonkeyPatch], str]
) -> None:
    reason = no_key(repo, monkeypatch)
    code = main(["check", "specs", "--select", "SK1", "--cache", ".cache", "--jobs", "1"])
    out, err = capsys.readouterr()
    assert code == 1 and "SK103" in out
    assert [line for line in err.splitlines() if "warning" in line] == [
        "speckeeper: warning: not using the cache in .cache: no private key to sign its entries: " + reason
    ]
    assert not (repo / ".cache").exists()


def _entry_symlink(entry: Path, victim: Path) -> None:
    entry.unlink()
    entry.symlink_to(victim)


def _folder_symlink(entry: Path, victim: Path) -> None:
    shutil.rmtree(entry.parent)
    entry.parent.symlink_to(victim.parent, target_is_directory=True)


@pytest.mark.parametrize("plant", [_entry_symlink, _folder_symlink])
def test_a_symlink_in_the_cache_folder_is_never_followed(
    repo: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str], plant: Callable[[Path, Path], None]
) -> None:
    """Its entries are the repo's files: a symlink planted there must not
    redirect a write, nor a read."""
    cold = _run(capsys)
    outside = tmp_path_factory.mktemp("outside")
    victim = outside / "victim"
    victim.write_bytes(b"[]")
    for entry in _entries(repo):
        plant(entry, victim)
    assert _run(capsys) == cold
    assert sorted(p.name for p in outside.iterdir()) == ["victim"] and victim.read_bytes() == b"[]"
