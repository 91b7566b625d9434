"""Metadata (SK7xx): a design document's metadata kept to the schema its
template implies, and the files that belong with it.

The metadata is the document's front matter, or the file beside it that
``metadata-file`` names (a KEP's ``kep.yaml``). Its schema is read off the
template's own metadata, whose values are placeholders:

- ``a|b|c`` lists the allowed values (``status: provisional|implementable|...``);
  a ``…`` or ``...`` among them says others are allowed too (MADR's
  ``{proposed | rejected | … | superseded by ADR-0123}``);
- ``yyyy-mm-dd`` (any case, at the start) asks for a date: a real one,
  written so;
- ``"@jane.doe"`` asks for a handle (in a list: a list of handles);
- ``NNNN`` asks for a number;
- any other value is an example, and left in place a leftover, as is a
  ``metadata-leftovers`` value (``TBD``) anywhere; ``{...}`` (or a YAML
  ``{...}`` that reads as a mapping of one key) is a prompt to replace.

``metadata-values`` gives a key's values where a process allows more than
its template lists; ``metadata-schema`` names a JSON Schema that is the
truth instead (SK707, the ``jsonschema`` extra). Findings are at the line
of the value in the metadata file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

from speckeeper.config.settings import Settings, plain
from speckeeper.document.model import Document
from speckeeper.rules.registry import Context, Hit, Registry

RULES = Registry("metadata")

# A person's handle, or a team's (@org/team).
# Compiled where first used (re keeps them): an RST spec's check reads no metadata.
_HANDLE = r"@[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:/[A-Za-z0-9][A-Za-z0-9._-]*)?"
_VERSION = r"v?(\d+(?:\.\d+)*)"
_DATE_PLACEHOLDER = r"(?i)yyyy-mm-dd\b"
_DATE = r"(\d{4})-(\d{2})-(\d{2})"
_NUMBER_PLACEHOLDER = r"N{3,}"
_OPEN = ("…", "...")


class Field(NamedTuple):
    """What the template's value for a key asks of a document's."""

    kind: str  # "choices", "date", "handle", "number", "example", "mapping", "list"
    example: object = None  # The template's value as written.
    choices: tuple[str, ...] = ()
    open: bool = False  # Choices are suggestions: others are allowed.
    items: Field | None = None  # A list's items.
    keys: Mapping[str, Field] = {}  # A mapping's.


def schema_of(value: object, settings: Settings, key: str = "") -> Field:
    """The field a template's metadata value implies (see the module)."""
    given = dict(settings.metadata_values)
    if key in given:
        return Field("choices", value, given[key])
    if isinstance(value, dict) and len(value) == 1 and next(iter(value.values())) is None:
        value = "{" + str(next(iter(value))) + "}"  # YAML read MADR's {prompt} as a mapping.
    if isinstance(value, dict):
        return Field("mapping", value, keys={str(k): schema_of(v, settings, _join(key, str(k))) for k, v in value.items()})
    if isinstance(value, list):
        items = [schema_of(item, settings, key) for item in value]
        kinds = {item.kind for item in items}
        # A list of handles with a TBD among them is still a list of handles.
        item = next((i for i in items if i.kind == "handle"), items[0] if len(kinds) == 1 else None)
        return Field("list", value, items=item)
    if not isinstance(value, str):
        return Field("example", value)
    text = value.strip()
    if text.startswith("{"):
        text = text.strip("{} ")
    if "|" in text:
        choices = tuple(choice.strip() for choice in text.split("|"))
        named = tuple(choice for choice in choices if choice and choice not in _OPEN)
        return Field("choices", value, named, open=len(named) < len([c for c in choices if c]))
    if re.match(_DATE_PLACEHOLDER, text):
        return Field("date", value)
    if re.fullmatch(_HANDLE, text):
        return Field("handle", value)
    if re.fullmatch(_NUMBER_PLACEHOLDER, text):
        return Field("number", value)
    return Field("example", value)


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


class Problem(NamedTuple):
    """What is wrong with one value: its rule, where (keys and indexes), what."""

    code: str
    path: tuple[object, ...]
    message: str


def problems(data: Mapping[str, object], schema: Field, settings: Settings) -> Iterator[Problem]:
    """Every way ``data`` departs from the template's ``schema``."""
    yield from _value(data, schema, (), settings)


