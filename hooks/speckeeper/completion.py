"""``speckeeper completion bash|zsh``: a completion script made by shtab from
the argument parser itself, so it never drifts from the options. shtab is
an optional extra (``speckeeper[completion]``), imported only here."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from .config import ConfigError

SHELLS = ("bash", "zsh")

# Arguments whose values are paths, by the metavar the parser shows.
_FILES = {"PATH", "FILE", "TEMPLATE"}
_FOLDERS = {"DIR"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, help="the shell to write the script for")


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script for this parser: commands, options, choices,
    and file names where an argument takes a path."""
    try:
        import shtab
    except ImportError:
        raise ConfigError("completion needs shtab: pip install 'speckeeper[completion]'") from None
    for action in _actions(parser):
        if action.metavar in _FILES:
            action.complete = shtab.FILE  # type: ignore[attr-defined]
        elif action.metavar in _FOLDERS:
            action.complete = shtab.DIRECTORY  # type: ignore[attr-defined]
    return shtab.complete(parser, shell=shell)


def _actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    found: list[argparse.Action] = []
    for action in parser._actions:  # argparse has no public list of them.
        found.append(action)
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found.extend(_actions(sub))
    return found


def run(args: argparse.Namespace, build_parser: Callable[[], argparse.ArgumentParser]) -> int:
    sys.stdout.write(script(build_parser(), args.shell))
    return 0
