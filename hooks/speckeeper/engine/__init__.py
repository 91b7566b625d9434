"""Running the rules over files, and deciding what is reported.

:mod:`.check` finds the files, reads and parses each once and runs the
rules; :mod:`.decide` is the one gate (selection, a spec's own comments,
the baseline of :mod:`.baseline`); :mod:`.cache` keeps findings between runs;
:mod:`.parallel` spreads many files over the cores.

May import: the rules, the document model, the configuration and files.
Never fixing, reporting, the commands or the editor.
"""
