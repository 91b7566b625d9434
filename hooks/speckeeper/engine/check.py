"""Running the rules, in stages: find the files; read each once, within
bounds; parse it once (or take its findings from the cache); run the rules
the selection enables, and hear what its own comments silence; meanwhile,
run the repo-level rules over the files together; then pass it all
through the gate.

What is reported is decided by :class:`speckeeper.engine.decide.Gate` alone (the
selection, the comments, the baseline); the output is
:mod:`speckeeper.reporting.output`'s.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from speckeeper import rules
from speckeeper.engine import parallel
from speckeeper.config.settings import Config, ConfigError, Settings, matches
from speckeeper.engine.decide import Enabled, Selection, may_silence, silenced, Gate, Recorded
from speckeeper.document import markdown
from speckeeper.document.model import Document
from speckeeper.document.rst.parse import RstParser
from speckeeper.findings import Checked, Finding, by_path
from speckeeper.rules.registry import Context, Hit, Placed, Tree
from speckeeper.rules.files import NO_TEMPLATE, TOO_LARGE, UNREADABLE, refused
from speckeeper.rules.naming import LAYOUT, not_where_specs_live
from speckeeper.files.source import Limits, Refusal, Source, from_bytes, read
from speckeeper.files.source import read as read_file
from speckeeper.document.rst.build import RstDocument as Spec, build
from speckeeper.document.loader import TemplateLoader
from speckeeper.document.template import NoTemplate

if TYPE_CHECKING:
    from speckeeper.document.markdown.pieces import Pieces
    from speckeeper.engine.cache import Cache
    from speckeeper.document.message_facts import Facts

# A metadata file a finding quotes is read within the YAML reader's bound.
MAX_QUOTED_BYTES = 100_000
_SKIPPED_DIRS = frozenset({".git", ".tox", ".venv", "venv", "node_modules", "__pycache__", "build"})


def walk(
    paths: Iterable[Path], config: Config, suffix: str | tuple[str, ...] = "", unreadable: list[Finding] | None = None
) -> Iterator[Path]:
    """The files under ``paths`` (ending in ``suffix``), excluded ones aside,
    each once however many ways it is named (``a.rst``, ``./a.rst``, through
    a link): by its own path, the one an author edits, when that is among
    the names met (a release folder of links to ``approved/`` is reported
    at ``approved/``), else by the first name met.

    Folders recurse, skipping hidden and tool folders, never through a
    link; files named directly are yielded whatever their name ends in. A
    folder that cannot be listed (no permission, a path too long) is one
    SK001 finding in ``unreadable``, never skipped in silence.
    """
    return (Path(name) for name in walk_files(paths, config, suffix, unreadable).files)


class Walked(NamedTuple):
    """What :func:`walk_files` found, as the folder-level rules' tree takes it."""

    # walk's files, each as a string (the path's ``str``: the rules ask
    # things of hundreds of files, and a Path costs its parsing), with its
    # path relative to the root and its settings where the walk found them
    # out anyway: for a file a folder lists inside the root; None for
    # another (named directly, outside the root).
    files: dict[str, Placed | None]
    listings: dict[str, tuple[str, ...]]  # Every name in each folder entered, by the folder as walked.
    regular: set[str]  # The real path of each regular file those folders list.


