"""The template loader: finds and loads each spec's template, whatever
its format, each file once per run: an RST template read by
:mod:`speckeeper.document.template`, a Markdown one by
:mod:`speckeeper.document.markdown_template` (which reads into the same
:class:`~speckeeper.document.template.Template`, so the loader is apart
from both).
"""

from __future__ import annotations

import re
from pathlib import Path

from speckeeper.config import layout
from speckeeper.config.settings import Config, ConfigError, Settings
from speckeeper.document.markdown import is_markdown
from speckeeper.document.rst.parse import RstParser
from speckeeper.document.template import (
    NoTemplate,
    Template,
    from_text,
    has_section,
    misnamed,
    named_sections,
    packaged_path,
    read_template,
)
from speckeeper.document.template_store import TemplateStore
from speckeeper.files.source import Limits


class TemplateLoader:
    """Finds and loads the template for each spec, each file once per run."""

    def __init__(self, config: Config, parser: RstParser) -> None:
        self._config = config
        self._parser = parser
        self._cache: dict[tuple[Path, str], Template] = {}
        self._texts: dict[Path, str] = {}
        # The (template, settings) pairs whose section names are known
        # good: checked once per run, not once per spec.
        self._named: set[tuple[str, Settings]] = set()
        self._store = TemplateStore.default(parser.extensions)
        self._limits = Limits.of(config.base)  # max-bytes and max-sections are not overridden per path.

    def path_for(self, relpath: str, settings: Settings) -> Path:
        """The template file for a spec; ConfigError when there is none."""
        name, where = settings.template, settings.layout
        in_markdown = is_markdown(relpath)
        if in_markdown:
            name = settings.markdown_template
            if not name:
                raise NoTemplate("no template for this Markdown file: markdown-template is not set")
            where = layout.markdown_layout(settings.markdown_layout, name)
        elif not name:
            return packaged_path()
        if "{" in name:
            found = layout.markdown_parts(where, relpath) if in_markdown else layout.parts(where, relpath)
            if found is None:
                raise NoTemplate(f"no template for this spec: its path does not match the layout {where!r}", True)
            name = layout.fill(name, found)
        path = self._config.root / name
        if not path.is_file():
            raise NoTemplate(f"no template for this spec: {name} does not exist")
        return path

    def digest(self, relpath: str, settings: Settings) -> str:
        """A hash of the text of a spec's template (for the findings cache);
        NoTemplate when it has none, and "" when it cannot be read (the
        check says why)."""
        import hashlib  # Only with --cache.

        try:
            text = self._text(self.path_for(relpath, settings).resolve())
        except ConfigError:
            return ""
        return hashlib.sha256(text.encode()).hexdigest()

    def for_spec(self, relpath: str, settings: Settings) -> Template:
        path = self.path_for(relpath, settings).resolve()
        template = self._load(path, settings.metadata_file if is_markdown(relpath) else "")
        self._check_names(settings, template)
        return template

    def _load(self, path: Path, metadata_file: str = "") -> Template:
        key = (path, metadata_file)
        if key not in self._cache:
            if is_markdown(str(path)):
                from speckeeper.document import markdown_template  # Only where Markdown is checked.

                # Its markers and placeholders are the repo's, not a path's;
                # its metadata is in the file beside it the path's settings name.
                base = self._config.base._replace(metadata_file=metadata_file)
                self._cache[key] = markdown_template.load(path, self._text(path), base)
            else:
                self._cache[key] = from_text(path, self._text(path), self._parser, self._store)
        return self._cache[key]

    def _check_names(self, settings: Settings, template: Template) -> None:
        """Each section a key names is a section of the spec's template, or
        of another release's (nova's "Feature Liaison" is newer than some):
        a misspelt name is a configuration error, not a silent no-op."""
        if (template.path, settings) in self._named:
            return
        unknown = [(key, name) for key, name in named_sections(settings) if not has_section(template, key, name)]
        if not unknown:
            return
        others = self._templates_like(settings)
        for key, name in unknown:
            if not any(has_section(other, key, name) for other in others):
                where = self._config.source or "configuration"
                raise ConfigError(f"{where}: {misnamed(key, name, [template, *others])}")
        self._named.add((template.path, settings))

    def _templates_like(self, settings: Settings) -> list[Template]:
        """Every release's (or project's) template, where there is one per
        release (or project)."""
        if "{" not in settings.template:
            return []
        found = []
        for path in sorted(self._config.root.glob(re.sub(r"\{[a-z]+\}", "*", settings.template))):
            try:
                found.append(self._load(path.resolve()))
            except ConfigError:
                continue  # A template that cannot be read is reported where it is used.
        return found

    def _text(self, path: Path) -> str:
        """A template file's text, read once per run (see :func:`read_template`)."""
        if path not in self._texts:
            self._texts[path] = read_template(path, self._limits, self._config.repo)
        return self._texts[path]
