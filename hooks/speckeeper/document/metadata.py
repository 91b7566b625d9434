"""A document's metadata kept in a file beside it (a KEP's ``kep.yaml``
beside its ``README.md``), read into the document model.

Front matter is the format's own (:mod:`.markdown`); a sidecar file is
read here, with the same bounded YAML reader (:mod:`speckeeper.files.yamlfile`:
no aliases, depth 50, 100 KB), keeping each value's line, so that what is
wrong with a value is reported at its line in that file.
"""

from __future__ import annotations

from speckeeper.files import yamlfile
from speckeeper.document.model import Document


def with_sidecar(document: Document, path: str, text: str | None, why_not: str = "", there: bool = False) -> Document:
    """``document`` with its metadata read from the file at ``path``
    (``text``; None when it could not be read, ``why_not`` saying why,
    ``there`` whether the file is there to point at): a file that is not
    there, not read, not YAML or not a mapping of keys is the document's
    ``metadata_error``, at the line of that file that says so (0 when
    there is no file to point at)."""
    if text is None:
        return document._replace(metadata={}, metadata_path=path, metadata_error=(int(there), why_not))
    try:
        marked = yamlfile.load_marked(text)
    except yamlfile.Refused as refused:
        return document._replace(
            metadata={}, metadata_path=path, metadata_error=(refused.line or 1, f"not read: {refused.reason}")
        )
    if not isinstance(marked.data, dict):
        kind = "empty" if marked.data is None else f"a {type(marked.data).__name__}"
        return document._replace(
            metadata={}, metadata_path=path, metadata_error=(1, f"is {kind}, expected a mapping of keys")
        )
    return document._replace(metadata=marked.data, metadata_path=path, metadata_lines=marked.lines)