def walk_files(
    paths: Iterable[Path], config: Config, suffix: str | tuple[str, ...] = "", unreadable: list[Finding] | None = None
) -> Walked:
    """:func:`walk`'s files, and what the walk saw on the way (see :class:`Walked`)."""
    listings: dict[str, tuple[str, ...]] = {}
    regular: set[str] = set()
    # By real path, in the order first met: the name met, what is known of
    # it, and whether that name is already the one from_here gives.
    chosen: dict[str, tuple[str, Placed | None, bool]] = {}

    def meet(candidate: str, placed: Placed | None, shown: bool, real: str) -> None:
        if real not in chosen or _links_in(Path(candidate)) < _links_in(Path(chosen[real][0])):
            chosen[real] = (candidate, placed, shown)

    def failed(error: OSError) -> None:
        if unreadable is not None:
            where = error.filename if isinstance(error.filename, str) else str(error.filename)
            unreadable.append(Finding(where, 1, 1, UNREADABLE, f"cannot read folder: {error.strerror or error}"))

    for path in paths:
        if path.is_dir():
            top = config.folder_prefix(os.fspath(path))
            for listed in _folders(os.fspath(path), failed):
                folder, subfolders = listed.folder, listed.subfolders
                listings[folder] = (*listed.names, *subfolders)
                real = os.path.join(listed.real, "")
                regular.update(real + name for name in listed.regular)
                subfolders[:] = sorted(d for d in subfolders if d not in _SKIPPED_DIRS and not d.startswith("."))
                # A folder named like a spec is reported (reading refuses it),
                # not entered.
                names = [*listed.names, *(d for d in subfolders if d.endswith(".rst"))]
                subfolders[:] = [d for d in subfolders if not d.endswith(".rst")]
                # Worked out once for all the folder's files, each file's in
                # strings: a commit hook walks every file of specs/.
                # Below a top inside the root, from the top's: no working
                # folder asked again for each folder.
                inside = top + listed.below.replace(os.sep, "/") if top is not None else config.folder_prefix(folder)
                folder_path = Path(folder)
                shown, named = _shortest_from_here(folder_path), os.path.join(folder_path, "")
                for name in sorted(names):
                    if not name.endswith(suffix):
                        continue
                    # A link's real path is its own.
                    real_path = os.path.realpath(os.path.join(folder, name)) if name in listed.links else real + name
                    if inside is None:
                        if not config.excluded(config.relpath(folder_path / name)):
                            meet(named + name, None, shown, real_path)
                        continue
                    # Config.excluded, with the settings kept for the rules.
                    relpath = inside + name
                    settings = config.for_path(relpath)
                    if not matches(relpath, settings.exclude):
                        meet(named + name, (relpath, settings), shown, real_path)
        elif not config.excluded(config.relpath(path)):
            meet(str(path), None, False, os.path.realpath(path))
    files = {(name if shown else str(from_here(Path(name)))): placed for name, placed, shown in chosen.values()}
    return Walked(files, listings, regular)


Failed = Callable[[OSError], None]


class _Listed(NamedTuple):
    """One folder a walk lists: its path as walked, resolved, and from the
    top of the walk ("" at the top, else ending in a separator), its
    subfolders and other names, which of those names are links, and which
    are regular files (or links to one)."""

    folder: str
    real: str
    below: str
    subfolders: list[str]
    names: list[str]
    links: set[str]
    regular: list[str]


def _folders(top: str, failed: Failed) -> Iterator[_Listed]:
    """``os.walk(top, onerror=failed)`` from the top down, never through a
    link, with what its listings say for free: which names are links (where
    asking each name would cost a system call), and so each folder's real
    path, its parent's and its name (none of them a link). The caller may
    change a folder's subfolders, as with ``os.walk``, to choose which are
    entered."""
    stack = [(top, os.path.realpath(top), "")]
    while stack:
        folder, real, below = stack.pop()
        listed = _Listed(folder, real, below, [], [], set(), [])
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    # Each told by the listing itself (asked of the file
                    # system only where it cannot tell), as os.walk does.
                    try:
                        is_folder = entry.is_dir()
                    except OSError:
                        is_folder = False
                    (listed.subfolders if is_folder else listed.names).append(entry.name)
                    try:
                        is_link = entry.is_symlink()
                    except OSError:
                        is_link = False  # As os.path.islink says of it.
                    if is_link:
                        listed.links.add(entry.name)
                    try:
                        is_file = not is_folder and entry.is_file()
                    except OSError:
                        is_file = False  # As os.path.isfile says of it.
                    if is_file:
                        listed.regular.append(entry.name)
        except OSError as error:
            failed(error)
            continue
        yield listed
        stack.extend(
            (os.path.join(folder, name), os.path.join(real, name), below + name + os.sep)
            for name in reversed(listed.subfolders)
            if name not in listed.links
        )


def _shortest_from_here(folder: Path) -> bool:
    """Whether the files in ``folder`` are named as :func:`from_here` names
    them: the folder is absolute, or relative with nothing to shorten. Asked
    once a folder, not once a file."""
    probe = os.path.join(folder, "x")
    return folder.is_absolute() or (os.path.normpath(probe) == probe and os.pardir not in probe.split(os.sep))


def _links_in(path: Path) -> int:
    """How many of the folders and file named in ``path`` are links: fewer is
    nearer the file itself. Asked only of a file met under two names."""
    absolute = Path(os.path.abspath(path))
    return sum(part.is_symlink() for part in (absolute, *absolute.parents))


