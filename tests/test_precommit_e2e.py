"""The hooks as a spec repo uses them: pre-commit installs this checkout from
a git URL and runs it on `git commit`, in CI and through try-repo.

pre-commit installs what is committed, so the session first commits a copy
of this checkout as it is on disk (tracked and new files alike) to a
temporary repository; uncommitted work is what gets tested. One
PRE_COMMIT_HOME serves the whole session, so the hook environment is
installed once (from the package registry, as a spec repo's would be).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import FIXTURES, REPO

pytestmark = pytest.mark.slow

GOOD = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
SPEC = "specs/2027.1/approved/awesome-thing.rst"
# "Testing" renamed: the template's section is missing, an unknown one is there.
BROKEN = GOOD.replace("Testing\n=======\n", "Tests\n=====\n")
BROKEN_LINE = BROKEN.splitlines().index("Tests") + 1
# The introduction joined into one line of more than 79 columns.
INTRO = (
    "Operators want servers to move between hosts without downtime; this spec\n"
    "proposes the awesome thing that lets them.\n"
)
LONG_LINE = GOOD.replace(INTRO, " ".join(INTRO.split()) + " It is long.\n")
WITH_API = GOOD.replace(
    "REST API impact\n---------------\n\nNone\n",
    "REST API impact\n---------------\n\nA new ``GET /servers/{id}/awesome`` call.\n",
)


def run(cwd: Path, env: dict[str, str], *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run a command; its output is stdout and stderr together, as a user sees it."""
    done = subprocess.run(
        args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False
    )
    if check and done.returncode:
        raise AssertionError(f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}")
    return done


