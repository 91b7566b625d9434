"""speckeeper: keep OpenStack-style design specs conformant to their template."""

try:
    # Written at build (or `pip install -e .`) by setuptools-scm from the git tag.
    from speckeeper._version import __version__
except ImportError:  # A source tree never built: no version to claim.
    __version__ = "0.1.0.dev0"
