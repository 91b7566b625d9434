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

from speckeeper.rules.registry import Context, Hit, Registry
from speckeeper.document.model import Block
from speckeeper.document.model import Document as Spec
from speckeeper.document.template import normal, units_top
from speckeeper.rules.naming import TRACKER_SLUG, file_slug, tracker_of

# Only these directives make image nodes (docutils' names are case-blind),
# also in a substitution definition. The literal ".." keeps the search fast.
_IMAGE_DIRECTIVE = re.compile(r"\.\.[ \t]+(?:\|[^|\n]+\|[ \t]+)?(?i:image|figure)\s?::")

RULES = Registry("leftovers")

PLACEHOLDER, GUIDANCE_LEFT = "SK401", "SK402"
# What an author left of the template: ``speckeeper review`` runs these
# whether or not the configuration enables them (a reviewer wants to know).
LEFT_OF_TEMPLATE = (PLACEHOLDER, GUIDANCE_LEFT)


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."


@RULES.rule(PLACEHOLDER, "placeholder", default=False)
def check_placeholder(spec: Spec, ctx: Context) -> Iterator[Hit]:
    """A placeholder of the template is left in the spec.

    The template's title, its example tracker URL and its ``<...>``
    placeholders (``<launchpad-id or None>``) are there to be replaced;
    which strings count is read from the template. The example URL is left
    to SK303 when that rule is on. In a Markdown document: the template's
    title and example URLs.

    Bad::

        Primary assignee:
          <launchpad-id or None>

    Good::

        Primary assignee:
          jdoe
    """
    template = ctx.template
    for title in spec.titles:
        if template.title and normal(title.text) == normal(template.title):
            yield Hit(title.line, 1, f'title "{title.text}" is the template\'s: expected the spec\'s own title')
    # A placeholder's first word is in the text as written if the placeholder
    # is in it whitespace aside: most specs need no normalising.
    maybe = [p for p in template.placeholders if p.split()[0] in spec.text]
    whole = normal(spec.text) if maybe else ""
    left = [p for p in maybe if p in whole]
    for paragraph in (block for block in spec.blocks() if block.kind == "paragraph") if left else ():
        text = normal(paragraph.text)
        for placeholder in left:
            if placeholder in text:
                yield Hit(paragraph.line, 1, f'placeholder "{placeholder}" left from the template: expected a real value')
    reported = None
    if TRACKER_SLUG in ctx.enabled and spec.format != "markdown":  # No tracker in Markdown.
        chosen = tracker_of(spec, ctx).chosen(file_slug(ctx.relpath))
        reported = chosen.url if chosen is not None and chosen.slug != file_slug(ctx.relpath) else None
    for link in (link for node in spec.preamble for block in node.walk() for link in block.links):
        if link.url in template.urls and link.url != reported:
            yield Hit(link.line, 1, f"example URL {link.url} left from the template: expected the spec's own")


def _guidance_left(children: Iterable[Block], guidance: frozenset[str]) -> Iterator[Block]:
    """The largest units among ``children`` that are the template's guidance.

    A list item whose first paragraph is the template's and whose rest is
    the author's is a form filled in (REST API impact: "URL for the
    resource" with the URL under it): its first paragraph is a label.
    """
    for unit in units_top(children):
        if normal(unit.text) in guidance:
            yield unit
            continue
        inner = list(unit.children)
        if unit.kind == "item" and len(inner) > 1 and inner[0].kind == "paragraph":
            inner = inner[1:]
        yield from _guidance_left(inner, guidance)


def _top_blocks(spec: Spec) -> Iterator[Block]:
    """The outermost blocks, in document order."""
    yield from spec.preamble
    yield from spec.under_titles
    for section in spec.all_sections():
        yield from section.blocks


@RULES.rule(GUIDANCE_LEFT, "guidance-left", default=False)
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
    split = " ".join(block.text for block in _top_blocks(spec)).split()  # One split, not one a block.
    whole, words = " ".join(split), frozenset(split)
    guidance = frozenset(text for word, text in ctx.template.guidance if word in words and text in whole)
    for unit in _guidance_left(_top_blocks(spec), guidance) if guidance else ():
        text = normal(unit.text)
        yield Hit(unit.line, 1, f'guidance from the template left in: "{_short(text)}": expected the spec\'s own text')


@RULES.rule("SK403", "image", default=False)
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
        return  # Most specs: no need to walk their blocks.
    for block in _top_blocks(spec):
        for image in _images(block):
            yield Hit(image.line, 1, f'{image.name} "{image.target}": expected an ASCII diagram in a literal block')


def _images(block: Block) -> Iterator[Block]:
    """The images in a block, each as the figure that holds it where one
    does (a figure names its image in ``target``)."""
    if block.kind == "directive" and (block.name == "image" or block.name == "figure" and block.target):
        yield block
        if block.name == "figure":
            return
    for child in block.children:
        yield from _images(child)


@RULES.rule("SK404", "license-header", default=False)
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
    expected = ctx.template.license
    if not expected:
        return
    for child in spec.preamble:
        if child.kind == "comment" and normal(child.text) == expected:
            return
    what = "differs from the template's" if spec.text.lstrip().startswith("..") else "missing"
    yield Hit(1, 1, f'license header {what}: expected the template\'s first comment ".. {_short(expected, 50)}"')
