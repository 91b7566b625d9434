"""An opt-in content-hash cache of each file's findings (``--cache DIR``).

A file's findings are a function of its bytes, of where it is (its path
relative to the config: overrides, release, naming), of the settings and
rules that apply to it, of its template's text, and of speckeeper and
docutils themselves. The key hashes all of these, so an entry is never
stale: an edit, a config change or an upgrade simply misses.

The folder is the user's choice, often inside the repository, where a
change could commit entries of its own (``[]``: no findings). So an entry
decides a verdict only if this user's own speckeeper wrote it: each is
signed (HMAC-SHA256, over its key and its findings) with a secret key kept
in the user's cache folder (see :mod:`usercache`), and validated (known
codes, positive positions, bounded strings) before use. With no usable
key the cache is not used, and one warning says why. Entries are written
atomically inside the opened folder, never through a symbolic link; an
entry that cannot be read, is not signed with the key or does not hold
findings is a miss, never an error.

The folder is written as every other write target is: it must be inside
the repository (never in its version control folder, whatever git calls
it) or in the user's cache folder, and each folder from there down to it
is opened without following a symbolic link, so a cache folder a change
commits as a link (``.skcache -> .git``, or out of the repository) is
never written through. Anywhere else, the cache is not used, and one
warning says why.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import json
import os
import stat
import sys
from pathlib import Path
from typing import NamedTuple

import docutils

from speckeeper import __version__, rules
from speckeeper.files import usercache
from speckeeper.findings import Checked, Finding
from speckeeper.files.folder import ANY_ACCESS_BY_OTHERS, Folder, open_folder


# Bump when the entry format changes.
FORMAT = "4"
# The secret key, in the user's cache folder.
KEY_FILE = "findings-cache.key"
KEY_BYTES = 32
# Bounds on what an entry may hold: its size, and each string in it (a
# message can quote a long title).
MAX_ENTRY_BYTES = 8_000_000
MAX_STRING = 65_536

_GITIGNORE = "# Created by speckeeper: a cache, never to be committed.\n*\n"
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by speckeeper.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


def _code_digest() -> str:
    """What speckeeper's own behaviour depends on: its code, version and
    packaged templates, docutils' version and the Python version."""
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{docutils.__version__}\0{sys.version_info[:2]}".encode())
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".rst", ".yml") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def user_key() -> bytes:
    """The user's secret key for cache entries: 32 random bytes in the
    user's cache folder, created 0600 on first use; read only when it is
    the user's alone. Unavailable otherwise."""
    try:
        with usercache.open_private(usercache.location()) as folder:
            try:
                return _read_key(folder)
            except FileNotFoundError:
                import secrets  # Once per user.

                folder.create(KEY_FILE, secrets.token_bytes(KEY_BYTES))  # Or another run just did.
                return _read_key(folder)
    except OSError as error:
        raise usercache.Unavailable(f"{error.filename or KEY_FILE}: {error.strerror or error}") from None
    except RuntimeError:
        raise usercache.Unavailable("no home folder to find the user's cache folder in") from None


def _read_key(folder: Folder) -> bytes:
    secret = folder.read(KEY_FILE, KEY_BYTES, ANY_ACCESS_BY_OTHERS)
    if len(secret) != KEY_BYTES:
        raise usercache.Unavailable(f"{folder.path / KEY_FILE}: not a key of {KEY_BYTES} bytes")
    return secret


class Place(NamedTuple):
    """Where a cache folder is: below ``base`` (the repository, or the
    user's cache folder when ``private``), at the folders ``parts``."""

    base: Path
    parts: tuple[str, ...]
    private: bool


def place(root: Path, repo: Path) -> Place:
    """Where the cache folder ``root`` may be kept for the repository
    ``repo``; atomic.Refused when it may not (see the module)."""
    from speckeeper.files.atomic import Refused, writable_parts

    user = usercache.default()
    if user is not None:
        absolute, mine = Path(os.path.abspath(root)), Path(os.path.abspath(user))
        if absolute == mine or mine in absolute.parents:
            return Place(mine, absolute.relative_to(mine).parts, True)
    try:
        return Place(repo, tuple(writable_parts(root, repo)), False)
    except Refused as reason:
        where = f" or in the user's cache folder ({user})" if user is not None else ""
        raise Refused(f"{reason}; a cache folder must be inside the repository{where}") from None


def open_cache(root: Path, repo: Path) -> Cache | None:
    """The cache in ``root`` for the repository ``repo``, signed with the
    user's key; None, once a warning has said why, when the folder may not
    be written or there is no usable key."""
    from speckeeper.files.atomic import Refused

    try:
        where = place(root, repo)
    except Refused as reason:
        print(f"speckeeper: warning: not using the cache in {root}: {reason}", file=sys.stderr)
        return None
    try:
        return Cache(root, user_key(), where)
    except usercache.Unavailable as reason:
        print(f"speckeeper: warning: not using the cache in {root}: no private key to sign its entries: {reason}", file=sys.stderr)
        return None


def _known_codes() -> frozenset[str]:
    """The codes a finding can have: every rule's, the file rules' too."""
    return frozenset(rules.BY_CODE)


def _string(value: object) -> bool:
    return isinstance(value, str) and len(value) <= MAX_STRING


