"""``speckeeper review``: what a change does to each spec, against its template.

For the change from ``--base REF`` (default: the merge base with the
default branch) to the work tree, or the staged change (``--staged``), each
spec added, changed, moved or removed, as a reviewer asks of it: which of
the template's sections were added, removed, renamed, emptied or changed; which
impact sections went from "None" to text or back; which sections still hold
the template's guidance, a placeholder or "TBD"; which findings the change
introduces or resolves (matched as the baseline matches them, wherever
their lines moved); and for a move, from which release and state to which.
Text, JSON, or Markdown (one comment a bot posts on a pull request and
updates); the exit code is 0 whatever the change does (2 for an error).

A spec is any document ``check`` reads: a ``.rst`` file, or a Markdown
one (a KEP's ``README.md``, a MADR decision) where the configuration names
a Markdown template and the file is one of its ``markdown-names``; a change
to a document's metadata file alone (``kep.yaml``) is a change to the
document. Both sides are parsed as ``check`` parses them, into the same
model whatever the format, with the configuration the spec is under
today, each side's metadata file as that side has it; git is run through
:mod:`speckeeper.files.gitrepo`.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from speckeeper.commands import commitmsg
from speckeeper.files import gitrepo

from speckeeper.engine.check import Checker, Loaded, Opened, document_of_metadata, is_document
from speckeeper.config.settings import Config, ConfigError
from speckeeper.config.settings import load as load_config
from speckeeper.engine.decide import Selection, Gate
from speckeeper.findings import Finding, fingerprint
from speckeeper.reporting.output import printable
from speckeeper.document.markdown_template import title_key
from speckeeper.document.model import Block, Section, fold
from speckeeper.commands.status import place
from speckeeper.rules.files import refused
from speckeeper.rules.leftovers import LEFT_OF_TEMPLATE
from speckeeper.rules.structure import NEAR_RATIO
from speckeeper.files.source import Limits, Refusal, Refused, from_bytes, read

_TBD = re.compile(r"\b(TBD|TODO|FIXME)\b")
FORMATS = ("text", "json", "markdown")
# The first line of the Markdown report: a bot finds its own comment by it,
# to update it rather than post another.
MARKER = "<!-- speckeeper review -->"
_STATUS = {"A": "added", "M": "changed", "R": "moved", "D": "removed"}


@dataclass(frozen=True)
class SectionChange:
    """One section's change, named by the template's title for it."""

    section: str
    change: str  # "added", "removed", "renamed", "emptied" or "changed".
    impact: str = ""  # "None -> text" or "text -> None", for an answer that changed.
    implies: str = ""  # What the template's process asks of such a change.
    was: str = ""  # A renamed section's title before.


@dataclass
class SpecReview:
    """What the change does to one spec."""

    path: str
    status: str  # "added", "changed", "moved" or "removed".
    old_path: str = ""
    moved: str = ""  # "zed/approved -> 2025.1/implemented".
    sections: list[SectionChange] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)  # "Testing: TBD".
    # Each finding's path is relative to the top of the work tree: the
    # spec's, or its metadata file's (``kep.yaml``) for what is wrong there.
    introduced: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)

    def elsewhere(self, finding: Finding) -> str:
        """The file a finding is about where that is not the spec (its
        metadata file); "" for the spec's own."""
        return "" if finding.path in (self.path, self.old_path) else finding.path


def configure(parser: argparse.ArgumentParser) -> None:
    against = parser.add_mutually_exclusive_group()
    against.add_argument("--base", metavar="REF", help="the revision to compare with (default: the merge base with the default branch)")
    against.add_argument("--staged", action="store_true", help="review the staged change, against HEAD")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    top = Path(gitrepo.git("rev-parse", "--show-toplevel", cwd=config.root).decode("utf-8", "surrogateescape").strip())
    base = "HEAD" if args.staged else args.base or default_base(top)
    against = ("--cached", base) if args.staged else (base,)
    found = [review(config, top, change, base, args.staged) for change in spec_changes(config, top, against)]
    writers = {"text": text, "json": as_json, "markdown": markdown}
    sys.stdout.write(writers[args.format](found))
    return 0


def default_base(top: Path) -> str:
    """The merge base of HEAD with the default branch: origin's HEAD, else
    ``main`` or ``master``."""
    for candidate in ("refs/remotes/origin/HEAD", "main", "master"):
        try:
            return gitrepo.git("merge-base", "HEAD", candidate, cwd=top).decode("ascii").strip()
        except ConfigError:
            continue
    raise ConfigError("no default branch to compare with (origin/HEAD, main, master): name one with --base REF")


