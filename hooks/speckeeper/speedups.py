"""The speed tricks that pay, in one place, each with what it saves.

speckeeper keeps a trick only where it saves at least 5% of a benchmark
item (``benchmarks/RESULTS.md`` says how much each saves, and how it was
measured). Four are here; four more are stores of their own: parsed
templates (:mod:`speckeeper.document.template_store`), configuration
files' TOML (:func:`speckeeper.config.settings.parsed_toml`), each kept
between runs by its text (:mod:`speckeeper.files.textstore`), the
regular expressions a command compiles (:mod:`speckeeper.files.regexstore`,
about 15% of a one-file check), and whether a staged commit needs anything
of its message, which the commit hook works out for commit-msg
(:mod:`speckeeper.files.settled`, about half of commit-msg's process).

**docutils, imported without what it loads for features we switch off**
(about 15% of a one-file check). A one-file check must cost about the
interpreter plus docutils' import.
docutils imports two heavy modules for features speckeeper's safe settings
turn off, and together they cost more than parsing a spec:

- Pygments, to highlight code (``syntax_highlight`` is ``"none"``): with
  Pygments absent while docutils is imported, docutils does without it;
- ``urllib.request`` and ``urllib.error``, which the table, image and
  include directives import to fetch URLs (``file_insertion_enabled`` is
  off): they are imported with stand-ins. The stand-in functions import the
  real module when called, which with these settings they never are; the
  one exception class, ``URLError``, is only ever caught beside ``OSError``,
  its base class, which stands in for it;
- Pillow, which the image directive imports to read a picture's size
  (reading a file a spec names: ``file_insertion_enabled`` is off): absent,
  as where it is not installed, rather than searched for (or imported,
  where it is);
- ``docutils.utils.smartquotes``, which the smart-quotes transform uses
  only when ``smart_quotes`` is on (docutils' default, off, is ours): a
  stand-in that imports the real module when first asked for anything in
  it (2 ms of a one-file check).

Each stand-in is used only while docutils' modules are imported (the
directive modules by the first parse that meets one of their
directives), only if the real module is not already loaded, and is gone
afterwards: whatever else imports Pygments or ``urllib.request`` later
gets the real one.

**No garbage collection while one file is worked on** (about 6% of a
one-process check of kubernetes/enhancements' 600 KEPs): reading a file
makes hundreds of thousands of short-lived objects (a KEP's Markdown
events and tokens), and Python's collector would walk the young ones
every 700 and all of them now and then, though reference counting frees
nearly all.
The few cycles a file leaves are collected after it, before the next:
a spec's doctree among them, since the rst format lets go of what docutils
keeps of a parse once it is done (``document/rst/parse.py``); else each
doctree would outlive its file and be walked again by the older
generations' collections (the collector's time over the nova corpus in
one process: 4.2 s with docutils' references kept, 1.8 s without).

**A commit-message hook with nothing to do sets nothing up** (most of
``prepare-commit-msg``'s process: 41 to 17 ms of CPU, medians of 21, where
``python -c pass`` takes 12, at each commit made with ``-m``): for a
message already written (``-m``, ``-F``, a merge, a squash, an amend),
prepare-commit-msg leaves it as it is, and the entry point
(:mod:`speckeeper.launch`) says so before importing the command line
(argparse, pathlib, the configuration's option), having imported only
this module, which does without typing, re and contextlib. Only for a
command line of the hook's plain shape (no option); any other goes
through the command line as usual.

**No last garbage collection at exit** (about 10% of a one-file check):
what is left is freed by the process's end; Python's final full collection
over every doctree and module would only cost time.
"""

from __future__ import annotations

import gc
import sys
import types

# No typing, re or contextlib at run time: the entry point imports this
# module first, and a commit-message hook with nothing to do (above) imports
# nothing else. mypy reads the block below; Python never runs it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any


def _urlopen(*args: Any, **kwargs: Any) -> Any:
    from urllib.request import urlopen

    return urlopen(*args, **kwargs)


def _url2pathname(path: str) -> str:
    from urllib.request import url2pathname

    return url2pathname(path)


def _deferred_urllib_request() -> types.ModuleType:
    module = types.ModuleType("urllib.request", "Stands in for urllib.request while docutils is imported.")
    module.urlopen = _urlopen  # type: ignore[attr-defined]
    module.url2pathname = _url2pathname  # type: ignore[attr-defined]
    return module


def _deferred(name: str) -> types.ModuleType:
    """Stands in for the module ``name``, importing it when first asked
    for anything in it."""
    module = types.ModuleType(name, f"Stands in for {name} until it is used.")

    def __getattr__(attribute: str) -> Any:
        import importlib

        if sys.modules.get(name) is module:
            del sys.modules[name]
        return getattr(importlib.import_module(name), attribute)

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    return module


def without_unused_imports() -> _StandIns:
    """Import docutils' modules inside this block (``with``)."""
    return _StandIns()


class _StandIns:
    """The stand-ins, in ``sys.modules`` while the block runs."""

    def __enter__(self) -> None:
        urllib_error = types.ModuleType("urllib.error", "Stands in for urllib.error while docutils is imported.")
        urllib_error.URLError = OSError  # type: ignore[attr-defined]
        self._stand_ins: dict[str, types.ModuleType | None] = {
            "pygments": None,
            "PIL": None,
            "Image": None,  # Where Pillow's modules are on the path's root.
            "urllib.request": _deferred_urllib_request(),
            "urllib.error": urllib_error,
            "docutils.utils.smartquotes": _deferred("docutils.utils.smartquotes"),
        }
        self._placed = [name for name in self._stand_ins if name not in sys.modules]
        for name in self._placed:
            sys.modules[name] = self._stand_ins[name]  # type: ignore[assignment]

    def __exit__(self, *raised: object) -> None:
        for name in self._placed:
            if sys.modules.get(name) is self._stand_ins[name]:
                del sys.modules[name]


def collecting_after() -> _NoCollection:
    """Work inside this block (``with``) without the garbage collector;
    what it leaves is collected as usual afterwards."""
    return _NoCollection()


class _NoCollection:
    def __enter__(self) -> None:
        self._was_on = gc.isenabled()
        gc.disable()

    def __exit__(self, *raised: object) -> None:
        if self._was_on:
            gc.enable()


# git's message sources (prepare-commit-msg's second argument, or
# $PRE_COMMIT_COMMIT_MSG_SOURCE under pre-commit) that mean a message exists
# already: -m/-F, a merge, a squash, -c/-C/--amend.
WRITTEN_SOURCES = frozenset({"message", "merge", "squash", "commit"})


def message_written(argv: list[str], environ: Mapping[str, str]) -> bool:
    """Whether ``argv`` is ``prepare-commit-msg FILE [SOURCE [OBJECT]]``,
    no option, for a message already written: a run with nothing to do."""
    if not (2 <= len(argv) <= 4 and argv[0] == "prepare-commit-msg"):
        return False
    if any(word.startswith("-") for word in argv[1:]):
        return False
    source = argv[2] if len(argv) > 2 else environ.get("PRE_COMMIT_COMMIT_MSG_SOURCE", "")
    return source in WRITTEN_SOURCES


def exit_now(code: int) -> None:
    """Exit with ``code``, skipping the garbage collector's last walk over
    what the run leaves (frozen objects are never collected)."""
    gc.freeze()
    raise SystemExit(code)