def from_here(path: Path) -> Path:
    """A relative path as ruff prints it, from the working folder: run in
    ``specs/2026.2``, ``../2026.2/implemented/a.rst`` is
    ``implemented/a.rst``. Kept as given when absolute, or when a link
    before a ``..`` means the shorter name is another file."""
    if path.is_absolute():
        return path
    text = str(path)
    if os.path.normpath(text) == text and os.pardir not in text.split(os.sep):
        return path  # Already the shortest name from here (a folder walked from here).
    try:
        shorter = os.path.relpath(os.path.abspath(path))
    except ValueError:  # Another drive (Windows).
        return path
    if shorter == str(path) or os.path.realpath(shorter) != os.path.realpath(path):
        return path
    return Path(shorter)


def collect(paths: Iterable[Path], config: Config, unreadable: list[Finding] | None = None) -> Iterator[Path]:
    """The spec files under ``paths``: folders recurse to ``.rst`` files,
    and to ``.md`` files where the configuration names a Markdown template.
    A Markdown file, named or found, is a document only where that
    template applies and its name is one of ``markdown-names`` (a KEP's
    README.md, not the FAQ beside it): a hook passes every Markdown file a
    commit changes. A document's metadata file named (``kep.yaml``) is
    its document: what is wrong with it is reported there."""
    seen: set[str] = set()
    for path in walk(paths, config, _suffixes(config), unreadable):
        if _metadata_file(config, path):
            document = _document_of(config, path)
            if document is None:
                continue  # Beside no document that is checked (the template's own).
            path = document
        elif markdown.is_markdown(str(path)) and not _markdown_document(config, path):
            continue
        if os.path.normpath(path) not in seen:
            seen.add(os.path.normpath(path))
            yield path


def _metadata_file(config: Config, path: Path) -> bool:
    """Whether ``path`` is named as a document's metadata file is (``kep.yaml``)."""
    name = config.for_path(config.relpath(path)).metadata_file
    return bool(name) and path.name == name


def _document_of(config: Config, path: Path) -> Path | None:
    """The Markdown document beside a metadata file that is checked, if any."""
    beside = sorted(path.parent.glob("*"))
    return next((doc for doc in beside if markdown.is_markdown(doc.name) and is_document(config, doc)), None)


def is_document(config: Config, path: Path) -> bool:
    """Whether ``check`` reads the file at ``path`` as a document, there or
    not (one a change removed): a ``.rst`` file, or a Markdown one where a
    Markdown template applies and its name is one of ``markdown-names``;
    either not excluded."""
    if config.excluded(config.relpath(path)):
        return False
    return path.suffix == ".rst" or (markdown.is_markdown(str(path)) and _markdown_document(config, path))


def document_of_metadata(config: Config, path: Path) -> Path | None:
    """The document whose metadata file ``path`` is (``kep.yaml`` beside a
    KEP's README.md), where that is checked; None for any other file."""
    return _document_of(config, path) if _metadata_file(config, path) else None


def _markdown_document(config: Config, path: Path) -> bool:
    relpath = config.relpath(path)
    settings = config.for_path(relpath)
    # A name (README.md) anywhere, or a path from the top (keps/*/README.md).
    return bool(settings.markdown_template) and matches(relpath, settings.markdown_names)


def _suffixes(config: Config) -> str | tuple[str, ...]:
    wanted = config.base.markdown_template or any(o.values.get("markdown_template") for o in config.overrides)
    return (".rst", *markdown.SUFFIXES) if wanted else ".rst"


def _companions_read(read: _Read, sidecar: Source) -> bytes:
    """The bytes of every file a document's metadata names as a companion
    (``missing`` for one that is not there), for its key in the cache."""
    from speckeeper.files import yamlfile
    from speckeeper.files.source import read_regular
    from speckeeper.rules.metadata import companion_paths

    try:
        data = yamlfile.load_marked(sidecar.text).data
    except yamlfile.Refused:
        return b""  # What the check says of it is keyed by the sidecar's bytes.
    found = b""
    for path in companion_paths(data if isinstance(data, dict) else {}, str(read.path), read.relpath, read.settings):
        try:
            found += b"\0" + str(path).encode() + b"\0" + read_regular(path, yamlfile.MAX_BYTES)
        except OSError:
            found += b"\0" + str(path).encode() + b"\0missing"
    return found


