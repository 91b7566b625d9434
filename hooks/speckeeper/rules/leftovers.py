"""Leftover rules: what an author copied from the template and did not
replace, and what the template's notes ask beyond structure.

Everything these rules look for is read from the spec's template file:
its title, the tracker URL and ``<...>`` placeholders it shows, its
guidance paragraphs and list items, its license header. Nothing of it is
written in code, so a repo's own template brings its own leftovers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from docutils import nodes

from ..rule import Context, Hit, Rule
from ..spec import Spec
from ..template import Template
from .naming import TRACKER_SLUG, file_slug, line_of, preamble, tracker_of

# A paragraph of the template that is only "<something>" is a placeholder.
_PLACEHOLDER = re.compile(r"<[^<>\n]+>")
# Guidance shorter than this many words is too common to be a leftover.
MIN_GUIDANCE_WORDS = 4
# Only these directives make image nodes (docutils' names are case-blind),
# also in a substitution definition. The literal ".." keeps the search fast.
_IMAGE_DIRECTIVE = re.compile(r"\.\.[ \t]+(?:\|[^|\n]+\|[ \t]+)?(?i:image|figure)\s?::")
# What may hold guidance: a paragraph, a list, one item of a list.
_UNITS = (nodes.paragraph, nodes.bullet_list, nodes.enumerated_list, nodes.list_item, nodes.block_quote)


def normal(text: str) -> str:
    """Text with its whitespace made single spaces: how leftovers compare."""
    return " ".join(text.split())


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."


def _first_line(node: nodes.Node) -> int:
    """The first source line of a node: its own, a descendant's or an ancestor's."""
    for candidate in node.findall(include_self=True):
        if candidate.line:
            return int(candidate.line)
    return line_of(node)


@dataclass(frozen=True)
class Leftovers:
    """What a template leaves for an author to replace, read once per template."""

    title: str
    urls: frozenset[str]  # The tracker URLs on lines of their own under the title.
    placeholders: tuple[str, ...]  # "<launchpad-id or None>" and the like.
    # The guidance (normalised paragraphs, lists and list items), each with
    # its longest inner word: text found in a spec's has its inner words
    # there whole, so most texts are ruled out by a set lookup, not a search.
    guidance: tuple[tuple[str, str], ...]
    license: str  # The normalised comment the template starts with, or "".


def _units_top(children: Iterable[nodes.Node]) -> Iterator[nodes.Element]:
    """The outermost paragraphs, lists and list items among ``children``
    and under them, tables aside (their cells are data, not guidance)."""
    for child in children:
        if isinstance(child, nodes.table) or not isinstance(child, nodes.Element):
            continue
        if isinstance(child, _UNITS):
            yield child
        else:
            yield from _units_top(child.children)


def _units(node: nodes.Node) -> Iterator[nodes.Element]:
    """Every paragraph, list and list item under ``node``, tables aside."""
    for unit in _units_top(node.children):
        yield unit
        yield from _units(unit)


def read_leftovers(template: Template) -> Leftovers:
    doctree = template.spec.doctree
    top = [c for c in preamble(template.spec) if isinstance(c, nodes.paragraph)]
    urls = frozenset(
        ref["refuri"]
        for paragraph in top
        for ref in paragraph.findall(nodes.reference)
        if ref.get("refuri") and normal(paragraph.astext()) == normal(ref.astext())
    )
    placeholders = tuple(
        dict.fromkeys(
            normal(p.astext()) for p in doctree.findall(nodes.paragraph) if _PLACEHOLDER.fullmatch(normal(p.astext()))
        )
    )
    texts = frozenset(
        text
        for unit in _units(doctree)
        for text in [normal(unit.astext())]
        if len(text.split()) >= MIN_GUIDANCE_WORDS and text not in placeholders and text not in urls
    )
    # docutils puts the title first; the comment the file starts with is
    # the first comment above the first section.
    comments = [c for c in preamble(template.spec) if isinstance(c, nodes.comment)]
    starts = template.spec.text.lstrip().startswith("..")
    license_text = normal(comments[0].astext()) if comments and starts else ""
    guidance = tuple((max(text.split()[1:-1], key=len), text) for text in sorted(texts))
    return Leftovers(template.title, urls, placeholders, guidance, license_text)


def leftovers(template: Template) -> Leftovers:
    return template.derived("leftovers", read_leftovers)


def check_placeholder(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """A placeholder of the template is left in the spec.

    The template's title, its example tracker URL and its ``<...>``
    placeholders (``<launchpad-id or None>``) are there to be replaced;
    which strings count is read from the template. The example URL is left
    to SK303 when that rule is on.

    Bad::

        Primary assignee:
          <launchpad-id or None>

    Good::

        Primary assignee:
          jdoe
    """
    found = leftovers(ctx.template)
    for title in spec.titles:
        if found.title and normal(title.text) == normal(found.title):
            yield Hit(title.line, 1, f'title "{title.text}" is the template\'s: expected the spec\'s own title')
    # A placeholder's first word is in the text as written if the placeholder
    # is in it whitespace aside: most specs need no normalising.
    maybe = [p for p in found.placeholders if p.split()[0] in spec.text]
    whole = normal(spec.text) if maybe else ""
    left = [p for p in maybe if p in whole]
    for paragraph in spec.doctree.findall(nodes.paragraph) if left else ():
        text = normal(paragraph.astext())
        for placeholder in left:
            if placeholder in text:
                yield Hit(_first_line(paragraph), 1, f'placeholder "{placeholder}" left from the template: expected a real value')
    reported = None
    if TRACKER_SLUG in ctx.enabled:
        chosen = tracker_of(spec, ctx).chosen(file_slug(ctx.relpath))
        reported = chosen.url if chosen is not None and chosen.slug != file_slug(ctx.relpath) else None
    for node in preamble(spec):
        for ref in node.findall(nodes.reference):
            url = ref.get("refuri")
            if url in found.urls and url != reported:
                yield Hit(_first_line(ref), 1, f"example URL {url} left from the template: expected the spec's own")


def _guidance_left(children: Iterable[nodes.Node], guidance: frozenset[str]) -> Iterator[nodes.Element]:
    """The largest units among ``children`` that are the template's guidance.

    A list item whose first paragraph is the template's and whose rest is
    the author's is a form filled in (REST API impact: "URL for the
    resource" with the URL under it): its first paragraph is a label.
    """
    for unit in _units_top(children):
        if normal(unit.astext()) in guidance:
            yield unit
            continue
        inner = list(unit.children)
        if isinstance(unit, nodes.list_item) and len(inner) > 1 and isinstance(inner[0], nodes.paragraph):
            inner = inner[1:]
        yield from _guidance_left(inner, guidance)


def check_guidance_left(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """A paragraph or list item of the template's guidance is left in.

    The template explains under each title what to write there; authors
    copy the template and sometimes leave that text in, which reviewers
    catch by eye today. Compared whitespace aside; a whole list left in is
    one finding, an item of a list an author edited is one each.

    Bad::

        Use Cases
        ---------

        What use cases does this address? What impact on actors does this
        change have?

    Good::

        Use Cases
        ---------

        As an operator, I want to ...
    """
    # A unit's text, whitespace aside, is a stretch of the whole text's:
    # guidance not found in the whole is in no unit, and most specs keep none.
    split = spec.doctree.astext().split()
    whole, words = " ".join(split), frozenset(split)
    guidance = frozenset(text for word, text in leftovers(ctx.template).guidance if word in words and text in whole)
    for unit in _guidance_left(spec.doctree.children, guidance) if guidance else ():
        text = normal(unit.astext())
        yield Hit(_first_line(unit), 1, f'guidance from the template left in: "{_short(text)}": expected the spec\'s own text')


def check_image(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """An image or figure: the template asks for ASCII diagrams.

    Specs are reviewed as plain text in gerrit, where an image cannot be
    seen or commented on inline. A repo can allow them (``allow-images``).

    Bad::

        .. image:: /_images/flow.png

    Good::

        ::

          +------+     +-----------+
          | API  |---->| conductor |
          +------+     +-----------+
    """
    if ctx.settings.allow_images or _IMAGE_DIRECTIVE.search(spec.text) is None:
        return  # Most specs: no need to walk their doctree.
    for image in spec.doctree.findall(nodes.image):
        node = image.parent if isinstance(image.parent, nodes.figure) else image
        kind = "figure" if node is not image else "image"
        yield Hit(_first_line(node), 1, f'{kind} "{image["uri"]}": expected an ASCII diagram in a literal block')


def check_license(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """The license header the template starts with is missing.

    Spec repos publish their specs under the license the template's first
    comment states; a spec without it is not clearly licensed. Compared
    whitespace aside.

    Bad::

        ==========================
        Awesome thing for servers
        ==========================

    Good::

        ..
         This work is licensed under a Creative Commons Attribution 3.0
         Unported License.

         http://creativecommons.org/licenses/by/3.0/legalcode

        ==========================
        Awesome thing for servers
        ==========================
    """
    expected = leftovers(ctx.template).license
    if not expected:
        return
    for child in preamble(spec):
        if isinstance(child, nodes.comment) and normal(child.astext()) == expected:
            return
    what = "differs from the template's" if spec.text.lstrip().startswith("..") else "missing"
    yield Hit(1, 1, f'license header {what}: expected the template\'s first comment ".. {_short(expected, 50)}"')


RULES = (
    Rule("SK401", "placeholder", "leftovers", check_placeholder, default=False),
    Rule("SK402", "guidance-left", "leftovers", check_guidance_left, default=False),
    Rule("SK403", "image", "leftovers", check_image, default=False),
    Rule("SK404", "license-header", "leftovers", check_license, default=False),
)