def pre_commit(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run(cwd, env, sys.executable, "-m", "pre_commit", *args)


@pytest.fixture(scope="session")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """No git or pre-commit state from outside; one pre-commit home."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    clean.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_EDITOR="true",  # `git commit` without -m keeps the prepared message.
        PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")),
    )
    return clean


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> tuple[Path, str]:
    """This checkout as it is on disk, committed: (path, commit)."""
    if not (REPO / ".git").exists():
        pytest.skip(f"{REPO} is not a git checkout")
    listed = run(REPO, env, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", check=True)
    root = tmp_path_factory.mktemp("speckeeper-snapshot")
    for name in filter(None, listed.stdout.split("\0")):
        source = REPO / name
        if source.is_file() or source.is_symlink():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name, follow_symlinks=False)
    run(root, env, "git", "init", "-q", check=True)
    run(root, env, "git", "add", "-A", check=True)
    run(root, env, "git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "snapshot", check=True)
    return root, run(root, env, "git", "rev-parse", "HEAD", check=True).stdout.strip()


def make_spec_repo(
    path: Path, env: dict[str, str], hook_repo: tuple[Path, str], hooks: list[str], top: str = "", spec: str = GOOD
) -> Path:
    """A spec repo with one good spec (unless ``spec`` is empty), staged, and
    a pre-commit config using ``hooks`` from this checkout."""
    path.mkdir()
    run(path, env, "git", "init", "-q", "-b", "main", check=True)
    run(path, env, "git", "config", "user.name", "Spec Author", check=True)
    run(path, env, "git", "config", "user.email", "author@example.com", check=True)
    ids = "".join(f"      - id: {hook}\n" for hook in hooks)
    (path / ".pre-commit-config.yaml").write_text(
        f"{top}repos:\n  - repo: {hook_repo[0]}\n    rev: {hook_repo[1]}\n    hooks:\n{ids}", encoding="utf-8"
    )
    if spec:
        write(path, SPEC, spec)
    run(path, env, "git", "add", "-A", check=True)
    return path


def write(repo: Path, relpath: str, text: str) -> None:
    (repo / relpath).parent.mkdir(parents=True, exist_ok=True)
    (repo / relpath).write_text(text, encoding="utf-8")


def commits(repo: Path, env: dict[str, str]) -> int:
    done = run(repo, env, "git", "rev-list", "--count", "--all")
    return int(done.stdout) if done.returncode == 0 else 0


CHECK_HOOKS = [
    "speckeeper",
    "speckeeper-structure",
    "speckeeper-lines",
    "speckeeper-naming",
    "speckeeper-lifecycle",
    "speckeeper-rst",
]


def test_run_all_files_passes_on_a_good_spec(
    tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    repo = make_spec_repo(tmp_path / "specs-repo", env, hook_repo, CHECK_HOOKS)
    done = pre_commit(repo, env, "run", "--all-files")
    assert done.returncode == 0, done.stdout
    passed = [line for line in done.stdout.splitlines() if line.startswith("speckeeper") and line.endswith("Passed")]
    assert len(passed) == len(CHECK_HOOKS), done.stdout


def test_hooks_find_the_repos_config_or_take_it_from_args(
    tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    repo = make_spec_repo(tmp_path / "specs-repo", env, hook_repo, ["speckeeper"])
    write(repo, SPEC, BROKEN)
    run(repo, env, "git", "add", "-A", check=True)
    assert pre_commit(repo, env, "run", "--all-files").returncode == 1
    # The repo's pyproject.toml tolerates the renamed section.
    write(repo, "pyproject.toml", '[tool.speckeeper]\nignore = ["SK101", "SK103"]\n')
    done = pre_commit(repo, env, "run", "--all-files")
    assert done.returncode == 0, done.stdout
    # A config named in the hook's args wins over the one found.
    config = repo / ".pre-commit-config.yaml"
    config.write_text(config.read_text() + "        args: [--config, ci/strict.toml]\n")
    write(repo, "ci/strict.toml", "ignore = []\n")
    run(repo, env, "git", "add", "-A", check=True)
    done = pre_commit(repo, env, "run", "--all-files")
    assert done.returncode == 1 and f"{SPEC}:{BROKEN_LINE}:1: SK103 " in done.stdout


def rename_section(repo: Path) -> str:
    write(repo, SPEC, BROKEN)
    return f'{SPEC}:{BROKEN_LINE}:1: SK103 unexpected top-level section "Tests"'


def rename_file(repo: Path) -> str:
    other = SPEC.replace("awesome-thing", "other-thing")
    (repo / SPEC).rename(repo / other)
    return f'{other}:{GOOD.splitlines().index(URL) + 1}:1: SK303 tracker URL names "awesome-thing"'


def join_a_paragraph(repo: Path) -> str:
    write(repo, SPEC, LONG_LINE)
    line = LONG_LINE.splitlines().index(" ".join(INTRO.split()) + " It is long.") + 1
    return f"{SPEC}:{line}:80: SK201 "


def add_stray_file(repo: Path) -> str:
    write(repo, "specs/2027.1/notes.txt", "To do\n")
    return 'specs/2027.1/notes.txt:1:1: SK313 file "notes.txt" in release folder specs/2027.1'


URL = "https://blueprints.launchpad.net/nova/+spec/awesome-thing"


@pytest.mark.parametrize(
    "edit",
    [rename_section, join_a_paragraph, rename_file, add_stray_file],
    ids=["structure", "wrapping", "naming", "lifecycle"],
)
def test_commit_that_breaks_a_spec_fails_naming_file_line_and_code(
    tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str], edit: Callable[[Path], str]
) -> None:
    repo = make_spec_repo(tmp_path / "specs-repo", env, hook_repo, CHECK_HOOKS)
    pre_commit(repo, env, "install")
    run(repo, env, "git", "commit", "-qm", "Propose the awesome thing", check=True)
    expected = edit(repo)
    run(repo, env, "git", "add", "-A", check=True)
    done = run(repo, env, "git", "commit", "-qm", "Edit the spec")
    assert done.returncode == 1, done.stdout
    assert expected in done.stdout
    assert commits(repo, env) == 1


def test_fixer_rewraps_and_the_next_commit_passes(
    tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    repo = make_spec_repo(tmp_path / "specs-repo", env, hook_repo, ["speckeeper-fix", "speckeeper"])
    pre_commit(repo, env, "install")
    run(repo, env, "git", "commit", "-qm", "Propose the awesome thing", check=True)
    write(repo, SPEC, LONG_LINE)
    run(repo, env, "git", "add", "-A", check=True)
    done = run(repo, env, "git", "commit", "-qm", "Say more")
    assert done.returncode == 1, done.stdout
    assert "- files were modified by this hook" in done.stdout
    assert f"Fixing {SPEC}" in done.stdout
    fixed = (repo / SPEC).read_text(encoding="utf-8")
    assert max(len(line) for line in fixed.splitlines()) <= 79
    assert " ".join(fixed.split()) == " ".join(LONG_LINE.split())
    assert commits(repo, env) == 1
    run(repo, env, "git", "add", "-A", check=True)
    done = run(repo, env, "git", "commit", "-qm", "Say more")
    assert done.returncode == 0, done.stdout
    assert commits(repo, env) == 2


def test_ci_annotations_through_a_manual_stage_alias(
    tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    """The docs' GitHub Actions job: the same hook, same rev, as annotations."""
    repo = make_spec_repo(tmp_path / "specs-repo", env, hook_repo, [])
    config = repo / ".pre-commit-config.yaml"
    config.write_text(
        config.read_text()
        + "      - id: speckeeper\n"
        + "        alias: speckeeper-github\n"
        + "        args: [--format, github]\n"
        + "        stages: [manual]\n"
    )
    write(repo, SPEC, BROKEN)
    run(repo, env, "git", "add", "-A", check=True)
    commit_time = pre_commit(repo, env, "run", "--all-files")
    assert commit_time.returncode == 0 and "::error" not in commit_time.stdout
    done = pre_commit(repo, env, "run", "speckeeper-github", "--all-files", "--hook-stage", "manual")
    assert done.returncode == 1
    assert f"\n::error file={SPEC},line={BROKEN_LINE},col=1,title=SK103::SK103 " in done.stdout


def test_try_repo_checks_the_same_way(tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]) -> None:
    repo = make_spec_repo(tmp_path / "specs-repo", env, hook_repo, [])
    broken = SPEC.replace("awesome-thing", "broken-thing")
    write(repo, broken, BROKEN)
    run(repo, env, "git", "add", "-A", check=True)
    done = pre_commit(repo, env, "try-repo", str(hook_repo[0]), "speckeeper", "--ref", hook_repo[1], "--all-files")
    assert done.returncode == 1, done.stdout
    assert f'{broken}:{BROKEN_LINE}:1: SK103 unexpected top-level section "Tests"' in done.stdout
    assert f"{SPEC}:" not in done.stdout


