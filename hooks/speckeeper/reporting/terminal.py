"""What a person at a terminal gets beyond the findings: colour, and
progress over many files.

Both are drawn by rich, the usual library for it (it knows terminals,
``NO_COLOR`` and Windows consoles), and rich is imported only when there
is something to draw at a terminal: findings to colour, or a run over
:data:`MANY_FILES` files or more. A piped run, a clean run and a one-file
commit hook never import it (it costs about 50 ms, a third of a one-file
check).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, TextIO

from speckeeper.reporting.output import Segment, plain

COLOR_CHOICES = ("auto", "always", "never")
# Fewer files than this take a second or two: no progress is shown.
MANY_FILES = 40


def wants_color(choice: str, stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether to colour what goes to ``stream``: ``always`` and ``never``
    say so; ``auto`` colours at a terminal, unless ``NO_COLOR`` is set
    (https://no-color.org) or the terminal is ``dumb``."""
    if choice != "auto":
        return choice == "always"
    return not environ.get("NO_COLOR") and _interactive(stream, environ)


def shows_progress(stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether progress may be drawn on ``stream``: at a terminal, never
    piped, never in CI (``CI`` set, as CI systems set it), never under
    pre-commit (``PRE_COMMIT`` set: it prints a hook's output, through a
    terminal of its own, only when the hook ends)."""
    return not environ.get("CI") and not environ.get("PRE_COMMIT") and _interactive(stream, environ)


def _interactive(stream: TextIO, environ: Mapping[str, str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty()) and environ.get("TERM") != "dumb"
    except ValueError:  # A closed stream.
        return False


def write(parts: Sequence[Segment], stream: TextIO, color: bool) -> None:
    """Styled text, in colour or plain."""
    if not color or not parts:
        stream.write(plain(parts))
        return
    from rich.console import Console
    from rich.text import Text

    # The 16 standard colours, as ruff uses; no wrapping, no markup, no
    # highlighting: the text is printed as it is, only coloured.
    console = Console(
        file=stream,
        force_terminal=True,
        color_system="standard",
        no_color=False,
        soft_wrap=True,
        highlight=False,
        markup=False,
        emoji=False,
    )
    console.print(Text.assemble(*parts), end="")


class Progress:
    """A progress bar on stderr while files are worked on (what
    :func:`speckeeper.engine.parallel.map_files` reports to), when ``shown`` and
    there are many files; otherwise nothing. It counts the files done each
    time it draws (ten times a second), and is gone when stopped."""

    def __init__(self, label: str, shown: bool, stream: TextIO = sys.stderr) -> None:
        self.label = label
        self.shown = shown
        self.stream = stream
        self._bar: Any = None

    def start(self, total: int, done: Callable[[], int]) -> None:
        if not self.shown or total < MANY_FILES or self._bar is not None:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bar

        class Counted(Bar):
            """rich's bar, its count read from ``done`` as it draws."""

            def get_renderables(self) -> Iterable[Any]:
                for task in self.tasks:
                    self.update(task.id, completed=done())
                yield from super().get_renderables()

        columns = (SpinnerColumn(), TextColumn(self.label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        self._bar = Counted(*columns, console=Console(file=self.stream), transient=True)
        self._bar.add_task(self.label, total=total)
        self._bar.start()

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
