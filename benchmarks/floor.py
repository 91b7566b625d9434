"""The docutils floor: parse each file into a doctree and nothing else.

Any checker that reads docutils' doctree pays at least this. It parses as
speckeeper does (one settings object, speckeeper's settings, the standalone
reader's transforms) without speckeeper's Sphinx stand-ins, message
collection, spec model or rules, in as many processes as asked, given the
same chunks of the list as speckeeper's workers.

    python benchmarks/floor.py --jobs 2 --files-from files.txt
"""

from __future__ import annotations

import argparse
import copy
import multiprocessing
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from docutils import frontend, utils
from docutils.parsers.rst import Parser
from docutils.readers.standalone import Reader

from speckeeper.parallel import chunks
from speckeeper.document.rst.parse import SAFE_SETTINGS

_reader = Reader()
_parser = Parser()
_settings = frontend.get_default_settings(_reader, _parser)
for _key, _value in SAFE_SETTINGS.items():
    setattr(_settings, _key, _value)


def parse_all(paths: list[str]) -> int:
    return sum(map(parse, paths))


def parse(path: str) -> int:
    """Parse one file; the number of nodes, so that nothing is optimised away."""
    text = Path(path).read_text(encoding="utf-8-sig")
    document = utils.new_document(path, copy.copy(_settings))
    _parser.parse(text, document)
    document.transformer.populate_from_components((_reader, _parser))
    document.transformer.apply_transforms()
    return sum(1 for _ in document.findall())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1, help="processes (1: this one)")
    parser.add_argument("--files-from", type=Path, required=True, help="a file naming one file a line")
    args = parser.parse_args(argv)
    files = args.files_from.read_text(encoding="utf-8").splitlines()
    if args.jobs <= 1:
        nodes = parse_all(files)
    else:
        context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
        with ProcessPoolExecutor(max_workers=args.jobs, mp_context=context) as pool:
            nodes = sum(pool.map(parse_all, chunks(files, args.jobs)))  # type: ignore[arg-type]
    print(f"{len(files)} files, {nodes} nodes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