def test_commit_message_hooks(tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]) -> None:
    repo = make_spec_repo(
        tmp_path / "specs-repo",
        env,
        hook_repo,
        ["speckeeper", "speckeeper-prepare-commit-msg", "speckeeper-commit-msg"],
        top="default_install_hook_types: [pre-commit, prepare-commit-msg, commit-msg]\n",
    )
    write(repo, SPEC, WITH_API)
    run(repo, env, "git", "add", "-A", check=True)
    installed = pre_commit(repo, env, "install")
    assert installed.stdout.count("pre-commit installed at") == 3, installed.stdout
    # No message given: the spec's title and introduction, and the flag.
    run(repo, env, "git", "commit", "-q", check=True)
    message = run(repo, env, "git", "log", "-1", "--format=%B", check=True).stdout
    assert message == (
        "Awesome thing for server migrations\n\n"
        "Operators want servers to move between hosts without downtime; this spec\n"
        "proposes the awesome thing that lets them.\n\n"
        "APIImpact\n\n"
    )
    # A message given, without the flag: the commit stops, naming the spec.
    other = SPEC.replace("awesome-thing", "other-thing")
    write(repo, other, WITH_API.replace("awesome-thing", "other-thing"))
    run(repo, env, "git", "add", other, check=True)
    done = run(repo, env, "git", "commit", "-qm", "Propose the other thing")
    assert done.returncode == 1
    assert f'{other}:{GOOD.splitlines().index("REST API impact") + 1}:1: section "REST API impact"' in done.stdout
    assert commits(repo, env) == 1
    run(repo, env, "git", "commit", "-qm", "Propose the other thing\n\nAPIImpact", check=True)


