"""Files, read and written safely: the bottom of the house.

Reading a spec's bytes within bounds (:mod:`.source`), writing all at once
and only where speckeeper may write (:mod:`.atomic`, :mod:`.folder`), asking
git what it knows (:mod:`.gitrepo`), the user's cache folder
(:mod:`.usercache`) and what is kept there between runs: data by the text
it was read from (:mod:`.textstore`), the regular expressions a command
compiled (:mod:`.regexstore`), what the commit hook found a commit needs
of its message (:mod:`.settled`); and bounded YAML (:mod:`.yamlfile`).

May import: the standard library and :mod:`speckeeper.errors`. Nothing else
of speckeeper's.
"""
