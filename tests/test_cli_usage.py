"""What a user who mistypes sees: one line naming what they meant, exit 2;
and ``--help`` that lists what the options take."""

from __future__ import annotations

import pytest

from speckeeper import rules
from speckeeper.cli import COMMANDS

from .conftest import speckeeper


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("chek", "check"), ("fixx", "fix"), ("rule", "rules"), ("basline", "baseline"), ("commit_msg", "commit-msg")],
)
def test_a_mistyped_command_names_the_nearest_one(capsys: pytest.CaptureFixture[str], typed: str, meant: str) -> None:
    ran = speckeeper(capsys, typed, "specs/")
    assert ran.code == 2
    assert ran.out == []
    assert ran.err == [f"speckeeper: error: '{typed}' is not a speckeeper command; did you mean '{meant}'?"]


def test_a_command_like_none_points_at_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    ran = speckeeper(capsys, "xyzzy")
    assert (ran.code, ran.err) == (2, ["speckeeper: error: 'xyzzy' is not a speckeeper command (see 'speckeeper --help')"])


def test_every_command_still_runs_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    for name in COMMANDS:
        ran = speckeeper(capsys, name, "--help")
        assert ran.code == 0
        assert ran.out[0].startswith(f"usage: speckeeper {name}")


@pytest.mark.parametrize("argv", [["--help"], ["-h", "check"], ["--help", "commit-msg", "x"]])
def test_the_help_lists_every_command_whatever_follows(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    """A run of one command sets up only its own parser; the help before
    a command still lists them all."""
    ran = speckeeper(capsys, *argv)
    assert ran.code == 0
    listed = " ".join(ran.out)
    assert all(f" {name} " in listed for name in COMMANDS)


def test_check_help_lists_every_rule_group(capsys: pytest.CaptureFixture[str]) -> None:
    helped = " ".join(" ".join(speckeeper(capsys, "check", "--help").out).split())
    groups = {rule.group for rule in rules.ALL} - {"files"}
    assert len(groups) == 8
    assert all(group in helped for group in groups), helped
