"""A spec repo's configuration: ``.speckeeper.toml`` or ``[tool.speckeeper]``.

Every way spec repos differ (their template, optional sections, draft
folders, paths to leave alone, rules to run) is a key here, never code.
Keys are the fields of :class:`Settings` spelled with hyphens, each
declared once (its :class:`Key` in its annotation): the loader, its
errors, the docs' reference and ``check --show-settings`` are made from
that. An ``[[overrides]]`` table applies some of them to the paths it names.
"""

# Not ``from __future__ import annotations``: a NamedTuple's annotations
# given as strings are each compiled when the class is made (about 2 ms for
# Settings' fifty, in every process); evaluated, they cost a third of that.

import os
import fnmatch
import functools
import re
import sys
import types
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, NamedTuple

from speckeeper.config import SPECS
from speckeeper.config.patterns import PatternError
from speckeeper.config.patterns import compile as compile_pattern
from speckeeper.files.source import VCS_FOLDERS, read_regular, read_small_file
from speckeeper.errors import ConfigError

# What the top folder of a work tree holds (CVS keeps its folder in each).
_WORK_TREE_MARKS = (".git", ".hg", ".svn", ".bzr", ".jj")

CONFIG_FILES = (".speckeeper.toml", "pyproject.toml")
# A configuration is a few hundred bytes; anything near this is not one.
MAX_CONFIG_BYTES = 1_000_000
# The parts a ``tracker-urls`` pattern may name; a ``layout`` or an
# ``other-layouts`` pattern.
TRACKER_PARTS = frozenset({"project", "slug", "id"})
LAYOUT_PARTS = frozenset({"project", "release", "state", "slug"})
TEMPLATE_PARTS = frozenset({"project", "release"})


class Key(NamedTuple):
    """One configuration key, all that is said of it, declared once as a
    field of :class:`Settings` (``Annotated[type, Key(...)] = default``):
    the loader reads a value by the field's type; the docs' reference,
    ``init`` and ``check --show-settings`` say what it is from the same
    declaration."""

    # What it does, in a phrase (the reference's "what", init's comment).
    doc: str
    # A value, as TOML writes it (the reference's "example").
    example: str
    # An [[overrides]] table may set it for the paths it names.
    overrides: bool = False
    # The words a string, or each item of a list, may be.
    choices: tuple[str, ...] = ()
    # The same, declared by the code that reads them (a rule's module), with
    # what each means: read when needed, as that code imports this module.
    choices_from: Callable[[], Mapping[str, str]] | None = None
    # An integer for which 0 means "none".
    may_be_zero: bool = False
    # Filled in from the field: its name (as Settings spells it), its type
    # (what ``Annotated`` annotates) and its default.
    name: str = ""
    annotation: object = None
    default: Any = None

    @property
    def toml(self) -> str:
        """The key as ``.speckeeper.toml`` spells it: with hyphens."""
        return self.name.replace("_", "-")

    def allowed(self) -> tuple[str, ...]:
        """The words the value (or each item) may be; none: any."""
        return tuple(self.choices_from()) if self.choices_from is not None else self.choices

    def what(self) -> str:
        """What the key does; choices declared elsewhere, each with its meaning."""
        if self.choices_from is None:
            return self.doc
        return self.doc + ": " + ", ".join(f"`{name}` ({meaning})" for name, meaning in self.choices_from().items())


# Every name a ``line-length-exemptions`` list may hold and what it exempts,
# in the order the configuration's errors and reference give them. SK201 and
# SK202 (rules/lines.py) implement each; a test holds the two lists equal.
LINE_LENGTH_EXEMPTIONS: dict[str, str] = {
    "url": "any line holding one",
    "url-needs-room": "a URL the text before fits",
    "single-token": "a line of one word",
    "literal-block": "`::` blocks, `code-block`, `code`, `parsed-literal`, `literal-directives`",
    "image": "an image or figure line",
    "double-colon": "a line holding `::`",
    "long-inline": "a paragraph holding an inline literal or link longer than the limit",
}


def _exemptions() -> Mapping[str, str]:
    return LINE_LENGTH_EXEMPTIONS


