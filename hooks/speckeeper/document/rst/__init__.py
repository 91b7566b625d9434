"""The reStructuredText format: docutils parses a spec, safely (:mod:`.parse`,
with Sphinx's names known: :mod:`.sphinx_compat`), and :mod:`.build` makes
the document model of its parse. What must see docutils' nodes stays here:
its validity rules (:mod:`.rules`, SK5xx) and the parse kept on
:class:`.build.RstDocument` for them and for the fixer. :mod:`.adornment`
reads a title's adornment from the source lines, without a parse.

Imported by its modules, not here: the rules read only the adornment.
"""