def test_from_copier_copy_to_commit(tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]) -> None:
    """An author's whole path: copier writes the spec, the hooks pass it,
    and the commit message is the spec's title, introduction and flag."""
    repo = make_spec_repo(
        tmp_path / "specs-repo",
        env,
        hook_repo,
        ["speckeeper-fix", *CHECK_HOOKS, "speckeeper-prepare-commit-msg", "speckeeper-commit-msg"],
        top="default_install_hook_types: [pre-commit, prepare-commit-msg, commit-msg]\n",
        spec="",
    )
    summary = " ".join(INTRO.split())
    copied = run(
        repo, env, sys.executable, "-m", "copier", "copy", "--quiet", "--defaults", "--vcs-ref", "HEAD",
        "--data", "project=nova", "--data", "release=2027.1", "--data", "blueprint=awesome-thing",
        "--data", "title=Awesome thing for server migrations", "--data", f"summary={summary}",
        "--data", "rest_api_impact=true", str(hook_repo[0]), str(repo),
    )  # fmt: skip
    assert copied.returncode == 0, copied.stdout
    assert (repo / SPEC).is_file()
    run(repo, env, "git", "add", "-A", check=True)
    done = pre_commit(repo, env, "run", "--all-files")
    assert done.returncode == 0, done.stdout
    pre_commit(repo, env, "install")
    run(repo, env, "git", "commit", "-q", check=True)
    message = run(repo, env, "git", "log", "-1", "--format=%B", check=True).stdout
    assert message == f"Awesome thing for server migrations\n\n{INTRO}\nAPIImpact\n\n"


