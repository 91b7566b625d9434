"""``speckeeper new``: start a spec from the repo's own template, through
the copier template (with :mod:`speckeeper.copier.data`'s reading of it),
and write it where the repo's layout puts it.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from speckeeper.commands import new_markdown
from speckeeper.config import layout
from speckeeper.document import template
from speckeeper.config.detect import release_key

from speckeeper.copier.data import copier_root, questions, spec_template_data
from speckeeper.engine.check import Checker
from speckeeper.config.settings import Config, ConfigError, plain, shipped
from speckeeper.reporting.output import FORMATS
from speckeeper.document.rst.parse import RstParser
from speckeeper.files.source import Limits

def configure_new(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--release",
        metavar="RELEASE",
        help="the release; it picks the template when the configured template path names {release}",
    )
    parser.add_argument(
        "-d",
        "--data",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an answer, as copier's --data (repeatable); that question is not asked",
    )
    parser.add_argument(
        "--defaults", action="store_true", help="take the default for every question not answered with --data"
    )
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="start a Markdown document from markdown-template (the default where no RST template is configured)",
    )


def asked(settings: dict[str, Any]) -> list[str]:
    """The questions copier asks (the hidden ones, ``when: false``, are the
    template's data and the repo's settings, which ``new`` gives itself)."""
    return [
        name
        for name, question in settings.items()
        if not name.startswith("_") and not (isinstance(question, dict) and question.get("when") is False)
    ]


def parse_data(pairs: Sequence[str], known: Sequence[str], hidden: Sequence[str] = ()) -> dict[str, str]:
    """The ``--data`` answers to the questions ``known``; any other key is a
    usage error naming the nearest question (copier would drop it without a
    word). ``hidden`` are the template's settings, which ``new`` gives."""
    answers: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"--data takes KEY=VALUE, got {pair!r}")
        if key in hidden and key not in known:
            raise ConfigError(f"--data {key}: not a question; new takes it from the repo's configuration")
        if key not in known:
            from speckeeper.suggest import did_you_mean

            hint = did_you_mean(key, known, f" (the questions: {', '.join(known)})")
            raise ConfigError(f"--data {key}: no question has this name{hint}")
        answers[key] = value
    return answers


def message_after_copy(settings: dict[str, Any], answers: dict[str, Any]) -> str:
    """What ``copier copy`` says once the spec is written (its
    ``_message_after_copy``, rendered as copier renders it)."""
    from jinja2.sandbox import SandboxedEnvironment

    text = str(settings.get("_message_after_copy") or "")
    return SandboxedEnvironment().from_string(text).render(**answers).strip("\n")


def newest(releases: Sequence[str]) -> str:
    return max(releases, key=release_key)


def template_releases(root: Path, pattern: str) -> list[str]:
    """The releases that have a template file, for a path naming {release}
    (once or more: each names the same folder)."""
    field = re.escape("{release}")
    regex = re.compile(re.escape(pattern).replace(field, "(?P<release>[^/]+)", 1).replace(field, "(?P=release)"))
    found = (regex.fullmatch(p.relative_to(root).as_posix()) for p in root.glob(pattern.replace("{release}", "*")))
    return sorted({match["release"] for match in found if match}, key=release_key)


def release_folders(root: Path, spec_layout: str) -> list[str]:
    """The release folders the layout has specs in now."""
    if "{release}" not in spec_layout:
        return []
    parent = root / spec_layout.split("{release}", 1)[0]
    if not parent.is_dir():
        return []
    return sorted((p.name for p in parent.iterdir() if p.is_dir() and not p.name.startswith(".")), key=release_key)


