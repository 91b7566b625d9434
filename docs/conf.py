"""Sphinx configuration of speckeeper's documentation site.

Build: ``sphinx-build -W docs docs/_build`` (the docs extra). Pages are
Markdown (MyST), as the README they came from; the rule pages and the
configuration reference are written from the code by
``python -m speckeeper.docs``. No extension fetches anything from the
network.
"""

project = "speckeeper"
author = "the speckeeper authors"
extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "editors/*.lua"]
# Links to a section of another page (maintainers.md#configuration), as on GitHub.
myst_heading_anchors = 4
html_theme = "alabaster"
html_title = "speckeeper"
html_static_path: list[str] = []
