"""Where specs live: the ``layout`` pattern and the parts of a spec's path."""

from __future__ import annotations

import re
from functools import lru_cache

_FIELD = re.compile(r"\{(release|state|slug)\}")


@lru_cache(maxsize=32)
def _pattern(layout: str) -> re.Pattern[str]:
    parts = []
    position = 0
    for match in _FIELD.finditer(layout):
        parts.append(re.escape(layout[position : match.start()]))
        parts.append(f"(?P<{match.group(1)}>[^/]+)")
        position = match.end()
    parts.append(re.escape(layout[position:]))
    # Anchored at the end and at a folder boundary, so that a spec named by
    # a path from outside the repo still shows its parts.
    return re.compile("(?:^|/)" + "".join(parts) + "$")


def parts(layout: str, relpath: str) -> dict[str, str] | None:
    """The ``release``, ``state`` and ``slug`` of a spec path, or None.

    ``relpath`` has forward slashes; the layout matches its end.

    >>> parts("specs/{release}/{state}/{slug}.rst", "specs/zed/approved/x.rst")
    {'release': 'zed', 'state': 'approved', 'slug': 'x'}
    """
    match = _pattern(layout).search(relpath)
    return match.groupdict() if match else None
