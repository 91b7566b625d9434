"""The ``--config`` option, apart from :mod:`.settings`: a command line is
parsed before any configuration is read, and a run that reads none (a
commit-message hook with its message written) never imports the settings."""

from __future__ import annotations

import argparse


def add_option(parser: argparse.ArgumentParser) -> None:
    """``--config FILE``, for every command that reads the configuration."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="a .speckeeper.toml or pyproject.toml (default: the nearest one up from here)",
    )
