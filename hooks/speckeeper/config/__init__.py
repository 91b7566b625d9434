"""A spec repo's configuration: what it says, or what is read off its tree.

:mod:`.settings` declares every key and loads ``.speckeeper.toml`` or
``[tool.speckeeper]`` (or the file :mod:`.option`'s ``--config`` names);
:mod:`.detect` and :mod:`.gates` read a configuration off a repo that has
none; :mod:`.layout` says where specs live;
:mod:`.patterns` builds linear-time regular expressions from it;
:mod:`.presets` is a Markdown process's keys in one (``preset``);
:mod:`.metadata_schema` reads a repo's own JSON Schema for its documents'
metadata (``metadata-schema``), checked as the configuration is loaded.

May import: :mod:`speckeeper.files` and the base modules (``errors``,
``suggest``, ``findings``). Never the document model, the rules or above.
"""

# The folder every layout starts at.
SPECS = "specs"