def _value(value: object, schema: Field, path: tuple[object, ...], settings: Settings) -> Iterator[Problem]:
    name = ".".join(str(part) for part in path if isinstance(part, str)) or "metadata"
    if value is None or value == "":
        return
    if schema.kind != "mapping" and isinstance(value, dict) and len(value) == 1 and next(iter(value.values())) is None:
        value = "{" + str(next(iter(value))) + "}"  # A {prompt} left in place, which YAML reads as a mapping.
    if isinstance(value, str) and value.strip() in settings.metadata_leftovers:
        yield Problem(LEFTOVER, path, f"{name} is {value.strip()!r}, left from the template")
        return
    if schema.kind == "mapping":
        if not isinstance(value, dict):
            yield Problem(VALUE, path, f"{name} is {_shown(value)}, expected a mapping of keys")
            return
        for key, item in value.items():
            if key in schema.keys:
                yield from _value(item, schema.keys[key], (*path, key), settings)
        return
    if schema.kind == "list":
        if not isinstance(value, list):
            yield Problem(VALUE, path, f"{name} is {_shown(value)}, expected a list")
            return
        if schema.items is not None:
            for index, item in enumerate(value):
                yield from _value(item, schema.items, (*path, index), settings)
        return
    if isinstance(value, (dict, list)):
        yield Problem(VALUE, path, f"{name} is a {'list' if isinstance(value, list) else 'mapping'}, expected one value")
        return
    text = str(value).strip()
    if _left_in_place(text, schema, name, settings):
        prompt = schema.kind != "example" or str(schema.example).strip().startswith("{")
        yield Problem(LEFTOVER, path, f"{name} is {text!r}, the template's own {'placeholder' if prompt else 'example'}")
        return
    if schema.kind == "choices" and not schema.open and text not in schema.choices:
        yield Problem(VALUE, path, f"{name} is {text!r}, expected one of: {', '.join(schema.choices)}{_near(text, schema.choices)}")
    elif schema.kind == "date":
        why = _not_a_date(text)
        if why:
            yield Problem(DATE, path, f"{name} is {text!r}, {why}")
    elif schema.kind == "handle" and not re.fullmatch(_HANDLE, text):
        yield Problem(HANDLE, path, f"{name} is {text!r}, expected a handle like {schema.example!r}")
    elif schema.kind == "number" and not text.isdigit():
        yield Problem(VALUE, path, f"{name} is {text!r}, expected a number")


def _left_in_place(text: str, schema: Field, name: str, settings: Settings) -> bool:
    """Whether a value is the template's own: its example, or its
    placeholder text (``a|b|c``, ``yyyy-mm-dd``, ``{...}``)."""
    example = schema.example
    if example is None or isinstance(example, (dict, list)):
        return False
    if isinstance(example, str) and example.strip().startswith("{") and schema.kind != "choices":
        return text.strip("{} ") == example.strip().strip("{} ")
    if schema.kind == "example" and (name in settings.metadata_kept_examples or name.split(".")[0] in settings.metadata_kept_examples):
        return False
    if schema.kind == "handle" and name.split(".")[0] in settings.metadata_kept_examples:
        return False
    return isinstance(example, str) and text == example.strip()


def _not_a_date(text: str) -> str:
    match = re.fullmatch(_DATE, text)
    if match is None:
        return "expected a date written yyyy-mm-dd"
    import datetime  # Only where a date is read: not in an RST spec's check.

    year, month, day = map(int, match.groups())
    try:
        datetime.date(year, month, day)
    except ValueError as error:
        return f"not a date: {error}"
    return ""


def _shown(value: object) -> str:
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(str(value))


def _near(text: str, choices: tuple[str, ...]) -> str:
    from speckeeper.suggest import nearest  # Only on a finding.

    found = nearest(text.split()[0] if text.split() else text, choices, cutoff=0.7)
    return f" (did you mean {found!r}?)" if found else ""


def _problems(document: Document, ctx: Context) -> list[Problem]:
    """The template-implied schema's problems with a document's metadata,
    once per document however many rules ask."""

    def compute() -> list[Problem]:
        if document.metadata_error or ctx.settings.metadata_schema or not ctx.template.metadata:
            return []
        schema = schema_of(dict(ctx.template.metadata), ctx.settings)
        return list(problems(document.metadata, schema, ctx.settings))

    found: list[Problem] = ctx.memo("metadata-problems", compute)
    return found


def _hits(document: Document, ctx: Context, code: str) -> Iterator[Hit]:
    for problem in _problems(document, ctx):
        if problem.code == code:
            yield _hit(document, problem.path, problem.message)


