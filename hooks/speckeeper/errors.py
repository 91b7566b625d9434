"""The error every layer may raise when a run cannot go on as asked: one
line for the user, exit 2."""


class ConfigError(Exception):
    """A configuration that cannot be used: reported once, exit 2."""
