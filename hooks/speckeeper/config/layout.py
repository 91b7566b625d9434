"""Where specs live: the ``layout`` pattern and the parts of a spec's path."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import cast

from speckeeper.config import patterns
from speckeeper.config.settings import shipped

_FIELDS = {"project": "[^/]+", "release": "[^/]+", "state": "[^/]+", "slug": "[^/]+"}


def fields_regex(text: str, fields: Mapping[str, str]) -> str:
    """``text`` as a regular expression: each ``{name}`` of ``fields``
    becomes a group of that name and pattern; the rest matches itself."""
    names = re.compile(r"\{(" + "|".join(map(re.escape, fields)) + r")\}")
    parts = []
    position = 0
    for match in names.finditer(text):
        parts.append(re.escape(text[position : match.start()]))
        parts.append(f"(?P<{match.group(1)}>{fields[match.group(1)]})")
        position = match.end()
    parts.append(re.escape(text[position:]))
    return "".join(parts)


@lru_cache(maxsize=32)
def _pattern(layout: str) -> patterns.Pattern:
    # Anchored at the end and at a folder boundary, so that a spec named by
    # a path from outside the repo still shows its parts.
    return patterns.compile("(?:^|/)" + fields_regex(layout, _FIELDS) + "$", ours=shipped(layout))


def parts(layout: str, relpath: str) -> dict[str, str] | None:
    """The ``project``, ``release``, ``state`` and ``slug`` of a spec path
    (those the layout names), or None.

    ``relpath`` has forward slashes; the layout matches its end.

    >>> parts("specs/{release}/{state}/{slug}.rst", "specs/zed/approved/x.rst")
    {'release': 'zed', 'state': 'approved', 'slug': 'x'}
    """
    match = _pattern(layout).search(relpath)
    # Every group of a layout's pattern takes part in a match: none is None.
    return cast("dict[str, str]", match.groupdict()) if match else None


_ANY_FIELD = re.compile(r"\{([A-Za-z][\w-]*)\}")


def markdown_parts(layout: str, relpath: str) -> dict[str, str] | None:
    """The value of each ``{field}`` a Markdown layout names in a
    document's path (any name: ``{kep-number}``, ``{owning-sig}``), or None.

    >>> markdown_parts("keps/{owning-sig}/{kep-number}-{slug}/README.md", "keps/sig-node/42-x/README.md")
    {'owning-sig': 'sig-node', 'kep-number': '42', 'slug': 'x'}
    """
    names: list[str] = []
    parts = []
    position = 0
    for match in _ANY_FIELD.finditer(layout):
        # A group by its place (a field's name need not be a group's); a
        # name named again matches any (RE2 has no backreference). A number
        # is digits, so that "{number}-{slug}" splits where it should.
        value = "[0-9]+" if match[1] == "number" or match[1].endswith("-number") else "[^/]+"
        parts += [re.escape(layout[position : match.start()]), f"({value})" if match[1] not in names else f"(?:{value})"]
        names += [match[1]] if match[1] not in names else []
        position = match.end()
    parts.append(re.escape(layout[position:]))
    found = patterns.compile("(?:^|/)" + "".join(parts) + "$", ours=shipped(layout)).search(relpath)
    # Every group takes part in a match: none is None.
    return dict(zip(names, cast("tuple[str, ...]", found.groups()))) if found else None


def fill(pattern: str, parts: Mapping[str, str]) -> str:
    """A pattern with each ``{part}`` the layout found filled in.

    >>> fill("specs/{release}/{state}/{slug}.rst", {"release": "zed", "state": "approved", "slug": "x"})
    'specs/zed/approved/x.rst'
    """
    for name, value in parts.items():
        pattern = pattern.replace("{" + name + "}", value)
    return pattern


def is_release(release_pattern: str, name: str) -> bool:
    """Whether a folder name is a release: ``release-pattern`` matches it whole."""
    return patterns.compile(release_pattern, ours=shipped(release_pattern)).fullmatch(name) is not None



def markdown_layout(markdown_layout: str, markdown_template: str) -> str:
    """Where a Markdown process's documents go (``markdown-layout``): as
    configured, else beside the template, named by their title's slug."""
    if markdown_layout:
        return markdown_layout
    folder = markdown_template.rsplit("/", 1)[0] if "/" in markdown_template else ""
    return f"{folder}/{{slug}}.md" if folder else "{slug}.md"


def top_folder(pattern: str) -> str:
    """The folder a layout's documents are all under: what it names before
    its first field ("" for the repo's top)."""
    head = pattern.split("{", 1)[0]
    return head.rsplit("/", 1)[0] if "/" in head else ""