def _hit(document: Document, path: tuple[object, ...], message: str) -> Hit:
    """A finding at a value's line in the metadata's file (the document's
    own front matter, or the file beside it)."""
    line = _line(document, path)
    return Hit(line, 1, message, Path(document.metadata_path) if document.metadata_path else None)


def _line(document: Document, path: tuple[object, ...]) -> int:
    lines = document.metadata_lines
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get((), 1)


FILE, VALUE, DATE, HANDLE, LEFTOVER, REQUIRED, SCHEMA, COMPANION, NAME = (
    "SK701", "SK702", "SK703", "SK704", "SK705", "SK706", "SK707", "SK708", "SK709"
)


@RULES.rule(FILE, "metadata-file")
def check_metadata_file(document: Document, ctx: Context) -> Iterator[Hit]:
    """The metadata file beside a document is missing or cannot be read.

    Where a process keeps a document's metadata in a file beside it
    (``metadata-file``: a KEP's ``kep.yaml``), a document without one, or
    with one that is not a YAML mapping of keys (or uses aliases, nests
    deeper than 50 or is over 100 KB), has no metadata that any rule can
    check. Reported at the metadata file's line where YAML stopped.

    Bad::

        keps/sig-node/1234-my-feature/README.md   (no kep.yaml beside it)

    Good::

        keps/sig-node/1234-my-feature/README.md
        keps/sig-node/1234-my-feature/kep.yaml
    """
    if document.metadata_error is not None:
        line, why = document.metadata_error
        # Line 0: there is no such file to point at; the document is.
        path = Path(document.metadata_path)
        yield Hit(line or 1, 1, f"metadata file {path.name} {why}", path if line else None)


@RULES.rule(VALUE, "metadata-value")
def check_metadata_value(document: Document, ctx: Context) -> Iterator[Hit]:
    """A metadata value is not one the template allows.

    The template's metadata lists a key's allowed values
    (``status: provisional|implementable|implemented|...``) or its shape
    (a list, a number); a value outside the list (``imlpemented``,
    ``implemented (alpha)``) is read by no tool that keys on the status,
    and CI that only checks that the key is there lets it through.
    ``metadata-values`` lists a key's values where the process allows more.

    Bad::

        status: implemented (alpha)

    Good::

        status: implemented
        stage: alpha
    """
    return _hits(document, ctx, VALUE)


@RULES.rule(DATE, "metadata-date")
def check_metadata_date(document: Document, ctx: Context) -> Iterator[Hit]:
    """A metadata date is not a real date written as the template asks.

    Where the template writes ``yyyy-mm-dd``, a value must be a date in
    that form, and one that exists: ``2025-30-01`` (day and month swapped)
    sorts and reads as no date at all.

    Bad::

        creation-date: 2025-30-01

    Good::

        creation-date: 2025-01-30
    """
    return _hits(document, ctx, DATE)


@RULES.rule(HANDLE, "metadata-handle")
def check_metadata_handle(document: Document, ctx: Context) -> Iterator[Hit]:
    """A metadata value that names a person is not a handle.

    Where the template writes a handle (``"@jane.doe"``), reviewers and
    approvers are found and notified by it: a name or an address is not.

    Bad::

        authors:
          - Jane Doe

    Good::

        authors:
          - "@jane.doe"
    """
    return _hits(document, ctx, HANDLE)


@RULES.rule(LEFTOVER, "metadata-leftover")
def check_metadata_leftover(document: Document, ctx: Context) -> Iterator[Hit]:
    """A metadata value is still the template's example, placeholder or ``TBD``.

    A document started from the template keeps its example values until
    someone replaces them: a KEP titled "KEP Template", owned by
    ``sig-xyz``, or with ``TBD`` approvers. ``metadata-leftovers`` lists
    the words that are leftovers anywhere; ``metadata-kept-examples`` the
    keys whose template values are as often real (a milestone).

    Bad::

        title: KEP Template

    Good::

        title: Pod-level resource limits
    """
    return _hits(document, ctx, LEFTOVER)