class Loaded(NamedTuple):
    """One spec, read and parsed, with what its rules are given."""

    spec: Document  # An RstDocument for a .rst spec.
    ctx: Context
    silenced: frozenset[str]  # Codes its ``speckeeper: ignore`` comments silence.
    identity: tuple[int, int] = (0, 0)  # The file read: (device, inode).


class Opened(NamedTuple):
    """What opening one file for its rules came to: the spec, read and
    parsed (``loaded``); or, when it could not be, the findings that say
    why (``problems``: it cannot be read, has no template...)."""

    path: Path
    loaded: Loaded | None = None
    problems: Sequence[Finding] = ()


class Gathered(NamedTuple):
    """What the rules found under some paths, before the gate decides what
    of it is reported: the findings, and the codes each spec's comments
    silence (by its path, as the findings name it)."""

    findings: list[Finding]
    silencing: dict[str, frozenset[str]]


class Ran(NamedTuple):
    """One spec's rules, run over its bytes as read (what ``check --fix``'s
    fix found in a file it left as it was): the check after it takes them
    instead of parsing the file again, while the file still holds those
    bytes and the same rules run on it; and, of an RST spec, what the
    commit-message hooks read of it, for a commit hook to keep."""

    raw: bytes
    codes: frozenset[str]  # The per-spec rules that ran.
    findings: list[Finding]
    silenced: frozenset[str]
    facts: Facts | None = None


def per_spec(codes: frozenset[str]) -> frozenset[str]:
    """Of the codes enabled for a spec, those whose rules read it."""
    return codes & _PER_SPEC_CODES


_PER_SPEC_CODES = frozenset(rule.code for rule in rules.PER_SPEC)


class _Read(NamedTuple):
    """One file, read, with what applies to it."""

    path: Path
    relpath: str
    settings: Settings
    enabled: frozenset[str]
    source: Source
    # The metadata file's bytes where it is not to be read (not written yet).
    sidecar: bytes | None = None

    @property
    def shown(self) -> str:
        return str(self.path)


