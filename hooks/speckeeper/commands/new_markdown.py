"""``speckeeper new`` for a Markdown process: a document started from the
repo's own Markdown template, its metadata asked for as the template's
metadata implies it.

The questions are the keys of the template's metadata (a KEP template's
``kep.yaml``, a MADR template's front matter), each validated as the
metadata rules check it (:func:`speckeeper.rules.metadata.problems`):
allowed values offered as choices, a date a real one written
``yyyy-mm-dd``, a handle a handle, the template's own example or ``TBD``
refused; a key ``metadata-required`` names must be answered. The document
is the template's text with its title's placeholders filled in (``KEP-NNNN:
Your short, descriptive title``), the metadata in its front matter or the
file beside it, written where ``markdown-layout`` puts it, and only once
the repo's checks pass it.

Not through copier, as a reStructuredText spec is: copier's questions are
fixed in its ``copier.yml``, and these are the repo's (its template's
metadata), and the document is the repo's template, which copier cannot
read from the destination.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from speckeeper.config import layout
from speckeeper.config.settings import Config, ConfigError, Settings, plain
from speckeeper.document import markdown
from speckeeper.document.markdown.build import parse
from speckeeper.document.markdown_template import load as load_template
from speckeeper.document.template import Template
from speckeeper.engine.check import Checker
from speckeeper.files.atomic import create_file, writing
from speckeeper.files.source import Limits, read_small_file
from speckeeper.reporting.output import FORMATS
from speckeeper.rules.metadata import Field, problems, schema_of, slug

TITLE = "title"
_NUMBER_PLACEHOLDER = re.compile(r"N{3,}")
_FIELD = re.compile(r"\{([^{}/]+)\}")
_MAX_ANSWER = 1_000  # Characters: an answer is a line of metadata.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Question:
    """One thing ``new`` asks: a metadata key (or the title, where the
    metadata has none), with what its answer must be."""

    name: str
    help: str
    field: Field | None = None  # None: the title of a process whose metadata has none.
    default: str = ""
    required: bool = False

    @property
    def choices(self) -> tuple[str, ...]:
        """The only answers there are (a closed list of allowed values)."""
        if self.field is not None and self.field.kind == "choices" and not self.field.open:
            return self.field.choices
        return ()

    def value(self, answer: str) -> object:
        """The answer as the metadata's value (None: the key is left out)."""
        text = answer.strip()
        if not text:
            return None
        kind = self.field.kind if self.field is not None else ""
        if kind == "list":
            return [item.strip() for item in text.split(",") if item.strip()]
        if kind == "number" and text.isdigit():
            return int(text)
        if kind == "date" and _real_date(text):
            return datetime.date.fromisoformat(text)  # Written as a date: unquoted.
        if kind == "example" and self.field is not None and isinstance(self.field.example, (bool, int, float)):
            import yaml  # What copier brings; the answer read as the template's scalar is.

            try:
                return yaml.safe_load(text)
            except (yaml.YAMLError, RecursionError):  # Not a scalar: the text, which the check refuses.
                return text
        return text

    def problem(self, answer: str, settings: Settings) -> str:
        """What is wrong with ``answer`` ("" where nothing is): as the
        metadata rules would report it once written."""
        if len(answer) > _MAX_ANSWER or _CONTROL.search(answer):
            return f"{self.name}: one line of at most {_MAX_ANSWER:,} characters, without control characters"
        value = self.value(answer)
        if value is None or value == []:
            return f"{self.name}: give a value (it is required)" if self.required else ""
        if self.field is None:
            return ""
        if self.field.kind == "example" and isinstance(self.field.example, bool) and not isinstance(value, bool):
            return f"{self.name}: true or false"
        schema = Field("mapping", keys={self.name: self.field})
        found = next(iter(problems({self.name: value}, schema, settings)), None)
        return found.message if found is not None else ""


def _real_date(text: str) -> bool:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) is None:
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Plan:
    """What the template asks: the questions, and the template's values
    kept as they are (nested metadata its process keeps, a milestone)."""

    questions: tuple[Question, ...]
    kept: Mapping[str, object]
    order: tuple[str, ...]  # The template's keys, as it orders them.


