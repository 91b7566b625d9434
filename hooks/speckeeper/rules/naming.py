"""Naming rules: a spec's file name, its tracker URL and where it lives.

The template asks that the file name match the blueprint URL
(``.../+spec/awesome-thing`` is ``awesome-thing.rst``), and the spec repo
keeps specs in ``specs/<release>/<state>/``. No spec repo's gate checks
either; these rules do, from the spec's path and from the URLs the document
shows before the first section. Which URLs count as a tracker, the project,
the states and the layout are configuration.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from speckeeper.config import layout, patterns
from speckeeper.config.settings import Settings, shipped
from speckeeper.rules.registry import Context, Hit, Registry
from speckeeper.document.model import Document as Spec

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
TRACKER_SLUG = "SK303"
LAYOUT = "SK306"

RULES = Registry("naming")
# What each part of a ``tracker-urls`` pattern matches (config.TRACKER_PARTS).
_PART_PATTERNS = {"project": r"[^/\s]+", "slug": r"\S*?", "id": r"\S+"}


@lru_cache(maxsize=64)
def _tracker_pattern(url: str) -> patterns.Pattern:
    """A ``tracker-urls`` entry as a regular expression; http and https,
    and a trailing slash or none, name the same tracker."""
    scheme, sep, rest = url.partition("://")
    prefix = "https?://"
    if not (sep and scheme in ("http", "https")):
        prefix, rest = "", url
    slash = "" if url.endswith("/") else "/?"
    return patterns.compile(prefix + layout.fields_regex(rest, _PART_PATTERNS) + slash, ours=shipped(url))


class TrackerUrl(NamedTuple):
    """A URL before the first section that a ``tracker-urls`` pattern matches."""

    url: str
    line: int
    alone: bool  # The URL is the whole paragraph: on a line (or lines) of its own.
    project: str | None
    slug: str | None


class Tracker(NamedTuple):
    """What a spec says about its tracker, read once per spec."""

    urls: tuple[TrackerUrl, ...]
    others: tuple[tuple[str, int], ...]  # Other URLs before the first section.
    opted_out: bool

    def chosen(self, slug: str) -> TrackerUrl | None:
        """The tracker URL that names this spec, or else the first one."""
        for found in self.urls:
            if found.slug is None or found.slug == slug:
                return found
        return self.urls[0] if self.urls else None


def match_tracker(url: str, settings: Settings) -> patterns.Match | None:
    """How a URL matches the first ``tracker-urls`` pattern it matches."""
    for pattern in settings.tracker_urls:
        match = _tracker_pattern(pattern).fullmatch(url)
        if match:
            return match
    return None


def read_tracker(spec: Spec, settings: Settings) -> Tracker:
    """The tracker URLs, other URLs and opt-out comment above the first
    section.

    A tracker URL counts in a paragraph, in a list item of its own (one
    item a blueprint, as specs naming several write them) and on a line of
    a comment, alone or after a label (where a gate that reads the text
    finds it too); ``http`` or ``https``. Other URLs count only in
    paragraphs: a list there is notes (the template's own).
    The opt-out comment may go on after its words (``.. no tracker: a
    cleanup``)."""
    urls: list[TrackerUrl] = []
    others: list[tuple[str, int]] = []
    opted_out = False
    for node in spec.preamble:
        if node.kind == "comment":
            opted_out = opted_out or _opts_out(node.text, settings.tracker_opt_out)
            urls.extend(_commented_urls(node.text, spec, settings))
            continue
        in_list = node.kind == "list" and node.name in ("bullet", "enumerated")
        for link in (link for block in node.walk() for link in block.links):
            match = match_tracker(link.url, settings)
            if match is None:
                if not in_list:
                    others.append((link.url, link.line))
                continue
            parts = match.groupdict()
            if in_list and not link.alone:
                continue  # A note that shows a URL (the template's own), not a blueprint.
            urls.append(TrackerUrl(link.url, link.line, link.alone, parts.get("project"), parts.get("slug")))
    return Tracker(tuple(urls), tuple(others), opted_out)


def _opts_out(comment: str, opt_out: str) -> bool:
    """Whether a comment is the opt-out, or starts with it as whole words;
    the setting is written with its ".." or without."""
    marker = " ".join(opt_out.removeprefix("..").split()).casefold()
    text = " ".join(comment.split()).casefold()
    return bool(marker) and (text == marker or text.startswith(marker) and not text[len(marker)].isalnum())


# A comment's line that names a tracker: the URL alone, or after a label
# ("Blueprint: https://..."); a URL within a sentence is a mention.
_COMMENTED_URL = re.compile(r"(?:[\w ]+:\s+)?(https?://\S+)")


def _commented_urls(comment: str, spec: Spec, settings: Settings) -> list[TrackerUrl]:
    """The tracker URLs a comment names on a line of their own (the format
    makes no links there), each at the first line of the spec that holds
    it; alone when it is that line's only text."""
    found = []
    lines = (_COMMENTED_URL.fullmatch(line.strip()) for line in comment.split("\n"))
    for url in (match.group(1) for match in lines if match):
        match = match_tracker(url, settings)
        if match is None:
            continue
        line = next((n for n, text in enumerate(spec.lines, 1) if url in text), 1)
        alone = spec.lines[line - 1].strip().removeprefix("..").strip() == url if spec.lines else False
        parts = match.groupdict()
        found.append(TrackerUrl(url, line, alone, parts.get("project"), parts.get("slug")))
    return found


def tracker_of(spec: Spec, ctx: Context) -> Tracker:
    """The spec's tracker, read once however many rules ask."""
    return ctx.memo("tracker", lambda: read_tracker(spec, ctx.settings))


def file_slug(relpath: str) -> str:
    """The slug a spec's file name gives: its name without ``.rst``."""
    name = relpath.rsplit("/", 1)[-1]
    return name[: -len(".rst")] if name.endswith(".rst") else name


def project_of(ctx: Context) -> str:
    """The project a spec's tracker URL names: its ``{project}`` folder,
    where the layout has one, else the ``project`` key ("": any)."""
    found = layout.parts(ctx.settings.layout, ctx.relpath)
    return found["project"] if found and "project" in found else ctx.settings.project


def expected_url(ctx: Context, slug: str) -> str:
    """The tracker URL this spec should name, for messages: the first
    pattern a spec can fill in (one naming no ``{id}``), filled in."""
    settings = ctx.settings
    patterns = [url for url in settings.tracker_urls if "{id}" not in url] or list(settings.tracker_urls)
    pattern = patterns[0] if patterns else ""
    filled = pattern.replace("{project}", project_of(ctx) or "<project>").replace("{slug}", slug or "<slug>")
    return filled.replace("{id}", "<id>")


def _title_line(spec: Spec) -> int:
    return spec.titles[0].line if spec.titles else 1


def _template_urls(ctx: Context) -> frozenset[str]:
    """The tracker URLs the template shows on lines of their own: examples."""
    return frozenset(url for url in ctx.template.urls if match_tracker(url, ctx.settings))


def in_spec_tree(ctx: Context) -> bool:
    """Whether the spec is under the folder the layout starts with
    (``specs/``). Naming rules judge specs in a spec repo; a draft or a
    sample elsewhere has no name to keep yet."""
    return under_spec_folder(ctx.settings, ctx.relpath)


def under_spec_folder(settings: Settings, relpath: str) -> bool:
    top = settings.layout.split("{", 1)[0]
    return not top or re.search(f"(?:^|/){re.escape(top)}", relpath) is not None


@RULES.rule("SK301", "file-name")
def check_file_name(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """The file name is not a slug: lower-case letters, digits and hyphens.

    Launchpad names blueprints so, and the template asks that the file be
    named after the blueprint; a name with capitals or underscores cannot
    match one. A Markdown document too (a decision record's
    ``0007-use-postgres.md``), but not a folder's ``README.md`` or
    ``index.md``, or a name its process gives every document
    (``markdown-names``).

    Bad::

        specs/2025.1/approved/Live_Migrate-vTPM.rst

    Good::

        specs/2025.1/approved/live-migrate-vtpm.rst
    """
    name = ctx.relpath.rsplit("/", 1)[-1]
    if spec.format == "markdown":
        slug, _, suffix = name.rpartition(".")
        suffix = "." + suffix
        # A folder's README.md, or a name the process gives them all, is no
        # name of the document's own: its folder is (SK709 judges that).
        if name in ctx.settings.markdown_names or slug.casefold() in ("readme", "index"):
            return
    elif not in_spec_tree(ctx):
        return
    else:
        slug, suffix = file_slug(ctx.relpath), ".rst"
    if not SLUG.fullmatch(slug):
        suggested = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-") or "a-slug"
        yield Hit(1, 1, f'file name "{slug}{suffix}" is not a slug: expected lower-case letters, digits and hyphens, like "{suggested}{suffix}"')


@RULES.rule("SK302", "tracker-missing", default=False)
def check_tracker_missing(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """No tracker URL before the first section.

    The spec names its blueprint (or whatever tracker the repo accepts, see
    ``tracker-urls``) on a line of its own under the title, so that readers
    and tools can find the work it proposes. A repo may accept an opt-out
    comment instead (``tracker-opt-out``).

    Bad::

        =========================
        Awesome thing for servers
        =========================

        This spec proposes ...

    Good::

        =========================
        Awesome thing for servers
        =========================

        https://blueprints.launchpad.net/nova/+spec/awesome-thing

        This spec proposes ...
    """
    if not in_spec_tree(ctx):
        return
    tracker = tracker_of(spec, ctx)
    if tracker.urls or tracker.opted_out or not ctx.settings.tracker_urls:
        return
    expected = expected_url(ctx, file_slug(ctx.relpath))
    if tracker.others:
        url, line = tracker.others[0]
        yield Hit(line, 1, f"no tracker URL before the first section: expected {expected}, found {url}")
    else:
        yield Hit(_title_line(spec), 1, f"no tracker URL before the first section: expected a line {expected}")


@RULES.rule(TRACKER_SLUG, "tracker-slug")
def check_tracker_slug(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """The tracker URL names another blueprint than the file name.

    The template asks that the file be named after its blueprint, so that
    one finds the other. A copied spec (``openapi.rst`` naming
    ``+spec/openapi-2``) or the template's own ``+spec/example`` left in
    place is a mismatch.

    Bad::

        # specs/2025.1/approved/openapi.rst
        https://blueprints.launchpad.net/nova/+spec/openapi-2

    Good::

        # specs/2025.1/approved/openapi-2.rst
        https://blueprints.launchpad.net/nova/+spec/openapi-2
    """
    if not in_spec_tree(ctx):
        return
    slug = file_slug(ctx.relpath)
    chosen = tracker_of(spec, ctx).chosen(slug)
    if chosen is None or chosen.slug is None or chosen.slug == slug:
        return
    expected = expected_url(ctx, slug)
    if chosen.url in _template_urls(ctx):
        yield Hit(chosen.line, 1, f"tracker URL is the template's example {chosen.url}: expected {expected}")
    elif not chosen.slug:
        yield Hit(chosen.line, 1, f"tracker URL {chosen.url} names no blueprint: expected {expected}")
    else:
        yield Hit(
            chosen.line,
            1,
            f'tracker URL names "{chosen.slug}", expected "{slug}" as the file name is (rename one of them)',
        )


@RULES.rule("SK304", "tracker-project")
def check_tracker_project(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """The tracker URL names another project than the repo's.

    A spec in nova-specs proposes work on nova; a blueprint of another
    project (or a misspelt project) is the wrong link. The project is the
    ``project`` key, or the spec's ``{project}`` folder where the layout
    has one (``specs/{project}/{release}/{slug}.rst``).

    Bad::

        https://blueprints.launchpad.net/Nova/+spec/awesome-thing

    Good::

        https://blueprints.launchpad.net/nova/+spec/awesome-thing
    """
    if not in_spec_tree(ctx):
        return
    expected = project_of(ctx)
    chosen = tracker_of(spec, ctx).chosen(file_slug(ctx.relpath))
    if expected and chosen is not None and chosen.project is not None and chosen.project != expected:
        yield Hit(chosen.line, 1, f'tracker URL names project "{chosen.project}", expected "{expected}"')


@RULES.rule("SK305", "tracker-line", default=False)
def check_tracker_line(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """The tracker URL shares its paragraph with other text.

    The template puts the URL on a line of its own, where tools (and
    readers) find it; a URL split over two lines also lands here, as only
    its first line is the link.

    Bad::

        Blueprint: https://blueprints.launchpad.net/nova/+spec/awesome-thing

    Good::

        https://blueprints.launchpad.net/nova/+spec/awesome-thing
    """
    if not in_spec_tree(ctx):
        return
    chosen = tracker_of(spec, ctx).chosen(file_slug(ctx.relpath))
    if chosen is not None and not chosen.alone:
        yield Hit(chosen.line, 1, f"tracker URL {chosen.url} is not on a line of its own: expected the URL alone")


def in_layout(settings: Settings, relpath: str) -> bool:
    """Whether a path is where specs live: the layout or another one."""
    return any(layout.parts(pattern, relpath) is not None for pattern in (settings.layout, *settings.other_layouts))


def not_where_specs_live(settings: Settings, relpath: str) -> str | None:
    """SK306's message for a spec in the spec folder outside the layout."""
    if not under_spec_folder(settings, relpath):
        return None
    return f"spec is not where specs live: expected {settings.layout}, found {relpath}"


@RULES.rule(LAYOUT, "layout")
def check_layout(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """The spec is not where specs live, or not in a state folder.

    Specs live in ``specs/<release>/<state>/<slug>.rst`` (the ``layout``
    key), with the repo's states (``states``: nova's are ``approved`` and
    ``implemented``), or in another place the repo names
    (``other-layouts``, such as ``specs/abandoned/<slug>.rst``). The docs
    build, the redirects and the reviewers all look there.

    Bad::

        specs/2025.1/live-migrate-vtpm.rst
        specs/2025.1/proposed/live-migrate-vtpm.rst

    Good::

        specs/2025.1/approved/live-migrate-vtpm.rst
    """
    if not in_spec_tree(ctx):
        return
    settings = ctx.settings
    found = layout.parts(settings.layout, ctx.relpath)
    if found is None:
        message = not_where_specs_live(settings, ctx.relpath)
        if message and not in_layout(settings, ctx.relpath):
            yield Hit(1, 1, message)
        return
    if "state" in found and settings.states and found["state"] not in settings.states:
        states = ", ".join(settings.states)
        yield Hit(1, 1, f'spec is in folder "{found["state"]}", expected a state folder: {states}')
