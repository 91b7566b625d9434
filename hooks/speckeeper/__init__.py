"""speckeeper: keep OpenStack-style design specs conformant to their template."""

__version__ = "0.1.0"