def plan(template: Template, settings: Settings, today: datetime.date) -> Plan:
    """The questions the template's metadata implies, in its order (the
    title first where the metadata has none)."""
    schema = schema_of(dict(template.metadata), settings)
    asked: list[Question] = []
    kept: dict[str, object] = {}
    if TITLE not in schema.keys:
        asked.append(Question(TITLE, "The document's title, one line", required=True))
    for name, field in schema.keys.items():
        question = _question(name, field, settings, today)
        if question is not None:
            asked.append(question)
        elif name in settings.metadata_kept_examples:
            kept[name] = field.example
    return Plan(tuple(asked), kept, tuple(schema.keys))


def _question(name: str, field: Field, settings: Settings, today: datetime.date) -> Question | None:
    """The question for one key; None for nested metadata (a mapping, a
    list of mappings), which is the template's where it is kept, else
    left for the author to write."""
    required = name in settings.metadata_required
    kept = name in settings.metadata_kept_examples
    if field.kind == "mapping" or (field.kind == "list" and (field.items is None or field.items.kind in ("mapping", "list"))):
        return None
    if field.kind == "list":
        assert field.items is not None
        like = f", like {field.items.example!r}" if field.items.kind == "handle" else ""
        return Question(name, f"{name}: a list, separated by commas{like}", field, required=required)
    if field.kind == "choices":
        open_ = " (or another)" if field.open else ""
        return Question(name, f"{name}: one of {', '.join(field.choices)}{open_}", field, field.choices[0], required)
    if field.kind == "date":
        return Question(name, f"{name}: a date, yyyy-mm-dd", field, today.isoformat(), required)
    if field.kind == "handle":
        return Question(name, f"{name}: a handle, like {field.example!r}", field, required=required)
    if field.kind == "number":
        return Question(name, f"{name}: a number", field, required=required)
    example = field.example
    if isinstance(example, str) and example.strip().startswith("{"):
        return Question(name, f"{name}: {example.strip().strip('{} ')}", field, required=required)
    default = "" if example is None or not kept else str(example).lower() if isinstance(example, bool) else str(example)
    return Question(name, f"{name}: like {example!r}" if not kept else name, field, default, required)


def answer_all(
    questions: Sequence[Question],
    given: Mapping[str, str],
    settings: Settings,
    ask: Callable[[Question], str] | None,
) -> dict[str, str]:
    """Every question's answer: given (``--data``), else asked (``ask``),
    else its default; ConfigError for a given or default answer that is
    wrong, or a required one without any."""
    answers: dict[str, str] = {}
    for question in questions:
        if question.name in given:
            answer = given[question.name]
        elif ask is not None:
            answer = ask(question)
        else:
            answer = question.default
            if not answer and question.required:
                raise ConfigError(f"{question.name} has no default: give it with --data {question.name}=VALUE")
        why = question.problem(answer, settings)
        if why:
            raise ConfigError(f"--data {question.name}: {why}" if question.name in given else why)
        answers[question.name] = answer
    return answers


def prompt(settings: Settings) -> Callable[[Question], str]:
    """Ask at the terminal, as copier does (questionary, which copier
    brings), each answer validated before the next question."""
    import questionary

    def ask(question: Question) -> str:
        if question.choices:
            chosen = questionary.select(question.help, choices=list(question.choices), default=question.default or None)
            return str(chosen.unsafe_ask())
        typed = questionary.text(
            question.help, default=question.default, validate=lambda text: question.problem(text, settings) or True
        )
        return str(typed.unsafe_ask())

    return ask


def metadata(plan_: Plan, answers: Mapping[str, str]) -> dict[str, object]:
    """The document's metadata, in the template's order: each answer
    given, each kept value."""
    values = dict(plan_.kept)
    for question in plan_.questions:
        if question.field is not None:
            values[question.name] = question.value(answers[question.name])
    return {name: values[name] for name in plan_.order if values.get(name) not in (None, [])}


