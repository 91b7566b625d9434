"""The commit-message hooks, run as git runs them: in a repo, on a file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from speckeeper.cli import main
from speckeeper.commands.commitmsg import wrap, written

from .conftest import FIXTURES, run_driver

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
SPEC = "specs/2027.1/approved/awesome-thing.rst"
NONE_API = "REST API impact\n---------------\n\nNone\n"
WITH_API = NONE_API.replace("None\n", "A new ``GET /servers/{id}/awesome`` call.\n")
API_LINE = GOOD.splitlines().index("REST API impact") + 1
# What git writes before it runs prepare-commit-msg for a plain `git commit`.
GIT_COMMENTS = "\n# Please enter the commit message for your changes.\n#\n# On branch main\n"
SUBJECT_AND_BODY = (
    "Awesome thing for server migrations\n"
    "\n"
    "Operators want servers to move between hosts without downtime; this spec\n"
    "proposes the awesome thing that lets them.\n"
)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(("git", *args), cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty spec repo, the current folder; git sees no outside config."""
    for name in list(os.environ):
        if name.startswith("GIT_") or name.startswith("PRE_COMMIT"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    root = tmp_path / "specs-repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Spec Author")
    git(root, "config", "user.email", "author@example.com")
    monkeypatch.chdir(root)
    return root


def stage(repo: Path, relpath: str, text: str | bytes) -> None:
    path = repo / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    git(repo, "add", relpath)


def commit(repo: Path) -> None:
    git(repo, "commit", "-q", "--no-verify", "-m", "Earlier commit")


def message_file(repo: Path, text: str = GIT_COMMENTS) -> Path:
    path = repo / ".git" / "COMMIT_EDITMSG"
    path.write_text(text, encoding="utf-8")
    return path


# prepare-commit-msg


def test_prepare_fills_subject_and_body_above_gits_comments(repo: Path) -> None:
    stage(repo, SPEC, GOOD)
    msg = message_file(repo)
    assert main(["prepare-commit-msg", str(msg)]) == 0
    assert msg.read_text() == SUBJECT_AND_BODY + GIT_COMMENTS


def test_prepare_adds_the_flag_when_the_api_changes(repo: Path) -> None:
    stage(repo, SPEC, GOOD.replace(NONE_API, WITH_API))
    msg = message_file(repo)
    assert main(["prepare-commit-msg", str(msg)]) == 0
    assert msg.read_text() == SUBJECT_AND_BODY + "\nAPIImpact\n" + GIT_COMMENTS


def test_prepare_fills_an_empty_file(repo: Path) -> None:
    stage(repo, SPEC, GOOD)
    msg = message_file(repo, "")
    assert main(["prepare-commit-msg", str(msg)]) == 0
    assert msg.read_text() == SUBJECT_AND_BODY


def test_prepare_wraps_the_body_at_72(repo: Path) -> None:
    intro = " ".join(["Operators want servers to move between hosts without any downtime at all."] * 4)
    stage(repo, SPEC, GOOD.replace("Operators want servers to move between hosts without downtime; this spec\n"
                                   "proposes the awesome thing that lets them.", intro))
    msg = message_file(repo, "")
    assert main(["prepare-commit-msg", str(msg)]) == 0
    body = msg.read_text().split("\n\n", 1)[1]
    assert max(len(line) for line in body.splitlines()) <= 72
    assert " ".join(body.split()) == intro


