"""copier's questions as an author reads them: at a terminal 80 columns
wide, where copier cuts each line of a help text and shows only the first
line of a validator's message. copier runs in a pseudo-terminal and pyte
draws the screen it would show; a line is readable when a row of that
screen holds it whole.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml
from docutils.utils import column_width

from .test_copier_template import PACKAGED, findings, parsed, section_text

COLUMNS, ROWS = 80, 24
QUESTIONS: dict[str, Any] = yaml.safe_load((PACKAGED / "questions.yml").read_text(encoding="utf-8"))
# copier's prompt: its microphone (two columns) and a space before the help.
MIC = "\N{MICROPHONE} "


def helps() -> dict[str, list[str]]:
    """Each question's help, as the lines copier prints above its prompt."""
    return {name: str(q["help"]).splitlines() for name, q in QUESTIONS.items() if isinstance(q, dict) and "help" in q}


@pytest.mark.parametrize("name", sorted(helps()))
def test_every_help_line_fits_the_prompt(name: str) -> None:
    first, *details = helps()[name]
    assert column_width(MIC + first) <= COLUMNS
    assert all(column_width(line) <= COLUMNS for line in details)


def rejection(key: str, value: str, dst: Path) -> str:
    """The first line of what copier says of this answer: what its prompt shows."""
    data = {"blueprint": "ok", key: value}
    with pytest.raises(ValueError) as raised:
        copier.run_copy(str(PACKAGED), dst, data=data, defaults=True, quiet=True)
    return str(raised.value).splitlines()[0]


class Terminal:
    """A program in a pseudo-terminal, and the screen a user would see."""

    def __init__(self, command: str, args: list[str], cwd: Path) -> None:
        pexpect = pytest.importorskip("pexpect")
        pyte = pytest.importorskip("pyte")
        self.screen = pyte.Screen(COLUMNS, ROWS)
        self.stream = pyte.Stream(self.screen)
        # No cursor-position requests: pyte does not answer them, and
        # prompt_toolkit would wait for each.
        env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
        self.child = pexpect.spawn(command, args, cwd=str(cwd), encoding="utf-8", env=env, dimensions=(ROWS, COLUMNS))
        self.pexpect = pexpect

    def rows(self) -> list[str]:
        return [row.rstrip() for row in self.screen.display]

    def wait_for(self, line: str, timeout: float = 30) -> None:
        """Until a row of the screen holds ``line`` whole."""
        deadline = time.monotonic() + timeout
        while not any(line in row for row in self.rows()):
            if time.monotonic() > deadline:
                pytest.fail(f"never shown whole: {line!r}; the screen:\n" + "\n".join(self.rows()))
            try:
                self.stream.feed(self.child.read_nonblocking(65536, timeout=0.1))
            except self.pexpect.TIMEOUT:
                pass
            except self.pexpect.EOF:
                pytest.fail(f"ended before showing {line!r}:\n" + "\n".join(self.rows()))

    def type(self, keys: str) -> None:
        self.child.send(keys)

    def finish(self) -> int:
        self.child.expect(self.pexpect.EOF, timeout=60)
        self.child.close()
        return int(self.child.exitstatus or 0)


ENTER, DONE, CLEAR, QUOTED = "\r", "\x1b\r", "\x15", "\x11"  # Esc Enter ends a multi-line answer; Ctrl-Q quotes
BELL = QUOTED + "\x07"  # a control character, typed


# What the author types at each prompt: wrong answers first (each must be
# refused in words that fit), then the one kept. Every validator message a
# prompt can show is here.
SESSION: list[tuple[str, list[str], str]] = [
    ("project", ["No Such"], "nova"),
    ("release", ["x/y", "2027.3"], "2027.1"),
    ("blueprint", ["", "Foo_Bar", "-x"], "typed-at-80"),
    ("title", ["", "***", BELL, "x" * 80, "Example Spec - The title of your blueprint"], "Typed at 80 columns"),
    ("summary", [BELL], ""),
    ("problem", [BELL], "It was typed."),
    ("use_cases", [BELL], ""),
    ("proposed_change", [BELL], ""),
    *((name, [], "y" if name == "rest_api_impact" else "n") for name in QUESTIONS if name.endswith("_impact")),
    ("assignee", [BELL], "alice"),
    ("other_contributors", [BELL], ""),
    ("liaison", [BELL], ""),
    ("guidance", [], "n"),
    ("specs_dir", ["/abs"], "specs"),
    ("state", ["backlog", "a/b"], "approved"),
]


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="pexpect drives a POSIX terminal")
def test_every_prompt_and_refusal_reads_whole_at_80_columns(tmp_path: Path) -> None:
    assert {name for name, _, _ in SESSION} == set(helps())  # every question asked
    out = tmp_path / "spec-repo"
    terminal = Terminal(str(Path(sys.executable).with_name("copier")), ["copy", str(PACKAGED), str(out)], tmp_path)
    for name, wrong, kept in SESSION:
        first, *details = helps()[name]
        terminal.wait_for(MIC + first)
        for line in details:
            terminal.wait_for(line)
        question = QUESTIONS[name]
        if question.get("type") == "bool":
            terminal.type(kept)
            continue
        end = DONE if question.get("multiline") else ENTER
        for answer in wrong:
            terminal.type(CLEAR + answer + end)
            terminal.wait_for(rejection(name, answer.replace(BELL, "\x07"), tmp_path / "refused"))
        terminal.type(CLEAR + kept + end)
    assert terminal.finish() == 0, "\n".join(terminal.rows())
    spec = parsed(out / "specs/2027.1/approved/typed-at-80.rst")
    assert spec.titles[0].text == "Typed at 80 columns"
    assert section_text(spec, "Problem description") == "It was typed."
    assert findings(out) == []


def test_the_docs_list_every_question_and_setting() -> None:
    readme = (Path(__file__).resolve().parent.parent / "docs" / "authors.md").read_text(encoding="utf-8")
    table = readme.split("<!-- questions: start -->", 1)[1].split("<!-- questions: end -->", 1)[0]
    listed = [name for row in table.splitlines() if row.startswith("| `") for name in re.findall(r"`(\w+)`", row.split(" | ")[0])]
    data = {"columns", "spec_template", "speckeeper_version"}  # the template's own data, never an answer
    assert sorted(listed) == sorted(name for name in QUESTIONS if not name.startswith("_") and name not in data)
    assert [name for name in listed if name in helps()] == list(helps())  # in the order copier asks