def as_yaml(data: Mapping[str, object]) -> str:
    """The metadata as YAML, a list's items indented under their key (as
    the processes' own files write them)."""
    import yaml

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
            super().increase_indent(flow, False)

    return yaml.dump(dict(data), Dumper=Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)


def fill_title(title: str, answer: str, number: str, settings: Settings) -> str:
    """The template's title with each placeholder filled: ``NNNN`` with
    the document's number (where it has one), any other with the answer;
    the answer alone where the title has no placeholder."""
    spans = sorted(
        (match.start(), match.end())
        for regex in settings.heading_placeholders
        for match in re.finditer(regex, title)
        if match.end() > match.start()
    )
    if not spans:
        return answer
    parts, at = [], 0
    for start, end in spans:
        if start < at:
            continue  # Overlaps one already filled.
        placeholder = title[start:end]
        parts += [title[at:start], number if number and _NUMBER_PLACEHOLDER.fullmatch(placeholder) else answer]
        at = end
    parts.append(title[at:])
    return "".join(parts)


def document_text(template_text: str, title_line: int, title: str, front_matter: str | None) -> str:
    """The template's text with its title line's heading text ``title``
    (its marks kept) and its front matter replaced (None: no front matter)."""
    lines = template_text.split("\n")
    row = lines[title_line - 1]
    marks = re.match(r" {0,3}#{1,6}[ \t]+", row)
    lines[title_line - 1] = (marks.group(0) if marks else "") + title
    body = "\n".join(lines)
    end = _front_matter_end(lines)
    if end:
        body = "\n".join(lines[end:])
    return body if front_matter is None else f"---\n{front_matter}---\n{body}"


def _front_matter_end(lines: list[str]) -> int:
    """How many lines the front matter takes, its fences too (0: none)."""
    if not lines or lines[0].rstrip() != "---":
        return 0
    for index, line in enumerate(lines[1:], 2):
        if line.rstrip() in ("---", "..."):
            return index
    return 0


def next_number(folder: Path, name: str) -> str:
    """The next free ``{number}`` for a file or folder named as ``name``
    (``{number}-{slug}.md``) in ``folder``: one past the highest there,
    zero-padded as they are (4 digits at least)."""
    before, _, after = name.partition("{number}")
    regex = re.compile(re.escape(before) + r"(\d+)" + re.escape(after.split("{", 1)[0]))
    found = []
    try:
        names = [entry.name for entry in os.scandir(folder)]
    except OSError:
        names = []
    for entry in names:
        match = regex.match(entry)
        if match:
            found.append(match.group(1))
    width = max([4, *map(len, found)])
    return str(max((int(n) for n in found), default=0) + 1).zfill(width)


def target(config: Config, settings: Settings, template: Path, data: Mapping[str, object], title: str) -> tuple[str, str]:
    """Where the document goes (from the repo's top), and its number
    (``{number}``; "" where the layout has none); ConfigError where a
    value would not make a plain relative path."""
    pattern = layout.markdown_layout(settings.markdown_layout, config.relpath(template))
    if settings.project:  # One folder name: new's template_path has made sure.
        pattern = pattern.replace("{project}", settings.project)
    values = {name: str(value).strip() for name, value in data.items() if not isinstance(value, (dict, list))}
    values["slug"] = slug(title)
    number = ""
    if "{number}" in pattern:
        head, _, _ = pattern.partition("{number}")
        folder, _, name_start = head.rpartition("/")
        rest = pattern[len(head) :].split("/", 1)[0]
        number = next_number(config.root / folder, name_start + rest)
        values["number"] = number
    for name in _FIELD.findall(pattern):
        value = values.get(name, "")
        if not value:
            why = "the title has no letter or digit" if name == "slug" else "no answer gives it"
            raise ConfigError(f"markdown-layout {pattern!r} names {{{name}}}: {why}; nothing written")
        if not plain(value) or "/" in value:
            raise ConfigError(f"{name} {value!r} names a folder or file, and is not a plain name; nothing written")
    relpath = _FIELD.sub(lambda match: values[match.group(1)], pattern)
    if not all(plain(part) for part in relpath.split("/")) or not markdown.is_markdown(relpath):
        raise ConfigError(f"the answers gave the path {relpath!r}: not a relative path of plain names to a .md file; nothing written")
    return relpath, number


