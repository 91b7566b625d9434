"""The rule registry: every rule speckeeper knows, from each rule module.

Adding a rule is one function in the module of its group and one entry in
that module's ``RULES``.
"""

from __future__ import annotations

from ..rule import Rule
from . import lines, rst, structure

ALL: tuple[Rule, ...] = (*structure.RULES, *lines.RULES, *rst.RULES)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL}
