"""Commits whose message the commit hook found needs nothing, kept for
the commit-message hook.

``commit-msg`` fails a commit whose message lacks ``APIImpact`` when a
spec it stages has a REST API impact section saying more than "None".
The commit hook (``check --fix --staged``), which reads the staged specs
anyway, works out whether any does; when none does, whatever the message
says, ``commit-msg`` will pass, and the hook keeps that here, by the
commit: the work tree's top and git's raw diff of the index against HEAD,
which names every changed file's blob on both sides (and so the content
of every staged spec and of HEAD's copy). ``commit-msg`` asks first
(:mod:`speckeeper.launch`): for the same top and the same diff it exits 0
having read neither the configuration nor a spec (about 30 ms of the
60 of a commit's ``commit-msg``); for anything else it works as usual.

What the hook found holds for the configuration it ran with, which is
the one commit-msg reads: the hook keeps an answer only when it runs from
the work tree's top (where git runs hooks) without ``--config``. Each
time it passes for the same staged diff it writes its answer again, so an
answer outlives its configuration only where the commit hook is skipped
(``SKIP``) for a diff it passed before and the configuration changed
since.
Entries are kept as :mod:`.textstore` keeps them (the user's cache folder,
private, bounded, compared whole on reading).
"""

from __future__ import annotations

import os

from speckeeper.errors import ConfigError
from speckeeper.files import usercache
from speckeeper.files.textstore import TextStore

FOLDER = "settled"
MOST = 16
# A diff line is about 100 bytes and a path: room for some 10,000 files;
# a larger commit is not kept.
MAX_BYTES = 2 * 1024 * 1024
# The modules whose logic the answer is worked out by.
_SHAPED_BY = ("commands/commitmsg.py", "document/message_facts.py", "files/gitrepo.py", "files/settled.py")


def _store() -> TextStore:
    return TextStore(usercache.default(), FOLDER, repr(usercache.stamp(_SHAPED_BY)), MOST, MAX_BYTES)


def _key(top: str, raw: bytes) -> str:
    return top + "\0" + raw.decode("utf-8", "surrogateescape")


def keep(top: str, raw: bytes, settled: bool) -> None:
    """Say whether the commit ``raw`` (its staged diff) of the work tree at
    ``top`` needs nothing of its message."""
    _store().put(_key(top, raw), settled)


def is_settled(top: str, raw: bytes) -> bool:
    """Whether the commit hook found the commit ``raw`` of ``top`` needs
    nothing of its message."""
    return _store().get(_key(top, raw)) is True


def settled_here() -> bool:
    """:func:`is_settled` for what is staged in the work tree here, where
    git runs its hooks (its top); False where git cannot say."""
    from speckeeper.files import gitrepo

    try:
        return is_settled(os.getcwd(), gitrepo.staged().raw)
    except (ConfigError, OSError):
        return False