def spec_changes(config: Config, top: Path, against: tuple[str, ...]) -> list[gitrepo.Change]:
    """The specs the change adds, changes, moves or removes, as git names
    them; with each spec whose metadata file alone it changes, as changed
    (where both sides have the spec: git has it in the base, and in the
    index for a staged change)."""
    changes = gitrepo.changes("AMRD", *against, cwd=top)
    found = [c for c in changes if any(is_document(config, top / path) for path in (c.path, c.old_path) if path)]
    named = {change.path for change in found}
    for change in changes:
        document = document_of_metadata(config, top / change.path)
        if document is None:
            continue
        path = document.relative_to(top).as_posix()
        sides = (against[-1], "") if against[0] == "--cached" else (against[-1],)
        if path not in named and all(_tracked(top, revision, path) for revision in sides):
            named.add(path)
            found.append(gitrepo.Change(path, "M", path))
    return found


def _tracked(top: Path, revision: str, path: str) -> bool:
    """Whether ``revision`` (the index, for ``""``) has a file at ``path``."""
    try:
        gitrepo.git("cat-file", "-e", f"{revision}:{path}", cwd=top)
    except ConfigError:
        return False
    return True


def review(config: Config, top: Path, change: gitrepo.Change, base: str, staged: bool) -> SpecReview:
    """One spec's review: both sides parsed, their sections and findings compared."""
    checker = Checker(config, Selection(extend_select=LEFT_OF_TEMPLATE))
    new_path = top / change.path
    old = _side(checker, top / change.old_path, (top, base, change.old_path)) if change.old_path else None
    new = None if change.status == "D" else _side(checker, new_path, (top, "", change.path) if staged else None)
    result = SpecReview(change.path, _STATUS[change.status], change.old_path if change.status == "R" else "")
    if change.status == "R":
        before, after = place(config, config.relpath(top / change.old_path)), place(config, config.relpath(new_path))
        if before != after:
            result.moved = f"{'/'.join(filter(None, before))} -> {'/'.join(filter(None, after))}"
    if old is not None and old.loaded is not None and new is not None and new.loaded is not None:
        result.sections = section_changes(old.loaded, new.loaded, new.loaded.ctx.settings.api_impact_section)
    if new is not None and new.loaded is not None:
        result.leftovers = leftovers(checker, new.loaded)
    old_found, new_found = _findings(checker, old), _findings(checker, new)
    result.introduced = [_relative(f, top) for f in _unmatched(new_found, old_found)]
    result.resolved = [_relative(f, top) for f in _unmatched(old_found, new_found)]
    return result


def _relative(finding: Finding, top: Path) -> Finding:
    """A finding with its path as git names it, from the top of the work tree."""
    path = Path(finding.path)
    return finding._replace(path=path.relative_to(top).as_posix()) if path.is_relative_to(top) else finding


def _shown(top: Path, revision: str, path: str, limit: int) -> bytes | None:
    """A file as ``revision`` has it (the index, for ``""``); None when it
    is larger than ``limit`` bytes (never read whole)."""
    return gitrepo.blob(f"{revision}:{path}", limit, cwd=top)


def _side(checker: Checker, path: Path, at: tuple[Path, str, str] | None) -> Opened:
    """One side of the change, parsed as ``check`` parses the file at
    ``path``: read from git (``at``: top, revision, path) or the work tree,
    its metadata file (``metadata-file``) from the same."""
    config = checker.config
    settings = config.for_path(config.relpath(path))
    limits = Limits.of(settings)
    sidecar = None
    if at is None:
        source = read(path, limits, config.repo)
    else:
        raw = _shown(*at, limits.max_bytes)
        source = from_bytes(raw, limits) if raw is not None else Refusal(Refused.TOO_LARGE, 1, 1, f"file is larger than the limit of {limits.max_bytes:,} bytes (max-bytes)")
        if settings.metadata_file:  # A Markdown document's (the RST model takes none).
            sidecar = _sidecar(at, settings.metadata_file, limits.max_bytes)
    if isinstance(source, Refusal):
        return Opened(path, problems=[Finding(str(path), source.line, source.col, refused(source), source.message)])
    return checker.load_source(path, source, sidecar)


def _sidecar(at: tuple[Path, str, str], name: str, limit: int) -> bytes | None:
    """A document's metadata file as the revision has it; None where it
    has none or one larger than ``limit``: then the work tree's is read."""
    top, revision, path = at
    beside = f"{path.rsplit('/', 1)[0]}/{name}" if "/" in path else name
    try:
        return _shown(top, revision, beside, limit)
    except ConfigError:  # Not in that revision.
        return None


