"""Files, read and written safely: the bottom of the house.

Reading a spec's bytes within bounds (:mod:`.source`), writing all at once
and only where speckeeper may write (:mod:`.atomic`, :mod:`.folder`), asking
git what it knows (:mod:`.gitrepo`), the user's cache folder
(:mod:`.usercache`) and bounded YAML (:mod:`.yamlfile`).

May import: the standard library and :mod:`speckeeper.errors`. Nothing else
of speckeeper's.
"""