def _position(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _quoted(value: object) -> bool:
    return isinstance(value, dict) and all(_string(name) and _string(text) for name, text in value.items())


def _valid(record: object, codes: frozenset[str]) -> bool:
    """A finding's record: [path or null, line, col, code, message, context,
    quoted]."""
    return (
        isinstance(record, list)
        and len(record) == 7
        and (record[0] is None or _string(record[0]))
        and _position(record[1])
        and _position(record[2])
        and isinstance(record[3], str)
        and record[3] in codes
        and _string(record[4])
        and _string(record[5])
        and _quoted(record[6])
    )


def _entry(data: object, codes: frozenset[str]) -> bool:
    """An entry: {"findings": [record, ...], "silenced": [code, ...],
    "first_line": text}."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("findings"), list)
        and all(_valid(record, codes) for record in data["findings"])
        and isinstance(data.get("silenced"), list)
        and all(_string(code) for code in data["silenced"])
        and _string(data.get("first_line"))
    )


class Cache:
    """Findings by content hash, one small signed file an entry, under ``root``."""

    def __init__(self, root: Path, secret: bytes, where: Place) -> None:
        self.root = root
        self._place = where
        self._secret = secret
        self._code = _code_digest()
        self._codes = _known_codes()
        self._warned = False

    def key(self, relpath: str, settings: str, enabled: frozenset[str], template: str, raw: bytes) -> str:
        """The key of a file's findings: a hash of what they depend on, from
        what the check read (its path, settings, codes, template, bytes)."""
        digest = hashlib.sha256()
        for part in (self._code, relpath, settings, ",".join(sorted(enabled)), template):
            digest.update(part.encode() + b"\0")
        digest.update(raw)
        return digest.hexdigest()

    def _sign(self, key: str, body: bytes) -> bytes:
        return hmac.new(self._secret, key.encode() + b"\0" + body, hashlib.sha256).hexdigest().encode()

    def get(self, key: str, shown: str) -> Checked | None:
        """What is stored under ``key``, reported against ``shown``; None
        when there is no usable entry."""
        try:
            with self._open_root(create=False) as root, root.folder(key[:2]) as folder:
                data = folder.read(f"{key[2:]}.json", MAX_ENTRY_BYTES)
        except OSError:
            return None
        mac, _, body = data.partition(b"\n")
        if not hmac.compare_digest(mac, self._sign(key, body)):
            return None  # Not written by this user's speckeeper.
        try:
            entry = json.loads(body)
        except (ValueError, RecursionError):
            return None
        if not _entry(entry, self._codes):
            return None
        findings = [
            Finding(shown if path is None else path, line, col, code, message, context, quoted=quoted)
            for path, line, col, code, message, context, quoted in entry["findings"]
        ]
        return Checked(findings, frozenset(entry["silenced"]), entry["first_line"])

    def put(self, key: str, shown: str, checked: Checked) -> None:
        """Store what checking a file came to under ``key``; a cache that
        cannot be written is reported once and otherwise ignored."""
        records = [
            [None if f.path == shown else f.path, f.line, f.col, f.code, f.message, f.context, dict(f.quoted)]
            for f in checked.findings
        ]
        entry = {"findings": records, "silenced": sorted(checked.silenced), "first_line": checked.first_line}
        self._write(key, json.dumps(entry).encode())

    def _write(self, key: str, body: bytes) -> None:
        data = self._sign(key, body) + b"\n" + body
        if len(data) > MAX_ENTRY_BYTES:
            return  # It would not be read back.
        try:
            with self._open_root(create=True) as root, root.folder(key[:2], create=True) as folder:
                folder.write(f"{key[2:]}.json", data)
        except OSError as error:
            if not self._warned:
                self._warned = True
                print(f"speckeeper: warning: cannot write the cache in {self.root}: {error.strerror or error}", file=sys.stderr)

    def _open_root(self, create: bool) -> Folder:
        """The cache folder, opened one folder at a time from its base
        without following links; with ``create``, made (and marked as a
        cache) when missing."""
        where = self._place
        if where.private:
            try:
                return usercache.open_private(where.base, *where.parts)
            except usercache.Unavailable as reason:
                raise OSError(errno.EPERM, str(reason)) from None
        made = False
        folder = open_folder(where.base)
        for part in where.parts:
            with folder:  # Each level is closed once the next is open.
                made = create and _make(folder, part)
                folder = _enter(folder, part)
        if made:
            try:
                folder.create(".gitignore", _GITIGNORE.encode())
                folder.create("CACHEDIR.TAG", _CACHEDIR_TAG.encode())
            except OSError:
                folder.close()
                raise
        return folder


def _make(folder: Folder, name: str) -> bool:
    """Whether the folder ``name`` was missing in ``folder``, and is made now."""
    try:
        os.mkdir(name, 0o777, dir_fd=folder.fd)
    except FileExistsError:
        return False
    return True


def _enter(folder: Folder, name: str) -> Folder:
    """The folder ``name`` in ``folder``; a symbolic link there is an
    OSError that says so, never followed."""
    try:
        return folder.folder(name)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR) and stat.S_ISLNK(os.lstat(name, dir_fd=folder.fd).st_mode):
            raise OSError(errno.ELOOP, f"{name} is a symbolic link, never followed", str(folder.path / name)) from None
        raise