@pytest.mark.parametrize("source", ["message", "merge", "squash", "commit"])
def test_prepare_leaves_messages_git_already_has(
    repo: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    stage(repo, SPEC, GOOD)
    msg = message_file(repo)
    assert main(["prepare-commit-msg", str(msg), source]) == 0
    monkeypatch.setenv("PRE_COMMIT_COMMIT_MSG_SOURCE", source)
    assert main(["prepare-commit-msg", str(msg)]) == 0
    assert msg.read_text() == GIT_COMMENTS


def test_prepare_leaves_a_template_with_text_but_fills_one_of_comments(repo: Path) -> None:
    stage(repo, SPEC, GOOD)
    msg = message_file(repo, "Spec for \n\n# Say why.\n")
    assert main(["prepare-commit-msg", str(msg), "template"]) == 0
    assert msg.read_text() == "Spec for \n\n# Say why.\n"
    msg = message_file(repo, "\n# Say why.\n")
    assert main(["prepare-commit-msg", str(msg), "template"]) == 0
    assert msg.read_text() == SUBJECT_AND_BODY + "\n# Say why.\n"


@pytest.mark.parametrize(
    "staged",
    [
        pytest.param({}, id="nothing"),
        pytest.param({SPEC: GOOD, "specs/2027.1/approved/other-thing.rst": GOOD}, id="two-specs"),
        pytest.param({"doc/source/index.rst": GOOD}, id="outside-the-layout"),
        pytest.param({"specs/2027.1/approved/index.rst": GOOD}, id="excluded"),
        pytest.param({SPEC: GOOD.replace("===================================\n", "", 2)}, id="no-title"),
        pytest.param({SPEC: GOOD + "\n" + "x" * 1_000_000}, id="too-large"),
        pytest.param({SPEC: GOOD.encode("utf-16")}, id="utf-16"),
    ],
)
def test_prepare_leaves_commits_not_adding_one_spec(repo: Path, staged: dict[str, str | bytes]) -> None:
    for relpath, text in staged.items():
        stage(repo, relpath, text)
    msg = message_file(repo)
    assert main(["prepare-commit-msg", str(msg)]) == 0
    assert msg.read_text() == GIT_COMMENTS


def test_prepare_leaves_a_commit_changing_a_spec(repo: Path) -> None:
    stage(repo, SPEC, GOOD)
    commit(repo)
    stage(repo, SPEC, GOOD.replace("Copy memory pages", "Copy the memory pages"))
    msg = message_file(repo)
    assert main(["prepare-commit-msg", str(msg)]) == 0
    assert msg.read_text() == GIT_COMMENTS


def test_prepare_reads_what_is_staged_not_the_working_tree(repo: Path) -> None:
    stage(repo, SPEC, GOOD)
    (repo / SPEC).write_text(GOOD.replace("Awesome thing for server migrations", "Unstaged title!!!!!!!!!!!!!!!!!!!!"))
    msg = message_file(repo, "")
    assert main(["prepare-commit-msg", str(msg)]) == 0
    assert msg.read_text() == SUBJECT_AND_BODY


def test_prepare_finds_the_section_the_config_names(repo: Path) -> None:
    (repo / ".speckeeper.toml").write_text('api-impact-section = "API changes"\n')
    stage(repo, SPEC, GOOD.replace(NONE_API, WITH_API.replace("REST API impact", "API changes    ")))
    msg = message_file(repo, "")
    assert main(["prepare-commit-msg", str(msg)]) == 0
    assert msg.read_text().endswith("\n\nAPIImpact\n")


# commit-msg


def test_commit_msg_fails_naming_the_spec_when_the_flag_is_missing(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stage(repo, SPEC, GOOD.replace(NONE_API, WITH_API))
    msg = message_file(repo, "Propose the awesome thing\n" + GIT_COMMENTS)
    assert main(["commit-msg", str(msg)]) == 1
    assert capsys.readouterr() == (
        f'{SPEC}:{API_LINE}:1: section "REST API impact" says more than "None": the message needs an APIImpact line\n',
        "",
    )


def test_commit_msg_leaves_a_staged_spec_larger_than_max_bytes_to_the_check_hooks(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Not read (git's stream is cut at the limit): the check hooks report
    # SK004; this hook does not stop the commit over what it cannot read.
    (repo / ".speckeeper.toml").write_text("max-bytes = 2000\n")
    big = GOOD.replace(NONE_API, WITH_API) + "\n" + "Padding text.\n" * 2000
    stage(repo, SPEC, big)
    msg = message_file(repo, "Propose the awesome thing\n" + GIT_COMMENTS)
    assert main(["commit-msg", str(msg)]) == 0
    assert capsys.readouterr() == ("", "")
    stage(repo, SPEC, GOOD.replace(NONE_API, WITH_API))  # Within the limit: read, and the flag is missing.
    (repo / ".speckeeper.toml").write_text(f"max-bytes = {len(GOOD) + 1000}\n")
    assert main(["commit-msg", str(msg)]) == 1


@pytest.mark.parametrize(
    "message",
    [
        "Propose the awesome thing\n\nAPIImpact\n",
        "Propose the awesome thing\n\nAPIImpact: a new GET call\nChange-Id: I0123\n",
        "# only comments: git aborts the commit itself\n",
    ],
)
def test_commit_msg_passes_with_the_flag_or_no_message(repo: Path, message: str) -> None:
    stage(repo, SPEC, GOOD.replace(NONE_API, WITH_API))
    assert main(["commit-msg", str(message_file(repo, message))]) == 0


def test_commit_msg_does_not_count_the_flag_in_a_comment(repo: Path) -> None:
    stage(repo, SPEC, GOOD.replace(NONE_API, WITH_API))
    assert main(["commit-msg", str(message_file(repo, "Propose it\n# APIImpact\n"))]) == 1


@pytest.mark.parametrize(
    "section",
    [NONE_API, NONE_API.replace("None", "None."), NONE_API.replace("None", "none"), ""],
    ids=["None", "None.", "none", "absent"],
)
def test_commit_msg_passes_when_the_api_does_not_change(repo: Path, section: str) -> None:
    stage(repo, SPEC, GOOD.replace(NONE_API, section))
    assert main(["commit-msg", str(message_file(repo, "Propose it\n"))]) == 0


def test_commit_msg_checks_a_change_only_if_it_touches_the_section(repo: Path) -> None:
    stage(repo, SPEC, GOOD.replace(NONE_API, WITH_API))
    commit(repo)
    stage(repo, SPEC, GOOD.replace(NONE_API, WITH_API).replace("Copy memory pages", "Copy the memory pages"))
    assert main(["commit-msg", str(message_file(repo, "Fix a typo\n"))]) == 0
    stage(repo, SPEC, GOOD.replace(NONE_API, WITH_API.replace("call.", "call and a new field.")))
    assert main(["commit-msg", str(message_file(repo, "Grow the API\n"))]) == 1


def test_commit_msg_passes_a_spec_moved_as_it_was(repo: Path) -> None:
    stage(repo, SPEC, GOOD.replace(NONE_API, WITH_API))
    commit(repo)
    (repo / "specs/2027.1/implemented").mkdir()
    git(repo, "mv", SPEC, "specs/2027.1/implemented/awesome-thing.rst")
    assert main(["commit-msg", str(message_file(repo, "Move to implemented\n"))]) == 0


def test_commit_msg_outside_a_git_repo_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    msg = tmp_path / "msg"
    msg.write_text("Propose it\n")
    assert main(["commit-msg", str(msg)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("speckeeper: error: git rev-parse failed: fatal: not a git repository")
    assert err.count("\n") == 1


def test_missing_message_file_exits_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["commit-msg", "nope"]) == 2
    assert capsys.readouterr().err == (
        "speckeeper: error: nope: cannot read the commit message: No such file or directory\n"
    )


# What git keeps of a message.


@pytest.mark.parametrize(
    ("message", "kept"),
    [
        ("\n# Please enter\n", []),
        ("Subject\n\nBody\n\n# comment\n", ["Subject", "", "Body"]),
        ("Subject  \n# ------------------------ >8 ------------------------\ndiff --git a b\n", ["Subject"]),
        ("\n\n  \nSubject\n", ["Subject"]),
    ],
)
def test_written(message: str, kept: list[str]) -> None:
    assert written(message, "#") == kept


def test_prepare_follows_gits_comment_char(repo: Path) -> None:
    git(repo, "config", "core.commentChar", ";")
    stage(repo, SPEC, GOOD)
    msg = message_file(repo, "\n; Please enter\n")
    assert main(["prepare-commit-msg", str(msg)]) == 0
    assert msg.read_text() == SUBJECT_AND_BODY + "\n; Please enter\n"
    msg = message_file(repo, "#1 is a bug number\n; Please enter\n")
    assert main(["prepare-commit-msg", str(msg)]) == 0
    assert msg.read_text() == "#1 is a bug number\n; Please enter\n"



@pytest.mark.parametrize(
    "settings",
    [[("core.commentChar", "//")], [("core.commentChar", ";"), ("core.commentString", "//")]],
    ids=["commentChar", "commentString set last"],
)
def test_prepare_follows_a_comment_string_of_several_characters(repo: Path, settings: list[tuple[str, str]]) -> None:
    """git 2.45 takes ``core.commentChar = //`` (or ``core.commentString``):
    its comment lines are recognised, and a title starting with it gets
    "Spec: " before it, so git keeps it."""
    title = "//comments in specs"
    old_title = "===================================\nAwesome thing for server migrations\n==================================="
    stage(repo, SPEC, GOOD.replace(old_title, f"{'=' * len(title)}\n{title}\n{'=' * len(title)}"))
    for key, value in settings:
        git(repo, "config", "--add", key, value)
    if subprocess.run(["git", "status"], cwd=repo, capture_output=True, check=False).returncode:
        pytest.skip(f"{git(repo, 'version').strip()} refuses a comment character of several characters (git 2.45 takes it)")
    msg = message_file(repo, "\n// Please enter the commit message for your changes.\n")
    assert main(["prepare-commit-msg", str(msg)]) == 0
    body = SUBJECT_AND_BODY.split("\n", 1)[1]
    assert msg.read_text() == f"Spec: {title}\n{body}\n// Please enter the commit message for your changes.\n"


@pytest.mark.parametrize("comment", ["#", ";"])
def test_a_title_or_a_wrapped_line_starting_with_the_comment_char_survives_the_commit(
    repo: Path, comment: str
) -> None:
    """git drops every line that starts with its comment character: the
    message written keeps every word of the title and the introduction."""
    if comment != "#":
        git(repo, "config", "core.commentChar", comment)
    title = f"{comment}hashtag support for servers"
    # The introduction starts with the character, and a word with it falls
    # where a line of 72 would break.
    intro = f"{comment}1 matters. " + "word " * 12 + f"{comment}1234 is the bug this fixes."
    old_title = "===================================\nAwesome thing for server migrations\n==================================="
    bar = "=" * len(title)
    text = GOOD.replace(old_title, f"{bar}\n{title}\n{bar}").replace(
        "Operators want servers to move between hosts without downtime; this spec\n"
        "proposes the awesome thing that lets them.",
        intro,
    )
    stage(repo, SPEC, text)
    hook = repo / ".git" / "hooks" / "prepare-commit-msg"
    hook.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m speckeeper prepare-commit-msg "$@"\n', encoding="utf-8")
    hook.chmod(0o755)
    editor = {**os.environ, "GIT_EDITOR": "true"}  # git edits the message: it strips comments.
    done = subprocess.run(["git", "commit", "-q"], cwd=repo, env=editor, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    message = git(repo, "log", "-1", "--format=%B")
    assert message.split() == ["Spec:", *title.split(), *intro.split()]
    assert not any(line.startswith(comment) for line in message.splitlines())



@pytest.mark.parametrize(
    "settings",
    [
        {"commit.cleanup": "strip"},
        {"commit.cleanup": "scissors", "commit.verbose": "true"},
        {"commit.verbose": "true"},
        {"core.commentChar": "auto"},
        {"commit.status": "false"},
    ],
    ids=["cleanup strip", "scissors and verbose", "verbose", "comment char auto", "no status"],
)
def test_a_hash_title_is_kept_however_git_cleans_the_message(repo: Path, settings: dict[str, str]) -> None:
    """A title starting with "#" reaches the commit, with "Spec: " before
    it, whichever way git is set to strip comments and scissors."""
    for key, value in settings.items():
        git(repo, "config", key, value)
    title = "#hashtag support for servers"
    old_title = "===================================\nAwesome thing for server migrations\n==================================="
    stage(repo, SPEC, GOOD.replace(old_title, f"{'=' * len(title)}\n{title}\n{'=' * len(title)}"))
    hook = repo / ".git" / "hooks" / "prepare-commit-msg"
    hook.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m speckeeper prepare-commit-msg "$@"\n', encoding="utf-8")
    hook.chmod(0o755)
    editor = {**os.environ, "GIT_EDITOR": "true"}
    done = subprocess.run(["git", "commit", "-q"], cwd=repo, env=editor, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert git(repo, "log", "-1", "--format=%B").splitlines()[:2] == [f"Spec: {title}", ""]


WORDS = st.lists(st.text(st.sampled_from("ab#;é-"), min_size=1, max_size=30), max_size=40)


@given(words=WORDS)
def test_the_body_keeps_every_word_and_no_line_starts_a_comment(words: list[str]) -> None:
    lines = wrap(words, 72, "#")
    assert " ".join(lines).split() == words
    assert not any(line.startswith("#") for line in lines)


@given(words=WORDS.map(lambda words: [word.replace("#", "") or "a" for word in words]))
def test_without_the_comment_char_the_body_wraps_as_textwrap_does(words: list[str]) -> None:
    expected = textwrap.wrap(" ".join(words), 72, break_long_words=False, break_on_hyphens=False)
    assert wrap(words, 72, "#") == expected


# The facts the pre-commit stage keeps for these hooks (message_facts).

OTHER_API = WITH_API.replace("call.", "call and a new field.")


def hooks_say(repo: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, int, str]:
    """What prepare-commit-msg writes for an unwritten message, and what
    commit-msg exits with and prints for one without the flag."""
    prepared = message_file(repo)
    assert main(["prepare-commit-msg", str(prepared)]) == 0
    message = prepared.read_text()
    code = main(["commit-msg", str(message_file(repo, "Change the spec\n"))])
    return message, code, capsys.readouterr().out


def kept(folder: Path) -> list[Path]:
    return sorted((folder / "commit-facts").glob("*.json")) if (folder / "commit-facts").is_dir() else []


def no_parse(*args: object, **kwargs: object) -> None:
    raise AssertionError("a spec was parsed")


@pytest.mark.parametrize(
    ("committed", "staged"),
    [
        pytest.param(None, GOOD, id="added"),
        pytest.param(None, GOOD.replace(NONE_API, WITH_API), id="added-with-api"),
        pytest.param(GOOD.replace(NONE_API, WITH_API), GOOD.replace(NONE_API, WITH_API) + "\n.. edit\n", id="section-unchanged"),
        pytest.param(GOOD.replace(NONE_API, WITH_API), GOOD.replace(NONE_API, OTHER_API), id="section-changed"),
        pytest.param(GOOD, GOOD.replace(NONE_API, WITH_API), id="section-now-says-something"),
    ],
)
def test_kept_facts_say_what_a_parse_says(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    committed: str | None, staged: str,
) -> None:
    """The hooks say the same with no kept facts (each spec parsed) and
    with those ``check --fix --staged`` kept (no spec parsed at all)."""
    cache = tmp_path / "cache"
    if committed is not None:  # HEAD's copy, as the commit hook met it when it was staged.
        stage(repo, SPEC, committed)
        keep_facts(monkeypatch, cache)
        commit(repo)
    stage(repo, SPEC, staged)
    monkeypatch.setenv("SPECKEEPER_CACHE_DIR", "")  # Nothing kept: every spec parsed.
    parsed = hooks_say(repo, capsys)
    keep_facts(monkeypatch, cache)
    assert len(kept(cache)) == (1 if committed is None else 2)
    monkeypatch.setattr("speckeeper.document.rst.build.build", no_parse)
    assert hooks_say(repo, capsys) == parsed


def keep_facts(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    """The pre-commit stage of the docs' snippet, keeping facts in ``cache``."""
    monkeypatch.setenv("SPECKEEPER_CACHE_DIR", str(cache))
    assert main(["check", "--fix", "--staged", "--quiet", SPEC]) == 0


@pytest.mark.parametrize(
    "entry",
    [
        b"not json",
        {"title": "Forged", "introduction": "", "api_impact": None, "more": 1},
        {"title": 7, "introduction": "", "api_impact": None},
        {"title": "Forged", "introduction": "", "api_impact": [0, "what it says"]},
        {"title": "Forged", "introduction": "", "api_impact": [True, "what it says"]},
        {"title": "Forged", "introduction": "", "api_impact": [44, 7]},
        b"[" * 100_000,
        {"title": "x" * 9_000_000, "introduction": "", "api_impact": None},
        "world-writable",
        "link",
    ],
    ids=["not-json", "more-keys", "title-not-text", "line-0", "line-true", "said-not-text", "deep", "too-large",
         "world-writable", "link"],
)
def test_a_kept_entry_that_is_not_facts_is_a_miss(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    entry: bytes | str | dict[str, object],
) -> None:
    """Whatever an entry holds, the hooks say what a parse says. A forged
    entry is otherwise right (its stamp and text those of the spec as
    staged), so that what it holds is what makes it a miss."""
    cache = tmp_path / "cache"
    stage(repo, SPEC, GOOD.replace(NONE_API, WITH_API))
    monkeypatch.setenv("SPECKEEPER_CACHE_DIR", "")
    parsed = hooks_say(repo, capsys)
    keep_facts(monkeypatch, cache)
    (found,) = kept(cache)

    def holding(data: object) -> bytes:
        return json.dumps({**json.loads(found.read_bytes()), "data": data}).encode()

    forged = holding({"title": "Forged", "introduction": "Forged.", "api_impact": None})
    if entry == "world-writable":
        found.write_bytes(forged)
        found.chmod(0o666)
    elif entry == "link":
        (tmp_path / "elsewhere.json").write_bytes(forged)
        found.unlink()
        found.symlink_to(tmp_path / "elsewhere.json")
    else:
        found.write_bytes(entry if isinstance(entry, bytes) else holding(entry))
    assert hooks_say(repo, capsys) == parsed
    assert parsed[0].startswith(SUBJECT_AND_BODY + "\nAPIImpact\n") and parsed[1] == 1


# What the commit hook settles for commit-msg (files/settled).

# Runs a command as its entry point does; says whether the configuration
# was read.
ENTRY = """
import sys
sys.argv[0] = "speckeeper"
from speckeeper import launch
try:
    launch.entry()
except SystemExit as exit_:
    print("configured" if "speckeeper.config.settings" in sys.modules else "settled", exit_.code, file=sys.stderr)
"""


def commit_msg_entry(repo: Path, message: str) -> tuple[str, int, str]:
    """commit-msg run as git runs it: what it printed, its exit code, and
    whether it read the configuration ("configured") or the commit hook
    had settled the commit ("settled")."""
    done = run_driver(ENTRY, repo, "commit-msg", str(message_file(repo, message)))
    how, code = done.stderr.splitlines()[-1].split()
    return done.stdout, int(code), how


@pytest.mark.parametrize(
    ("committed", "staged", "settles"),
    [
        pytest.param(None, GOOD, True, id="added"),
        pytest.param(None, GOOD.replace(NONE_API, WITH_API), False, id="added-with-api"),
        pytest.param(GOOD.replace(NONE_API, WITH_API), GOOD.replace(NONE_API, WITH_API) + "\n.. edit\n", True, id="section-unchanged"),
        pytest.param(GOOD.replace(NONE_API, WITH_API), GOOD.replace(NONE_API, OTHER_API), False, id="section-changed"),
        pytest.param(GOOD, GOOD.replace(NONE_API, WITH_API), False, id="section-now-says-something"),
    ],
)
def test_commit_msg_settled_by_the_commit_hook_says_what_it_says_unsettled(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, committed: str | None, staged: str, settles: bool
) -> None:
    """After the commit hook, commit-msg exits as it does without it; where
    no spec needs the flag it does so reading neither the configuration
    nor a spec."""
    cache = tmp_path / "cache"
    if committed is not None:
        stage(repo, SPEC, committed)
        keep_facts(monkeypatch, cache)
        commit(repo)
    stage(repo, SPEC, staged)
    monkeypatch.setenv("SPECKEEPER_CACHE_DIR", "")  # Nothing kept: commit-msg works it out.
    unsettled = commit_msg_entry(repo, "Change the spec\n")
    keep_facts(monkeypatch, cache)
    out, code, how = commit_msg_entry(repo, "Change the spec\n")
    assert (out, code) == unsettled[:2]
    assert unsettled[2] == "configured" and how == ("settled" if settles else "configured")
    assert code == (0 if settles else 1)


def test_a_commit_staged_again_is_not_what_was_settled(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settled for one staged diff, not for the next: a section that now
    says something, staged after the commit hook ran, fails commit-msg."""
    stage(repo, SPEC, GOOD)
    keep_facts(monkeypatch, tmp_path / "cache")
    assert commit_msg_entry(repo, "Propose it\n")[1:] == (0, "settled")
    stage(repo, SPEC, GOOD.replace(NONE_API, WITH_API))
    out, code, how = commit_msg_entry(repo, "Propose it\n")
    assert (code, how) == (1, "configured") and out.startswith(f"{SPEC}:{API_LINE}:1: ")


def test_settled_from_the_staged_copy_not_the_work_trees(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The commit hook run by hand with the work tree's copy unlike the
    staged one (pre-commit would have set it aside): what is staged decides."""
    stage(repo, SPEC, GOOD.replace(NONE_API, WITH_API))
    (repo / SPEC).write_text(GOOD, encoding="utf-8")
    keep_facts(monkeypatch, tmp_path / "cache")
    out, code, how = commit_msg_entry(repo, "Propose it\n")
    assert (code, how) == (1, "configured") and out.startswith(f"{SPEC}:{API_LINE}:1: ")


def test_a_settled_commit_with_no_message_file_is_still_an_error(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stage(repo, SPEC, GOOD)
    keep_facts(monkeypatch, tmp_path / "cache")
    done = run_driver(ENTRY, repo, "commit-msg", "nope")
    error, (_, code) = done.stderr.splitlines()[0], done.stderr.splitlines()[-1].split()
    assert (error, code) == ("speckeeper: error: nope: cannot read the commit message: No such file or directory", "2")