def _findings(checker: Checker, side: Opened | None) -> list[Finding]:
    """The findings ``check`` reports of one side: through the gate of
    ``check``'s selection, so the leftover rules, which the review's own
    checker runs, only where the configuration enables them."""
    return [] if side is None else checker.reported(side, Gate(checker.config))


def _unmatched(these: list[Finding], those: list[Finding]) -> list[Finding]:
    """The findings of ``these`` that ``those`` does not have, matched by
    code, message and line text, not line number."""
    left = Counter(fingerprint(f.code, f.message, f.context) for f in those)
    unmatched = []
    for finding in these:
        key = fingerprint(finding.code, finding.message, finding.context)
        if left[key]:
            left[key] -= 1
        else:
            unmatched.append(finding)
    return unmatched


def _key(loaded: Loaded, title: str) -> str:
    """A title as the spec's and the template's compare: folded, and in a
    Markdown document with its optional marker (``(Optional)``) aside, as
    the structure rules compare them."""
    if loaded.spec.format == "markdown":
        return title_key(title, loaded.ctx.settings.optional_markers)
    return fold(title)


def _sections(loaded: Loaded) -> dict[str, tuple[str, Section]]:
    """The spec's sections by key (:func:`_key`), each with the template's
    title for it (its own, for a section the template does not have)."""
    named = {_key(loaded, t.title): t.title for t in loaded.ctx.template.all_sections()}
    found: dict[str, tuple[str, Section]] = {}
    for section in loaded.spec.all_sections():
        key = _key(loaded, section.title)
        found.setdefault(key, (named.get(key, section.title), section))
    return found


def body_text(section: Section) -> str:
    """A section's own text (subsections aside), whitespace normalised."""
    return " ".join(" ".join(block.text.split()) for block in _body(section))


def answers_none(section: Section) -> bool:
    """Whether the section answers "None": its first paragraph says only
    that (what follows may say why)."""
    body = _body(section)
    return bool(body) and " ".join(body[0].text.split()).rstrip(".").casefold() == "none"


def _body(section: Section) -> list[Block]:
    """What a section says: its own blocks, comments aside."""
    return [block for block in section.blocks if block.kind != "comment"]


def own_lines(loaded: Loaded) -> dict[int, list[str]]:
    """Each section's own lines (by ``id``), as written: from its heading
    to the next section's heading, whatever that one's level. A change to
    any of them changes the section, if only its spacing or underline."""
    lines, sections = loaded.spec.lines, loaded.spec.all_sections()
    starts = [max(section.line - (2 if section.style == "==" else 1), 0) for section in sections]
    return {id(section): lines[start:end] for section, start, end in zip(sections, starts, [*starts[1:], len(lines)])}


def section_changes(old: Loaded, new: Loaded, api_section: str = "") -> list[SectionChange]:
    """The sections added, removed, renamed, emptied or changed (any of
    their own lines), in the new spec's order (the removed ones after); a REST API
    impact (the section ``api_section`` names) from None to text says the
    commit needs the flag the commit-msg hook asks for."""
    before, after = _sections(old), _sections(new)
    old_lines, new_lines = own_lines(old), own_lines(new)
    renames = renamed(old, new)
    found = []
    for key, (title, section) in after.items():
        if key in renames:
            found.append(SectionChange(title, "renamed", was=before[renames[key]][0]))
            continue
        if key not in before:
            found.append(SectionChange(title, "added"))
            continue
        if old_lines[id(before[key][1])] == new_lines[id(section)]:
            continue
        if section.is_empty and not before[key][1].is_empty:
            found.append(SectionChange(title, "emptied"))
        elif answers_none(before[key][1]) != answers_none(section):
            to_text = answers_none(before[key][1])
            implies = f"the commit needs {commitmsg.FLAG}" if to_text and api_section and key == _key(new, api_section) else ""
            found.append(SectionChange(title, "changed", "None -> text" if to_text else "text -> None", implies))
        else:
            found.append(SectionChange(title, "changed"))
    gone = set(renames.values())
    found.extend(SectionChange(title, "removed") for key, (title, _) in before.items() if key not in after and key not in gone)
    return found


