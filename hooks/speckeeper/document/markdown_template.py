"""A Markdown template read as the truth: the same :class:`Template` the
structure rules compare a reStructuredText spec with, from a Markdown file.

Each heading under the template's title (its first ``#`` heading) is a
section, nested by level as :mod:`speckeeper.document.markdown` nests
them. Two things a Markdown process writes in its template are read here:

- **Optional sections**, marked as the process marks them
  (``optional-markers``): a heading that ends with a marker such as
  ``(Optional)`` or ``[optional]`` (a KEP's ``### User Stories
  (Optional)``), or a marker that is an HTML comment directly above the
  heading (MADR's ``<!-- This is an optional element. Feel free to remove.
  -->``, which marks the element that follows it; under a heading it marks
  the text there, not the section). A document may leave such a section
  out, and may keep or drop the suffix: ``User Stories`` is that section too.
- **Placeholders in a title** (``heading-placeholders``, regular
  expressions): each stretch of a template title that one matches stands
  for any text. With the defaults, ``{title of option 1}`` (MADR),
  ``<name>``, ``NNNN`` and ``Your ...`` to the end of the title (a KEP's
  ``KEP-NNNN: Your short, descriptive title``) are placeholders.

Titles compare folded (case and spacing aside), and with a marker suffix
aside, on both sides.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from speckeeper.config.settings import DEFAULTS, ConfigError, Settings, read_small_file
from speckeeper.document import markdown
from speckeeper.document.markdown.build import parse
from speckeeper.document.model import Block, Document, Section, fold
from speckeeper.config.patterns import PatternError
from speckeeper.config.patterns import compile as compile_pattern
from speckeeper.document.template import MIN_GUIDANCE_WORDS, Template, TemplateSection, normal

_COMMENT_MARKER = re.compile(r"\s*<!--(.*?)-->\s*", re.DOTALL)


def is_comment_marker(marker: str) -> bool:
    return _COMMENT_MARKER.fullmatch(marker) is not None


@lru_cache(maxsize=4096)  # A template's titles are compared with each document's.
def title_key(title: str, markers: tuple[str, ...]) -> str:
    """A title as template and document titles compare: folded, with a
    marker suffix (``(Optional)``) aside."""
    return fold(without_marker(title, markers))


def without_marker(title: str, markers: tuple[str, ...]) -> str:
    """A title with a marker suffix (``(Optional)``, in any case) aside."""
    text = " ".join(title.split())
    for marker in markers:
        suffix = " ".join(marker.split())
        if suffix and not is_comment_marker(marker) and text.casefold().endswith(suffix.casefold()):
            return text[: len(text) - len(suffix)].rstrip()
    return text


def matches(section: TemplateSection, title: str, markers: tuple[str, ...]) -> bool:
    """Whether a document's title is the template section's."""
    key = title_key(title, markers)
    if section.pattern:
        return compile_pattern(section.pattern).fullmatch(key) is not None
    return key == title_key(section.title, markers)


def heading_level(document: Document, section: Section, rows: Sequence[str] | None = None) -> int:
    """The level a heading is written at (``###`` is 3), not how deep it
    nests: in ``rows`` where given (a fix's, as the fixes before it left
    them), else in the document's lines."""
    if section.style in ("=", "-"):
        return 1 if section.style == "=" else 2
    row = (document.lines if rows is None else rows)[section.line - 1].lstrip(" >")
    return len(row) - len(row.lstrip("#"))


def load(path: Path, text: str, settings: Settings) -> Template:
    """The template of a Markdown file's text; ConfigError when it has no
    sections, does not read as Markdown, or a setting cannot be used."""
    try:
        document = parse(str(path), text)
    except markdown.MarkdownUnavailable as error:
        raise ConfigError(str(error)) from None
    errors = [m for m in document.messages if m.level >= markdown.ERROR]
    if errors:
        raise ConfigError(f"{path}:{errors[0].line}: template does not read as Markdown: {errors[0].text}")
    if not document.sections:
        raise ConfigError(f"{path}: template has no sections under its title")
    placeholders = _placeholders(settings.heading_placeholders)
    return Template(
        metadata=_metadata(path, document, settings),
        path=str(path),
        title=document.titles[0].text if document.titles else "",
        sections=tuple(_section(s, document, settings.optional_markers, placeholders) for s in document.sections),
        urls=tuple(dict.fromkeys(link.url for block in document.preamble for link in block.links if link.alone)),
        guidance=_guidance(document),
    )


def _metadata(path: Path, document: Document, settings: Settings) -> Mapping[str, object]:
    """The template's own metadata: the ``metadata-file`` beside it (a
    KEP template's ``kep.yaml``), else its front matter. Not needed (and
    not read) where a JSON Schema is the truth."""
    if not settings.metadata_file or settings.metadata_schema:
        return document.metadata
    from speckeeper.files import yamlfile  # Only for a process with a metadata file.

    beside = path.parent / settings.metadata_file
    try:
        data = yamlfile.load_marked(read_small_file(beside, yamlfile.MAX_BYTES, "metadata file", "the template's metadata").decode("utf-8"))
    except (yamlfile.Refused, UnicodeDecodeError) as error:
        raise ConfigError(f"{beside}: the template's metadata is not read: {getattr(error, 'reason', error)}") from None
    if not isinstance(data.data, dict):
        raise ConfigError(f"{beside}: the template's metadata is not a mapping of keys")
    return data.data


def _placeholders(regexes: tuple[str, ...]) -> list[re.Pattern[str]]:
    """The placeholder expressions. They find stretches of the template's
    own titles (the repo's file, a few dozen short lines), so Python's
    engine runs them; RE2 must accept each too, as every configured
    expression, so that none is one that takes for ever."""
    found = []
    for regex in regexes:
        try:
            compile_pattern(regex, ours=regex in DEFAULTS.heading_placeholders)
            found.append(re.compile(regex))
        except (PatternError, re.error) as error:
            raise ConfigError(f"heading-placeholders: {regex!r} {error}") from None
    return found


def _section(
    section: Section, document: Document, markers: tuple[str, ...], placeholders: list[re.Pattern[str]]
) -> TemplateSection:
    return TemplateSection(
        title=section.title,
        level=section.level,
        # Its marks as written ("###"): the heading level the template gives it.
        style="#" * heading_level(document, section),
        guidance=_text_under(section, document),
        children=tuple(_section(child, document, markers, placeholders) for child in section.children),
        optional=_optional(section, document, markers),
        pattern=_pattern(without_marker(section.title, markers), placeholders),
    )


def _optional(section: Section, document: Document, markers: tuple[str, ...]) -> bool:
    """Whether the template marks a section optional: a marker suffix on
    its heading, or a marker comment directly above it (blank lines aside),
    as MADR marks the element that follows its comment."""
    if without_marker(section.title, markers) != " ".join(section.title.split()):
        return True
    wanted = {normal(m.group(1)).casefold() for m in map(_COMMENT_MARKER.fullmatch, markers) if m is not None}
    above = section.line - 1
    while above >= 1 and not document.lines[above - 1].strip():
        above -= 1
    return any(
        block.kind == "comment" and block.end == above and normal(block.text).casefold() in wanted
        for block in document.blocks()
    )


def _pattern(title: str, placeholders: list[re.Pattern[str]]) -> str:
    """The expression a folded title matches, each stretch of ``title`` a
    placeholder matches any text; "" when the title has none."""
    spans: list[tuple[int, int]] = []
    for placeholder in placeholders:
        spans.extend(match.span() for match in placeholder.finditer(title) if match.end() > match.start())
    if not spans:
        return ""
    parts, at = [], 0
    for start, end in sorted(spans):
        if start < at:
            continue  # Overlaps one already taken.
        parts += [_literal(title[at:start]), ".+"]
        at = end
    parts.append(_literal(title[at:]))
    return "".join(parts)


def _literal(text: str) -> str:
    """A stretch of a title between placeholders, folded as the title is
    (its spaces at either end kept as one)."""
    folded = fold(text)
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() and folded else ""
    return re.escape(lead + folded + trail)


_TASK = re.compile(r"\[[ xX]\]\s")


def _kept(block: Block) -> bool:
    """Whether a list, an item or its paragraph is what a document keeps as
    the template has it, not guidance to replace: a checklist (GitHub's
    task list items, ``- [ ] ...``, which the author ticks: a KEP's release
    checklist), or a table of contents (links to the document's own
    headings and nothing else, generated from them)."""
    if block.kind not in ("list", "item", "paragraph"):
        return False
    items = [inner for inner in block.walk() if inner.kind == "item"] or [block]
    if all(_TASK.match(item.text.lstrip()) for item in items):
        return True
    links = [link for inner in block.walk() for link in inner.links]
    return bool(links) and all(link.url.startswith("#") for link in links) and normal(" ".join(link.text for link in links)) == normal(block.text)


def _text_under(section: Section, document: Document) -> str:
    """The source lines under a heading, down to the next heading."""
    following = [s.line for s in document.all_sections() if s.line > section.line]
    end = min(following, default=len(document.lines) + 1)
    start = section.line + (1 if section.style in ("=", "-") else 0)
    return "\n".join(document.lines[start : end - 1]).strip("\n")


def _guidance(document: Document) -> tuple[tuple[str, str], ...]:
    """The template's paragraphs and list items long enough to be
    leftovers, each with its longest inner word (as the RST template's);
    not its checklists or its table of contents (:func:`_kept`)."""
    texts = {
        text
        for block in document.blocks()
        if (block.kind in ("paragraph", "list", "quote") or block.name == "item") and not _kept(block)
        for text in [normal(block.text)]
        if len(text.split()) >= MIN_GUIDANCE_WORDS
    }
    return tuple((max(text.split()[1:-1], key=len), text) for text in sorted(texts))

