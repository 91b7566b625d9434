"""The commit-message hooks: what the template asks of a spec's commit.

nova's template says a spec's title and first paragraph are the subject and
body of the commit that proposes it, and that a spec changing the REST API
needs ``APIImpact`` in the commit message.

- ``speckeeper prepare-commit-msg FILE``: for a commit that adds exactly one
  spec, and only when nobody has written a message yet, writes that subject
  and body (wrapped at 72 for git), plus an ``APIImpact`` line when the
  spec's REST API impact section says more than "None".
- ``speckeeper commit-msg FILE``: fails, one line per spec, when a spec the
  commit adds (or whose REST API impact section it changes) has such a
  section and the message has no ``APIImpact`` line.

Both read the staged content (the index), never the working tree. The
section's title is the ``api-impact-section`` setting.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from speckeeper.config.option import add_option as add_config_option, load as load_config
from speckeeper.errors import ConfigError
from speckeeper.speedups import WRITTEN_SOURCES

# git (subprocess) is imported where it is asked, the configuration loaded,
# and docutils, the parser and the spec model imported, where a spec is
# read and its facts are not kept (see message_facts): most commits'
# messages are settled without one (a message with APIImpact, a commit with
# no spec) or without anything (a message already written), and the
# pre-commit stage keeps the facts of the specs it checked.
if TYPE_CHECKING:
    from speckeeper.config.settings import Config, Settings
    from speckeeper.files.gitrepo import Staged
    from speckeeper.document.message_facts import Facts, FactsStore
    from speckeeper.document.rst.parse import RstParser

FLAG = "APIImpact"
WIDTH = 72
_FLAG_LINE = re.compile(rf"^\s*{FLAG}\b")


def comment_char() -> str:
    """What git strips comment lines by: ``core.commentChar`` or its
    synonym ``core.commentString`` (git 2.45), the one set last; since git
    2.45 it may be several characters (``//``). Unset, or ``auto`` (git
    then picks ``#`` unless the message already uses it), ``#``."""
    from speckeeper.files.gitrepo import git

    try:
        found = git("config", "--get-regexp", r"^core\.comment(char|string)$").decode("utf-8").splitlines()
    except ConfigError:  # Unset: git exits 1.
        return "#"
    value = found[-1].partition(" ")[2].strip() if found else ""
    return value if value and value != "auto" else "#"


def written(message: str, comment: str) -> list[str]:
    """The lines of a message that git would keep: no comments, nothing
    below the scissors line of ``git commit -v``, no blank edges."""
    scissors = f"{comment} ------------------------ >8 ------------------------"
    kept: list[str] = []
    for line in message.splitlines():
        if line == scissors:
            break
        if not line.startswith(comment):
            kept.append(line.rstrip())
    while kept and not kept[-1]:
        kept.pop()
    while kept and not kept[0]:
        kept.pop(0)
    return kept


class Hooks:
    """What both hooks need: the config, the parser, the work tree's top,
    the facts kept of specs."""

    def __init__(self, config: Config, top: Path | None = None) -> None:
        from speckeeper.document.message_facts import FactsStore
        from speckeeper.files.gitrepo import git

        self.config = config
        self._parser: RstParser | None = None
        self._store: FactsStore = FactsStore.default(config.base)
        self.top = top or Path(git("rev-parse", "--show-toplevel").decode("utf-8", "surrogateescape").strip())
        self._placed: dict[str, tuple[str, Settings]] = {}
        self._read: dict[str, bytes | None] = {}

    def _place(self, path: str) -> tuple[str, Settings]:
        """The relpath and settings of the file at ``path`` (from the top),
        found once: each spec's are asked by every question below."""
        if path not in self._placed:
            relpath = self.config.relpath(self.top / path)
            self._placed[path] = relpath, self.config.for_path(relpath)
        return self._placed[path]

    def is_spec(self, path: str) -> bool:
        """An ``.rst`` file where the layout puts specs, and not excluded."""
        from speckeeper.config import layout
        from speckeeper.config.settings import matches

        relpath, settings = self._place(path)
        return (
            path.endswith(".rst")
            and not matches(relpath, settings.exclude)  # Config.excluded, with the settings found.
            and layout.parts(settings.layout, relpath) is not None
        )

    def section(self, path: str) -> str:
        """The title of the REST API impact section, as the spec's settings name it."""
        return self._place(path)[1].api_impact_section

    def read(self, files: list[tuple[str, str]]) -> None:
        """Read the specs ``files`` names (path, and ``"HEAD"`` or ``""``
        for the staged copy) by one git process, for :meth:`facts`."""
        from speckeeper.files.gitrepo import blobs
        from speckeeper.files.source import Limits

        if not files:
            return
        named = [(f"{rev}:{path}", Limits.of(self._place(path)[1]).max_bytes) for path, rev in files]
        try:
            self._read.update(zip([name for name, _ in named], blobs(named)))
        except ConfigError:
            pass  # git failed: facts() tries each alone, and has none where that fails too.

    def facts(self, path: str, rev: str = "") -> Facts | None:
        """The facts of the spec as staged (or as in ``rev``): kept ones,
        else parsed (and kept); None if it cannot be read or parsed within
        bounds (the check hooks say why)."""
        from speckeeper.files.gitrepo import blob
        from speckeeper.files.source import Limits, Refusal, from_bytes

        limits = Limits.of(self._place(path)[1])
        name = f"{rev}:{path}"
        try:
            raw = self._read[name] if name in self._read else blob(name, limits.max_bytes)
        except ConfigError:
            return None
        if raw is None:
            return None
        source = from_bytes(raw, limits)
        if isinstance(source, Refusal):
            return None
        section = self.section(path)
        key = self._store.key(path, section, source.raw)
        kept = self._store.facts(key)
        if kept is not None:
            return kept
        from speckeeper.document import message_facts
        from speckeeper.document.rst.parse import RstParser
        from speckeeper.document.rst.build import build

        if self._parser is None:
            self._parser = RstParser.for_settings(self.config.base)
        try:
            spec = build(path, source.text, self._parser, raw=source.raw)
        except RecursionError:
            return None
        found = message_facts.of(spec, section)
        self._store.keep({key: found})
        return found


def keep_settled(config: Config, top: Path, commit: Staged) -> None:
    """For the commit hook, which has kept the facts of the specs it
    checked: say (:mod:`speckeeper.files.settled`) whether ``commit``
    needs nothing of its message, as :func:`run_commit_msg` finds it (the
    same question, so that the answer is the same): no spec it stages
    has a REST API impact section, new or changed, that says more than
    "None"."""
    from speckeeper.files import settled

    settled.keep(str(top), commit.raw, not _needing(Hooks(config, top), commit))


def _needing(hooks: Hooks, commit: Staged) -> list[tuple[str, int]]:
    """Each spec ``commit`` stages whose REST API impact section, new or
    changed, says more than "None": its path and the section's line."""
    specs = [change for change in commit.kept() if hooks.is_spec(change.path)]
    # Each spec as staged and, but for a new one, as HEAD has it, read at once.
    hooks.read([(c.path, "") for c in specs] + [(c.old_path, "HEAD") for c in specs if c.status != "A"])
    missing = []
    for change in specs:
        facts = hooks.facts(change.path)
        impact = facts.api_impact if facts is not None else None
        if impact is None:
            continue
        if change.status != "A":
            earlier = hooks.facts(change.old_path, "HEAD")
            before = earlier.api_impact if earlier is not None else None
            if before is not None and before[1] == impact[1]:
                continue  # Unchanged: the commit that made it carried the flag.
        missing.append((change.path, impact[0]))
    return missing


def compose(facts: Facts, comment: str) -> str:
    """Subject, body wrapped for git, and the flag when it applies. No line
    starts with the comment character: git would drop it."""
    parts = [subject((facts.title or "").strip(), comment)]
    if facts.introduction:
        parts.append("\n".join(wrap(facts.introduction.split(), WIDTH, comment)))
    if facts.api_impact is not None:
        parts.append(FLAG)
    return "\n\n".join(parts) + "\n"


def subject(title: str, comment: str) -> str:
    """The title; one git would take for a comment (``#hashtag support``)
    says what it is first."""
    if not title.startswith(comment):
        return title
    prefix = next(p for p in ("Spec: ", "New spec: ") if not p.startswith(comment))
    return prefix + title


def wrap(words: list[str], width: int, comment: str) -> list[str]:
    """Words in lines of at most ``width`` (a longer word alone), no line
    starting with the comment character: such a word moves down with the
    word before it or, when that cannot be, stays over the width; a first
    line that starts with it is indented by a space."""
    lines: list[list[str]] = []
    for word in words:
        line = lines[-1] if lines else []
        if line and len(" ".join([*line, word])) <= width:
            line.append(word)
        elif not line or not word.startswith(comment):
            lines.append([word])
        elif len(line) > 1 and not line[-1].startswith(comment):
            lines.append([line.pop(), word])
        else:
            line.append(word)
    text = [" ".join(line) for line in lines]
    if text and text[0].startswith(comment):
        text[0] = " " + text[0]
    return text


def _read_message(path: str) -> str | None:
    try:
        return Path(path).read_bytes().decode("utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the commit message: {error.strerror or error}") from None
    except UnicodeDecodeError:
        return None  # Another i18n.commitEncoding: not ours to touch.


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("message_file", metavar="FILE", help="the commit message file git passes")
    add_config_option(parser)


def configure_prepare(parser: argparse.ArgumentParser) -> None:
    _add_arguments(parser)
    parser.add_argument(
        "source",
        nargs="?",
        default=None,
        help="git's message source (pre-commit gives it as $PRE_COMMIT_COMMIT_MSG_SOURCE)",
    )
    parser.add_argument("object", nargs="?", default=None, help=argparse.SUPPRESS)


def run_prepare(args: argparse.Namespace) -> int:
    """Fill an unwritten message for a commit adding one spec; always 0
    unless something is broken, so that a commit is never stopped here."""
    source = args.source if args.source is not None else os.environ.get("PRE_COMMIT_COMMIT_MSG_SOURCE", "")
    if source in WRITTEN_SOURCES:
        return 0
    current = _read_message(args.message_file)
    if current is None:
        return 0
    comment = comment_char()
    if written(current, comment):
        return 0
    from speckeeper.files.gitrepo import staged

    hooks = Hooks(load_config(args.config))
    added = [c.path for c in staged().kept() if c.status == "A" and hooks.is_spec(c.path)]
    if len(added) != 1:
        return 0
    facts = hooks.facts(added[0])
    if facts is None or facts.title is None:
        return 0
    message = compose(facts, comment)
    rest = current if current.startswith("\n") or not current else "\n" + current
    Path(args.message_file).write_bytes((message + rest).encode("utf-8"))
    return 0


def configure_commit_msg(parser: argparse.ArgumentParser) -> None:
    _add_arguments(parser)


def run_commit_msg(args: argparse.Namespace) -> int:
    """1, with a line per spec, when the message lacks a needed APIImpact."""
    current = _read_message(args.message_file)
    if current is None:
        return 0
    kept = written(current, comment_char())
    # An empty message: git aborts the commit itself.
    if not kept or any(_FLAG_LINE.match(line) for line in kept):
        return 0
    from speckeeper.files.gitrepo import staged

    hooks = Hooks(load_config(args.config))
    missing = _needing(hooks, staged())
    for path, line in missing:
        print(f'{path}:{line}:1: section "{hooks.section(path)}" says more than "None": the message needs an {FLAG} line')
    return 1 if missing else 0