def template_path(
    config: Config, release: str | None, project: str = "", name: str | None = None, naming: str = "say which with --data project=NAME"
) -> tuple[Path, str | None]:
    """The template file a new spec follows (``name``, the RST
    ``template`` unless given), and the release it fixes, if any; a
    template of each project's is the one of ``project`` (``naming`` says
    how a user names one)."""
    name = config.base.template if name is None else name
    if not name:
        return template.packaged_path(), None
    if "{project}" in name:
        if not project:
            raise ConfigError(f"the template {name!r} is one per project: {naming}")
        if not plain(project) or "/" in project:
            raise ConfigError(f"project {project!r} is not one folder name: nothing written")
        name = name.replace("{project}", project)
    if "{release}" not in name:
        return config.root / name, None
    releases = template_releases(config.root, name)
    if release is None:
        if not releases:
            raise ConfigError(f"no template file matches {name!r}: cannot tell which template a new spec follows")
        release = newest(releases)
    path = config.root / name.replace("{release}", release)
    if not path.is_file():
        known = ", ".join(releases) or "none"
        raise ConfigError(f"no template for release {release!r}: {path.relative_to(config.root)} does not exist (releases with one: {known})")
    return path, release


# What copier is told a release looks like when the repo has its own
# pattern: copier runs it with Python's re, which can take for ever on a
# pattern that backtracks; new() checks the release with the repo's pattern
# itself, in linear time, before writing.
ANY_RELEASE = "[A-Za-z0-9._-]+"


def repo_settings(config: Config) -> dict[str, Any]:
    """What the copier template takes from the repo's configuration."""
    settings = config.base
    pattern = settings.release_pattern
    found: dict[str, Any] = {
        "layout": settings.layout,
        "states": list(settings.states),
        "release_pattern": pattern if shipped(pattern) else ANY_RELEASE,
    }
    # The first tracker URL a new spec can fill in: one that names no {id}.
    tracker = next((url for url in settings.tracker_urls if "{id}" not in url), None)
    if tracker:
        found["tracker"] = tracker
    return found


def _copy(data: dict[str, Any], defaults: dict[str, Any], use_defaults: bool, dst: Path) -> dict[str, Any]:
    """Run copier's questions and render the spec into ``dst``; the answers."""
    import copier
    from copier.errors import CopierAnswersInterrupt, CopierError, InteractiveSessionError

    try:
        worker = copier.run_copy(
            str(copier_root()),
            dst,
            data=data,
            user_defaults=defaults,
            defaults=use_defaults,
            quiet=True,
            unsafe=False,
            overwrite=False,
        )
    except (CopierAnswersInterrupt, KeyboardInterrupt):
        raise KeyboardInterrupt from None
    except InteractiveSessionError:
        raise ConfigError("cannot ask questions without a terminal: answer them with --data KEY=VALUE and --defaults") from None
    except (CopierError, ValueError) as error:
        raise ConfigError(one_line(str(error)) or type(error).__name__) from None
    return dict(worker.answers.combined)


def one_line(message: str) -> str:
    """A validator's message, its short first line and then its details
    (what copier's prompt shows, then what it cannot), as one line."""
    lines = [" ".join(line.split()) for line in message.strip().splitlines() if line.strip()]
    if len(lines) > 1 and lines[0][-1:] not in ".:;!?":
        lines[0] += "."
    return " ".join(lines)


def _check_answers(config: Config, release: str, relpath: str) -> None:
    """What ``new`` checks itself before writing: the release against the
    repo's own pattern (copier is not given it, see ANY_RELEASE), and that
    the path copier gave is plain and relative, whatever its validators let
    through."""
    settings = config.base
    if "{release}" in settings.layout and not layout.is_release(settings.release_pattern, release):
        raise ConfigError(
            f"release {release!r} does not match release-pattern {settings.release_pattern!r}: nothing written"
        )
    if not all(plain(name) for name in relpath.split("/")):
        raise ConfigError(
            f"the answers gave the path {relpath!r}: not a relative path of plain folder names; nothing written"
        )


def is_markdown(args: argparse.Namespace, config: Config) -> bool:
    """Whether ``new`` starts a Markdown document: asked (``--markdown``),
    or the repo configures a Markdown template and no RST one."""
    wanted = bool(getattr(args, "markdown", False))
    if wanted and not config.base.markdown_template:
        raise ConfigError("--markdown: the configuration names no markdown-template to start a document from")
    return wanted or (bool(config.base.markdown_template) and not config.base.template)