@RULES.rule(REQUIRED, "metadata-required")
def check_metadata_required(document: Document, ctx: Context) -> Iterator[Hit]:
    """A key the process requires (``metadata-required``) has no value.

    What a process's tools key on (a KEP's number, owning SIG, status and
    approvers, which its CI requires) must be there and say something: an
    empty ``status:`` is no status at all.

    Bad::

        title: Pod-level resource limits
        status:

    Good::

        title: Pod-level resource limits
        status: provisional
    """
    if document.metadata_error is not None:
        return
    for key in ctx.settings.metadata_required:
        if document.metadata.get(key) in (None, "", [], {}):
            state = "has no value" if key in document.metadata else "is missing"
            yield _hit(document, (key,), f"metadata key {key!r} {state}")


@RULES.rule(SCHEMA, "metadata-schema")
def check_metadata_schema(document: Document, ctx: Context) -> Iterator[Hit]:
    """The metadata does not validate against the repo's JSON Schema.

    Where ``metadata-schema`` names a JSON Schema, it is the truth in place
    of the template's placeholders; each error is reported at the line of
    the value it is about (needs ``pip install 'speckeeper[metadata]'``).

    Bad::

        status: done        # the schema's enum: proposed, accepted

    Good::

        status: accepted
    """
    if not ctx.settings.metadata_schema or document.metadata_error is not None:
        return
    from speckeeper.config import metadata_schema  # jsonschema: only where a schema is configured.

    root, _ = _folders(document.path, ctx.relpath)
    schema = metadata_schema.load(root / ctx.settings.metadata_schema)
    for path, message in metadata_schema.errors(schema, document.metadata):
        yield _hit(document, path, message)


def _fill(pattern: str, metadata: Mapping[str, object]) -> str | None:
    """``pattern`` with each ``{key}`` the metadata's value (``{key:slug}``
    as a slug); None when a key has no single value, or one that is not a
    plain name (``../..``, ``a/b``): a path is never led out of its folder
    by what a document says."""
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        key, _, how = match.group(1).partition(":")
        found = metadata.get(key)
        if found is None or isinstance(found, (dict, list)) or str(found).strip() == "":
            missing = True
            return ""
        text = str(found).strip()
        if how == "slug":
            return slug(text)
        if not plain(text) or "/" in text:
            missing = True
        return text

    filled = re.sub(r"\{([^{}]+)\}", value, pattern)
    return None if missing else filled


def _name_regex(pattern: str, metadata: Mapping[str, object]) -> str | None:
    """What a path ends with by ``document-name``: ``*`` any name's part, a
    number as a number (``{kep-number}`` 752 is ``0752`` too); None when a
    key has no single value."""
    parts: list[str] = []
    for piece in re.split(r"(\{[^{}]+\}|\*)", pattern):
        if piece == "*":
            parts.append("[^/]*")
        elif piece.startswith("{") and piece.endswith("}"):
            filled = _fill(piece, metadata)
            if filled is None:
                return None
            parts.append("0*" + str(int(filled)) if filled.isdigit() else re.escape(filled))
        else:
            parts.append(re.escape(piece))
    return "(?:^|/)" + "".join(parts) + "$"


