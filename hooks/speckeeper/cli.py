"""The ``speckeeper`` command: parses arguments, runs a command, exits.

Exit codes: 0 clean, 1 findings, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple
from pathlib import Path

from speckeeper import __version__
from speckeeper.config.option import add_option as add_config_option, load as load_config
from speckeeper.engine import parallel
from speckeeper.errors import ConfigError
from speckeeper.reporting.printable import printable

# The settings, the rules, the checker, docutils and the output formats are
# imported by the commands that use them: a commit-message hook whose
# message is written reads no configuration, and the commit-message hooks
# and the lifecycle commands check nothing.
if TYPE_CHECKING:
    from speckeeper.config.settings import Config
    from speckeeper.engine.cache import Cache
    from speckeeper.engine.check import Gathered, Ran
    from speckeeper.engine.decide import Recorded, Selection
    from speckeeper.files.gitrepo import Staged
    from speckeeper.findings import Finding

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _codes(value: str) -> tuple[str, ...]:
    return tuple(code.strip().upper() for code in value.split(",") if code.strip())


def _groups(value: str) -> tuple[str, ...]:
    return tuple(group.strip().lower() for group in value.split(",") if group.strip())


_PATHS_HELP = "spec files or folders (default: the folder the layout keeps specs in, specs/)"


def _configure_check(parser: argparse.ArgumentParser) -> None:
    from speckeeper.reporting import output

    parser.add_argument("paths", nargs="*", metavar="PATH", help=_PATHS_HELP)
    add_config_option(parser)
    parser.add_argument(
        "--format",
        "--output-format",  # ruff's name for it
        choices=list(output.FORMATS),
        default="text",
        help=output.format_help(),
    )
    parser.add_argument(
        "--rule-docs-url",
        default="",
        metavar="URL",
        help="sarif: link each rule to its page at URL, {code} and {name} filled in (helpUri)",
    )
    parser.add_argument(
        "--fix",
        action="store_true",
        help="fix what can be fixed safely (as 'speckeeper fix' does), then report what is left;"
        " exit 1 when a file changed or anything is left (as pre-commit's fixers do)",
    )
    _add_select_options(parser)
    parser.add_argument(
        "--group",
        type=_groups,
        default=(),
        metavar="GROUPS",
        help=f"only the rules of these groups ({', '.join(_group_names())}) that would otherwise run",
    )
    _add_baseline_options(parser)
    _add_jobs_option(parser)
    parser.add_argument(
        "--cache",
        metavar="DIR",
        help="keep each file's findings in DIR (inside the repository or the user's cache folder), by content hash,"
        " and reuse them while nothing they depend on changes",
    )
    parser.add_argument(
        "--staged",
        action="store_true",
        help="check the staged specs (with no PATH named) and report only findings about what the staged commit adds,"
        " changes, moves or deletes (all, when nothing is staged)",
    )
    parser.add_argument(
        "--show-settings",
        action="store_true",
        help="print the configuration used (or what was read off the tree), each spec's template and the rules; check nothing",
    )
    parser.add_argument("--statistics", action="store_true", help="count the findings of each code, instead of listing them")
    parser.add_argument(
        "--show-source", action="store_true", help="under each finding, its line and a caret at its column (text format)"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="print the findings and nothing else: no summary, no progress")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument(
        "--output-file",
        metavar="FILE",
        help="write the findings to FILE (replaced whole; in the repository never through a link, never into .git)",
    )
    _add_color_option(parser)


def _add_select_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--select", type=_codes, default=(), metavar="CODES", help="only these codes (or prefixes)")
    parser.add_argument(
        "--extend-select", type=_codes, default=(), metavar="CODES", help="these codes too, on top of the selection"
    )
    parser.add_argument("--ignore", type=_codes, default=(), metavar="CODES", help="not these codes (or prefixes)")
    parser.add_argument(
        "--extend-ignore", type=_codes, default=(), metavar="CODES", help="not these codes either, on top of --ignore and the config's"
    )


def _selection(args: argparse.Namespace) -> Selection:
    """The command line's rule selection; :mod:`speckeeper.engine.decide` combines
    it with the configuration's."""
    from speckeeper.engine.decide import Selection

    return Selection(args.select, args.extend_select, args.ignore, getattr(args, "group", ()), args.extend_ignore)