def renamed(old: Loaded, new: Loaded) -> dict[str, str]:
    """The sections the change renamed, each new title's key with the old
    one's: a section removed and one added under the same parent, one
    titled as the template titles a section and the other nearly so (what
    SK104 calls a near miss), in either direction; of several, the nearest
    in position."""
    before, after = _sections(old), _sections(new)
    template = {_key(new, t.title) for t in new.ctx.template.all_sections()}
    old_parents, new_parents = _parents(old), _parents(new)
    old_order, gone = list(before), [key for key in before if key not in after]
    found: dict[str, str] = {}
    for index, key in enumerate(after):
        if key in before:
            continue
        parent = new_parents.get(id(after[key][1]), "")
        candidates = [
            was
            for was in gone
            if was not in found.values()
            and old_parents.get(id(before[was][1]), "") == parent
            and (was in template) != (key in template)
            and difflib.SequenceMatcher(None, was, key).ratio() >= NEAR_RATIO
        ]
        if candidates:
            found[key] = min(candidates, key=lambda was: abs(old_order.index(was) - index))
    return found


def _parents(loaded: Loaded) -> dict[int, str]:
    """Each subsection's parent (by ``id``), by its key (:func:`_key`)."""
    return {id(child): _key(loaded, section.title) for section in loaded.spec.all_sections() for child in section.children}


def leftovers(checker: Checker, loaded: Loaded) -> list[str]:
    """The sections still holding the template's guidance or placeholders
    (the leftover rules' findings, less what the spec's comments silence),
    or TBD, TODO or FIXME."""
    reported = checker.reported(Opened(Path(loaded.spec.path), loaded))
    found = [f"line {f.line}: {f.message}" for f in reported if f.code in LEFT_OF_TEMPLATE]
    for _, (title, section) in _sections(loaded).items():
        marker = _TBD.search(body_text(section))
        if marker:
            found.append(f"{title}: {marker.group(0)}")
    return found


def _described(r: SpecReview, quote: Callable[[str], str], name: Callable[[str], str]) -> tuple[str, list[str]]:
    """A spec's heading and its items, the repo's text put through
    ``quote`` (section titles through ``name``)."""
    head = f"{quote(r.path)}: {r.status}"
    if r.old_path:
        head += f" from {quote(r.old_path)}"
    if r.moved:
        head += f" ({quote(r.moved)})"
    items = []
    for s in r.sections:
        about = "; ".join(filter(None, (s.impact, s.implies)))
        was = f" from {name(s.was)}" if s.was else ""
        items.append(f"section {name(s.section)}: {s.change}{was}" + (f" ({about})" if about else ""))
    items.extend(f"still from the template: {quote(left)}" for left in r.leftovers)
    of = {id(f): f" of {quote(r.elsewhere(f))}" if r.elsewhere(f) else "" for f in (*r.introduced, *r.resolved)}
    items.extend(f"introduces {f.code} at line {f.line}{of[id(f)]}: {quote(f.message)}" for f in r.introduced)
    items.extend(f"resolves {f.code}{of[id(f)]}: {quote(f.message)}" for f in r.resolved)
    return head, items


def text(reviews: list[SpecReview]) -> str:
    if not reviews:
        return "no spec changed\n"
    lines = []
    for r in reviews:
        head, items = _described(r, printable, lambda title: f'"{printable(title)}"')
        lines.append(head)
        lines.extend(f"  {item}" for item in items)
    return "\n".join(lines) + "\n"


def as_json(reviews: list[SpecReview]) -> str:
    def finding(r: SpecReview, f: Finding) -> dict[str, object]:
        # "file" only for a finding about the metadata file, not the spec.
        return {"line": f.line, "col": f.col, "code": f.code, "message": f.message, **({"file": r.elsewhere(f)} if r.elsewhere(f) else {})}

    data = [
        {
            **{k: v for k, v in asdict(r).items() if k not in ("introduced", "resolved")},
            "introduced": [finding(r, f) for f in r.introduced],
            "resolved": [finding(r, f) for f in r.resolved],
        }
        for r in reviews
    ]
    return json.dumps({"specs": data}, indent=2, ensure_ascii=False) + "\n"


def markdown(reviews: list[SpecReview]) -> str:
    """One comment: a heading per spec, a list of what changed; names and
    messages from the repo as code spans, so no markup of theirs renders."""
    lines = [MARKER, "### speckeeper review", ""]
    if not reviews:
        lines.append("No spec changed.")
    for r in reviews:
        head, items = _described(r, _code, _code)
        lines.extend([f"#### {head}", "", *(f"- {item}" for item in items), ""])
    return "\n".join(lines).rstrip("\n") + "\n"


def _code(value: str) -> str:
    """``value`` as a Markdown code span, whatever backticks it holds."""
    value = " ".join(printable(value).split())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", value)), default=0) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"