def new_markdown(
    args: argparse.Namespace, config: Config, template_file: Path, given: Callable[[Sequence[str]], dict[str, str]]
) -> int:
    """Start a Markdown document from the repo's Markdown template;
    ``given`` reads the ``--data`` answers to the questions it is told."""
    if not args.defaults and not (sys.stdin is not None and sys.stdin.isatty()):
        raise ConfigError("cannot ask questions without a terminal: pass --defaults, with answers as --data KEY=VALUE")
    relpath = config.relpath(template_file)
    settings = config.for_path(relpath)
    raw = read_small_file(template_file, Limits.of(settings).max_bytes, "Markdown template", "the template")
    text = raw.decode("utf-8", "surrogateescape")
    template = load_template(template_file, text, settings)
    parsed = parse(str(template_file), text)
    if not parsed.titles:
        raise ConfigError(f"{relpath}: the template has no # title for a new document to fill in")
    plan_ = plan(template, settings, datetime.date.today())
    answers = answer_all(plan_.questions, given([q.name for q in plan_.questions]), settings, None if args.defaults else prompt(settings))
    data = metadata(plan_, answers)
    title_answer = " ".join(answers[TITLE].split())
    where, number = target(config, settings, template_file, data, title_answer)
    numbered = next((str(data[q.name]) for q in plan_.questions if q.field is not None and q.field.kind == "number" and q.name in data), number)
    title = fill_title(template.title, title_answer, numbered, settings)
    sidecar_yaml = as_yaml(data) if settings.metadata_file else None
    front_matter = None if settings.metadata_file or not data else as_yaml(data)
    written = document_text(text, parsed.titles[0].line, title, front_matter)
    document = config.root / where
    sidecar = document.parent / settings.metadata_file if settings.metadata_file else None
    shown = Path(os.path.relpath(document))  # Where the command runs, as every path it prints.
    for path in (document, sidecar):
        if path is not None and (path.exists() or path.is_symlink()):
            print(f"speckeeper: error: {os.path.relpath(path)} already exists; nothing written", file=sys.stderr)
            return 1
    _refuse_failing(config, shown, written, sidecar_yaml)
    _write(config, document, written, sidecar, sidecar_yaml)
    beside = f" and {settings.metadata_file}" if settings.metadata_file else ""
    print(f"Wrote {shown.as_posix()}{beside} (from {relpath}).")
    print(f"Next: fill in each section, then run `speckeeper check {shown.as_posix()}`.")
    return 0


def _refuse_failing(config: Config, shown: Path, text: str, sidecar: str | None) -> None:
    """A ConfigError, in one line, when the document would fail the repo's
    checks at once: nothing is written then."""
    checker = Checker(config)
    findings = checker.reported(checker.load(shown, text, sidecar=sidecar))
    if findings:
        first = FORMATS["text"](findings[:1]).rstrip("\n")
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        raise ConfigError(f"the answers make a document the repo's checks reject: {first}{more}; nothing written")


def _write(config: Config, document: Path, text: str, sidecar: Path | None, sidecar_yaml: str | None) -> None:
    """The document, then its metadata file; the document taken back if
    the metadata file cannot be written, so that no half is left."""
    create(document, text.encode("utf-8", "surrogateescape"), config.repo)
    if sidecar is None or sidecar_yaml is None:
        return
    try:
        create(sidecar, sidecar_yaml.encode("utf-8"), config.repo)
    except ConfigError as error:
        document.unlink()  # Created just now, by this command.
        raise ConfigError(f"{error}; nothing written") from None


def create(path: Path, data: bytes, repo: Path) -> None:
    """A new file (never one already there), or one ConfigError that says
    why not, naming it as the command shows paths."""
    with writing(os.path.relpath(path)):
        create_file(path, data, repo)