def _add_color_option(parser: argparse.ArgumentParser) -> None:
    from speckeeper.reporting import terminal

    parser.add_argument(
        "--color",
        choices=terminal.COLOR_CHOICES,
        default="auto",
        help="colour the findings: auto (at a terminal, unless NO_COLOR is set), always, never",
    )


def _group_names() -> list[str]:
    """The rule groups, in the order of their codes; "files" runs in each."""
    from speckeeper import rules

    return [group for group in dict.fromkeys(rule.group for rule in rules.ALL) if group != "files"]


def _add_baseline_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--baseline",
        metavar="FILE",
        help="fail only on findings not recorded in FILE (default: the repo's .speckeeper-baseline.json,"
        " when it exists); list its entries that no longer occur",
    )
    group.add_argument("--no-baseline", action="store_true", help="report every finding, baseline or not")
    group.add_argument("--write-baseline", metavar="FILE", help="record today's findings in FILE, and exit 0")


def _recorded(config: Config, named: str | None, ignored: bool) -> Recorded:
    """The baseline a run honours: the file named, or else the repo's own
    (the ``baseline`` setting) when it exists; none with ``--no-baseline``."""
    path = Path(named) if named else None if ignored else config.baseline_file()
    if path is None or not (named or path.exists()):
        return ()
    from speckeeper.engine.decide import read_baseline

    return read_baseline(path)


def _add_jobs_option(parser: argparse.ArgumentParser) -> None:
    """``--jobs N``; the command reads ``args.jobs or parallel.default_jobs()``."""
    parser.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=0,
        metavar="N",
        help="work on files in N processes (default: one per CPU; 1: in this process)",
    )


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = -1
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of processes, 1 or more, got {value!r}")
    return jobs


