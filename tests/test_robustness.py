"""Robustness of the entry points: any input gives an exit code, never a
traceback; a fixer killed at any moment leaves the old spec or the new one."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from speckeeper.cli import main

from .conftest import FIXTURES, examples

GOOD = (FIXTURES / "good-spec.rst").read_bytes()

# Fragments that stress the parser and the rules, mixed with noise.
PIECES = st.sampled_from(
    [
        b"Title\n=====\n",
        b"=====\nTitle\n=====\n",
        b"Problem description\n===================\n",
        b"Use Cases\n---------\n",
        b".. include:: /dev/zero\n",
        b".. csv-table:: x\n   :url: http://127.0.0.1:9/x\n",
        b".. code-block:: python\n\n   x = 1\n",
        b"* item\n\n  * nested\n",
        b"  indented\n",
        b"::\n\n    literal\n",
        b"https://blueprints.launchpad.net/nova/+spec/x\n",
        b"\r\n",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"\x00",
        b"\xe9",
        b"\t",
        b"\xe2\x80\x8b",
        b"word " * 30 + b"\n",
        b".. speckeeper: ignore SK101\n",
        b"\n",
    ]
)


@settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(PIECES, st.binary(max_size=20)), max_size=25))
def test_check_and_fix_never_raise(in_tmp: Path, capsys: pytest.CaptureFixture[str], pieces: list[bytes]) -> None:
    spec = in_tmp / "fuzz.rst"
    content = b"".join(pieces)
    spec.write_bytes(content)
    assert main(["check", "fuzz.rst", "--extend-select", "SK1,SK2,SK4,SK5"]) in (0, 1)
    fixed = main(["fix", "fuzz.rst"])
    assert fixed in (0, 1)
    after = spec.read_bytes()
    # A second fix changes nothing: the first left a fixed file or none.
    assert main(["fix", "fuzz.rst"]) in (0, 1)
    assert spec.read_bytes() == after
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err


@pytest.mark.slow  # Twelve fixers killed after waits of up to 1.5 s; tests/test_safety.py kills one in the fast set.
def test_fixer_killed_at_any_moment_leaves_old_or_new(tmp_path: Path) -> None:
    """SIGKILL at a spread of moments: never a partial spec."""
    long_para = ("The scheduler picks a host for each instance request " * 40).strip() + "\n\n"
    old = GOOD.replace(b"Moving a server today stops it for as long as the copy takes.\n", long_para.encode() * 30)
    spec = tmp_path / "specs" / "awesome-thing.rst"
    spec.parent.mkdir()
    spec.write_bytes(old)
    # nova's defaults, with its line gate: a tree with none has no long lines to fix.
    (tmp_path / ".speckeeper.toml").write_text("", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "speckeeper", "fix", str(spec)], cwd=tmp_path, capture_output=True, check=False)
    new = spec.read_bytes()
    assert new != old

    for delay in [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7, 1.0, 1.5]:
        spec.write_bytes(old)
        fixer = subprocess.Popen(
            [sys.executable, "-m", "speckeeper", "fix", str(spec)],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        fixer.send_signal(signal.SIGKILL)
        fixer.wait()
        now = spec.read_bytes()
        assert now in (old, new), f"partial spec after SIGKILL at {delay}s"
    # Leftover temporary files are hidden dot-files beside the spec, never the spec.
    assert [p.name for p in spec.parent.iterdir() if not p.name.startswith(".")] == ["awesome-thing.rst"]