class Checker:
    """Checks specs under one configuration: one parser, one template
    loader, the findings cache if there is one, and the gate of its
    selection and baseline (none by default)."""

    def __init__(
        self,
        config: Config,
        selection: Selection = Selection(),
        cache: Cache | None = None,
        recorded: Recorded = (),
        ran: Mapping[str, Ran] | None = None,
    ) -> None:
        self.config = config
        self.selection = selection
        self.cache = cache
        # By a file's path as shown.
        self.ran = ran or {}
        self.gate = Gate(config, selection, recorded)
        self.enabled = Enabled(selection)
        self.parser = RstParser.for_settings(config.base)
        self.templates = TemplateLoader(config, self.parser)
        # An editor's (the language server sets it): each Markdown document
        # parsed a piece at a time, what did not change not parsed again.
        self.pieces: Pieces | None = None

    def arguments(self) -> tuple[Config, Selection, Cache | None, Recorded, Mapping[str, Ran]]:
        """What a worker process builds its own checker from: what the fix
        ran with it (so a worker does not parse a spec the fix left as it
        was again), not the baseline (the gate's, in this process)."""
        return self.config, self.selection, self.cache, (), self.ran

    def check(self, paths: Iterable[Path], jobs: int = 1, progress: parallel.Progress | None = None) -> list[Finding]:
        """Every finding under ``paths`` the gate reports, by path then
        line, whatever ``jobs``; ``progress`` hears how many files are
        checked."""
        paths = list(paths)
        gathered = self.gather(paths, jobs, progress)
        return sorted(self.gate.decide(gathered.findings, gathered.silencing, paths).reported, key=by_path)

    def gather(self, paths: Iterable[Path], jobs: int = 1, progress: parallel.Progress | None = None) -> Gathered:
        """What the rules find under ``paths``, for the gate to decide on."""
        paths = list(paths)
        unreadable: list[Finding] = []
        files = list(collect(paths, self.config, unreadable))
        repo_level: list[Finding] = []

        def meanwhile() -> None:  # In this process, while the workers check the files.
            repo_level.extend(self.check_tree(paths))

        workers = parallel.jobs_for(len(files), jobs)
        checked = parallel.map_files(self, Checker.check_file, files, workers, meanwhile, progress)
        findings = [finding for report in checked for finding in report.findings]
        settled = self._settled(repo_level, dict(zip(map(str, files), checked)))
        return Gathered(findings + settled.findings + unreadable, settled.silencing)

    def gather_folders(self, paths: Iterable[Path]) -> Gathered:
        """The repo-level rules alone over ``paths``: no spec is read but
        one a finding is about (for what it silences and its first line).
        What a commit hook runs over the whole folder for a staged change."""
        return self._settled(self.check_tree(list(paths)), {})

    def _settled(self, repo_level: list[Finding], reports: dict[str, Checked]) -> Gathered:
        """Repo-level findings with their spec's first line, and what each
        checked spec, and each spec they are about, silences."""
        reports = {**reports, **self._elsewhere({f.path for f in repo_level} - reports.keys())}
        about_specs = [
            f._replace(context=reports[f.path].first_line) if f.path in reports and f.line == 1 else f
            for f in repo_level
        ]
        return Gathered(about_specs, {path: report.silenced for path, report in reports.items() if report.silenced})

    def check_file(self, path: Path) -> Checked:
        """One file's findings, read and parsed once (or from the cache)."""
        read, refused = self._read(path)
        if read is None:
            return Checked(refused)
        first_line = read.source.text.split("\n", 1)[0]
        if not per_spec(read.enabled):
            # Only repo-level rules run: a parse only to hear what the file silences.
            return Checked([], self._silenced(read), first_line)
        key = self._cache_key(read)
        if key is not None and self.cache is not None:
            found = self.cache.get(key, read.shown)
            if found is not None:
                return found
        earlier = self.ran.get(read.shown)
        if earlier is not None and earlier.raw == read.source.raw and earlier.codes == per_spec(read.enabled):
            checked = Checked(earlier.findings, earlier.silenced, first_line)
            if key is not None and self.cache is not None:
                self.cache.put(key, read.shown, checked)
            return checked
        opened = self._load(read)
        if opened.loaded is None:
            checked = Checked(list(opened.problems), first_line=first_line)
        else:
            checked = Checked(self.run_rules(opened.loaded), opened.loaded.silenced, first_line)
        if key is not None and self.cache is not None:
            self.cache.put(key, read.shown, checked)
        return checked

    def load(self, path: Path, text: str | None = None, sidecar: str | None = None) -> Opened:
        """Read and parse one spec, once; the findings if it cannot be.

        With ``text`` (an editor's unsaved document), that text is checked
        as the file at ``path`` would be, within the same bounds, and the
        file itself is not read; with ``sidecar``, so is its metadata file
        (``metadata-file``: a document ``new`` is about to write)."""
        read, refused = self._read(path, text)
        if read is not None and sidecar is not None:
            read = read._replace(sidecar=sidecar.encode("utf-8", "surrogatepass"))
        return self._load(read) if read is not None else Opened(path, problems=refused)

    def load_source(self, path: Path, source: Source, sidecar: bytes | None = None) -> Opened:
        """A spec's text parsed as if read at ``path`` (a copy about to be
        written there, or as a revision has it: its template, its
        settings); with ``sidecar``, its metadata file's bytes, that file
        not read."""
        relpath = self.config.relpath(path)
        settings = self.config.for_path(relpath)
        return self._load(_Read(path, relpath, settings, self.enabled(settings), source, sidecar))

    def reported(self, opened: Opened, gate: Gate | None = None) -> list[Finding]:
        """What ``check`` reports of one opened spec: why it could not be
        parsed, or its rules' findings, through ``gate`` (the checker's
        own unless another is given)."""
        gate = gate or self.gate
        if opened.loaded is None:
            return gate.decide(opened.problems).reported
        loaded = opened.loaded
        return gate.decide(self.run_rules(loaded), {loaded.spec.path: loaded.silenced}).reported

    def _read(self, path: Path, text: str | None = None) -> tuple[_Read | None, list[Finding]]:
        """The file read, with what applies to it; or None and the finding
        that says why it cannot be."""
        shown = str(path)
        relpath = self.config.relpath(path)
        settings = self.config.for_path(relpath)
        enabled = self.enabled(settings)
        limits = Limits.of(settings)
        if text is None:
            source = read(path, limits, self.config.repo)
        else:
            # A lone surrogate (JSON can carry one) fails to decode: SK002.
            source = from_bytes(text.encode("utf-8", "surrogatepass"), limits)
        if isinstance(source, Refusal):
            return None, [Finding(shown, source.line, source.col, refused(source), source.message)]
        return _Read(path, relpath, settings, enabled, source), []

    def _load(self, read: _Read) -> Opened:
        first = read.source.text.split("\n", 1)[0]  # What a finding about the whole file quotes.
        try:
            template = self.templates.for_spec(read.relpath, read.settings)
        except NoTemplate as error:
            outside = not_where_specs_live(read.settings, read.relpath) if error.outside_layout else None
            if outside and LAYOUT in read.enabled:
                # The cause, not its consequence: SK306 as the rule says it.
                return Opened(read.path, problems=[Finding(read.shown, 1, 1, LAYOUT, outside, first)])
            return Opened(read.path, problems=[Finding(read.shown, 1, 1, NO_TEMPLATE, str(error), first)])
        spec = self._build(read.shown, read.source)
        if isinstance(spec, Finding):
            return Opened(read.path, problems=[spec._replace(context=first)])
        key = read.settings.markdown_template if markdown.is_markdown(read.relpath) else read.settings.template
        name = self.config.relpath(Path(template.path)) if "{" in key else ""
        ctx = Context(read.relpath, read.settings, template, read.enabled, template_name=name)
        if not isinstance(spec, Spec):
            headings = len(spec.all_sections())
            if headings > read.settings.max_sections:  # What max-sections bounds: the rules' work.
                limit = f"{headings:,} headings, more than the limit of {read.settings.max_sections:,} (max-sections)"
                return Opened(read.path, problems=[Finding(read.shown, 1, 1, TOO_LARGE, limit, first)])
            if read.settings.metadata_file:
                spec = self._with_sidecar(read, spec)
        return Opened(read.path, Loaded(spec, ctx, silenced(spec), read.source.identity))

    def _with_sidecar(self, read: _Read, document: Document) -> Document:
        """A Markdown document with its metadata from the file beside it
        (``metadata-file``), read within the same bounds as the document."""
        from speckeeper.document.metadata import with_sidecar  # Only for a process with one.

        path = read.path.parent / read.settings.metadata_file
        found = self._sidecar(read)
        if isinstance(found, Refusal):
            exists = os.path.lexists(path)  # A link, a FIFO: there, and refused.
            if not exists:
                return with_sidecar(document, str(path), None, "is missing")
            why = found.message.removesuffix(": not read")
            return with_sidecar(document, str(path), None, f"not read: {why}", there=True)
        return with_sidecar(document, str(path), found.text)

    def _sidecar(self, read: _Read) -> Source | Refusal:
        if read.sidecar is not None:
            return from_bytes(read.sidecar, Limits.of(read.settings))
        return read_file(read.path.parent / read.settings.metadata_file, Limits.of(read.settings), self.config.repo)

    def _cache_key(self, read: _Read) -> str | None:
        """The file's key in the findings cache, from what was read; None
        without a cache, or without a template to key it by. A document
        with companion files is keyed by them too (their bytes, or that
        they are missing) where its metadata is a file beside it; with
        front matter, which only its parse reads, it is not cached."""
        if self.cache is None or (read.settings.companion_files and not read.settings.metadata_file):
            return None
        try:
            template = self.templates.digest(read.relpath, read.settings)
        except NoTemplate:
            return None
        if not template:
            return None  # Unreadable: the check says why.
        raw = read.source.raw
        if read.settings.metadata_file and markdown.is_markdown(read.relpath):
            sidecar = self._sidecar(read)  # Its findings are the document's.
            raw += b"\0" + (sidecar.raw if isinstance(sidecar, Source) else repr(sidecar).encode())
            if read.settings.companion_files and isinstance(sidecar, Source):
                raw += _companions_read(read, sidecar)
        return self.cache.key(read.relpath, repr(read.settings), read.enabled, template, raw)

    def _silenced(self, read: _Read) -> frozenset[str]:
        """What a file's comments silence, without its rules: parsed only
        when its text could silence anything."""
        if not may_silence(read.source.text):
            return frozenset()
        spec = self._build(read.shown, read.source)
        return frozenset() if isinstance(spec, Finding) else silenced(spec)

    def _elsewhere(self, paths: set[str]) -> dict[str, Checked]:
        """For the specs repo-level rules found something on that were not
        checked themselves (the other copy of a spec in two states): what
        they silence and their first line, read for that, and only those."""
        found: dict[str, Checked] = {}
        for path in sorted(paths):
            if path.endswith(".rst") and os.path.isfile(path):
                read, _ = self._read(Path(path))
                if read is not None:
                    found[path] = Checked([], self._silenced(read), read.source.text.split("\n", 1)[0])
        return found

    def _build(self, shown: str, source: Source) -> Spec | Document | Finding:
        """The spec model; nesting too deep for docutils is one finding."""
        if markdown.is_markdown(shown):
            from speckeeper.document.markdown.build import parse  # Only where Markdown is read.

            try:
                return parse(shown, source.text, raw=source.raw, pieces=self.pieces)
            except markdown.MarkdownUnavailable as error:
                raise ConfigError(str(error)) from None
        try:
            return build(shown, source.text, self.parser, raw=source.raw)
        except RecursionError:
            return Finding(shown, 1, 1, TOO_LARGE, "nested too deeply to parse (block quotes or lists)")

    def _markdown_findings(self, document: Document, ctx: Context, silencing: frozenset[str]) -> list[Finding]:
        """Every enabled rule that reads a Markdown document, but those its
        own ``<!-- speckeeper: ignore ... -->`` comments silence (``silencing``)."""
        quoted: dict[str, list[str]] = {document.path: document.lines}
        findings = [
            self._finding(document.path, rule.code, hit, quoted)
            for rule in rules.PER_SPEC
            if rule.code in ctx.enabled and rule.code not in silencing and rules.runs_on(rule, document)
            for hit in rule.check_spec(document, ctx)
        ]
        return sorted(dict.fromkeys(findings), key=lambda f: (f.path != document.path, f.path, f.line, f.col))

    def _finding(self, path: str, code: str, hit: Hit, quoted: dict[str, list[str]]) -> Finding:
        """A finding on the document, or on the metadata file beside it,
        with the line it is on (each file read once for that)."""
        if hit.path is not None:
            path = str(hit.path)
        if path not in quoted:
            found = read_file(Path(path), Limits(MAX_QUOTED_BYTES, 1), self.config.repo)
            quoted[path] = found.text.split("\n") if isinstance(found, Source) else []
        return Finding(path, hit.line, hit.col, code, hit.message, _line(quoted[path], hit.line), quoted=dict(hit.quoted))

    def run_rules(self, loaded: Loaded) -> list[Finding]:
        """Every rule the selection enables over one loaded spec; what its
        comments silence is the gate's to hold back (a Markdown document's
        findings on its metadata file, too, are held back here)."""
        spec, ctx = loaded.spec, loaded.ctx
        if spec.format == markdown.FORMAT:
            return self._markdown_findings(spec, ctx, loaded.silenced)
        lines = spec.lines
        findings = [
            Finding(spec.path, hit.line, hit.col, rule.code, hit.message, _line(lines, hit.line), quoted=dict(hit.quoted))
            for rule in rules.PER_SPEC
            if rule.code in ctx.enabled and rules.runs_on(rule, spec)
            for hit in rule.check_spec(spec, ctx)
        ]
        # By position; at one position, in rule and template order.
        return sorted(dict.fromkeys(findings), key=lambda f: (f.line, f.col))

    def check_tree(self, paths: Iterable[Path]) -> list[Finding]:
        """The repo-level rules, once over every file under ``paths``, each
        where the selection enables it; what the files' own comments
        silence is the gate's to hold back."""
        walked = walk_files(paths, self.config)
        known = {name: placed for name, placed in walked.files.items() if placed is not None}
        tree = Tree(self.config, tuple(walked.files), known, walked.listings, walked.regular)
        findings = set()
        for rule in rules.PER_REPO:
            for hit in rule.check_tree(tree):
                assert hit.path is not None, f"{rule.code}: a repo-level rule names the file it is about"
                if rule.code in self.enabled(tree.settings(hit.path)):
                    about = tuple(map(str, hit.about))
                    findings.add(
                        Finding(str(hit.path), hit.line, hit.col, rule.code, hit.message, _quote(tree, hit), about, dict(hit.quoted))
                    )
        return sorted(findings)


def _quote(tree: Tree, hit: Hit) -> str:
    """The line a repo-level finding is on, when it is not a spec's (a
    redirects file's): a spec's first line comes from its check."""
    if hit.path is None or hit.path.suffix == ".rst" or not hit.path.is_file():
        return ""
    lines = tree.lines(hit.path)
    return _line(lines, hit.line) if isinstance(lines, list) else ""


def _line(lines: list[str], number: int) -> str:
    return lines[number - 1] if 1 <= number <= len(lines) else ""

