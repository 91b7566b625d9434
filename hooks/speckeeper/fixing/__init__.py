"""Fixing: applying the rules' fixes to a spec, and proving its meaning kept.

The fixes themselves are the rules' (:mod:`speckeeper.rules`); :mod:`.fix`
applies every fix that proves, in one pass, and says why the rest was not
made.

May import: the engine, reporting (to say what it fixed), the rules, the
document model, the configuration and files. Never the commands or the
editor.
"""
