"""``check --fix --staged``: the one pre-commit hook (issue 27). It fixes
and checks the staged specs pre-commit names, and runs the folder-level
rules over the whole specs folder for what the commit touches."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from speckeeper.document.rst.parse import RstParser
from speckeeper.engine.parallel import MIN_FILES_PER_JOB

from .conftest import FIXTURES, git, git_repo, speckeeper

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
HOOK = ("check", "--fix", "--staged")


def good(name: str) -> str:
    """The good spec, its tracker URL naming its file."""
    return GOOD.replace("+spec/awesome-thing", f"+spec/{name}")


@pytest.fixture()
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The source of each spec parsed from here on, in order."""
    sources: list[str] = []
    parse = RstParser.parse
    monkeypatch.setattr(RstParser, "parse", lambda self, text, source: sources.append(source) or parse(self, text, source))
    return sources


@pytest.fixture()
def specs(in_tmp: Path) -> Path:
    """Two good specs and a redirect between them, committed."""
    for relpath in ("specs/zed/approved/b.rst", "specs/zed/implemented/a.rst"):
        (in_tmp / relpath).parent.mkdir(parents=True, exist_ok=True)
        (in_tmp / relpath).write_text(good(Path(relpath).stem), encoding="utf-8")
    (in_tmp / "specs/zed/redirects").write_text("approved/a.rst ../implemented/a.rst\n", encoding="utf-8")
    return git_repo(in_tmp)


