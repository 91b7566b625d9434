"""The ``--config`` option, apart from :mod:`.settings`: a command line is
parsed before any configuration is read, and a run that reads none (a
commit-message hook with its message written) never imports the settings."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from speckeeper.config.settings import Config


def add_option(parser: argparse.ArgumentParser) -> None:
    """``--config FILE``, for every command that reads the configuration."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="a .speckeeper.toml or pyproject.toml (default: the nearest one up from here)",
    )


def load(name: str | None, files: Sequence[str] = ()) -> Config:
    """The configuration ``--config`` names, or the one that governs ``files``
    (the settings imported here, by a command that reads them)."""
    from speckeeper.config import settings

    return settings.load(name, files)
