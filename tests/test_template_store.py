"""Parsed templates kept between runs: read back only when nothing they
depend on changed, only from the user's own private folder, never code,
never a reason for a run to fail."""

from __future__ import annotations

import os
import pickle
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from speckeeper.document import template
from speckeeper.document import template_store
from speckeeper.files import usercache
from speckeeper.cli import main
from speckeeper.document.rst.parse import RstParser
from speckeeper.document.template_store import TemplateStore

from .conftest import FIXTURES

TEMPLATE = template.packaged_path()
POSIX = pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")


@pytest.fixture()
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


def _load(path: Path, store: TemplateStore) -> template.Template:
    return template.load(path, RstParser(), store)


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / template_store.FOLDER).iterdir())


@pytest.fixture()
def checked(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """A good spec in a folder of its own, checked with the store in
    ``in_tmp / "cache"``: each call is one run."""
    monkeypatch.setenv(usercache.ENV, str(in_tmp / "cache"))
    shutil.copy(FIXTURES / "good-spec.rst", in_tmp / "good-spec.rst")
    return lambda: main(["check", "good-spec.rst"])


def test_a_template_parsed_once_is_read_back_the_same(store_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "template.rst"
    shutil.copy(TEMPLATE, path)
    parsed = _load(path, TemplateStore(store_dir, ()))
    assert len(_entries(store_dir)) == 1
    assert TemplateStore(store_dir, ()).get(path.read_text(encoding="utf-8")) is not None
    stored = _load(path, TemplateStore(store_dir, ()))
    assert stored == parsed and stored is not parsed


def test_a_changed_template_is_parsed_again(store_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "template.rst"
    shutil.copy(TEMPLATE, path)
    _load(path, TemplateStore(store_dir, ()))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Testing\n=======", "Tests\n====="), encoding="utf-8")
    changed = _load(path, TemplateStore(store_dir, ()))
    assert "Tests" in [s.title for s in changed.sections]
    assert "Testing" not in [s.title for s in changed.sections]


def test_another_parser_or_version_does_not_read_an_entry(store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "template.rst"
    shutil.copy(TEMPLATE, path)
    text = path.read_text(encoding="utf-8")
    _load(path, TemplateStore(store_dir, ()))
    assert TemplateStore(store_dir, (("needs",), ())).get(text) is None
    monkeypatch.setattr(usercache, "__version__", "99.0")  # Where the stores read it.
    assert TemplateStore(store_dir, ()).get(text) is None


def test_a_damaged_entry_is_a_miss_and_is_replaced(store_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "template.rst"
    shutil.copy(TEMPLATE, path)
    _load(path, TemplateStore(store_dir, ()))
    (entry,) = _entries(store_dir)
    entry.write_bytes(entry.read_bytes()[:100])
    text = path.read_text(encoding="utf-8")
    assert TemplateStore(store_dir, ()).get(text) is None
    _load(path, TemplateStore(store_dir, ()))
    assert TemplateStore(store_dir, ()).get(text) is not None


def test_the_same_template_in_two_checkouts_is_one_entry(store_dir: Path, tmp_path: Path) -> None:
    for checkout in ("main", "stable"):
        (tmp_path / checkout).mkdir()
        shutil.copy(TEMPLATE, tmp_path / checkout / "template.rst")
        assert _load(tmp_path / checkout / "template.rst", TemplateStore(store_dir, ())).path.startswith(str(tmp_path / checkout))
    assert len(_entries(store_dir)) == 1


def test_the_store_keeps_the_entries_used_last(store_dir: Path, tmp_path: Path) -> None:
    """One entry per template text, for ever, would fill the disk: the
    least recently used go."""
    def template_file(number: int) -> Path:
        path = tmp_path / f"t{number}.rst"
        path.write_text(f"=====\nTitle\n=====\n\nOne {number}\n======\n\nNone\n\nTwo\n===\n\nNone\n", encoding="utf-8")
        return path

    count = template_store.MAX_ENTRIES
    for number in range(count):
        _load(template_file(number), TemplateStore(store_dir, ()))
    for age, entry in enumerate(_entries(store_dir)):
        os.utime(entry, ns=(age, age))  # Timestamps are coarser than a loop.
    kept = template_file(0).read_text(encoding="utf-8")
    assert TemplateStore(store_dir, ()).get(kept) is not None  # Used now: kept.
    for number in range(count, count + 5):
        _load(template_file(number), TemplateStore(store_dir, ()))
    assert len(_entries(store_dir)) == count
    assert TemplateStore(store_dir, ()).get(kept) is not None
    assert TemplateStore(store_dir, ()).get(template_file(count + 4).read_text(encoding="utf-8")) is not None


def test_a_planted_pickle_runs_nothing(checked: Callable[[], int], in_tmp: Path) -> None:
    """Entries are JSON, never unpickled: a file put there cannot run code."""
    assert checked() == 0
    ran = in_tmp / "ran"

    class Plant:
        def __reduce__(self) -> tuple[object, ...]:
            return (os.mkdir, (str(ran),))

    for entry in _entries(in_tmp / "cache"):
        entry.write_bytes(pickle.dumps(Plant()))
    assert checked() == 0
    assert not ran.exists()


@POSIX
@pytest.mark.parametrize("setting", ["SPECKEEPER_CACHE_DIR", "XDG_CACHE_HOME"])
def test_each_folder_it_creates_is_private_whatever_the_umask(
    checked: Callable[[], int], in_tmp: Path, monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    if setting == "XDG_CACHE_HOME":
        monkeypatch.delenv(usercache.ENV)
        monkeypatch.setattr(usercache.sys, "platform", "linux")
        monkeypatch.setenv("XDG_CACHE_HOME", str(in_tmp / "home" / ".cache"))
        made = [in_tmp / "home", in_tmp / "home" / ".cache", in_tmp / "home" / ".cache" / "speckeeper"]
    else:
        monkeypatch.setenv(usercache.ENV, str(in_tmp / "cache" / "speckeeper"))
        made = [in_tmp / "cache", in_tmp / "cache" / "speckeeper"]
    old = os.umask(0)
    try:
        assert checked() == 0
    finally:
        os.umask(old)
    folders = [*made, made[-1] / template_store.FOLDER]
    assert {str(f): oct(stat.S_IMODE(f.stat().st_mode)) for f in folders} == {str(f): "0o700" for f in folders}
    assert [oct(stat.S_IMODE(e.stat().st_mode)) for e in _entries(made[-1])] == ["0o600"]


def _forge(entry: Path) -> None:
    """Rename the template's "Testing" section in a stored entry, as
    someone who could write it would."""
    entry.write_text(entry.read_text(encoding="utf-8").replace('"Testing"', '"Forged"'), encoding="utf-8")


def test_an_entry_of_the_users_own_is_trusted(checked: Callable[[], int], in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The control for the test below: a private entry is read as it is."""
    assert checked() == 0
    _forge(*_entries(in_tmp / "cache"))
    assert checked() == 1
    assert 'SK101 missing section "Forged"' in capsys.readouterr().out


def _writable_by_others(entry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry.chmod(0o666)


def _of_another_user(entry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uid = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: uid + 1)


def _owned_by_another_user(entry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a file away")
    os.chown(entry, os.getuid() + 1, -1)


def _folder_writable_by_others(entry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry.parent.chmod(0o777)


def _a_symlink(entry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = entry.parent.parent / "elsewhere.json"
    entry.rename(elsewhere)
    entry.symlink_to(elsewhere)


def _in_a_symlinked_folder(entry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = entry.parent.parent / "elsewhere"
    entry.parent.rename(elsewhere)
    entry.parent.symlink_to(elsewhere)


@POSIX
@pytest.mark.parametrize(
    "plant",
    [_writable_by_others, _owned_by_another_user, _of_another_user, _folder_writable_by_others, _a_symlink, _in_a_symlinked_folder],
)
def test_an_entry_others_could_have_written_is_not_read(
    checked: Callable[[], int], in_tmp: Path, monkeypatch: pytest.MonkeyPatch, plant: Callable[[Path, pytest.MonkeyPatch], None]
) -> None:
    assert checked() == 0
    (entry,) = _entries(in_tmp / "cache")
    _forge(entry)
    plant(entry, monkeypatch)
    assert checked() == 0


@POSIX
def test_a_fifo_entry_is_a_miss_not_a_hang(checked: Callable[[], int], in_tmp: Path) -> None:
    assert checked() == 0
    (entry,) = _entries(in_tmp / "cache")
    entry.unlink()
    os.mkfifo(entry)
    assert checked() == 0


def test_an_entry_nested_too_deeply_for_json_is_a_miss(
    checked: Callable[[], int], in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert checked() == 0
    (entry,) = _entries(in_tmp / "cache")
    entry.write_bytes(b'{"data": ' * 100_000 + b"0" + b"}" * 100_000)
    assert checked() == 0
    assert capsys.readouterr().err == ""


@POSIX
def test_a_folder_others_may_write_to_is_not_written(store_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "template.rst"
    shutil.copy(TEMPLATE, path)
    store_dir.mkdir(mode=0o700)
    (store_dir / template_store.FOLDER).mkdir(mode=0o777)
    (store_dir / template_store.FOLDER).chmod(0o777)
    _load(path, TemplateStore(store_dir, ()))
    assert _entries(store_dir) == []


def test_a_store_that_cannot_be_written_does_not_fail_the_check(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = in_tmp / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv(usercache.ENV, str(blocker))
    shutil.copy(FIXTURES / "good-spec.rst", in_tmp / "good-spec.rst")
    assert main(["check", "good-spec.rst"]) == 0
    assert capsys.readouterr().err == ""


def test_an_empty_setting_keeps_nothing(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(usercache.ENV, "")
    assert usercache.location() is None
    shutil.copy(FIXTURES / "good-spec.rst", in_tmp / "good-spec.rst")
    assert main(["check", "good-spec.rst"]) == 0
    assert sorted(p.name for p in in_tmp.iterdir()) == ["good-spec.rst"]


def test_the_default_folder_is_the_user_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(usercache.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(usercache.sys, "platform", "linux")
    assert usercache.location() == tmp_path / "speckeeper"


def test_findings_are_the_same_from_a_stored_template(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(usercache.ENV, str(in_tmp / "store"))
    (in_tmp / ".speckeeper.toml").write_text('template = "template.rst"\n', encoding="utf-8")
    shutil.copy(TEMPLATE, in_tmp / "template.rst")
    spec = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
    (in_tmp / "spec.rst").write_text(spec.replace("Testing\n=======\n", "Tests\n=====\n"), encoding="utf-8")
    runs = []
    for _ in range(2):
        runs.append((main(["check", "spec.rst", "--extend-select", "SK"]), capsys.readouterr()))
    assert len(_entries(in_tmp / "store")) == 1
    assert runs[0] == runs[1]
    assert runs[0][0] == 1 and " SK101 " in runs[0][1].out and " SK103 " in runs[0][1].out