def slug(text: str) -> str:
    """A title as a file name: lower case, words joined by dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def _holds(condition: str, metadata: Mapping[str, object], ctx: Context) -> bool:
    """Whether ``key=a|b`` or ``key>=b`` holds; ``>=`` by the order of the
    key's allowed values (``metadata-values``, else the template's)."""
    match = re.fullmatch(r"\s*([^=<>\s]+)\s*(>=|=)\s*(.*?)\s*", condition)
    if match is None:
        return False
    key, operator, wanted = match.groups()
    value = metadata.get(key)
    if value is None or isinstance(value, (dict, list)):
        return False
    text = str(value).strip()
    if operator == "=":
        return text in [choice.strip() for choice in wanted.split("|")]
    order = _order(key, ctx)
    if wanted in order:
        return text in order and order.index(text) >= order.index(wanted)
    have, least = re.fullmatch(_VERSION, text), re.fullmatch(_VERSION, wanted)
    if have is None or least is None:
        return False
    # A version (v1.21): compared part by part as numbers.
    return tuple(map(int, have.group(1).split("."))) >= tuple(map(int, least.group(1).split(".")))


def _order(key: str, ctx: Context) -> tuple[str, ...]:
    given = dict(ctx.settings.metadata_values)
    if key in given:
        return given[key]
    field = schema_of(ctx.template.metadata.get(key), ctx.settings, key)
    return field.choices


@RULES.rule(COMPANION, "companion-file")
def check_companion_file(document: Document, ctx: Context) -> Iterator[Hit]:
    """A file the document needs beside it is missing.

    ``companion-files`` names files that belong with a document, and when:
    a KEP past alpha needs its production readiness approval
    (``/keps/prod-readiness/{owning-sig}/{kep-number}.yaml`` once
    ``stage>=beta``). A path is filled in from the metadata; one that
    starts with ``/`` is from the configuration's folder; ``#{stage}``
    after it asks that the file (YAML) has an entry for that value (an
    approver for the KEP's stage).

    Bad::

        stage: beta     # and no keps/prod-readiness/sig-node/1234.yaml

    Good::

        stage: beta     # keps/prod-readiness/sig-node/1234.yaml approves it
    """
    if document.metadata_error is not None:
        return
    for companion in _companions(document.metadata, document.path, ctx.relpath, ctx.settings):
        conditions = companion.conditions
        if not all(_holds(condition, document.metadata, ctx) for condition in conditions):
            continue
        why = f" ({', '.join(conditions)})" if conditions else ""
        if not companion.path.is_file():
            yield Hit(1, 1, f"companion file {companion.shown} is missing{why}")
        elif companion.key and not _has_key(companion.path, companion.key):
            yield Hit(1, 1, f"companion file {companion.shown} has no {companion.key!r} entry{why}")


class Companion(NamedTuple):
    """A file ``companion-files`` names for a document: where it is, as
    messages show it, the entry it must have ("" for none), and when."""

    path: Path
    shown: str
    key: str
    conditions: tuple[str, ...]


def _companions(metadata: Mapping[str, object], path: str, relpath: str, settings: Settings) -> Iterator[Companion]:
    """The files the ``companion-files`` patterns name for a document's
    metadata, whatever their conditions say."""
    root, folder = _folders(path, relpath)
    for pattern, conditions in settings.companion_files:
        filled = _fill(pattern, metadata)
        if filled is None:
            continue
        filled, _, key = filled.partition("#")
        wanted = root / filled.lstrip("/") if filled.startswith("/") else folder / filled
        shown = os.path.relpath(wanted, root) if filled.startswith("/") else filled
        yield Companion(wanted, shown, key, conditions)


def companion_paths(metadata: Mapping[str, object], path: str, relpath: str, settings: Settings) -> list[Path]:
    """What a document's companion findings depend on besides its own
    files: the findings cache keys a document by these files' bytes."""
    return [companion.path for companion in _companions(metadata, path, relpath, settings)]


def _has_key(path: Path, key: str) -> bool:
    """Whether a YAML file (an approval) is a mapping with ``key`` (a
    stage), read as bounded as the metadata is."""
    from speckeeper.files import yamlfile
    from speckeeper.files.source import read_regular

    try:
        data = yamlfile.load_marked(read_regular(path, yamlfile.MAX_BYTES).decode("utf-8")).data
    except (OSError, UnicodeDecodeError, yamlfile.Refused):
        return False
    return isinstance(data, dict) and data.get(key) not in (None, "", {}, [])


def _folders(path: str, relpath: str) -> tuple[Path, Path]:
    """The configuration's folder, and the document's (at ``path``, which
    is ``relpath`` from the configuration's folder)."""
    here = Path(path).parent
    depth = relpath.count("/")
    root = here
    for _ in range(depth):
        root = root.parent
    return root, here


@RULES.rule(NAME, "name-from-metadata")
def check_name_from_metadata(document: Document, ctx: Context) -> Iterator[Hit]:
    """A document's folder or file name disagrees with its metadata.

    ``document-name`` says what a document's path ends with in terms of
    its metadata: a KEP's folder starts with its number
    (``{kep-number}-*/README.md``), a decision record's file name is its
    title's slug (``*-{title:slug}.md``).

    Bad::

        keps/sig-node/1234-my-feature/kep.yaml:  kep-number: 1243

    Good::

        keps/sig-node/1234-my-feature/kep.yaml:  kep-number: 1234
    """
    pattern = ctx.settings.document_name
    if not pattern or document.metadata_error is not None:
        return
    keys = re.findall(r"\{([^{}:]+)", pattern)
    regex = _name_regex(pattern, document.metadata)
    if regex is not None and re.search(regex, ctx.relpath) is None:
        named = ", ".join(f"{key} {str(document.metadata.get(key, '')).strip()!r}" for key in keys)
        yield _hit(document, (keys[0],) if keys else (), f"path {ctx.relpath} does not end as {pattern} says for {named}")
