"""The rule registry: every rule speckeeper knows, from each rule module.

Adding a rule is one function in the module of its group and one entry in
that module's ``RULES``. A :class:`~speckeeper.rule.RepoRule` (lifecycle)
runs once over the checked files instead of once per spec.
"""

from __future__ import annotations

from ..rule import RepoRule, Rule
from . import files, leftovers, lifecycle, lines, naming, rst, structure

# By code: how ``speckeeper rules`` lists them, and the order of findings
# at one position.
ALL: tuple[Rule, ...] = tuple(
    sorted(
        (*files.RULES, *structure.RULES, *lines.RULES, *rst.RULES, *naming.RULES, *lifecycle.RULES, *leftovers.RULES),
        key=lambda rule: rule.code,
    )
)

# Rules run on each spec, and rules run once on the checked files together.
# (File rules, with no check of their own, are neither.)
PER_SPEC: tuple[Rule, ...] = tuple(rule for rule in ALL if rule.check is not None and not isinstance(rule, RepoRule))
PER_REPO: tuple[RepoRule, ...] = tuple(rule for rule in ALL if isinstance(rule, RepoRule))

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL}