def test_a_spec_moved_away_from_a_redirect_fails_on_the_redirect(specs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    moved = specs / "specs/zed/implemented/moved.rst"
    git(specs, "mv", "specs/zed/implemented/a.rst", "specs/zed/implemented/moved.rst")
    moved.write_text(good("moved"), encoding="utf-8")
    git(specs, "add", "-A")
    # pre-commit names what is staged: the spec's new path alone.
    ran = speckeeper(capsys, *HOOK, "specs/zed/implemented/moved.rst")
    assert ran.code == 1
    assert ran.out == [
        'specs/zed/redirects:1:1: SK311 redirect target "../implemented/a.rst" does not exist:'
        " expected a spec at specs/zed/implemented/a.rst"
    ]


def test_the_staged_spec_is_fixed_and_what_is_left_reported_with_the_redirects(
    specs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = specs / "specs/zed/approved/b.rst"
    spec.write_text(good("b").replace("\n\n", "  \n\n", 1), encoding="utf-8")
    (specs / "specs/zed/redirects").write_text(
        "approved/a.rst ../implemented/a.rst\napproved/c.rst ../implemented/gone.rst\n", encoding="utf-8"
    )
    git(specs, "add", "-A")
    ran = speckeeper(capsys, *HOOK, "specs/zed/approved/b.rst", "specs/zed/redirects")
    assert ran.code == 1
    assert spec.read_text(encoding="utf-8") == good("b")
    assert ran.err[0] == "Fixing specs/zed/approved/b.rst"
    assert ran.err[1].startswith("specs/zed/approved/b.rst:") and " SK203 " in ran.err[1] and ran.err[1].endswith("(fixed)")
    assert [line.split(" SK")[0] for line in ran.out] == ["specs/zed/redirects:2:1:"]
    assert "SK311" in ran.out[0]


def test_typed_with_no_file_it_fixes_and_checks_the_staged_specs_alone(
    specs: Path, capsys: pytest.CaptureFixture[str], parsed: list[str]
) -> None:
    """``speckeeper check --fix --staged`` typed by hand does what the hook
    does: an unstaged spec's fixable finding is not the commit's, and the
    spec is neither parsed nor rewritten."""
    staged, other = specs / "specs/zed/approved/b.rst", specs / "specs/zed/implemented/a.rst"
    staged.write_text(good("b").replace("\n\n", "  \n\n", 1), encoding="utf-8")
    git(specs, "add", "-A")
    other.write_text(good("a").replace("\n\n", "  \n\n", 1), encoding="utf-8")
    ran = speckeeper(capsys, *HOOK)
    assert ran.code == 1 and ran.out == []
    assert ran.err[0] == "Fixing specs/zed/approved/b.rst" and len(ran.err) == 2
    assert staged.read_text(encoding="utf-8") == good("b")
    assert other.read_text(encoding="utf-8") == good("a").replace("\n\n", "  \n\n", 1)
    assert {source for source in parsed if source.startswith("specs/")} == {"specs/zed/approved/b.rst"}


def test_a_commit_of_the_redirects_file_alone_parses_no_spec(specs: Path, capsys: pytest.CaptureFixture[str], parsed: list[str]) -> None:
    (specs / "specs/zed/redirects").write_text(
        "approved/a.rst ../implemented/a.rst\napproved/c.rst ../implemented/gone.rst\n", encoding="utf-8"
    )
    git(specs, "add", "-A")
    ran = speckeeper(capsys, *HOOK, "specs/zed/redirects")
    assert ran.code == 1
    assert len(ran.out) == 1 and ran.out[0].startswith("specs/zed/redirects:2:1: SK311 ")
    assert parsed == []


def test_a_commit_of_a_picture_alone_parses_no_spec(specs: Path, capsys: pytest.CaptureFixture[str], parsed: list[str]) -> None:
    (specs / "specs/zed/approved/flow.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    git(specs, "add", "-A")
    ran = speckeeper(capsys, *HOOK, "specs/zed/approved/flow.png")
    # The folder-level rules ran (a picture no spec names is a stray file), and no spec was parsed.
    assert ran.code == 1
    assert len(ran.out) == 1 and ran.out[0].startswith("specs/zed/approved/flow.png:1:1: SK313 ")
    assert parsed == []


def test_a_spec_with_nothing_to_fix_is_parsed_once_and_reported_as_check_reports_it(
    specs: Path, capsys: pytest.CaptureFixture[str], parsed: list[str]
) -> None:
    spec = "specs/zed/approved/b.rst"
    (specs / spec).write_text(good("another-blueprint"), encoding="utf-8")  # A finding no fix repairs.
    git(specs, "add", "-A")
    checked = speckeeper(capsys, "check", "--staged", spec)
    parsed.clear()  # What the hook parses, not the check before it.
    ran = speckeeper(capsys, *HOOK, spec)
    # The fix found nothing to fix; the check took the findings of that one parse.
    assert parsed.count(spec) == 1
    assert ran.code == checked.code == 1
    assert ran.out == checked.out and ran.out
    assert ran.err == checked.err


def test_check_fix_in_worker_processes_parses_each_spec_it_left_once(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """CI's ``pre-commit run --all-files``: the check's workers take what
    the fix's workers found in the specs the fix left as they were."""
    names = [f"s{number:02}" for number in range(2 * MIN_FILES_PER_JOB)]
    for name in names:
        (in_tmp / f"specs/zed/approved/{name}.rst").parent.mkdir(parents=True, exist_ok=True)
        (in_tmp / f"specs/zed/approved/{name}.rst").write_text(good(name), encoding="utf-8")
    (in_tmp / "specs/zed/approved/s00.rst").write_text(good("s00") + "Trailing.   \n", encoding="utf-8")
    git_repo(in_tmp)
    record = tmp_path / "parsed.txt"  # Appended to by each process (a forked worker's list is its own).
    parse = RstParser.parse

    def recorded(self: RstParser, text: str, source: str) -> object:
        with record.open("a", encoding="utf-8") as out:
            out.write(source + "\n")
        return parse(self, text, source)

    monkeypatch.setattr(RstParser, "parse", recorded)
    ran = speckeeper(capsys, "check", "--fix", "--jobs", "2", "specs")
    assert ran.code == 1 and "Fixing specs/zed/approved/s00.rst" in ran.err + ran.out
    counts = Counter(Path(line).stem for line in record.read_text(encoding="utf-8").splitlines())
    # The fixed spec: parsed by the fix (before and after its fix) and by the check; the others once.
    assert {name: counts[name] for name in names[1:]} == dict.fromkeys(names[1:], 1)
    assert counts["s00"] >= 2


def test_the_hook_keeps_what_the_commit_message_hooks_read_of_a_spec_it_left_as_it_was(
    specs: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Of the staged specs, the one with nothing to fix has its title,
    introduction and REST API impact kept for commit-msg, as a parse of
    its staged bytes says them; the one the hook changed has none (the
    commit stops, and the next one keeps it)."""
    from speckeeper.config.settings import load
    from speckeeper.document import message_facts
    from speckeeper.document.rst.build import build

    monkeypatch.setenv("SPECKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    left, fixed = "specs/zed/approved/b.rst", "specs/zed/implemented/a.rst"
    (specs / left).write_text(good("b").replace("\nNone\n", "\nA new ``GET /v2/awesome`` call.\n"), encoding="utf-8")
    (specs / fixed).write_text(good("a").replace("\n\n", "  \n\n", 1), encoding="utf-8")  # Trailing spaces: fixed.
    git(specs, "add", "-A")
    ran = speckeeper(capsys, *HOOK, left, fixed)
    assert ran.code == 1 and f"Fixing {fixed}" in ran.err
    config = load(None)
    store = message_facts.FactsStore.default(config.base)
    raw = (specs / left).read_bytes()
    expected = message_facts.of(build(left, raw.decode(), RstParser.for_settings(config.base), raw=raw), "REST API impact")
    assert expected.api_impact is not None and expected.title
    assert store.facts(store.key(left, "REST API impact", raw)) == expected
    assert len(list((tmp_path / "cache" / "commit-facts").glob("*.json"))) == 1


def test_with_nothing_staged_the_hook_keeps_nothing(
    specs: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """CI (``pre-commit run --all-files``): no commit message follows."""
    monkeypatch.setenv("SPECKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    assert speckeeper(capsys, *HOOK, "specs/zed/approved/b.rst", "specs/zed/implemented/a.rst").code == 0
    assert not list((tmp_path / "cache").glob("commit-facts/*.json"))
    assert not list((tmp_path / "cache").glob("settled/*.json"))


def test_the_hook_settles_a_commit_only_when_it_passes(
    specs: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A commit the hook stops (a finding, a fix) goes no further: nothing is
    worked out for commit-msg; one it passes is settled."""
    from speckeeper.files import gitrepo, settled

    monkeypatch.setenv("SPECKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    spec = specs / "specs/zed/approved/b.rst"
    spec.write_text(good("b").replace("\n\n", "  \n\n", 1), encoding="utf-8")
    git(specs, "add", "-A")
    assert speckeeper(capsys, *HOOK, "specs/zed/approved/b.rst").code == 1  # Fixed: the commit stops.
    assert not list((tmp_path / "cache").glob("settled/*.json"))
    git(specs, "add", "-A")
    # Its configuration named, or run from below the top: not what commit-msg reads.
    (specs / ".speckeeper.toml").write_text("", encoding="utf-8")
    assert speckeeper(capsys, *HOOK, "--config", ".speckeeper.toml", "specs/zed/approved/b.rst").code == 0
    monkeypatch.chdir(specs / "specs")
    assert speckeeper(capsys, *HOOK, "zed/approved/b.rst").code == 0
    assert not list((tmp_path / "cache").glob("settled/*.json"))
    monkeypatch.chdir(specs)
    assert speckeeper(capsys, *HOOK, "specs/zed/approved/b.rst").code == 0
    top = gitrepo.git("rev-parse", "--show-toplevel").decode().strip()  # As the hook names it.
    assert settled.is_settled(top, gitrepo.staged().raw)


def test_outside_a_git_work_tree_the_hook_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "specs/zed/approved").mkdir(parents=True)
    (tmp_path / "specs/zed/approved/b.rst").write_text(good("b"), encoding="utf-8")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    monkeypatch.chdir(tmp_path)
    ran = speckeeper(capsys, *HOOK)
    assert ran.code == 2 and ran.out == []
    assert len(ran.err) == 1 and ran.err[0].startswith("speckeeper: error: git rev-parse failed: fatal: not a git repository")
