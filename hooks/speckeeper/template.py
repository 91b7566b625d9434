"""The template loader: a template .rst is the single source of structure.

The checks compare specs with what this module reads from a template file,
and the copier template renders specs from the same reading (see
:func:`sections_data`). Nothing about a spec's sections is written in code.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from docutils.utils import column_width

from . import layout
from .config import Config, ConfigError, Settings
from .parse import RstParser
from .spec import Section, Spec, build
from .template_store import TemplateStore

PACKAGED = "nova.rst"

Derived = TypeVar("Derived")


class NoTemplate(ConfigError):
    """No template file for one spec: a finding on that spec, not a halt."""


@dataclass(frozen=True)
class TemplateSection:
    """A section the template asks for, with the guidance written under it."""

    title: str
    level: int
    style: str
    guidance: str  # The template's own RST under this title, subsections aside.
    children: tuple[TemplateSection, ...] = ()

    def walk(self) -> list[TemplateSection]:
        found = [self]
        for child in self.children:
            found.extend(child.walk())
        return found


@dataclass(frozen=True)
class Template:
    path: str
    title: str
    sections: tuple[TemplateSection, ...]
    spec: Spec
    # What rules work out from the template (see :meth:`derived`). Empty
    # when the template is stored: it is put as soon as it is parsed.
    _derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def derived(self, key: str, work_out: Callable[[Template], Derived]) -> Derived:
        """``work_out(self)``, once: a rule's reading of its template, kept
        with the template, and so for as long as the run keeps it."""
        if key not in self._derived:
            self._derived[key] = work_out(self)
        return cast(Derived, self._derived[key])

    def all_sections(self) -> list[TemplateSection]:
        found: list[TemplateSection] = []
        for section in self.sections:
            found.extend(section.walk())
        return found


def packaged_path() -> Path:
    """The packaged default template (nova's current one)."""
    # Beside this module, as setuptools installs it: importlib.resources
    # would add about 10 ms to every run to say the same.
    return Path(__file__).resolve().parent / "templates" / PACKAGED


def _read_following_links(path: Path) -> str:
    """A template's text. A git symlink checked out as a plain file holds
    only the relative path of its target; follow it, as nova's keep them."""
    text = path.read_text(encoding="utf-8")
    target = text.strip()
    for _ in range(8):
        if "\n" in target or not target.endswith(".rst"):
            return text
        linked = path.parent / target
        if not linked.is_file():
            return text
        path, text = linked, linked.read_text(encoding="utf-8")
        target = text.strip()
    return text


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


def load(path: Path, parser: RstParser, store: TemplateStore | None = None) -> Template:
    """Read a template file; a template that does not parse is a ConfigError.

    With a store, a template parsed before is read back from it instead."""
    try:
        text = _read_following_links(path)
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read template: {error}") from None
    stored = store.get(str(path), text) if store is not None else None
    if stored is not None:
        return stored
    template = _parse(path, text, parser)
    if store is not None:
        store.put(str(path), text, template)
    return template


def _parse(path: Path, text: str, parser: RstParser) -> Template:
    spec = build(str(path), text, parser)
    if not spec.sections:
        raise ConfigError(f"{path}: template has no sections under its title")
    severe = [m for m in spec.messages if m.level >= 3]
    if severe:
        first = severe[0]
        raise ConfigError(f"{path}:{first.line or 1}: template does not parse: {first.text.splitlines()[0]}")
    ordered = spec.all_sections()
    # A title's guidance ends where the next title (or its overline) starts.
    ends = {s.line: nxt.line - (len(nxt.style) - 1) for s, nxt in zip(ordered, ordered[1:])}
    return Template(
        path=str(path),
        title=spec.titles[0].text if spec.titles else "",
        sections=tuple(_template_section(s, spec, ends) for s in spec.sections),
        spec=spec,
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


class TemplateLoader:
    """Finds and loads the template for each spec, each file once per run."""

    def __init__(self, config: Config, parser: RstParser) -> None:
        self._config = config
        self._parser = parser
        self._cache: dict[Path, Template] = {}
        self._store = TemplateStore.default(parser.extensions)
        # Set by a run over many files (:func:`parallel.map_files`), which has
        # frozen what was imported and unfreezes all at its end.
        self.freeze_loaded = False

    def path_for(self, relpath: str, settings: Settings) -> Path:
        """The template file for a spec; ConfigError when there is none."""
        if not settings.template:
            return packaged_path()
        name = settings.template
        if "{release}" in name:
            found = layout.parts(settings.layout, relpath)
            if found is None:
                raise NoTemplate(
                    f"no template for this spec: its path does not match the layout {settings.layout!r}"
                )
            name = name.replace("{release}", found["release"])
        path = self._config.root / name
        if not path.is_file():
            raise NoTemplate(f"no template for this spec: {name} does not exist")
        return path

    def for_spec(self, relpath: str, settings: Settings) -> Template:
        path = self.path_for(relpath, settings).resolve()
        if path not in self._cache:
            self._cache[path] = load(path, self._parser, self._store)
            if self.freeze_loaded:
                _freeze()
        return self._cache[path]


def _freeze() -> None:
    """Freeze a template just loaded: it lives as long as the run, and
    unfrozen, every full collection would walk its tree again (a tenth of
    a whole-corpus check). Garbage is collected first, so that none is
    kept. (Asking ``gc.get_freeze_count()`` instead of being told would
    walk every frozen object: 3% of a corpus check.)"""
    gc.collect()
    gc.freeze()
