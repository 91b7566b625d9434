"""The copier template (``copier.yml``, ``questions.yml`` and ``template/``)
that ``copier copy`` and ``speckeeper new`` render, and :mod:`.data`, what it
renders read from a template spec.

May import: the document model, the configuration and files.
"""
