""".pre-commit-hooks.yaml against the code: every hook's command exists and
every rule group it names has rules, so no hook fails on a spec repo with
"unknown rule group" or "invalid choice"."""

from __future__ import annotations

import shlex

import pytest
import yaml

from speckeeper import rules
from speckeeper.cli import COMMANDS, build_parser

from .conftest import REPO

HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
MESSAGE_STAGES = {"prepare-commit-msg", "commit-msg"}


@pytest.mark.parametrize("hook", HOOKS, ids=[hook["id"] for hook in HOOKS])
def test_hook_runs_a_command_the_cli_has(hook: dict[str, object]) -> None:
    entry = shlex.split(str(hook["entry"]))
    assert entry[0] == "speckeeper" and entry[1] in COMMANDS
    assert hook["language"] == "python"
    # The entry parses as it stands, with a file pre-commit would pass.
    build_parser().parse_args([*entry[1:], *map(str, hook.get("args", [])), "specs/x.rst"])


def test_group_hooks_name_only_groups_that_have_rules() -> None:
    # File rules (SK00x) run in every hook that reads a spec.
    known = {rule.group for rule in rules.ALL} - {"files"}
    named = set()
    for hook in HOOKS:
        entry = shlex.split(hook["entry"])
        if "--group" in entry:
            named.update(entry[entry.index("--group") + 1].split(","))
    assert named == known, "every group has a hook, and every hook's group has rules"


@pytest.mark.parametrize("hook", HOOKS, ids=[hook["id"] for hook in HOOKS])
def test_file_hooks_target_spec_folders_and_message_hooks_their_stage(hook: dict[str, object]) -> None:
    stages = set(hook["stages"])  # type: ignore[arg-type]
    if stages & MESSAGE_STAGES:
        assert len(stages) == 1 and "files" not in hook and "types" not in hook
    else:
        assert stages == {"pre-commit", "pre-merge-commit", "pre-push", "manual"}
        if hook.get("types") == ["markdown"]:
            # Markdown processes keep documents where they like (keps/,
            # docs/decisions/): the configuration says which are documents.
            assert "files" not in hook and hook["require_serial"] is True
            return
        assert hook["files"] == "^specs/"
        if "--staged" in hook["entry"] and hook.get("pass_filenames", True):
            # The one commit hook: every file under specs/ (a redirects file
            # too) is its business; it parses only the .rst ones.
            assert "types" not in hook and hook["require_serial"] is True
        elif hook.get("pass_filenames", True):
            assert hook["types"] == ["rst"]
            # check and fix spread files over the cores themselves (--jobs):
            # pre-commit must not run several of them at once, nor split the
            # files so that "Fixing" lines come out of path order.
            assert hook["require_serial"] is True
        else:  # The lifecycle hook: any change under specs/ runs it on the whole folder.
            assert "types" not in hook and "args" not in hook and "--staged" in hook["entry"]
    assert hook["minimum_pre_commit_version"] == "3.2.0"
