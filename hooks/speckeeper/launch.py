"""The ``speckeeper`` command's entry point: what is done before anything
else is imported (see :mod:`speckeeper.speedups`), then the command line."""

from __future__ import annotations

import os
import sys

from speckeeper import speedups


def entry() -> None:
    argv = sys.argv[1:]
    if speedups.message_written(argv, os.environ):
        speedups.exit_now(0)
    from speckeeper.cli import main

    speedups.exit_now(main(argv))
