"""A repo's own JSON Schema for its documents' metadata (``metadata-schema``),
the truth in place of the schema read off the template's placeholders.

jsonschema (the ``metadata`` extra) is imported only here, and this module
only where a schema is configured; the schema file is read as bounded as
the configuration is, and checked as a schema when the configuration is
loaded, so that a broken schema is one line, exit 2, not a finding on
every document.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from speckeeper.errors import ConfigError
from speckeeper.files.source import read_small_file

EXTRA_MISSING = "metadata-schema needs jsonschema: pip install 'speckeeper[metadata]'"
MAX_SCHEMA_BYTES = 1_000_000


def check(root: Path, name: str) -> None:
    """ConfigError unless ``name`` (from ``root``) is a JSON Schema jsonschema can use."""
    _validator(str(root / name))


def load(path: Path) -> Any:
    """The validator of the schema at ``path`` (read once per run)."""
    return _validator(str(path))


@lru_cache(maxsize=8)
def _validator(path: str) -> Any:
    try:
        import jsonschema
    except ImportError:
        raise ConfigError(EXTRA_MISSING) from None
    raw = read_small_file(Path(path), MAX_SCHEMA_BYTES, "metadata schema", "the metadata schema")
    try:
        schema = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as error:
        raise ConfigError(f"{path}: the metadata schema is not JSON: {error}") from None
    cls = jsonschema.validators.validator_for(schema)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as error:
        raise ConfigError(f"{path}: not a JSON Schema: {error.message}") from None
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def errors(validator: Any, data: Mapping[str, object]) -> Iterator[tuple[tuple[object, ...], str]]:
    """Each error: where in the data (keys and indexes), and what, as jsonschema says it."""
    for error in sorted(validator.iter_errors(dict(data)), key=lambda e: [str(p) for p in e.absolute_path]):
        path = tuple(error.absolute_path)
        where = ".".join(str(part) for part in path) or "metadata"
        yield path, f"{where}: {error.message}"