def _paths(names: Sequence[str], config: Config) -> list[Path]:
    """The paths named, which must exist; with none, the folder the layout
    keeps specs in (``specs/``), not every .rst of the tree."""
    if not names:
        top = config.root / config.base.layout.split("{", 1)[0]
        return [Path(os.path.relpath(top))] if top != config.root and top.is_dir() else [Path(".")]
    paths = [Path(name) for name in names]
    missing = [p for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise ConfigError(f"no such file or folder: {missing[0]}")
    return paths


def run_check(args: argparse.Namespace) -> int:
    from speckeeper.engine.check import Checker
    from speckeeper.engine.decide import Gate, validate
    from speckeeper.findings import by_path
    from speckeeper.reporting import terminal

    config = load_config(args.config, args.paths)
    selection = _selection(args)
    validate(config, selection)
    recorded = () if args.write_baseline else _recorded(config, args.baseline, args.no_baseline)
    paths = _paths(args.paths, config)
    if args.show_settings:
        from speckeeper.commands import explain

        sys.stdout.write(explain.settings(config, selection, paths))
        return EXIT_CLEAN
    jobs = args.jobs or parallel.default_jobs()
    _check_output_options(args, config)
    commit = _commit() if args.staged else None
    touched = commit.touched() if commit is not None else None
    if touched and not args.paths:
        # Typed by hand, as the hook would be run: the staged specs, not
        # the whole folder (which a legacy spec's fix would rewrite).
        paths = _staged_specs(touched, paths)
    specs = _named_specs(paths) if args.staged and (args.paths or touched) else paths
    ran: dict[str, Ran] = {}  # What the fix found in the specs it left as they were.
    changed = _fix_first(args, config, selection, specs, recorded, ran) if args.fix and specs else False
    if touched is not None and args.fix and ran:
        _keep_facts(config, ran, touched)
    cache = None
    if args.cache:
        from speckeeper.engine.cache import open_cache  # hashlib, hmac and json: only for --cache.

        cache = open_cache(Path(args.cache), config.repo)
    with terminal.Progress("checking", not args.quiet and terminal.shows_progress(sys.stderr)) as progress:
        if args.staged:
            gathered = _check_staged(config, selection, cache, ran, specs, jobs, progress)
        else:
            gathered = Checker(config, selection, cache, ran=ran).gather(paths, jobs=jobs, progress=progress)
    verdict = Gate(config, selection, recorded).decide(gathered.findings, gathered.silencing, paths, touched)
    findings = sorted(verdict.reported, key=by_path)
    if args.write_baseline:
        return _write_baseline(Path(args.write_baseline), findings, config)
    for entry in [] if args.quiet else verdict.stale:
        print(
            f"{printable(entry.path)}: {entry.code} {printable(entry.message)}"
            " (in the baseline, no longer found)",
            file=sys.stderr,
        )
    if verdict.stale and not args.quiet:
        entries = "entry no longer occurs" if len(verdict.stale) == 1 else "entries no longer occur"
        print(f"{len(verdict.stale)} baseline {entries}: write the baseline again to drop them", file=sys.stderr)
    _report(args, findings, config)
    if findings and args.format == "text" and not args.quiet:
        files = len({f.path for f in findings})
        print(f"{len(findings)} finding(s) in {files} file(s)", file=sys.stderr)
    if commit is not None and args.fix and not (findings or changed) and _as_commit_msg_reads(args, commit):
        # The commit goes on to its message: what commit-msg will find, for it.
        from speckeeper.commands.commitmsg import keep_settled

        keep_settled(config, commit.top, commit.staged)
    return EXIT_FINDINGS if (findings or changed) and not args.exit_zero else EXIT_CLEAN


def _as_commit_msg_reads(args: argparse.Namespace, commit: _Commit) -> bool:
    """Whether this run read the configuration commit-msg will: the one
    that governs the work tree's top, where git runs its hooks (no
    ``--config``, and run from there)."""
    try:
        return not args.config and os.path.samefile(os.getcwd(), commit.top)
    except OSError:
        return False


def _staged_specs(touched: list[Path], folders: list[Path]) -> list[Path]:
    """Of the files a commit touches, those still there under ``folders``
    (the specs folder), as a commit hook would name them."""
    tops = [Path(os.path.abspath(folder)) for folder in folders]
    here = [path for path in touched if path.is_file() and any(Path(os.path.abspath(path)).is_relative_to(top) for top in tops)]
    return [Path(os.path.relpath(path)) for path in here]


def _named_specs(paths: list[Path]) -> list[Path]:
    """Of the files a commit hook names (everything it stages under
    ``specs/``), the specs and folders: a redirects file or a picture is
    the folder-level rules' business, and parsed by none."""
    return [path for path in paths if path.suffix == ".rst" or path.is_dir()]


def _check_staged(
    config: Config,
    selection: Selection,
    cache: Cache | None,
    ran: dict[str, Ran],
    specs: list[Path],
    jobs: int,
    progress: parallel.Progress,
) -> Gathered:
    """``check --staged``: each spec's rules over ``specs``; the
    folder-level (lifecycle) rules over the whole folder the layout keeps
    specs in, reading no spec but those a finding is about. One hook
    (``check --fix --staged``) thus does what the separate lifecycle hook
    did, and a commit of a redirects file alone parses nothing. A spec
    in ``ran`` (the fix before it left it as it was) is not parsed again."""
    from speckeeper.engine.check import Checker, Gathered

    wanted = selection.groups or tuple(_group_names())
    each = selection._replace(groups=tuple(group for group in wanted if group != "lifecycle"))
    gathered = Checker(config, each, cache, ran=ran).gather(specs, jobs, progress) if specs and each.groups else Gathered([], {})
    if "lifecycle" in wanted:
        folders = Checker(config, selection._replace(groups=("lifecycle",))).gather_folders(_paths([], config))
        gathered = Gathered(gathered.findings + folders.findings, {**gathered.silencing, **folders.silencing})
    return gathered


def _check_output_options(args: argparse.Namespace, config: Config) -> None:
    """Refuse, before any file is read, what the run would refuse at its end."""
    if args.statistics and args.format not in ("text", "json"):
        raise ConfigError("--statistics counts in the text or json format, not " + args.format)
    if args.show_source and (args.format != "text" or args.statistics):
        raise ConfigError("--show-source shows lines in the text format's list of findings")
    if args.fix and args.write_baseline:
        raise ConfigError("--fix changes specs, --write-baseline records them as they are: one or the other")
    if not (args.write_baseline or args.output_file):
        return
    from speckeeper.files.atomic import Refused, may_write, may_write_where_told  # shutil and its archivers: only to write.

    # Said as the write itself would say it.
    try:
        if args.write_baseline:
            may_write(Path(args.write_baseline), config.repo)
    except Refused as reason:
        raise ConfigError(f"{args.write_baseline}: cannot write the baseline: {reason}") from None
    try:
        if args.output_file:
            may_write_where_told(Path(args.output_file), config.repo)
    except Refused as reason:
        raise ConfigError(f"--output-file {args.output_file}: {reason}") from None


def _fix_first(
    args: argparse.Namespace, config: Config, selection: Selection, paths: list[Path], recorded: Recorded, ran: dict[str, Ran]
) -> bool:
    """``check --fix``: what ``speckeeper fix`` does, on stderr (stdout is the
    findings' format); True when a file changed. What could not be fixed is
    left for the check that follows to report; what the rules found in a
    file with nothing to fix, in ``ran``, for the check to reuse."""
    import io

    from speckeeper.fixing import fix  # Only with --fix: a check does without.
    from speckeeper.reporting import terminal

    notes = io.StringIO() if args.quiet else sys.stderr
    # As a commit hook (--staged) it says what it fixed, as the fix hook
    # did: the commit stops on a file it changed, and the author sees why.
    fixed = notes if args.staged else io.StringIO()
    with terminal.Progress("fixing", not args.quiet and terminal.shows_progress(sys.stderr)) as progress:
        how = fix.How(True, False, args.jobs or parallel.default_jobs(), selection, recorded, args.color, progress, quiet_problems=True, facts=args.staged)
        return fix.run(config, paths, how, out=notes, err=fixed, ran=ran)


def _keep_facts(config: Config, ran: dict[str, Ran], touched: list[Path]) -> None:
    """A commit hook's fix parsed the staged specs: what the
    commit-message hooks read of each the commit touches is kept for them,
    so that they parse none (see message_facts). Nothing staged (CI's
    ``--all-files``): no commit message follows, nothing is kept."""
    from speckeeper.document.message_facts import FactsStore

    store = FactsStore.default(config.base)
    staged = {os.path.realpath(path) for path in touched}
    kept = {
        store.key(path, config.for_path(config.relpath(Path(path))).api_impact_section, found.raw): found.facts
        for path, found in ran.items()
        if found.facts is not None and os.path.realpath(path) in staged
    }
    if kept:
        store.keep(kept)


def _report(args: argparse.Namespace, findings: list[Finding], config: Config) -> None:
    """The findings in the format asked for, to stdout (in colour where
    the terminal and ``--color`` say so) or to ``--output-file``."""
    from speckeeper.reporting import output, terminal

    if args.statistics:
        parts = [(output.statistics_json(findings) if args.format == "json" else output.statistics_text(findings), "")]
    elif args.format == "text":
        parts = output.segments(findings, args.show_source)
    else:
        shown = output.from_top(findings, config.repo) if args.format in output.FROM_TOP else findings
        report = output.FORMATS[args.format].write
        parts = [(output.sarif(shown, args.rule_docs_url) if report is output.sarif else report(shown), "")]
    if args.output_file:
        _write_output_file(Path(args.output_file), output.plain(parts), config)
        return
    terminal.write(parts, sys.stdout, args.format == "text" and terminal.wants_color(args.color, sys.stdout))
    sys.stdout.flush()


def _write_output_file(path: Path, text: str, config: Config) -> None:
    from speckeeper.files.atomic import write_where_told, writing

    with writing(f"--output-file {path}"):
        write_where_told(path, text.encode("utf-8", "surrogateescape"), config.repo)


class _Commit(NamedTuple):
    """What git has staged (a hook's commit), and the work tree's top."""

    staged: Staged
    top: Path

    def touched(self) -> list[Path]:
        """The files the commit touches: only findings about them are reported."""
        return [self.top / path for path in self.staged.touched()]


def _commit() -> _Commit | None:
    """The staged commit, when git has anything staged; None otherwise
    (CI: every finding is reported)."""
    from speckeeper.files import gitrepo  # subprocess: only for --staged.

    # The top first: outside a work tree, git says so (its diff would
    # complain of --cached instead).
    top = Path(gitrepo.git("rev-parse", "--show-toplevel").decode("utf-8", "surrogateescape").strip())
    staged = gitrepo.staged()
    return _Commit(staged, top) if staged.changes else None


def _write_baseline(path: Path, findings: list[Finding], config: Config) -> int:
    from speckeeper.engine import baseline

    count = baseline.write(path, findings, config)
    print(f"wrote {count} finding(s) to the baseline {printable(str(path))}", file=sys.stderr)
    return EXIT_CLEAN


def _configure_baseline(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help=_PATHS_HELP)
    add_config_option(parser)
    _add_jobs_option(parser)


def run_baseline(args: argparse.Namespace) -> int:
    """Record today's findings, every rule the configuration enables, in
    the repo's baseline file."""
    from speckeeper.engine.check import Checker
    from speckeeper.engine.decide import Selection, validate

    config = load_config(args.config, args.paths)
    validate(config, Selection())
    path = config.baseline_file()
    if path is None:
        raise ConfigError("the configuration names no baseline file (baseline = \"\")")
    findings = Checker(config).check(_paths(args.paths, config), jobs=args.jobs or parallel.default_jobs())
    return _write_baseline(Path(os.path.relpath(path)), findings, config)


def _configure_init(parser: argparse.ArgumentParser) -> None:
    from speckeeper.commands import init

    init.configure(parser)
    _add_jobs_option(parser)


def run_init(args: argparse.Namespace) -> int:
    from speckeeper.commands import init  # Only for this command.

    return init.run(args, args.jobs, lambda config: _paths([], config))


def _configure_fix(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help=_PATHS_HELP)
    add_config_option(parser)
    parser.add_argument("--diff", action="store_true", help="show what would change as a diff; write nothing")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a spec would change")
    parser.add_argument(
        "--no-baseline", action="store_true", help="fix every fixable finding, those the baseline records too"
    )
    _add_select_options(parser)
    _add_jobs_option(parser)
    _add_color_option(parser)


def run_fix(args: argparse.Namespace) -> int:
    """Exit 1 when a file changed (or would), or could not be fixed."""
    from speckeeper.engine.decide import validate

    config = load_config(args.config, args.paths)
    selection = _selection(args)
    validate(config, selection)
    paths = _paths(args.paths, config)
    recorded = _recorded(config, None, args.no_baseline)
    from speckeeper.fixing import fix  # Only for this command: a check does without.
    from speckeeper.reporting import terminal

    jobs = args.jobs or parallel.default_jobs()
    write = not (args.check or args.diff)
    with terminal.Progress("fixing", terminal.shows_progress(sys.stderr)) as progress:
        how = fix.How(write, args.diff, jobs, selection, recorded, args.color, progress)
        changed = fix.run(config, paths, how)
    sys.stdout.flush()
    return EXIT_FINDINGS if changed else EXIT_CLEAN


def _configure_rules(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "codes",
        nargs="*",
        type=lambda value: value.strip().upper(),
        metavar="CODE",
        help="a code shows that rule in full; a prefix (SK1) lists those rules, as --select SK1 selects them",
    )
    parser.add_argument(
        "--format",
        choices=("text", "markdown"),
        default="text",
        help="markdown: the docs' rule tables, or the pages of the codes named",
    )


def run_rules(args: argparse.Namespace) -> int:
    from speckeeper import rules  # Only for this command.
    from speckeeper.rules import docs as ruledocs

    for code in args.codes:
        if not any(rule.code.startswith(code) for rule in rules.ALL):
            raise ConfigError(f"unknown rule code {code!r} (see 'speckeeper rules')")
    full = [rules.BY_CODE[code] for code in args.codes if code in rules.BY_CODE]
    listed = [rule for rule in rules.ALL if not args.codes or any(rule.code.startswith(code) for code in args.codes)]
    if full and len(full) == len(args.codes):
        render = ruledocs.markdown_page if args.format == "markdown" else ruledocs.page
        pages = [render(rule) for rule in full]
        sys.stdout.write("\n".join(pages))
    elif args.format == "markdown":
        sys.stdout.write(ruledocs.tables(listed))
    else:
        sys.stdout.write(ruledocs.listing(listed))
    return EXIT_CLEAN


# ``new`` and ``export-template`` import copier's data (and so PyYAML), the
# commit-message hooks commitmsg (and so subprocess), only when they run: a
# one-file check must not pay for them.


def _configure_new(parser: argparse.ArgumentParser) -> None:
    from speckeeper.commands import new

    new.configure_new(parser)
    add_config_option(parser)


def run_new(args: argparse.Namespace) -> int:
    from speckeeper.commands import new

    return new.new(args, load_config(args.config))


def _configure_export(parser: argparse.ArgumentParser) -> None:
    from speckeeper.copier import data as copier_data

    copier_data.configure_export(parser)


def run_export(args: argparse.Namespace) -> int:
    from speckeeper.copier import data as copier_data

    return copier_data.run_export(args)


def _configure_prepare(parser: argparse.ArgumentParser) -> None:
    from speckeeper.commands import commitmsg

    commitmsg.configure_prepare(parser)


def run_prepare(args: argparse.Namespace) -> int:
    from speckeeper.commands import commitmsg

    return commitmsg.run_prepare(args)


def _configure_commit_msg(parser: argparse.ArgumentParser) -> None:
    from speckeeper.commands import commitmsg

    commitmsg.configure_commit_msg(parser)


def run_commit_msg(args: argparse.Namespace) -> int:
    from speckeeper.commands import commitmsg

    return commitmsg.run_commit_msg(args)


def _configure_move(parser: argparse.ArgumentParser) -> None:
    from speckeeper.commands import move

    move.configure_move(parser)
    add_config_option(parser)


def run_move(args: argparse.Namespace) -> int:
    from speckeeper.commands import move

    return move.run_move(args)


def _configure_abandon(parser: argparse.ArgumentParser) -> None:
    from speckeeper.commands import move

    move.configure_abandon(parser)
    add_config_option(parser)


def run_abandon(args: argparse.Namespace) -> int:
    from speckeeper.commands import move

    return move.run_abandon(args)


def _configure_repropose(parser: argparse.ArgumentParser) -> None:
    from speckeeper.commands import repropose

    repropose.configure_repropose(parser)
    add_config_option(parser)


def run_repropose(args: argparse.Namespace) -> int:
    from speckeeper.commands import repropose

    return repropose.run_repropose(args)


def _configure_status(parser: argparse.ArgumentParser) -> None:
    from speckeeper.commands import status

    status.configure_status(parser)
    add_config_option(parser)
    _add_jobs_option(parser)


def run_status(args: argparse.Namespace) -> int:
    from speckeeper.commands import status

    return status.run_status(args)


def _configure_review(parser: argparse.ArgumentParser) -> None:
    from speckeeper.commands import review

    review.configure(parser)
    add_config_option(parser)


def run_review(args: argparse.Namespace) -> int:
    from speckeeper.commands import review

    return review.run(args)


def _configure_lsp(parser: argparse.ArgumentParser) -> None:
    add_config_option(parser)
    parser.add_argument(
        "--no-baseline", action="store_true", help="show every finding, those the repo's baseline records too"
    )
    parser.add_argument(
        "--rule-docs-url",
        default="",
        metavar="URL",
        help="link each finding's code to URL, with {code} and {name} filled in (e.g. your copy of the docs)",
    )


def run_lsp(args: argparse.Namespace) -> int:
    """The language server, over stdin and stdout, until the client stops it."""
    try:
        from speckeeper.lsp import server  # pygls and lsprotocol: the lsp extra, only for this command.
    except ImportError as error:
        raise ConfigError(f"speckeeper lsp needs pygls and lsprotocol ({error}): pip install 'speckeeper[lsp]'") from None
    return server.serve(server.Options(args.config, not args.no_baseline, args.rule_docs_url))


def _configure_completion(parser: argparse.ArgumentParser) -> None:
    from speckeeper.commands import completion

    completion.configure(parser)


def run_completion(args: argparse.Namespace) -> int:
    from speckeeper.commands import completion

    return completion.run(args, build_parser)


Command = tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int], str]