def docs_snippet(repo: Path, env: dict[str, str], hook_repo: tuple[Path, str]) -> None:
    """The docs' command that writes .pre-commit-config.yaml (docs/ci.md), as
    written, run with SPECKEEPER_GIT pointing here."""
    page = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    start = "$ cat > .pre-commit-config.yaml <<EOF\n"
    body = page.split(start, 1)[1].split("\nEOF\n", 1)[0]
    script = f"cat > .pre-commit-config.yaml <<EOF\n{body}\nEOF\n"
    run(repo, {**env, "SPECKEEPER_GIT": str(hook_repo[0])}, "bash", "-c", script, check=True)
    assert f"    rev: {hook_repo[1]}\n" in (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8")


# What the baseline records over the whole corpus with no configuration
# and the docs' hooks, by code: SK102 and SK201 only in queens, SK205 only
# in ussuri, SK304 and SK311 in kilo (and older releases), SK301 and SK303
# in kilo and others. These releases hold each of them.
ADOPTED = ("kilo", "queens", "ussuri", "2026.1", "2026.2", "2027.1", "backlog", "abandoned")


def test_adopting_on_the_upstream_nova_specs_checkout(
    corpus: Path, tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    """The docs' "Adopting speckeeper on an existing repo", step by step,
    on an upstream nova-specs checkout, with no configuration: the releases
    of the corpus that hold every kind of finding the whole of it has with
    no configuration (kilo: SK301, SK303, SK304, SK311 and redirects;
    queens: SK102, SK201; ussuri: SK205), the newest ones, the backlog and the
    abandoned folder, as the corpus holds them: 160 specs of 809, each
    step over all of them. (The whole corpus with no configuration is
    test_detect's.)"""
    repo = tmp_path / "nova-specs"
    for name in ADOPTED:
        shutil.copytree(corpus / "specs" / name, repo / "specs" / name)
        if (corpus / "specs" / f"{name}-template.rst").is_file():
            shutil.copy2(corpus / "specs" / f"{name}-template.rst", repo / "specs")
    write(repo, "README.rst", "nova-specs\n==========\n")
    write(repo, "priorities/2027.1-priorities.rst", "Priorities\n==========\n")
    (repo / "doc/source").mkdir(parents=True)
    (repo / "doc/source/specs").symlink_to(Path("../../specs"))
    run(repo, env, "git", "init", "-q", "-b", "master", check=True)
    run(repo, env, "git", "config", "user.name", "Spec Author", check=True)
    run(repo, env, "git", "config", "user.email", "author@example.com", check=True)
    run(repo, env, "git", "add", "-A", check=True)
    run(repo, env, "git", "commit", "-qm", "nova-specs as it is", check=True)

    speckeeper = [sys.executable, "-m", "speckeeper"]
    # The hooks first: speckeeper's line hooks are the repo's line gate,
    # which the baseline must see.
    docs_snippet(repo, env, hook_repo)
    baseline = run(repo, env, *speckeeper, "baseline", check=True)
    assert "finding(s) to the baseline .speckeeper-baseline.json" in baseline.stdout
    recorded = json.loads((repo / ".speckeeper-baseline.json").read_text(encoding="utf-8"))["entries"]
    assert {entry["code"] for entry in recorded} == {"SK102", "SK201", "SK205", "SK301", "SK303", "SK304", "SK311"}
    run(repo, env, "git", "add", "-A", check=True)
    run(repo, env, "git", "commit", "-qm", "Check specs with speckeeper", check=True)
    assert pre_commit(repo, env, "install").returncode == 0

    # CI: every hook over every file passes, and changes no file.
    done = pre_commit(repo, env, "run", "--all-files")
    assert done.returncode == 0, done.stdout[-3000:]
    assert run(repo, env, "git", "status", "--porcelain", check=True).stdout == ""

    # A new spec, as copier writes it: the commit passes.
    copied = run(
        repo, env, sys.executable, "-m", "copier", "copy", "--quiet", "--defaults", "--vcs-ref", "HEAD",
        "--data", "release=2027.1", "--data", "blueprint=shiny-widget", "--data", "title=Shiny widgets",
        str(hook_repo[0]), str(repo),
    )  # fmt: skip
    assert copied.returncode == 0, copied.stdout
    run(repo, env, "git", "add", "-A", check=True)
    done = run(repo, env, "git", "commit", "-qm", "Propose shiny widgets")
    assert done.returncode == 0, done.stdout[-3000:]

    # A section deleted from a spec: the commit fails, naming file, line and code.
    spec = "specs/2027.1/approved/shiny-widget.rst"
    text = (repo / spec).read_text(encoding="utf-8")
    write(repo, spec, text.replace("Testing\n=======\n\nNone\n\n", ""))
    run(repo, env, "git", "add", "-A", check=True)
    done = run(repo, env, "git", "commit", "-qm", "Drop the testing section")
    assert done.returncode == 1
    line = text.replace("Testing\n=======\n\nNone\n\n", "").splitlines().index("Documentation Impact") + 1
    assert f'{spec}:{line}:1: SK101 missing section "Testing"' in done.stdout
    run(repo, env, "git", "checkout", "--", spec, check=True)

    # A spec a redirect points at, moved away: the commit fails on the redirect.
    redirects = repo / "specs/kilo/redirects"
    old, new = next(
        line.split(" ")
        for line in redirects.read_text(encoding="utf-8").splitlines()
        if (redirects.parent / line.split(" ")[0]).parent.joinpath(line.split(" ")[1]).is_file()
    )
    target = (redirects.parent / old).parent / new
    moved = target.with_name("moved-away.rst")
    run(repo, env, "git", "mv", str(target.relative_to(repo)), str(moved.relative_to(repo)), check=True)
    done = run(repo, env, "git", "commit", "-qm", "Move a spec")
    assert done.returncode == 1
    assert "specs/kilo/redirects:" in done.stdout and f'SK311 redirect target "{new}" does not exist' in done.stdout


def test_lifecycle_commands_commit_cleanly_through_the_readmes_hooks_with_a_baseline(
    corpus: Path, tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    """An upstream-like nova-specs checkout (its last five releases as the
    corpus holds them, template links and all, and the abandoned folder), with no
    configuration, the README's hooks and a baseline recording a finding of
    each spec a command then moves: each command's change commits through
    the hooks as it leaves it."""
    repo = tmp_path / "nova-specs"
    releases = ("2025.1", "2025.2", "2026.1", "2026.2", "2027.1")
    for name in (*releases, *(f"{release}-template.rst" for release in releases), "abandoned"):
        source = corpus / "specs" / name
        if source.is_dir():
            shutil.copytree(source, repo / "specs" / name)
        else:
            shutil.copy(source, repo / "specs" / name)
    for path in [*repo.rglob("*"), repo]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    for link in repo.glob("specs/*/*/*-template.rst"):  # The corpus keeps upstream's links as their text.
        target = link.read_text(encoding="utf-8").strip()
        link.unlink()
        link.symlink_to(target)
    slugs = {
        "moved": "nova-services-graceful-shutdown-part2-task-tracking",
        "implemented": "cyborg-vgpu-support",
        "abandoned": "amd-sev-snp-libvirt-support",
        "reproposed": "intel-tdx-libvirt-support",
    }
    for slug in slugs.values():
        # A tracker URL naming another blueprint (SK303), as nova's openapi.rst names openapi-3.
        spec = repo / f"specs/2026.2/approved/{slug}.rst"
        text = spec.read_text(encoding="utf-8")
        assert f"+spec/{slug}" in text
        spec.write_text(text.replace(f"+spec/{slug}", f"+spec/{slug}-2"), encoding="utf-8")
    run(repo, env, "git", "init", "-q", "-b", "master", check=True)
    run(repo, env, "git", "config", "user.name", "Spec Author", check=True)
    run(repo, env, "git", "config", "user.email", "author@example.com", check=True)
    speckeeper = [sys.executable, "-m", "speckeeper"]
    run(repo, env, *speckeeper, "baseline", check=True)
    baseline = (repo / ".speckeeper-baseline.json").read_text(encoding="utf-8")
    assert all(f'"specs/2026.2/approved/{slug}.rst"' in baseline for slug in slugs.values()), baseline
    docs_snippet(repo, env, hook_repo)
    run(repo, env, "git", "add", "-A", check=True)
    run(repo, env, "git", "commit", "-qm", "nova-specs with speckeeper", check=True)
    assert pre_commit(repo, env, "install").returncode == 0

    commands = [
        ["move", f"specs/2026.2/approved/{slugs['moved']}.rst", "implemented"],
        ["move", "--implemented", "2026.2", slugs["implemented"]],
        ["abandon", f"specs/2026.2/approved/{slugs['abandoned']}.rst", "--reason", "Superseded by the SEV work."],
        ["repropose", f"specs/2026.2/approved/{slugs['reproposed']}.rst", "--release", "2027.1"],
    ]
    for argv in commands:
        done = run(repo, env, *speckeeper, *argv)
        assert done.returncode in (0, 1) and "Traceback" not in done.stdout, done.stdout
        done = run(repo, env, "git", "commit", "-qm", f"speckeeper {argv[0]}")
        assert done.returncode == 0, f"{argv}:\n{done.stdout[-3000:]}"
        assert run(repo, env, "git", "status", "--porcelain", check=True).stdout == "", argv
    # Each spec's entry went where the spec went (or, abandoned, where no
    # check looks, away); the template links went with move --implemented.
    recorded = json.loads((repo / ".speckeeper-baseline.json").read_text(encoding="utf-8"))["entries"]
    assert sorted(entry["path"] for entry in recorded if Path(entry["path"]).stem in slugs.values()) == [
        f"specs/2026.2/approved/{slugs['reproposed']}.rst",
        f"specs/2026.2/implemented/{slugs['implemented']}.rst",
        f"specs/2026.2/implemented/{slugs['moved']}.rst",
        f"specs/2027.1/approved/{slugs['reproposed']}.rst",
    ]
    assert not list(repo.glob("specs/2026.2/*/2026.2-template.rst"))
    done = pre_commit(repo, env, "run", "--all-files")
    assert done.returncode == 0, done.stdout[-3000:]
