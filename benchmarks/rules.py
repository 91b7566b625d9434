"""Where a corpus check's time goes, in this one process: the docutils
floor, speckeeper's read and parse, and each rule.

    .venv/bin/python benchmarks/rules.py                 # every rule
    .venv/bin/python benchmarks/rules.py --select SK4    # some rules

It runs in a copy of the corpus (``../shared/corpus/nova-specs`` or
``--corpus``) configured as nova's gate, interleaving the floor's parse and
speckeeper's work file by file so that the machine's drift falls on both,
and reports CPU seconds per round over the whole corpus.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import floor  # noqa: E402
from tests.conftest import NOVA_GATE_CONFIG  # noqa: E402

from speckeeper import rules  # noqa: E402
from speckeeper.engine.check import Checker, collect  # noqa: E402
from speckeeper.engine.decide import Selection, validate  # noqa: E402
from speckeeper.config.settings import ConfigError, load_file  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "nova-specs")
    parser.add_argument("--select", default="SK", help="rule codes or prefixes, comma-separated (default: every rule)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if not (args.corpus / "specs").is_dir():
        print(f"rules.py: no corpus at {args.corpus}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="speckeeper-rules-") as work:
        root = Path(work) / "nova-specs"
        shutil.copytree(args.corpus / "specs", root / "specs")
        (root / ".speckeeper.toml").write_text(NOVA_GATE_CONFIG, encoding="utf-8")
        config = load_file(root / ".speckeeper.toml")
        selection = Selection(select=tuple(args.select.split(",")))
        try:
            validate(config, selection)
        except ConfigError as error:
            print(f"rules.py: {error}", file=sys.stderr)
            return 2
        checker = Checker(config, selection)
        files = list(collect([root / "specs"], config))
        totals = _measure(checker, files, args.rounds)
    print(f"{len(files)} specs, CPU seconds per round (median of {args.rounds} rounds' sums):")
    floor_time = totals.pop("docutils floor")
    load_time = totals.pop("read, parse, model")
    rule_time = sum(totals.values())
    print(f"  {'docutils floor':24} {floor_time:7.3f}")
    print(f"  {'read, parse, model':24} {load_time:7.3f}  ({load_time / floor_time:.3f}x the floor)")
    print(f"  {'rules':24} {rule_time:7.3f}")
    for code, spent in sorted(totals.items(), key=lambda item: -item[1]):
        if spent >= 0.001:
            print(f"    {code:22} {spent:7.3f}")
    print(f"  check / floor: {(load_time + rule_time) / floor_time:.3f}")
    return 0


def _measure(checker: Checker, files: list[Path], rounds: int) -> dict[str, float]:
    for path in files:  # Load the templates, warm the caches.
        checker.check_file(path)
    clock = time.process_time
    spent: dict[str, list[float]] = {}
    for _ in range(rounds):
        this: dict[str, float] = {}
        for path in files:
            start = clock()
            floor.parse(str(path))
            middle = clock()
            loaded = checker.load(path).loaded
            end = clock()
            this["docutils floor"] = this.get("docutils floor", 0.0) + middle - start
            this["read, parse, model"] = this.get("read, parse, model", 0.0) + end - middle
            if loaded is None:
                continue
            for rule in rules.PER_SPEC:
                if rule.code in loaded.ctx.enabled:
                    start = clock()
                    list(rule.check(loaded.spec, loaded.ctx))
                    this[rule.code] = this.get(rule.code, 0.0) + clock() - start
        for key, value in this.items():
            spent.setdefault(key, []).append(value)
    return {key: sorted(values)[len(values) // 2] for key, values in spent.items()}


if __name__ == "__main__":
    raise SystemExit(main())