COMMANDS: dict[str, Command] = {
    "check": (_configure_check, run_check, "check specs against their template and rules"),
    "rules": (_configure_rules, run_rules, "list the rules, or show some in full"),
    "fix": (_configure_fix, run_fix, "fix what the fixable rules find, keeping each spec's meaning"),
    "baseline": (_configure_baseline, run_baseline, "record today's findings in the repo's baseline, so only new ones fail"),
    "init": (
        _configure_init,
        run_init,
        "write a first .speckeeper.toml from what the tree says, and count what the first check finds",
    ),
    "new": (_configure_new, run_new, "start a spec or a Markdown document from the repo's template, asking its questions"),
    "export-template": (_configure_export, run_export, "write the copier template's data read from a template .rst"),
    "move": (_configure_move, run_move, "move a spec to another state or release, with its redirect"),
    "repropose": (
        _configure_repropose,
        run_repropose,
        "copy a spec into the next release, brought to its template, with a History row",
    ),
    "abandon": (_configure_abandon, run_abandon, "move a spec to the abandoned folder, with its redirect"),
    "status": (_configure_status, run_status, "count specs per release and state, how many pass, what they lack"),
    "review": (_configure_review, run_review, "what a change does to each spec against its template, for its reviewer"),
    "lsp": (_configure_lsp, run_lsp, "run the language server (stdio): checks, fixes and template guidance in an editor"),
    "prepare-commit-msg": (
        _configure_prepare,
        run_prepare,
        "git hook: start the message of a commit adding one spec from its title and introduction",
    ),
    "commit-msg": (
        _configure_commit_msg,
        run_commit_msg,
        "git hook: fail when a spec with a REST API impact is committed without APIImpact",
    ),
    "completion": (_configure_completion, run_completion, "write a bash, zsh or fish completion script (needs speckeeper[completion])"),
}


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help, as wide as the terminal, measured as ``shutil``
    measures it without importing it (with bz2, lzma and fnmatch, 2.5 ms of
    a run): a parser makes a formatter for every argument it is given, to
    check its metavar, though a run rarely prints help."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if len(args) < 4 and kwargs.get("width") is None:
            kwargs["width"] = _columns() - 2  # As argparse narrows the terminal's width.
        super().__init__(*args, **kwargs)


