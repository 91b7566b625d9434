"""The rule registry: every rule speckeeper knows, from each rule module.

Adding a rule is one check function (and its fix, if it has one) in the
module of its group, declared with that module's ``@RULES.rule(...)``. A
rule of the lifecycle module runs once over the checked files instead of
once per spec; the file rules are reported by the run itself.
"""

from __future__ import annotations

from .registry import Rule
from . import files, leftovers, lifecycle, lines, metadata, naming, structure
from ..document.markdown import rules as markdown
from ..document.rst import rules as rst

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
