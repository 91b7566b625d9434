"""The document model and the formats that build it.

:mod:`.model` says what a design document is to every rule: its titles, its
sections with their levels and lines, the blocks under each (paragraph, list,
literal, table, directive, comment), its raw lines and its metadata. A format
(:mod:`.rst`, :mod:`.markdown`) reads a file's text with its own parser and
builds that model; what only a format can know (docutils' own messages, the
validity rules that read its nodes) stays in the format.

A template is read into :class:`.template.Template`, from a template .rst
(:mod:`.template`) or a Markdown one (:mod:`.markdown_template`); the
loader that finds each spec's template is :mod:`.loader`. A document's
metadata kept in a file beside it is read by :mod:`.metadata`. What the
commit-message hooks read of a spec is kept between hooks by
:mod:`.message_facts`.

May import: the standard library, :mod:`speckeeper.findings`, and a format's
own parser (docutils in ``rst``, markdown-it-py in ``markdown``). Never the
rules, the commands or the editor; but a format's validity rules
(``rst/rules.py``, ``markdown/rules.py``) declare themselves with the rules'
registry (:mod:`speckeeper.rules.registry`), which lists them.
"""