def _columns() -> int:
    """``shutil.get_terminal_size().columns``: $COLUMNS, else the
    terminal's, else 80."""
    with contextlib.suppress(KeyError, ValueError):
        if (columns := int(os.environ["COLUMNS"])) > 0:
            return columns
    stdout = sys.__stdout__
    with contextlib.suppress(ValueError, OSError):  # Not a terminal, or closed.
        if stdout is not None:
            return os.get_terminal_size(stdout.fileno()).columns or 80
    return 80


def build_parser(command: str | None = None, alone: bool = False, bare: bool = False) -> argparse.ArgumentParser:
    """The parser; given the command about to run, only its options are set
    up (the others' cost imports that command would not use), and with
    ``alone`` only it is a subcommand: what the top-level help lists, no
    other (each costs a parser; a hook's run is a few of them). ``bare``:
    no command's options, for a run that names no command (``--version``,
    ``--help``: the commands' names and help are all they show)."""
    parser = argparse.ArgumentParser(
        prog="speckeeper",
        description="Keep OpenStack-style design specs conformant to their template.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"speckeeper {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, (configure, _, help_text) in COMMANDS.items():
        if alone and name != command:
            continue
        subparser = sub.add_parser(name, help=help_text, description=help_text, formatter_class=_HelpFormatter)
        if name == command or (command is None and not bare):
            configure(subparser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _never_fail_to_print()
    # The first word that is not an option names the command (there are no
    # options before it but --help).
    command = next((word for word in argv if not word.startswith("-")), None)
    if command is not None and command not in COMMANDS:
        print(f"speckeeper: error: {_unknown_command(command)}", file=sys.stderr)
        return EXIT_USAGE
    # The command first (as hooks and most people run it): nothing can ask
    # for the top-level help, which lists every command.
    parser = build_parser(command, alone=bool(argv) and argv[0] == command, bare=command is None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed the usage error.
        return int(exit_.code or 0)
    try:
        code = COMMANDS[args.command][1](args)
        if not sys.stdout.closed:  # The language server's transport closes it.
            sys.stdout.flush()  # Here, where a failure is reported, not at exit.
        return code
    except ConfigError as error:
        print(f"speckeeper: error: {printable(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # The reader (``| head``) went away: stop quietly.
        _drop_stdout()
        return EXIT_FINDINGS
    except OSError as error:
        if error.filename is not None or error.errno not in _WRITE_ERRORS:
            raise  # A file's own failure: its command reports those.
        _drop_stdout()
        with contextlib.suppress(OSError):  # Standard error may be full too.
            print(f"speckeeper: error: cannot write to standard output: {error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE


# How writing to a stream fails (a full disk, a device error, a quota, a
# file too large); a file speckeeper opens by name fails with its name.
_WRITE_ERRORS = frozenset(
    getattr(errno, name) for name in ("ENOSPC", "EIO", "EFBIG", "EDQUOT", "EPIPE") if hasattr(errno, name)
)


def _drop_stdout() -> None:
    """Send what is still buffered for standard output nowhere, so that
    Python's flush at exit does not fail again ("Exception ignored"), as
    Python's documentation on SIGPIPE advises."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _unknown_command(word: str) -> str:
    """One line, as git says it: the nearest command, or the list of them."""
    from speckeeper.suggest import did_you_mean  # difflib: only for a mistyped command.

    hint = did_you_mean(word, COMMANDS, " (see 'speckeeper --help')")
    return f"'{printable(word)}' is not a speckeeper command{hint}"


def _never_fail_to_print() -> None:
    """What cannot be encoded for the terminal (a file name's stray byte
    under ``PYTHONIOENCODING=ascii``) is printed as an escape, not raised."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")