def new(args: argparse.Namespace, config: Config) -> int:
    """Scaffold a spec from the repo's template, through the copier
    template; a Markdown document from the repo's Markdown template."""
    if is_markdown(args, config):
        # A Markdown document asks no project: the configuration's names it.
        found, _ = template_path(
            config, args.release, config.base.project, config.base.markdown_template, "set project in the configuration to say which"
        )
        return new_markdown.new_markdown(args, config, found, lambda known: parse_data(args.data, known))
    if not args.defaults and not (sys.stdin is not None and sys.stdin.isatty()):
        raise ConfigError("cannot ask questions without a terminal: pass --defaults, with answers as --data KEY=VALUE")
    settings = questions()
    data: dict[str, Any] = parse_data(args.data, asked(settings), [name for name in settings if not name.startswith("_")])
    said = said_project(config)
    if said:
        if data.get("project", said) != said:
            raise ConfigError(
                f"--data project={data['project']}: the repo's specs name the project {said!r}"
                f" ({_where(config)}), which the check requires: nothing written"
            )
        data["project"] = said  # Not asked: the repo says it.
    project = str(data.get("project") or config.base.project)
    path, fixed = template_path(config, args.release or data.get("release"), project)
    parser = RstParser.for_settings(config.base)
    parsed = template.parse_file(path, parser, Limits.of(config.base), config.repo)
    data["spec_template"] = spec_template_data(*parsed, parser)
    defaults: dict[str, Any] = {}
    if fixed:
        data["release"] = fixed
    elif args.release:
        data["release"] = args.release
    else:
        folders = release_folders(config.root, config.base.layout.replace("{project}", project))
        if folders:
            defaults["release"] = newest(folders)
    if config.base.project:
        defaults["project"] = config.base.project
    data.update(repo_settings(config))
    with tempfile.TemporaryDirectory(prefix="speckeeper-new-") as tmp:
        answers = _copy(data, defaults, args.defaults, Path(tmp))
        relpath = str(answers["spec_path"])
        _check_answers(config, str(answers.get("release", "")), relpath)
        rendered, target = Path(tmp) / relpath, config.root / relpath
        if not rendered.is_file():
            raise ConfigError(f"the layout {config.base.layout!r} gave {relpath!r}, which is not a spec file")
        shown = Path(os.path.relpath(target))  # Where the command runs, as every path it prints.
        if target.exists() or target.is_symlink():
            print(f"speckeeper: error: {shown} already exists; nothing written", file=sys.stderr)
            return 1
        data_written = rendered.read_bytes()
        _refuse_failing(config, shown, data_written)
        new_markdown.create(target, data_written, config.repo)
    print(message_after_copy(settings, {**answers, "spec_path": shown.as_posix()}))
    return 0


def said_project(config: Config) -> str:
    """The tracker project the repo's settings say every spec names (the
    ``project`` setting, when the layout has no ``{project}`` folder to
    name it instead); empty when any project goes."""
    return "" if "{project}" in config.base.layout else config.base.project


def _where(config: Config) -> str:
    """Where the repo says its settings: its config file, or its tree."""
    if config.source is None:
        return "as its tree says"
    return f"project in {os.path.relpath(config.source)}"


def _refuse_failing(config: Config, shown: Path, data: bytes) -> None:
    """A ConfigError, in one line, when the rendered spec would fail the
    repo's own checks at once (an answer the checks reject): nothing is
    written then."""
    checker = Checker(config)
    findings = checker.reported(checker.load(shown, data.decode("utf-8", "surrogateescape")))
    if findings:
        first = FORMATS["text"](findings[:1]).rstrip("\n")
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        raise ConfigError(f"the answers make a spec the repo's checks reject: {first}{more}; nothing written")
