"""The commands beyond ``check``: one module a command (``new``, with
:mod:`.new_markdown` for a Markdown process, ``init``,
``move``/``abandon``, ``repropose``, ``status``, ``review``, the
commit-message hooks, ``completion``, ``--show-settings``), and
:mod:`.plan`, which the lifecycle commands share to change a repo all at
once or not at all.

May import: everything below (fixing, reporting, the engine, the rules, the
document model, the copier template's data, the configuration, files).
Never :mod:`speckeeper.cli`, the editor or the Sphinx extension, which import
the commands.
"""
