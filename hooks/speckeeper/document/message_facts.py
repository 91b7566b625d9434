"""What the commit-message hooks read of a spec, kept by the spec's bytes.

prepare-commit-msg and commit-msg need a few facts of a staged spec (and
of HEAD's copy of it): its title, its first paragraph, and where its REST
API impact section is and what it says. Parsing a spec for them costs a
process docutils' import and a parse, most of the hook; the pre-commit
stage (``check --fix --staged``) parses the staged spec anyway and keeps its
facts here, so the commit-message hooks parse a spec only on a miss (and
keep what they found for the next one).

An entry is found by everything its facts depend on, held in it and
compared whole (see :mod:`speckeeper.files.textstore`): the spec's path and
text, the section asked for (``api-impact-section``), and a stamp of the
roles and directives the parser knows, Python, docutils and speckeeper
(with the modules that shape the facts); any difference is a miss. No
hash: OpenSSL's load (hashlib) would cost a commit hook 4 ms. The stamp
reads docutils' version off its files, not by importing it: a hit imports
no parser. The folder is ``commit-facts`` in the user's cache folder; an
entry's facts are of the right types and bounds, or it is a miss. At most
:data:`MAX_ENTRIES` are kept, the least recently used going first.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from speckeeper.files import usercache
from speckeeper.files.textstore import TextStore

if TYPE_CHECKING:
    from speckeeper.config.settings import Settings
    from speckeeper.document.model import Document, Section

FOLDER = "commit-facts"
# Bump when what an entry holds changes.
FORMAT = 2
# A commit's specs, and HEAD's copies of them, over many commits.
MAX_ENTRIES = 256
# An entry holds its spec's text, with a title, a paragraph and a section
# of it: a few times as much as a spec as large as ``max-bytes`` allows.
MAX_BYTES = 8_000_000
# The modules that shape the facts: editing one (in a development install,
# with no new version) must not read old entries. Paths from the package's
# folder.
_SHAPED_BY = (
    "document/message_facts.py",
    "document/model.py",
    "document/rst/build.py",
    "document/rst/adornment.py",
    "document/rst/parse.py",
    "document/rst/sphinx_compat.py",
    "files/source.py",
)


class Facts(NamedTuple):
    """What the commit-message hooks read of one spec."""

    title: str | None  # The first title as written; None: the spec has none.
    introduction: str  # Its first paragraph that is more than a link, whitespace collapsed; "" if none.
    # The REST API impact section's line and what it says (folded), when
    # it says more than "None" (commit-msg compares HEAD's and the staged
    # one); None otherwise.
    api_impact: tuple[int, str] | None


def of(spec: Document, api_impact_section: str) -> Facts:
    """The facts of a parsed spec, its REST API impact section being the
    one titled ``api_impact_section``."""
    title = spec.titles[0].text if spec.titles else None
    return Facts(title, introduction(spec), _api_impact(spec, api_impact_section))


def introduction(spec: Document) -> str:
    """The spec's first paragraph: the first one under the title that is
    more than a link (the blueprint URL comes first)."""
    for block in spec.preamble:
        rest = block.text
        for link in block.links:
            rest = rest.replace(link.text, "", 1)
        if block.kind == "paragraph" and rest.strip():
            return " ".join(block.text.split())
    return ""


def _api_impact(spec: Document, title: str) -> tuple[int, str] | None:
    """Where the section titled ``title`` is, and what it says (folded),
    when it says more than "None"."""
    from speckeeper.document.model import fold

    wanted = fold(title)
    section = next((s for s in spec.all_sections() if fold(s.title) == wanted), None) if wanted else None
    if section is None:
        return None
    text = fold(_said(section))
    if text.rstrip(".") in ("", "none"):
        return None
    return section.line, text


def _said(section: Section) -> str:
    """What a section says, its subsections' titles and text included:
    its own comments and the parser's messages aside."""
    own = [block.text for block in section.blocks if block.kind not in ("comment", "message")]
    return " ".join([*own, *(_whole(child) for child in section.children)])


def _whole(section: Section) -> str:
    """All the text of a section: its title and everything under it."""
    return " ".join([section.title, *(block.text for block in section.blocks), *map(_whole, section.children)])


class FactsStore(TextStore):
    """Facts by what they depend on, in the cache folder ``where``, for
    specs parsed with the roles and directives of ``base`` (the
    configuration's base settings, as the check's parser is made)."""

    def __init__(self, where: Path | None, base: Settings) -> None:
        super().__init__(where, FOLDER, repr((FORMAT, usercache.stamp(_SHAPED_BY, ("docutils",)), base.parser_extensions)), MAX_ENTRIES, MAX_BYTES)

    @classmethod
    def default(cls, base: Settings) -> FactsStore:
        return cls(usercache.default(), base)

    def key(self, path: str, api_impact_section: str, raw: bytes) -> str:
        """What the facts of the spec ``raw`` at ``path`` are kept by: all
        of it, compared whole on reading."""
        return "\0".join((path, api_impact_section, raw.decode("utf-8", "surrogateescape")))

    def facts(self, key: str) -> Facts | None:
        """The facts kept under ``key``, or None."""
        return _facts(self.get(key))

    def keep(self, kept: Mapping[str, Facts]) -> None:
        """Keep each of ``kept``'s facts under its key."""
        self.put_all({key: _data(facts) for key, facts in kept.items()})


def _data(facts: Facts) -> dict[str, object]:
    """Facts as JSON holds them: the REST API impact a list."""
    api = list(facts.api_impact) if facts.api_impact is not None else None
    return {"title": facts.title, "introduction": facts.introduction, "api_impact": api}


def _facts(entry: object) -> Facts | None:
    """An entry's facts, if it holds facts."""
    if not (isinstance(entry, dict) and entry.keys() == {"title", "introduction", "api_impact"}):
        return None
    title, body, api = entry["title"], entry["introduction"], entry["api_impact"]
    if not ((title is None or isinstance(title, str)) and isinstance(body, str)):
        return None
    if api is None:
        return Facts(title, body, None)
    if isinstance(api, list) and len(api) == 2 and _line(api[0]) and isinstance(api[1], str):
        return Facts(title, body, (api[0], api[1]))
    return None


def _line(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0

