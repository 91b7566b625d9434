"""A template read: a template .rst is the single source of structure
(the loader that finds each spec's template is :mod:`speckeeper.document.loader`).

The checks compare specs with what this module reads from a template file,
and the copier template renders specs from the same reading (see
:func:`sections_data`). Nothing about a spec's sections is written in code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from speckeeper.config.settings import ConfigError, Settings, repository_of
from speckeeper.document.rst.parse import RstParser
from speckeeper.files.source import VCS_FOLDERS, Limits, Refusal, read
from speckeeper.document.model import Block, Section, column_width
from speckeeper.document.model import Document as Spec
from speckeeper.document.rst.build import RstDocument, build, content_before_title, retitled
from speckeeper.document.template_store import TemplateStore

PACKAGED = "nova.rst"
# A template is read within the bounds of its configuration's specs;
# without one, the defaults'.
DEFAULT_LIMITS = Limits.of(Settings())

# A paragraph of the template that is only "<something>" is a placeholder.
_PLACEHOLDER = re.compile(r"<[^<>\n]+>")
# Guidance shorter than this many words is too common to be a leftover.
MIN_GUIDANCE_WORDS = 4
# Sections nest no deeper than docutils has adornment styles (about 60);
# a stored template nested deeper is not one speckeeper wrote.
MAX_LEVEL = 100
# What may hold guidance: a paragraph, a list, one item of a list, a quote.
_LISTS = ("bullet", "enumerated")


class NoTemplate(ConfigError):
    """No template file for one spec: a finding on that spec, not a halt.
    ``outside_layout``: because the spec is not where the layout keeps specs."""

    def __init__(self, message: str, outside_layout: bool = False) -> None:
        super().__init__(message)
        self.outside_layout = outside_layout


class TemplateSection(NamedTuple):
    """A section the template asks for, with the guidance written under it."""

    title: str
    level: int
    style: str
    guidance: str  # The template's own RST under this title, subsections aside.
    children: tuple[TemplateSection, ...] = ()
    # A Markdown template marks a section a document may leave out
    # (``optional-markers``), and may hold placeholders in a title
    # (``heading-placeholders``): ``pattern`` is then the regular expression
    # a document's title matches, folded and its marker aside (see
    # :func:`speckeeper.template_markdown.title_key`); "" where the title is
    # matched as written.
    optional: bool = False
    pattern: str = ""

    def walk(self) -> list[TemplateSection]:
        found = [self]
        for child in self.children:
            found.extend(child.walk())
        return found

    def to_data(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "level": self.level,
            "style": self.style,
            "guidance": self.guidance,
            "children": [child.to_data() for child in self.children],
            "optional": self.optional,
            "pattern": self.pattern,
        }

    @classmethod
    def from_data(cls, data: object, level: int) -> TemplateSection:
        """A section from :meth:`to_data`; ValueError for anything else."""
        fields = _fields(data, ("title", "level", "style", "guidance", "children", "optional", "pattern"))
        style = _string(fields["style"])
        if type(fields["level"]) is not int or fields["level"] != level or level > MAX_LEVEL:
            raise ValueError("not the level of its place")
        if not (1 <= len(style) <= 2 and style == style[0] * len(style)):
            raise ValueError("not an adornment")
        return cls(
            title=_string(fields["title"]),
            level=level,
            style=style,
            guidance=_string(fields["guidance"]),
            children=tuple(cls.from_data(child, level + 1) for child in _list(fields["children"])),
            optional=fields["optional"] is True,
            pattern=_string(fields["pattern"]),
        )


class Template(NamedTuple):
    """What checks read from a template file: plain data, nothing of its
    parse, so that it is kept between runs as JSON (see template_store)."""

    path: str
    title: str
    sections: tuple[TemplateSection, ...]
    # The URLs alone in their paragraph before the first section: the
    # example tracker URL, which a spec is to replace.
    urls: tuple[str, ...] = ()
    # What else the leftover rules look for: "<launchpad-id or None>" and
    # the like, the guidance (normalised paragraphs, lists and list items)
    # each with its longest inner word (text found in a spec's has its inner
    # words there whole, so most texts are ruled out by a set lookup, not a
    # search), and the normalised comment the template starts with, or "".
    placeholders: tuple[str, ...] = ()
    guidance: tuple[tuple[str, str], ...] = ()
    license: str = ""
    # A Markdown template's own metadata (its front matter, or the metadata
    # file beside it), whose values are the schema's placeholders; an RST
    # template has none (nor does a stored one).
    metadata: Mapping[str, object] = {}

    def all_sections(self) -> list[TemplateSection]:
        found: list[TemplateSection] = []
        for section in self.sections:
            found.extend(section.walk())
        return found

    def to_data(self) -> dict[str, Any]:
        """As JSON takes it: everything but the path (a stored template is
        found by its text, wherever it is)."""
        return {
            "title": self.title,
            "sections": [section.to_data() for section in self.sections],
            "urls": list(self.urls),
            "placeholders": list(self.placeholders),
            "guidance": [list(pair) for pair in self.guidance],
            "license": self.license,
        }

    @classmethod
    def from_data(cls, data: object, path: str) -> Template | None:
        """The template :meth:`to_data` gave, read from ``path``; None for
        anything else (a field missing, added or of another type)."""
        try:
            fields = _fields(data, ("title", "sections", "urls", "placeholders", "guidance", "license"))
            pairs = (_strings(pair, 2) for pair in _list(fields["guidance"]))
            return cls(
                path=path,
                title=_string(fields["title"]),
                sections=tuple(TemplateSection.from_data(s, 1) for s in _list(fields["sections"])),
                urls=_strings(fields["urls"]),
                placeholders=_strings(fields["placeholders"]),
                guidance=tuple((word, text) for word, text in pairs),
                license=_string(fields["license"]),
            )
        except (ValueError, RecursionError):
            return None


def _fields(data: object, names: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(data, dict) or data.keys() != set(names):
        raise ValueError("not the fields expected")
    return data


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError("not a list")
    return value


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _strings(value: object, count: int | None = None) -> tuple[str, ...]:
    found = tuple(_string(item) for item in _list(value))
    if count is not None and len(found) != count:
        raise ValueError(f"not {count} strings")
    return found


def packaged_path() -> Path:
    """The packaged default template (nova's current one)."""
    # Beside this module, as setuptools installs it: importlib.resources
    # would add about 10 ms to every run to say the same.
    return Path(__file__).resolve().parent.parent / "templates" / PACKAGED


def read_template(path: Path, limits: Limits = DEFAULT_LIMITS, repo: Path | None = None) -> str:
    """A template's text, read as a spec is: a regular file, within
    ``max-bytes`` and ``max-sections`` (docutils would take minutes over a
    huge one); and only from inside the repository ``repo`` (by default the
    template's own), outside its version control folders, or the packaged
    template. A git symlink checked out as a plain file holds only the
    relative path of its target; it is followed, as nova keeps them, and
    its target read the same way. ConfigError otherwise."""
    repo = repository_of(path.parent) if repo is None else repo
    for _ in range(8):
        _check_place(path, repo)
        source = read(path, limits, repo)
        if isinstance(source, Refusal):
            raise ConfigError(f"{path}: cannot read template: {source.message.removeprefix('cannot read: ')}")
        text = source.text
        target = text.strip()
        if "\n" in target or not target.endswith(".rst"):
            break
        linked = path.parent / target
        if not linked.is_file():
            break
        path = linked
    return text


def _check_place(path: Path, repo: Path) -> None:
    """A template is read only from inside the repository (its titles are
    printed in findings), and never from a version control folder."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError) as error:  # A loop of symbolic links.
        raise ConfigError(f"{path}: cannot read template: {error}") from None
    if resolved == packaged_path():
        return
    if not resolved.is_relative_to(repo):
        raise ConfigError(f"{path}: template is outside the repository ({repo}): not read")
    if VCS_FOLDERS.intersection(resolved.relative_to(repo).parts):
        raise ConfigError(f"{path}: template is in a version control folder: not read")


def normal(text: str) -> str:
    """Text with its whitespace made single spaces: how leftovers compare."""
    return " ".join(text.split())


def _is_unit(block: Block) -> bool:
    return block.kind in ("paragraph", "quote") or block.kind in ("list", "item") and block.name in _LISTS


def units_top(children: Iterable[Block]) -> Iterator[Block]:
    """The outermost paragraphs, lists and list items among ``children``
    and under them, tables aside (their cells are data, not guidance)."""
    for child in children:
        if child.kind == "table":
            continue
        if _is_unit(child):
            yield child
        else:
            yield from units_top(child.children)


def _units(children: Iterable[Block]) -> Iterator[Block]:
    """Every paragraph, list and list item among and under ``children``, tables aside."""
    for unit in units_top(children):
        yield unit
        yield from _units(unit.children)


def _top_blocks(spec: Spec) -> Iterator[Block]:
    """The outermost blocks, in document order."""
    yield from spec.preamble
    yield from spec.under_titles
    for section in spec.all_sections():
        yield from section.blocks


def _alone_urls(spec: Spec) -> tuple[str, ...]:
    """The URLs alone in their paragraph before the first section; lists
    there are notes, not the tracker."""
    found = [
        link.url
        for node in spec.preamble
        if not (node.kind == "comment" or node.kind == "list" and node.name in _LISTS)
        for paragraph in node.walk()
        if paragraph.kind == "paragraph"
        for link in paragraph.links
        if normal(paragraph.text) == normal(link.text)
    ]
    return tuple(dict.fromkeys(found))


def _placeholders(spec: Spec) -> tuple[str, ...]:
    texts = (normal(block.text) for block in spec.blocks() if block.kind == "paragraph")
    return tuple(dict.fromkeys(text for text in texts if _PLACEHOLDER.fullmatch(text)))


def _guidance_units(spec: Spec, left_aside: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """The guidance texts long enough to be leftovers, each with its longest inner word."""
    texts = {
        text
        for unit in _units(_top_blocks(spec))
        for text in [normal(unit.text)]
        if len(text.split()) >= MIN_GUIDANCE_WORDS and text not in left_aside
    }
    return tuple((max(text.split()[1:-1], key=len), text) for text in sorted(texts))


def _license(spec: Spec) -> str:
    """The comment the file starts with. docutils puts the title first:
    it is the first comment above the first section."""
    comments = [block for block in spec.preamble if block.kind == "comment"]
    starts = spec.text.lstrip().startswith("..")
    return normal(comments[0].text) if comments and starts else ""


def _guidance(section: Section, spec: Spec, ends: dict[int, int]) -> str:
    """The source lines between a title's adornment and the next title."""
    start = section.line + 1  # The underline; guidance starts after it.
    end = ends.get(section.line, len(spec.lines) + 1)
    return "\n".join(spec.lines[start:end - 1]).strip("\n")


def _template_section(section: Section, spec: Spec, ends: dict[int, int]) -> TemplateSection:
    return TemplateSection(
        title=section.title,
        level=section.level,
        style=section.style,
        guidance=_guidance(section, spec, ends),
        children=tuple(_template_section(c, spec, ends) for c in section.children),
    )


def load(
    path: Path, parser: RstParser, store: TemplateStore | None = None, limits: Limits = DEFAULT_LIMITS, repo: Path | None = None
) -> Template:
    """Read a template file (see :func:`read_template`); a template that
    does not parse is a ConfigError.

    With a store, a template parsed before is read back from it instead."""
    return from_text(path, read_template(path, limits, repo), parser, store)


def from_text(path: Path, text: str, parser: RstParser, store: TemplateStore | None = None) -> Template:
    """The template of a file's text: from the store, or parsed (and stored)."""
    stored = Template.from_data(store.get(text), str(path)) if store is not None else None
    if stored is not None:
        return stored
    template = _template(path, _parse(path, text, parser))
    if store is not None:
        store.put(text, template.to_data())
    return template


def parse_file(
    path: Path, parser: RstParser, limits: Limits = DEFAULT_LIMITS, repo: Path | None = None
) -> tuple[Template, Spec]:
    """Read and parse a template file: the template, and its parse, which
    ``speckeeper new`` reads more from (its title's adornment, its tables)."""
    spec = _parse(path, read_template(path, limits, repo), parser)
    return _template(path, spec), spec


def _parse(path: Path, text: str, parser: RstParser) -> RstDocument:
    spec = build(str(path), text, parser)
    before = content_before_title(spec)
    if before is not None and len(spec.sections) > 1:
        # Its title is not over its sections: each reading of it is a guess.
        first, second = spec.sections[:2]
        raise ConfigError(
            f'{path}:{second.line}: template is not one title over its sections: "{second.title}" is at the level'
            f' of its first title, "{first.title}" (line {first.line}); expected one title above them'
        )
    if before is not None and spec.sections:
        # Docutils takes a title only when nothing but comments comes before it; Sphinx takes the first.
        spec = retitled(spec)
    if not spec.sections:
        raise ConfigError(f"{path}: template has no sections under its title")
    severe = [m for m in spec.messages if m.level >= 3]
    if severe:
        message = severe[0]
        raise ConfigError(f"{path}:{message.line or 1}: template does not parse: {message.text.splitlines()[0]}")
    return spec


def _template(path: Path, spec: Spec) -> Template:
    """What the checks read from a template's parse."""
    ordered = spec.all_sections()
    # A title's guidance ends where the next title (or its overline) starts.
    ends = {s.line: nxt.line - (len(nxt.style) - 1) for s, nxt in zip(ordered, ordered[1:])}
    urls = _alone_urls(spec)
    placeholders = _placeholders(spec)
    return Template(
        path=str(path),
        title=spec.titles[0].text if spec.titles else "",
        sections=tuple(_template_section(s, spec, ends) for s in spec.sections),
        urls=urls,
        placeholders=placeholders,
        guidance=_guidance_units(spec, frozenset(placeholders) | frozenset(urls)),
        license=_license(spec),
    )


def sections_data(sections: tuple[TemplateSection, ...]) -> list[dict[str, Any]]:
    """The sections as plain data, for the copier template to render.

    ``char`` and ``overline`` are the title's adornment; ``width`` is the
    title's column width as docutils counts it (wide characters count 2,
    combining ones 0), so an adornment of that length is never too short.
    """
    return [
        {
            "title": section.title,
            "char": section.style[0],
            "overline": len(section.style) == 2,
            "width": column_width(section.title),
            "guidance": section.guidance,
            "children": sections_data(section.children),
        }
        for section in sections
    ]


# The keys that name template sections, and what they may name: any
# section ("Parent/Child" for one subsection), a top-level one, or, for
# allowed-sections, any title but one the template has in another case.
_SECTION_KEYS = ("optional_sections", "required_sections", "allow_extra_subsections", "section_aliases")
_DEFAULTS = Settings()


def named_sections(settings: Settings) -> list[tuple[str, str]]:
    """(key, title) for each section title a key of ``settings`` names, where
    the configuration sets it (the defaults name nova's sections, which
    another repo's template need not have)."""
    keys = [key for key in (*_SECTION_KEYS, "allowed_sections") if getattr(settings, key) != getattr(_DEFAULTS, key)]
    return [(key, name) for key in keys for name in _names(getattr(settings, key))]


def _names(value: object) -> tuple[str, ...]:
    """The titles a key's value names (a pair's first: ``section-aliases``)."""
    if not isinstance(value, tuple):
        return ()
    return tuple(item[0] if isinstance(item, tuple) else item for item in value)


def has_section(template: Template, key: str, name: str) -> bool:
    """Whether a key's title is one ``template`` has (where the key looks)."""
    if key == "allowed_sections":
        # Any title but a template's own in other letter case: a typo that
        # would hide the template's section rather than allow another.
        return not any(s.title != name and s.title.casefold() == name.casefold() for s in template.sections)
    if key == "required_sections":
        return any(s.title == name for s in template.sections)
    if key == "section_aliases":
        return any(s.title == name for s in template.all_sections())
    parent, _, child = name.rpartition("/")
    if parent:
        return any(s.title == parent and any(c.title == child for c in s.children) for s in template.all_sections())
    return any(s.title == name for s in template.all_sections())


def misnamed(key: str, name: str, templates: list[Template]) -> str:
    """The error for a title no template has, with the nearest one it has."""
    from speckeeper.suggest import nearest  # Only on this error.

    option = key.replace("_", "-")
    if key == "allowed_sections":
        same = next(s.title for t in templates for s in t.sections if s.title.casefold() == name.casefold())
        return f'{option}: "{name}" is the template\'s section "{same}" in other letters: write it as the template does, or leave it out'
    if key == "required_sections":
        titles = {s.title for t in templates for s in t.sections}
        under = [s.title for t in templates for s in t.all_sections() if any(c.title == name for c in s.children)]
        if under:
            return (
                f'{option}: "{name}" is not a top-level section of the template: it is a subsection of'
                f' "{under[0]}" ({option} names top-level sections)'
            )
    else:
        titles = {s.title for t in templates for s in t.all_sections()}
        if "/" in name and key != "section_aliases":
            titles = {f"{s.title}/{c.title}" for t in templates for s in t.all_sections() for c in s.children}
    near = nearest(name, sorted(titles))
    hint = f': did you mean "{near}"?' if near else f" (it has: {', '.join(sorted(titles))})"
    level = "a top-level section" if key == "required_sections" else "a section"
    return f'{option}: "{name}" is not {level} of the template{hint}'
