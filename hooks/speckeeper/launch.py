"""The ``speckeeper`` command's entry point: what is done before anything
else is imported (see :mod:`speckeeper.speedups`; a commit-msg whose
commit the commit hook settled, :mod:`speckeeper.files.settled`), then the
command line, with the regular expressions the command compiled last time
(:mod:`speckeeper.files.regexstore`)."""

from __future__ import annotations

import os
import sys

from speckeeper import speedups


def entry() -> None:
    argv = sys.argv[1:]
    if speedups.message_written(argv, os.environ):
        speedups.exit_now(0)
    if len(argv) == 2 and argv[0] == "commit-msg" and not argv[1].startswith("-") and os.path.isfile(argv[1]):
        from speckeeper.files import settled

        if settled.settled_here():  # The commit hook found it needs nothing of its message.
            speedups.exit_now(0)
    from contextlib import nullcontext

    from speckeeper.files import regexstore

    # The first word that is not an option names the command. The language
    # server, started once, compiles its expressions once.
    command = next((word for word in argv if not word.startswith("-")), "")
    with regexstore.kept(command) if command != "lsp" else nullcontext():
        from speckeeper.cli import main

        code = main(argv)
    speedups.exit_now(code)
