"""``speckeeper completion bash|zsh|fish``: a completion script made by
shtab from the argument parser itself, so it never drifts from the
options. shtab is an optional extra (``speckeeper[completion]``), imported
only here.

What shtab cannot read off the parser is said here, by the metavar an
argument shows: spec paths (``.rst`` files and the folders on the way to
them) wherever a command takes a spec, rule codes wherever it takes codes
(a comma-separated list: ``--select SK101,SK1<Tab>``), group names for
``--group``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from speckeeper import rules
from speckeeper.config.settings import ConfigError

SHELLS = ("bash", "zsh", "fish")

# Arguments whose values are spec paths, any file, a folder, rule codes or
# rule groups, by the metavar the parser shows.
_SPECS = {"PATH", "SPEC", "ARG"}  # move's ARG: SPEC DEST
_FILES = {"FILE", "TEMPLATE"}
_FOLDERS = {"DIR"}
_CODES = {"CODES"}  # A comma-separated list; rules' CODE: one a word.
_GROUPS = {"GROUPS"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, help="the shell to write the script for")


def words(name: str, choices: Sequence[str], lists: bool = True) -> dict[str, Any]:
    """shtab's custom completion offering ``choices``; with ``lists``, each
    as the last item of a comma-separated list (what ``--select`` and
    ``--group`` take)."""
    listed = " ".join(choices)
    return {
        "bash": f"_speckeeper_{name}",
        "zsh": f"_sequence compadd - {listed}" if lists else f"({listed})",
        "fish": f"(_speckeeper_{name})",
        "preamble": {
            # COMP_WORDBREAKS has no comma: the word is the whole list so far.
            "bash": (
                f"_speckeeper_{name}() {{\n"
                '  local head=""\n'
                '  case "$1" in *,*) head="${1%,*},";; esac\n'
                f'  compgen -P "$head" -W "{listed}" -- "${{1##*,}}"\n'
                "}\n"
            ),
            "fish": (
                f"function _speckeeper_{name}\n"
                "  set -l head (string replace -r -- '[^,]*$' '' (commandline -ct))\n"
                f"  for word in {listed}\n"
                "    printf '%s%s\\n' $head $word\n"
                "  end\n"
                "end\n"
            ),
        },
    }


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script for this parser: commands, options, choices,
    spec paths, rule codes and groups, and file names where an argument
    takes a path."""
    try:
        import shtab
    except ImportError:
        raise ConfigError("completion needs shtab: pip install 'speckeeper[completion]'") from None
    codes = [rule.code for rule in rules.ALL]
    # shtab writes zsh's pattern as "(*.rst)", which zsh reads as glob
    # qualifiers ("*": executable, ".": plain files): any file.
    specs = {**shtab.glob("*.rst"), "zsh": "_files -g '*.rst'"}
    complete_by_metavar = {
        **dict.fromkeys(_SPECS, specs),
        **dict.fromkeys(_FILES, shtab.FILE),
        **dict.fromkeys(_FOLDERS, shtab.DIRECTORY),
        **dict.fromkeys(_CODES, words("codes", codes)),
        "CODE": words("codes", codes, lists=False),
        **dict.fromkeys(_GROUPS, words("groups", list(dict.fromkeys(r.group for r in rules.ALL if r.group != "files")))),
    }
    for action in _actions(parser):
        complete = complete_by_metavar.get(str(action.metavar))
        if complete is not None:
            action.complete = complete  # type: ignore[attr-defined]
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
