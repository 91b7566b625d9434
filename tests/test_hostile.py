"""A hostile spec cannot make speckeeper read another file or open a
connection: watched from inside the process with audit hooks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import FIXTURES

HOSTILE = """\
.. include:: /etc/passwd

.. include:: /dev/zero

.. literalinclude:: /etc/hostname

.. raw:: html
   :file: /etc/passwd

.. raw:: html
   :url: http://127.0.0.1:9/raw

.. csv-table:: local
   :file: /etc/passwd

.. csv-table:: remote
   :url: http://127.0.0.1:9/table.csv

.. image:: http://127.0.0.1:9/picture.png

.. figure:: /etc/passwd

   A figure.

"""

# Runs one check with audit hooks that record every file opened and every
# connection attempted after speckeeper has been imported.
DRIVER = """
import json, sys
from speckeeper import cli
from speckeeper.engine.check import Checker
opened, connected = [], []
def hook(event, args):
    if event == "open" and isinstance(args[0], str):
        opened.append(args[0])
    elif event in ("socket.connect", "socket.getaddrinfo", "urllib.Request"):
        connected.append(event)
sys.addaudithook(hook)
code = cli.main(sys.argv[1:])
print(json.dumps({"code": code, "opened": opened, "connected": connected}), file=sys.stderr)
"""


def test_hostile_spec_opens_nothing_but_itself(tmp_path: Path) -> None:
    spec = tmp_path / "hostile.rst"
    cache = tmp_path / "cache"
    good = (FIXTURES / "good-spec.rst").read_text(encoding="utf-8")
    spec.write_text(good.replace("Problem description\n===", HOSTILE + "Problem description\n===", 1))
    result = subprocess.run(
        [sys.executable, "-c", DRIVER, "check", str(spec)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SPECKEEPER_CACHE_DIR": str(cache)},
    )
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report["connected"] == []
    # Python's own files, speckeeper's, and its store of parsed templates:
    # the cache folder, then names in it (opened relative to it), an entry
    # and the temporary file it was written as.
    python_files = (sys.prefix, sys.base_prefix, str(Path(__file__).resolve().parents[1] / "hooks"), str(cache))
    stored = [entry.name for entry in (cache / "templates").iterdir()]
    temporary = tuple(f".{name}." for name in stored)
    others = [
        p for p in report["opened"]
        if not p.startswith(python_files) and Path(p).resolve() != spec.resolve() and not p.endswith(".rst")
        and not (not os.path.isabs(p) and (p in ("templates", *stored) or p.startswith(temporary)))
    ]
    assert others == []
    assert "/etc/passwd" not in report["opened"] and "/dev/zero" not in report["opened"]
    # The tables that would have read a file or a URL say they did not; an
    # include or a raw block, which speckeeper itself keeps from reading,
    # is no mistake of the author's and no finding.
    assert report["code"] == 1
    assert result.stdout.count(' SK502 RST warning: File and URL access deactivated; ignoring "csv-table"') == 2
    assert "include" not in result.stdout.replace(str(spec), "")
