"""What a check would use, said plainly (``speckeeper check --show-settings``):
the configuration file (or what was read off the tree instead), the
template each spec resolves to, and the rules that run. A maintainer never
has to guess why a spec is judged as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from speckeeper.engine.check import collect
from speckeeper.config.settings import Config, key_value, KEYS
from speckeeper.engine.decide import Selection, enabled_codes
from speckeeper.document.rst.parse import RstParser
from speckeeper.document.loader import TemplateLoader
from speckeeper.document.template import NoTemplate, packaged_path


def settings(config: Config, selection: Selection, paths: Iterable[Path]) -> str:
    """The report, as lines of text."""
    lines = [f"repository: {config.repo}"]
    if config.source is not None:
        lines.append(f"configuration: {config.source}")
    else:
        lines.append("configuration: none, read off the tree:")
        lines.extend(f"  {note}" for note in config.detected)
    loader = TemplateLoader(config, RstParser())
    templates: dict[str, list[str]] = {}
    for path in collect(paths, config):
        relpath = config.relpath(path)
        try:
            found = loader.path_for(relpath, config.for_path(relpath))
            shown = "the packaged nova template" if found == packaged_path() else config.relpath(found)
        except NoTemplate as error:
            shown = str(error)
        templates.setdefault(shown, []).append(relpath)
    lines.append("templates:")
    for template, specs in sorted(templates.items()):
        example = f", such as {specs[0]}" if len(specs) > 1 else f": {specs[0]}"
        lines.append(f"  {template}: {len(specs)} spec(s){example}")
    if not templates:
        lines.append("  (no spec under the paths given)")
    lines.append("settings:")
    lines.extend(f"  {line}" for line in origins(config))
    codes = sorted(enabled_codes(config.base, selection))
    lines.append(f"rules: {', '.join(codes)}")
    if config.overrides:
        lines.append(f"  ({len(config.overrides)} [[overrides]] table(s) change them for some paths)")
    return "\n".join(lines) + "\n"


def origins(config: Config) -> list[str]:
    """Each setting, its value and where it came from: the configuration
    file, the tree (no file), or the default."""
    said = f"from {config.source.name}" if config.source is not None else "read off the tree"
    preset: frozenset[str] = frozenset()
    if config.base.preset:
        from speckeeper.config.presets import PRESETS  # Only where a repo names one.

        preset = frozenset(PRESETS[config.base.preset])

    def origin(name: str) -> str:
        if name in config.set_keys:
            return said
        return f"preset {config.base.preset}" if name in preset else "default"

    return [
        f"{key_value(name, getattr(config.base, name))}  ({origin(name)})"
        for name in KEYS
    ]
