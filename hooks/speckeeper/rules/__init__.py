"""The rule registry: every rule speckeeper knows, from each rule module.

Adding a rule is one check function (and its fix, if it has one) in the
module of its group, declared with that module's ``@RULES.rule(...)``. A
rule of the lifecycle module runs once over the checked files instead of
once per spec; the file rules are reported by the run itself.

May import: the document model, the configuration, files and the base
modules. Never docutils (what only docutils can tell is the rst format's),
the engine, reporting, fixing, the commands or the editor.
"""

from __future__ import annotations

from speckeeper.rules.registry import Rule
from speckeeper.rules import files, leftovers, lifecycle, lines, metadata, naming, structure
from speckeeper.document import markdown as markdown_format
from speckeeper.document.markdown import rules as markdown
from speckeeper.document.model import Document
from speckeeper.document.rst import rules as rst

# By code: how ``speckeeper rules`` lists them, and the order of findings
# at one position.
ALL: tuple[Rule, ...] = tuple(
    sorted(
        (*files.RULES, *structure.RULES, *lines.RULES, *rst.RULES, *markdown.RULES, *naming.RULES, *lifecycle.RULES, *leftovers.RULES, *metadata.RULES),
        key=lambda rule: rule.code,
    )
)

# Rules run on each spec, and rules run once on the checked files together.
# (File rules, with no check of their own, are neither.)
PER_SPEC: tuple[Rule, ...] = tuple(rule for rule in ALL if rule.scope == "spec")
PER_REPO: tuple[Rule, ...] = tuple(rule for rule in ALL if rule.scope == "repo")

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL}


# The rules that run on a Markdown document. Every rule reads the model,
# but not every one means something in Markdown: SK109 and SK209 judge RST
# adornments, SK202 a directive's body, SK403 images (nova's template asks
# for ASCII diagrams), SK404 an RST license comment, and the naming rules
# but SK301 a tracker and a layout that a KEP's folder and README.md are
# not (SK709 names a Markdown document from its metadata). SK201 reads
# ``markdown-wrapped``: most Markdown is not wrapped.
MARKDOWN_READY = frozenset(
    {"SK101", "SK102", "SK103", "SK104", "SK105", "SK106", "SK107", "SK108", "SK110"}
    | {"SK201", "SK203", "SK204", "SK205", "SK206", "SK207", "SK208"}
    | {"SK301", "SK401", "SK402"}
    | {"SK601", "SK602", "SK603", "SK604"}
    | {"SK701", "SK702", "SK703", "SK704", "SK705", "SK706", "SK707", "SK708", "SK709"}
)


def runs_on(rule: Rule, document: Document) -> bool:
    """Whether a rule reads a document of this format (an RST spec has no
    metadata the metadata rules read)."""
    if document.format == markdown_format.FORMAT:
        return rule.code in MARKDOWN_READY
    return rule.group not in ("markdown", "metadata")