class Settings(NamedTuple):
    """What applies to one spec. Defaults reproduce nova-specs' own gate.

    Each field is a key of the configuration, spelled with hyphens there:
    its type and :class:`Key` (``Annotated[type, Key(...)]``), then its
    default. Everything about a key is said here once."""

    template: Annotated[str, Key(
        "the template file; `{release}` and `{project}` are the spec's folders; empty: the packaged nova template",
        '"specs/{release}-template.rst"',
        overrides=True,
    )] = ""
    layout: Annotated[str, Key(
        "where specs live: `{project}`, `{release}`, `{state}`, `{slug}` name the parts",
        '"specs/{project}/{release}/{slug}.rst"',
    )] = "specs/{release}/{state}/{slug}.rst"
    optional_sections: Annotated[tuple[str, ...], Key(
        "sections a spec may leave out; `Parent/Child` names one subsection",
        '["History", "Feature Liaison"]',
        overrides=True,
    )] = ("History", "Feature Liaison")
    allowed_sections: Annotated[tuple[str, ...], Key(
        "top-level sections tolerated beyond the template's",
        '["Rollout"]',
        overrides=True,
    )] = ()
    # A title renamed across releases: (template title, its other titles).
    section_aliases: Annotated[tuple[tuple[str, tuple[str, ...]], ...], Key(
        "a template section's title, and the other titles it is accepted under (by every structure rule, `fix` and the editor)",
        '{"Image Packing impact" = ["Diskimage-builder-image-elements impact"]}',
        overrides=True,
    )] = ()
    required_sections: Annotated[tuple[str, ...], Key(
        "only these top-level template sections are required (drafts, backlog)",
        '["Problem description"]',
        overrides=True,
    )] = ()
    # nova's gate checks sections and their subsections; deeper titles are
    # examples.
    template_depth: Annotated[int, Key(
        "how many levels of the template's titles a spec must keep (1: sections only)",
        "3",
        overrides=True,
    )] = 2
    # Allowed by default, as nova's gate allows them.
    allow_extra_subsections: Annotated[bool | tuple[str, ...], Key(
        "subsections beyond the template's: allowed, not, or only under these sections",
        '["Proposed change"]',
        overrides=True,
    )] = True
    # What nova's template asks for under a section with nothing to say.
    missing_section_text: Annotated[str, Key(
        "the text `fix` (and the editor) puts under a section it inserts (SK101, SK102)",
        '"TBD"',
        overrides=True,
    )] = "None"
    exclude: Annotated[tuple[str, ...], Key(
        "globs never checked; setting it replaces the defaults (a pattern without `/` matches a name in any folder)",
        '["*-template.rst", "specs/archive/**"]',
    )] = ("*-template.rst", "template.rst", "index.rst")
    select: Annotated[tuple[str, ...], Key(
        "the rules that run, replacing the defaults (codes or prefixes)",
        '["SK1", "SK2"]',
        overrides=True,
    )] = ()
    extend_select: Annotated[tuple[str, ...], Key("rules that run on top of the defaults", '["SK106"]', overrides=True)] = ()
    ignore: Annotated[tuple[str, ...], Key("rules that do not run", '["SK302"]', overrides=True)] = ()
    roles: Annotated[tuple[str, ...], Key("a repo's own Sphinx roles", '["nova-bug"]')] = ()
    directives: Annotated[tuple[str, ...], Key(
        "a repo's own Sphinx directives, their content parsed as RST",
        '["nova-flavor"]',
    )] = ()
    # Names speckeeper knows already keep their kind.
    literal_directives: Annotated[tuple[str, ...], Key(
        "a repo's own directives whose content is verbatim (diagrams, code)",
        '["mermaid"]',
    )] = ()
    # Naming and lifecycle (SK3xx).
    project: Annotated[str, Key(
        "the tracker project a spec names (a `{project}` folder of the layout names it instead); empty: any",
        '"cinder"',
        overrides=True,
    )] = "nova"
    # Before the first section. "{project}" is compared with ``project``,
    # "{slug}" with the file name, "{id}" is anything.
    tracker_urls: Annotated[tuple[str, ...], Key(
        "the tracker URLs that count; `{project}`, `{slug}`, `{id}`",
        '["https://storyboard.openstack.org/#!/story/{id}"]',
        overrides=True,
    )] = ("https://blueprints.launchpad.net/{project}/+spec/{slug}",)
    # A comment (``.. text``) before the first section.
    tracker_opt_out: Annotated[str, Key(
        "a comment that stands for a tracker URL, with or without its `..`",
        '"no tracker"',
        overrides=True,
    )] = ""
    states: Annotated[tuple[str, ...], Key(
        "the state folders of a release, in lifecycle order",
        '["approved", "implemented", "backlog"]',
        overrides=True,
    )] = ("approved", "implemented")
    # The whole name matches.
    release_pattern: Annotated[str, Key(
        "what a release folder is called: a regular expression (RE2)",
        '"[a-z]+"',
    )] = r"[a-z]+|\d{4}\.[12]"
    # Outside release and state folders.
    other_layouts: Annotated[tuple[str, ...], Key(
        "other places specs may live",
        '["specs/backlog/{slug}.rst"]',
    )] = ("specs/abandoned/{slug}.rst",)
    # Its lines are "old new" redirects.
    redirects: Annotated[str, Key("the redirects file of a release folder; empty: none checked", '""')] = "redirects"
    # Leftovers (SK4xx).
    allow_images: Annotated[bool, Key("image and figure directives are allowed (SK403)", "true", overrides=True)] = False
    # Bounds on what is parsed at all (nova's largest spec is 47 kB with
    # about 60 titles): beyond them a file gets one finding, not a hang.
    max_bytes: Annotated[int, Key("a file over this many bytes is refused (SK004)", "2000000")] = 1_000_000
    max_sections: Annotated[int, Key(
        "a file with more title adornments (in Markdown, headings) is refused (SK004)",
        "2000",
    )] = 1_000
    # nova's gate allows 79.
    line_length: Annotated[int, Key("the longest line (SK201, SK202)", "99", overrides=True)] = 79
    # nova's gate's own list, or others a gate writes.
    line_length_exemptions: Annotated[tuple[str, ...], Key(
        "long lines that are exempt",
        '["url-needs-room", "single-token", "literal-block"]',
        overrides=True,
        choices_from=_exemptions,
    )] = ("url", "single-token", "literal-block")
    # A gate's own patterns (grid-table rows, REST routes).
    line_length_exempt_patterns: Annotated[tuple[str, ...], Key(
        "long lines matching one of these regular expressions (RE2) are exempt",
        "['-\\+-', ' \\| ', '(/[^/\\s]+){3}']",
        overrides=True,
    )] = ()
    line_length_count: Annotated[str, Key(
        'what counts against the limit: "line" (all of it) or "text" (its indentation and list marker aside)',
        '"text"',
        overrides=True,
        choices=("line", "text"),
    )] = "line"
    # 4: 83 columns for lines indented by four spaces.
    line_length_indent_allowance: Annotated[int, Key(
        "lines indented by at least this many columns may be this much longer; 0: none",
        "4",
        overrides=True,
        may_be_zero=True,
    )] = 0
    # "doc8" counts in place of the exemptions.
    line_length_style: Annotated[str, Key(
        '"nova" (the exemptions above) or "doc8" (doc8\'s own D001 check; the doc8 extra)',
        '"doc8"',
        overrides=True,
        choices=("nova", "doc8"),
    )] = "nova"
    tabs: Annotated[str, Key(
        'where SK204 finds a tab: "anywhere", or "indentation" (as doc8)',
        '"indentation"',
        overrides=True,
        choices=("anywhere", "indentation"),
    )] = "anywhere"
    # Read by the commit-msg hooks.
    api_impact_section: Annotated[str, Key(
        "the section whose content asks for APIImpact in the commit message; empty: none",
        '"REST API impact"',
    )] = "REST API impact"
    # What SK203 counts as trailing whitespace, and fix strips.
    trailing_whitespace: Annotated[str, Key(
        'what SK203 counts: "spaces and tabs" or "spaces"',
        '"spaces"',
        overrides=True,
        choices=("spaces and tabs", "spaces"),
    )] = "spaces and tabs"
    # When it exists, check, fix and every hook report and fix only what it
    # does not record; ``speckeeper baseline`` writes it.
    baseline: Annotated[str, Key(
        "the baseline file, honoured whenever it exists; empty: none",
        '"ci/baseline.json"',
    )] = ".speckeeper-baseline.json"
    # Markdown documents (``.md``); "{release}" and "{project}" as in
    # ``template``.
    markdown_template: Annotated[str, Key(
        "the Markdown template `.md` files keep to (`{release}`, `{project}` as in `template`); empty: Markdown files are not checked",
        '"keps/NNNN-kep-template/README.md"',
        overrides=True,
    )] = ""
    # A heading suffix, or an HTML comment directly above the heading (MADR's).
    optional_markers: Annotated[tuple[str, ...], Key(
        "how a Markdown template marks an optional section: a heading suffix, or an HTML comment directly above the heading",
        '["(optional)"]',
    )] = ("(Optional)", "[optional]", "<!-- This is an optional element. Feel free to remove. -->")
    # MADR's {...}, <...>, a KEP's NNNN and "Your ...".
    heading_placeholders: Annotated[tuple[str, ...], Key(
        "regular expressions (RE2) for what in a Markdown template's heading (compared folded) stands for any text",
        "['\\{[^{}]*\\}', '\\bNNNN\\b']",
    )] = (r"\{[^{}]*\}", r"<[^<>]*>", r"\bN{3,}\b", r"\bYour\b.*")
    # Most Markdown is written a paragraph a line, which SK201 would flag.
    markdown_wrapped: Annotated[bool, Key(
        "whether the repo wraps its Markdown prose at `line-length`: SK201 then checks (and `fix` rewraps) Markdown documents too",
        "true",
        overrides=True,
    )] = False
    markdown_names: Annotated[tuple[str, ...], Key(
        "which `.md` files are documents: globs on the file name, or on its path from the top where a glob has a `/`",
        '["keps/*/README.md"]',
    )] = ("*.md", "*.markdown")
    # The keys each sets are config/presets.py's PRESETS.
    preset: Annotated[str, Key(
        'a Markdown process\'s keys in one: "kep" (kubernetes/enhancements) or "madr" (decision records); the file\'s own keys override them',
        '"kep"',
        choices=("", "kep", "madr"),
    )] = ""
    # Metadata (SK7xx). The schema is read off the template's own (its front
    # matter, or the same file beside it) unless ``metadata_schema`` names a
    # JSON Schema file.
    metadata_file: Annotated[str, Key(
        "the file beside a Markdown document holding its metadata; empty: its front matter",
        '"kep.yaml"',
        overrides=True,
    )] = ""
    metadata_schema: Annotated[str, Key(
        "a JSON Schema file the metadata is validated against (the jsonschema extra), in place of the schema read off the template's metadata",
        '"ci/kep.schema.json"',
        overrides=True,
    )] = ""
    metadata_required: Annotated[tuple[str, ...], Key(
        "metadata keys a document must give a value",
        '["title", "status"]',
        overrides=True,
    )] = ()
    metadata_leftovers: Annotated[tuple[str, ...], Key(
        "metadata values that are leftovers wherever they are",
        '["TBD", "TODO"]',
        overrides=True,
    )] = ("TBD",)
    # A milestone: left in place, it is not a leftover.
    metadata_kept_examples: Annotated[tuple[str, ...], Key(
        "metadata keys whose template values may stay (as often real as examples)",
        '["latest-milestone"]',
        overrides=True,
    )] = ()
    # Where the process allows other values than its template lists.
    metadata_values: Annotated[tuple[tuple[str, tuple[str, ...]], ...], Key(
        "a metadata key's allowed values, in order, in place of the template's list",
        '{stage = ["alpha", "beta", "stable", "deprecated"]}',
        overrides=True,
    )] = ()
    # (path, conditions); conditions are "key=a|b" or "key>=b".
    companion_files: Annotated[tuple[tuple[str, tuple[str, ...]], ...], Key(
        "files a document needs: a path (`{key}` a metadata value; from the config's folder if it starts with `/`, else the document's) and the conditions under which (`key=a|b`, `key>=b`)",
        '{"/keps/prod-readiness/{owning-sig}/{kep-number}.yaml" = ["stage>=beta"]}',
        overrides=True,
    )] = ()
    # "{title:slug}" is a value as a slug.
    document_name: Annotated[str, Key(
        "what a document's path ends with, from its metadata (`{key}`, `{key:slug}`, `*`)",
        '"{kep-number}-*/README.md"',
        overrides=True,
    )] = ""
    # Where ``speckeeper new`` writes a Markdown document, and what ``status``
    # counts (the folder before the first field).
    markdown_layout: Annotated[str, Key(
        "where `speckeeper new` writes a Markdown document: `{key}` a metadata value, `{slug}` the title's slug, `{number}` the next free number there; empty: `{slug}.md` beside the template",
        '"docs/decisions/{number}-{slug}.md"',
    )] = ""

    @property
    def parser_extensions(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """The roles, directives and literal directives a repo's RST parser
        knows beyond docutils' own: what a parse's result depends on, and
        what the stores of parsed templates and commit facts key by."""
        return self.roles, self.directives, self.literal_directives


# The defaults, as ``DEFAULTS.line_length`` (``Settings.line_length`` is
# the field's accessor, not its value).
DEFAULTS = Settings()


def _keys() -> dict[str, Key]:
    """Each field of Settings as its Key, by name, with its name, type and
    default filled in; a field of a type the loader cannot read fails here,
    on import, not on the first file that sets it."""
    # Evaluated annotations (see the top of the module): what
    # typing.get_type_hints(Settings, include_extras=True) gives, without
    # its walk over each one (every process loads a configuration).
    keys = {}
    for name, hint in Settings.__annotations__.items():
        kind, said = hint.__origin__, hint.__metadata__[0]
        if kind not in _TYPES:
            raise TypeError(f"Settings.{name}: no reader for {kind} (see config._TYPES)")
        keys[name] = said._replace(name=name, annotation=kind, default=Settings._field_defaults[name])
    return keys


def reference_table() -> str:
    """The table of every key: its type, default and what it does, and
    whether an ``[[overrides]]`` table may set it."""
    rows = ["| key | type | default | what | example |", "| --- | --- | --- | --- | --- |"]
    for item in KEYS.values():
        reader, kind = _TYPES[item.annotation]
        overridable = " (also in `[[overrides]]`)" if item.overrides else ""
        default = "{}" if reader is _table_of_lists else _toml(item.default)
        cells = (f"`{item.toml}`", kind, f"`{default}`", item.what() + overridable, f"`{item.example}`")
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def key_value(name: str, value: object) -> str:
    """One setting as a TOML line (``line-length = 99``), as a file would say it."""
    item = KEYS.get(_key(name))  # None for an override's "paths".
    if item is not None and _TYPES[item.annotation][0] is _table_of_lists and isinstance(value, (tuple, list)):
        # (key, values) pairs, as the file wrote them: an inline table.
        pairs = ", ".join(f"{_toml_key(key)} = {_toml(tuple(values))}" for key, values in value)
        return f"{name.replace('_', '-')} = {{{pairs}}}"
    return f"{name.replace('_', '-')} = {_toml(tuple(value) if isinstance(value, list) else value)}"


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml(key)


# The patterns speckeeper ships (the defaults): see shipped().
_SHIPPED = frozenset({DEFAULTS.layout, *DEFAULTS.other_layouts, *DEFAULTS.tracker_urls, DEFAULTS.release_pattern})


def shipped(pattern: str) -> bool:
    """Whether a pattern is one of speckeeper's defaults (``layout``,
    ``other-layouts``, ``tracker-urls``, ``release-pattern``), whose regular
    expressions run in linear time in Python's ``re`` too."""
    return pattern in _SHIPPED


class Override(NamedTuple):
    paths: tuple[str, ...]
    values: dict[str, Any]


class Config:
    """A loaded configuration, rooted at the folder its file is in (not to
    be changed once made: :meth:`_replace` makes another)."""

    def __init__(
        self,
        root: Path,
        source: Path | None = None,
        base: Settings = DEFAULTS,
        overrides: tuple[Override, ...] = (),
        detected: tuple[str, ...] = (),
        set_keys: frozenset[str] = frozenset(),
    ) -> None:
        self.root = root
        self.source = source
        self.base = base
        self.overrides = overrides
        # Without a configuration file: what was read off the tree instead.
        self.detected = detected
        # The keys the file (or the tree) set; the others are defaults.
        self.set_keys = set_keys

    def _replace(self, **changes: Any) -> "Config":
        """A copy with ``changes`` to its fields, as a record's ``_replace``."""
        fields = ("root", "source", "base", "overrides", "detected", "set_keys")
        return Config(**{**{name: getattr(self, name) for name in fields}, **changes})

    def relpath(self, path: Path) -> str:
        """``path`` relative to the root, with forward slashes, if inside it.

        Found at, not where a link leads: a spec linked from another release
        is judged as a spec of the release it is in (its overrides, its
        template, its name)."""
        absolute = os.path.abspath(path)
        if absolute.startswith(self._root_prefix):
            # The common case, in strings: a run asks this of every file
            # under the checked folders, some several times.
            return absolute[len(self._root_prefix) :].replace(os.sep, "/")
        try:
            return Path(absolute).relative_to(self._resolved_root).as_posix()
        except ValueError:
            return path.as_posix()

    def folder_prefix(self, folder: str) -> str | None:
        """What :meth:`relpath` gives a file in ``folder`` before its name
        (``specs/zed/``; "" at the root), found once for all the files a
        folder lists; None when the folder is not inside the root."""
        absolute = os.path.join(os.path.abspath(folder), "")
        if not absolute.startswith(self._root_prefix):
            return None
        return absolute[len(self._root_prefix) :].replace(os.sep, "/")

    @cached_property
    def _resolved_root(self) -> Path:
        # Resolved once: relpath() runs several times for every spec.
        return self.root.resolve()

    @cached_property
    def _root_prefix(self) -> str:
        """The resolved root as the start of the paths inside it."""
        return os.path.join(str(self._resolved_root), "")

    def baseline_file(self) -> Path | None:
        """The repo's baseline file (the ``baseline`` setting), if it has one."""
        return self.root / self.base.baseline if self.base.baseline else None

    @cached_property
    def repo(self) -> Path:
        """The repository the configuration governs, resolved: nothing
        outside it is read as a template or written."""
        return repository_of(self._resolved_root)

    def for_path(self, relpath: str) -> Settings:
        """The settings that apply to one spec, overrides applied in order."""
        settings = self.base
        for override in self.overrides:
            if matches(relpath, override.paths):
                settings = settings._replace(**override.values)
        return settings

    def excluded(self, relpath: str) -> bool:
        return matches(relpath, self.for_path(relpath).exclude)


def repository_of(folder: Path) -> Path:
    """The work tree that holds ``folder`` (resolved): the nearest folder up
    from it with a version control folder (``.git``), else ``folder``."""
    return _work_tree_of(folder) or folder.resolve()


def _work_tree_of(folder: Path) -> Path | None:
    """The nearest folder up from ``folder`` (resolved) with a version
    control folder; None outside any work tree."""
    folder = folder.resolve()
    for candidate in (folder, *folder.parents):
        if any((candidate / name).exists() for name in _WORK_TREE_MARKS):
            return candidate
    return None


def matches(relpath: str, patterns: tuple[str, ...]) -> bool:
    """Whether a path matches any glob; a pattern without "/" matches the name."""
    by_name, by_path, folders = _globs(patterns)
    if by_name is not None and by_name.match(relpath.rsplit("/", 1)[-1]):
        return True
    if by_path is not None and by_path.match(relpath):
        return True
    return bool(folders) and (relpath + "/").startswith(folders)


@functools.lru_cache(maxsize=64)
def _globs(patterns: tuple[str, ...]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None, tuple[str, ...]]:
    """``patterns`` as :func:`matches` reads them, made once for a run
    that asks of every file: the globs of a name, and those of a path,
    each as one expression (as ``fnmatch.fnmatchcase`` translates them);
    the folders a ``.../**`` pattern names, with everything under them."""

    def one(globs: list[str]) -> re.Pattern[str] | None:
        return re.compile("|".join(fnmatch.translate(glob) for glob in globs)) if globs else None

    folders = tuple(pattern[:-2] for pattern in patterns if pattern.endswith("/**"))
    # A folder named plainly (``specs/abandoned/**``) is matched by its
    # prefix alone: no expression tried on every file for it.
    by_path = [p for p in patterns if "/" in p and not (p.endswith("/**") and not _GLOB_CHARACTERS.intersection(p[:-3]))]
    return one([p for p in patterns if "/" not in p]), one(by_path), folders


_GLOB_CHARACTERS = frozenset("*?[")


def _key(name: str) -> str:
    return name.replace("-", "_")


def _coerce(name: str, value: Any, where: str) -> Any:
    """Check a TOML value against the type of the Settings field it sets."""
    item = KEYS[name]
    read, _ = _TYPES[item.annotation]
    return read(item, value, where)


def _boolean(item: Key, value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {item.toml} must be true or false, got {value!r}")
    return value


def _integer(item: Key, value: Any, where: str) -> int:
    if item.may_be_zero and type(value) is int and value == 0:
        return value
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        zero = " or 0" if item.may_be_zero else ""
        raise ConfigError(f"{where}: {item.toml} must be a positive integer{zero}, got {value!r}")
    return value


def _string(item: Key, value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {item.toml} must be a string, got {value!r}")
    allowed = item.allowed()
    if allowed and value not in allowed:
        known = " or ".join(repr(choice) for choice in allowed)
        raise ConfigError(f"{where}: {item.toml} must be {known}, got {value!r}")
    return value


def _strings(item: Key, value: Any, where: str) -> tuple[str, ...]:
    """A list of strings; one string is a list of one."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(one, str) for one in value):
        raise ConfigError(f"{where}: {item.toml} must be a list of strings, got {value!r}")
    allowed = item.allowed()
    unknown = [one for one in value if allowed and one not in allowed]
    if unknown:
        raise ConfigError(f"{where}: {item.toml}: unknown {unknown[0]!r}, expected some of: {', '.join(allowed)}")
    return tuple(value)


def _boolean_or_titles(item: Key, value: Any, where: str) -> bool | tuple[str, ...]:
    """true, false, or a list of section titles (``allow-extra-subsections``)."""
    if not isinstance(value, list):
        return _boolean(item, value, where)
    if not all(isinstance(one, str) for one in value):
        raise ConfigError(f"{where}: {item.toml} must be true, false or a list of section titles, got {value!r}")
    return tuple(value)


def _table_of_lists(item: Key, value: Any, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A table whose keys are strings and whose values are strings or lists
    of them (``section-aliases``), as (key, values) pairs in order."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {item.toml} must be a table ([{item.toml}]) of lists of strings, got {value!r}")
    pairs = []
    for title, others in value.items():
        others = [others] if isinstance(others, str) else others
        if not isinstance(others, list) or not all(isinstance(other, str) for other in others):
            raise ConfigError(f"{where}: {item.toml}: {title!r} must be a list of strings, got {others!r}")
        pairs.append((title, tuple(others)))
    return tuple(pairs)


# Each type a key may have: how the loader reads a value of it, and what the
# reference calls it. A key of another type needs its reader here.
_TYPES: dict[object, tuple[Callable[[Key, Any, str], Any], str]] = {
    bool: (_boolean, "true/false"),
    int: (_integer, "integer"),
    str: (_string, "string"),
    tuple[str, ...]: (_strings, "list of strings"),
    bool | tuple[str, ...]: (_boolean_or_titles, "true/false, or a list"),
    tuple[tuple[str, tuple[str, ...]], ...]: (_table_of_lists, "table of lists of strings"),
}
KEYS: dict[str, Key] = _keys()
# The keys an [[overrides]] table may set, besides "paths".
_OVERRIDABLE = frozenset(name for name, item in KEYS.items() if item.overrides)


def _settings_values(table: dict[str, Any], where: str, allowed: frozenset[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for raw_key, value in table.items():
        name = _key(raw_key)
        if name not in allowed:
            known = ", ".join(sorted(k.replace("_", "-") for k in allowed))
            raise ConfigError(f"{where}: unknown key {raw_key!r} (known keys: {known})")
        values[name] = _coerce(name, value, where)
    return values


def from_table(table: dict[str, Any], root: Path, source: Path | None) -> Config:
    """Build a Config from the ``[tool.speckeeper]`` table (or the whole file)."""
    where = str(source) if source else "configuration"
    table = dict(table)
    raw_overrides = table.pop("overrides", [])
    own = _settings_values(table, where, frozenset(KEYS))
    base = Settings(**{**_preset(own.get("preset", "")), **own})
    if not isinstance(raw_overrides, list):
        raise ConfigError(f"{where}: overrides must be an array of tables ([[overrides]])")
    overrides = []
    for index, raw in enumerate(raw_overrides, 1):
        here = f"{where}: overrides #{index}"
        if not isinstance(raw, dict) or "paths" not in raw:
            raise ConfigError(f"{here}: each override needs a 'paths' list")
        raw = dict(raw)
        paths = raw.pop("paths")
        if isinstance(paths, str):
            paths = [paths]
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise ConfigError(f"{here}: paths must be a list of strings, got {paths!r}")
        overrides.append(Override(tuple(paths), _settings_values(raw, here, _OVERRIDABLE)))
    config = Config(root=root, source=source, base=base, overrides=tuple(overrides), set_keys=frozenset(_key(k) for k in table))
    _check_templates(config)
    _check_patterns(config)
    _check_line_length_style(config)
    _check_metadata(config)
    return config


# A companion file's condition: "key=a|b" or "key>=b".
_CONDITION = re.compile(r"\s*[^=<>\s]+\s*(>=|=)\s*\S.*")


def _check_metadata(config: Config) -> None:
    """A metadata schema is a JSON Schema jsonschema can use, and each
    companion file's condition is one speckeeper reads."""
    where = config.source or "configuration"
    for settings in (config.base, *(config.base._replace(**o.values) for o in config.overrides)):
        if settings.metadata_schema:
            from speckeeper.config import metadata_schema  # jsonschema: only where a schema is configured.

            metadata_schema.load(config.root / settings.metadata_schema)
        for path, conditions in settings.companion_files:
            for condition in conditions:
                if _CONDITION.fullmatch(condition) is None:
                    raise ConfigError(f"{where}: companion-files: {path}: condition {condition!r} is not key=a|b or key>=b")


def _preset(name: str) -> dict[str, Any]:
    """The keys a preset sets (none without one)."""
    if not name:
        return {}
    from speckeeper.config.presets import PRESETS  # Only where a repo names one.

    return PRESETS[name]


# How the "nova" style measures and exempts lines; doc8 has its own ways.
_NOVA_STYLE_ONLY = ("line_length_exempt_patterns", "line_length_count", "line_length_indent_allowance")


def _check_line_length_style(config: Config) -> None:
    """doc8's style is doc8's check, installed, with doc8's exemptions."""
    where = config.source or "configuration"
    for settings in (config.base, *(config.base._replace(**o.values) for o in config.overrides)):
        if settings.line_length_style != "doc8":
            continue
        if settings.line_length_exemptions != DEFAULTS.line_length_exemptions:
            raise ConfigError(f'{where}: line-length-exemptions apply to line-length-style = "nova"; doc8 has its own')
        for key in _NOVA_STYLE_ONLY:
            if getattr(settings, key) != getattr(DEFAULTS, key):
                raise ConfigError(f'{where}: {key.replace("_", "-")} applies to line-length-style = "nova"; doc8 counts its own way')
        import importlib.util  # Only for this style.

        if importlib.util.find_spec("doc8") is None:
            raise ConfigError(
                f"{where}: line-length-style = \"doc8\" runs doc8's own check, which is not installed:"
                " pip install 'speckeeper[doc8]' (pre-commit: additional_dependencies: [doc8])"
            )


def _check_templates(config: Config) -> None:
    """A template named without "{release}" must exist now, not per spec
    (an RST template, and a Markdown one)."""
    for key in ("template", "markdown_template"):
        named = {getattr(config.base, key), *(o.values.get(key, "") for o in config.overrides)}
        for template in sorted(named):
            # A template's parts are filled in, not matched: one may repeat.
            _check_parts(config.source or "configuration", key.replace("_", "-"), template, TEMPLATE_PARTS, once=False)
            if template and "{" not in template and not (config.root / template).is_file():
                what = "Markdown template" if key == "markdown_template" else "template"
                raise ConfigError(f"{config.source or 'configuration'}: {what} file not found: {template}")


def _check_patterns(config: Config) -> None:
    """A release pattern must be a regular expression that runs in linear
    time; layouts and tracker URLs name only the parts speckeeper knows,
    each once; the layout, where ``new`` writes, is a plain relative path."""
    where = config.source or "configuration"
    base = config.base
    try:
        compile_pattern(base.release_pattern, ours=shipped(base.release_pattern))
    except PatternError as error:
        raise ConfigError(f"{where}: release-pattern {base.release_pattern!r} {error}") from None
    _check_parts(where, "layout", base.layout, LAYOUT_PARTS)
    for other in base.other_layouts:
        _check_parts(where, "other-layouts", other, LAYOUT_PARTS)
    if not all(plain(name) for name in base.layout.split("/")):
        # ``speckeeper new`` writes where the layout points.
        raise ConfigError(
            f"{where}: layout must be a relative path of plain folder names (no '..', no hidden or"
            f" version control folder), got {base.layout!r}"
        )
    for settings in (base, *(base._replace(**o.values) for o in config.overrides)):
        for url in settings.tracker_urls:
            _check_parts(where, "tracker-urls", url, TRACKER_PARTS)
        for pattern in settings.line_length_exempt_patterns:
            try:
                compile_pattern(pattern)
            except PatternError as error:
                raise ConfigError(f"{where}: line-length-exempt-patterns {pattern!r} {error}") from None


def _check_parts(where: str | Path, key: str, pattern: str, known: frozenset[str], once: bool = True) -> None:
    """Each ``{part}`` of a pattern is one speckeeper knows, named once (a
    part is a group of a regular expression: it cannot be named twice)."""
    named = re.findall(r"\{([^}]*)\}", pattern)
    unknown = sorted(set(named) - known)
    if unknown:
        from speckeeper.suggest import nearest  # Only on this error.

        near = nearest(unknown[0], sorted(known), cutoff=0.5)
        hint = f"did you mean {{{near}}}? " if near else ""
        raise ConfigError(
            f"{where}: {key}: unknown part {{{unknown[0]}}} in {pattern!r}"
            f" ({hint}known: {', '.join(f'{{{p}}}' for p in sorted(known))})"
        )
    repeated = sorted(name for name, count in Counter(named).items() if count > 1)
    if repeated and once:
        raise ConfigError(f"{where}: {key}: {{{repeated[0]}}} is named more than once in {pattern!r}: name each part once")


def plain(name: str) -> bool:
    """A folder or file name speckeeper may write in or to: not empty, not
    hidden (".", "..", ".git"), not a version control folder (in any case,
    as a case-blind file system finds it), no Windows separator or drive."""
    return (
        bool(name)
        and not name.startswith(".")
        and name.casefold() not in _VCS_CASEFOLDED
        and not set(name) & set("\\:")
    )


_VCS_CASEFOLDED = frozenset(name.casefold() for name in VCS_FOLDERS)


def tomllib() -> types.ModuleType:
    """The TOML reader, imported when a file is read: a repo without a
    configuration file (its settings read off the tree) does without."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib


# Configuration files' TOML kept between runs by their text, in the user's
# cache folder (see files/textstore): a run that finds its file's text
# there reads JSON and does without the TOML reader's import (5 ms of a
# one-file check). Only where the reader is Python's own, whose reading its
# version fixes.
TOML_FOLDER = "toml"
_TOML_STAMP = repr((1, sys.version_info[:3]))
_TOML_ENTRIES = 32


def parsed_toml(text: str) -> dict[str, Any]:
    """``tomllib.loads(text)``, kept for the next run that reads ``text``;
    tomllib's errors (a ValueError) and RecursionError as it raises them."""
    if sys.version_info >= (3, 11):
        from speckeeper.files import usercache
        from speckeeper.files.textstore import TextStore

        store = TextStore(usercache.default(), TOML_FOLDER, _TOML_STAMP, _TOML_ENTRIES, 4 * MAX_CONFIG_BYTES + 4096)
        # Not kept when it holds a date, which JSON cannot.
        return store.parsed(text, lambda toml: dict(tomllib().loads(toml)), dict)
    else:  # pragma: no cover - exercised on 3.10 only: tomli, of any version.
        return dict(tomllib().loads(text))


def _parse(path: Path) -> dict[str, Any]:
    """A config file's TOML; any way it cannot be had is a ConfigError."""
    raw = read_small_file(path, MAX_CONFIG_BYTES, "configuration file", "configuration")
    try:
        return parsed_toml(raw.decode("utf-8"))
    except ValueError as error:  # Not UTF-8, or tomllib's TOMLDecodeError.
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: arrays or tables nested too deeply") from None


def load_file(path: Path) -> Config:
    """Load a named config file: a .speckeeper.toml or a pyproject.toml."""
    data = _parse(path)
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        data = tool.get("speckeeper", {}) if isinstance(tool, dict) else {}
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: tool.speckeeper must be a table ([tool.speckeeper]), got {data!r}")
    return from_table(data, path.parent.resolve(), path)


def load(path: str | None, files: Sequence[str] = ()) -> Config:
    """The config file named (``--config``), or else the one that governs
    the files named: the working folder's, unless they are in another
    repository, whose own then governs them (found from the files, as black
    finds a project's root from its sources), and which alone is written
    to. Files of two repositories at once are a ConfigError."""
    if path:
        return load_file(Path(path))
    config = discover(Path.cwd())
    elsewhere = next((name for name in files if not _holds(config, name)), None)
    if elsewhere is None:
        return config
    config = discover(_folder_of(Path(elsewhere)))
    other = next((name for name in files if not _holds(config, name)), None)
    if other is not None and not any(_in_work_tree(Path(name)) for name in files):
        # Folders of one copy outside git (``specs/zed specs/yoga``) are one
        # repository, found from the folder they share.
        common = os.path.commonpath([os.path.abspath(name) for name in files])
        config = discover(_folder_of(Path(common)))
        other = next((name for name in files if not _holds(config, name)), None)
    if other is not None:
        raise ConfigError(f"{elsewhere} is in the repository {config.repo}, {other} is not: run speckeeper once for each repository")
    return config


def _holds(config: Config, name: str) -> bool:
    """Whether the file or folder ``name`` is in the repository ``config`` governs."""
    absolute = Path(os.path.abspath(name))
    if absolute == config.repo or config.repo in absolute.parents:
        return True
    # Named through a link above the repository (``/home`` a link): where
    # its folder is, not where the file itself may lead.
    real = Path(os.path.realpath(absolute.parent))
    return real == config.repo or config.repo in real.parents


def _in_work_tree(path: Path) -> bool:
    """Whether ``path`` is in a version-controlled work tree."""
    return _work_tree_of(_folder_of(Path(os.path.abspath(path)))) is not None


def _folder_of(path: Path) -> Path:
    """The nearest existing folder at or above ``path``."""
    for folder in (path, *path.parents):
        if folder.is_dir():
            return folder
    return Path.cwd()


def discover(start: Path) -> Config:
    """The config that governs ``start``: the nearest file up the tree.

    A ``.speckeeper.toml`` is always ours: one that is not a regular file
    is an error, not a reason to go on up. A ``pyproject.toml`` counts only
    when it has ``[tool.speckeeper]``. With none, what the repository's
    tree implies (:mod:`speckeeper.config.detect`), rooted at the repository that
    holds ``start`` when it has a ``specs/`` folder, else at ``start``.
    """
    start = start.resolve()
    found = governing_file(start)
    if found is not None:
        return load_file(found)
    repo = repository_of(start)
    root = repo if (repo / SPECS).is_dir() else _spec_repo_above(start, repo)
    from speckeeper.config.detect import detect  # Only for a repo with no configuration file.

    detected = detect(root)
    return from_table(detected.table, root, None)._replace(detected=detected.notes)


def _spec_repo_above(start: Path, repo: Path) -> Path:
    """The nearest folder from ``start`` up to the work tree ``repo`` (or
    up to the top, outside any: a spec repo's copy) that holds a
    ``specs/`` folder; else ``start``."""
    for folder in (start, *start.parents):
        if (folder / SPECS).is_dir():
            return folder
        if folder == repo and repo != start:
            break
    return start


def governing_file(start: Path) -> Path | None:
    """The configuration file that governs ``start`` (resolved): the
    nearest ``.speckeeper.toml``, or ``pyproject.toml`` with our table."""
    for folder in (start, *start.parents):
        own = folder / ".speckeeper.toml"
        if own.exists() or own.is_symlink():
            return own
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


# A pyproject.toml's text naming speckeeper's table: ``[tool.speckeeper]``,
# a dotted key or a quoted one.
_NAMES_TABLE = re.compile(rb"""\btool\s*\.\s*["']?speckeeper\b""")


def _has_tool_table(pyproject: Path) -> bool:
    """Whether a pyproject.toml holds speckeeper's table (one that does not
    parse, whether it names the table). Another project's file that cannot
    be read or parsed, and does not name the table, is not ours to judge
    (a template, an edit under way): it must not hide the configuration
    further up."""
    try:
        raw = read_regular(pyproject, MAX_CONFIG_BYTES)
    except OSError:
        return False
    try:
        data = parsed_toml(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # Not UTF-8, not TOML, nested too deeply.
        return _NAMES_TABLE.search(raw) is not None
    tool = data.get("tool")
    return isinstance(tool, dict) and "speckeeper" in tool
