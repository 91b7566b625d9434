"""``speckeeper lsp``: the checks, fixes and template guidance in the
author's editor, over the Language Server Protocol (stdio).

A thin adapter, in three parts: :mod:`.engine` runs the pipeline of
``speckeeper check`` and ``speckeeper fix`` (:class:`~speckeeper.engine.check.Checker`,
:class:`~speckeeper.fixing.fix.Fixer`) on an editor's text, with the configuration
resolved for each document as ``check`` resolves it; :mod:`.features` turns
what they found into the protocol's types (diagnostics, quick fixes, hover,
completion, symbols); :mod:`.server` is the pygls server. Nothing about a
rule is written here: its code, message, severity, what a finding
underlines, its fix, the fix's title and its documentation come from the
rule's declaration, and the texts a title quotes from the finding.

pygls and lsprotocol are the ``lsp`` extra (``pip install
'speckeeper[lsp]'``), imported only by this command.

May import: everything below it (the commands, fixing, reporting, the
engine, the rules, the document model, the configuration, files); only
:mod:`speckeeper.cli` and :mod:`speckeeper.sphinx` import it.
"""
