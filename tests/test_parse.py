"""Safe parsing: spec content cannot make the parser read files, open
connections or print; Sphinx's names parse cleanly, typos do not."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from speckeeper.document.rst.parse import RstParser


def parse(text: str, **kwargs: tuple[str, ...]) -> list[tuple[int | None, int, str]]:
    _, messages = RstParser(**kwargs).parse(text, "spec.rst")
    return [(m.line, m.level, m.text.splitlines()[0]) for m in messages if m.level >= 2]


def test_include_of_dev_zero_is_refused_not_read() -> None:
    assert parse("Title\n=====\n\n.. include:: /dev/zero\n") == [(4, 2, '"include" directive disabled.')]


def test_raw_file_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.html"
    secret.write_text("<b>confidential</b>")
    doctree, _ = RstParser().parse(f".. raw:: html\n   :file: {secret}\n", "spec.rst")
    assert "confidential" not in doctree.astext()


def test_csv_table_url_makes_no_connection() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    connected: list[bool] = []

    def accept() -> None:
        try:
            listener.accept()
            connected.append(True)
        except OSError:
            pass

    waiter = threading.Thread(target=accept)
    waiter.start()
    found = parse(f".. csv-table:: t\n   :url: http://127.0.0.1:{port}/x.csv\n")
    waiter.join()
    listener.close()
    assert connected == []
    assert found == [(1, 2, 'File and URL access deactivated; ignoring "csv-table" directive.')]


def test_messages_are_collected_never_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert parse("This is *not closed.\n") == [(1, 2, "Inline emphasis start-string without end-string.")]
    assert capsys.readouterr() == ("", "")


SPHINX = """\
Title
=====

See :ref:`feature-liaisons`, :doc:`other`, :command:`nova boot` and
:oslo.config:option:`libvirt.cpu_mode`.

.. todo:: Write this.

.. code-block:: python
   :linenos:
   :emphasize-lines: 1
   :caption: Example

   print("hello")

.. seqdiag::

   seqdiag { a -> b; }

.. blockdiag::

   blockdiag { a -> b; }

.. toctree::
   :maxdepth: 1

   other

.. seealso:: The other spec.

.. highlight:: json
"""


def test_sphinx_roles_and_directives_parse_cleanly() -> None:
    assert parse(SPHINX) == []


def test_code_and_diagrams_are_literal_blocks() -> None:
    doctree, _ = RstParser().parse(SPHINX, "spec.rst")
    from docutils import nodes

    blocks = [block.astext() for block in doctree.findall(nodes.literal_block)]
    assert blocks == ['print("hello")', "seqdiag { a -> b; }", "blockdiag { a -> b; }"]


def test_a_typo_is_still_reported() -> None:
    assert parse(".. notee:: x\n\n:reff:`y`\n") == [
        (1, 3, 'Unknown directive type "notee".'),
        (3, 3, 'Unknown interpreted text role "reff".'),
    ]


def test_a_repo_declares_its_own_names() -> None:
    text = ".. nova-feature:: x\n\n   Body.\n\n:nova-bug:`123`\n"
    assert len(parse(text)) == 2
    assert parse(text, roles=("nova-bug",), directives=("nova-feature",)) == []


def test_registrations_do_not_leak_between_parsers() -> None:
    RstParser(roles=("only-here",), directives=("here-too",)).parse(":only-here:`x`\n\n.. here-too:: y\n", "a.rst")
    assert parse(":only-here:`x`\n\n.. here-too:: y\n") == [
        (1, 3, 'Unknown interpreted text role "only-here".'),
        (3, 3, 'Unknown directive type "here-too".'),
    ]


def test_an_include_is_not_followed_nor_reported(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A spec including a snippet of its own repo is not wrong: the
    directive is known, never followed, and not a finding."""
    from speckeeper.cli import main

    spec = tmp_path / "x.rst"
    spec.write_text("Title\n=====\n\n.. include:: ../shared/snippet.rst\n\nText *open\n", encoding="utf-8")
    assert main(["check", "--select", "SK5", str(spec)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(": ", 1)[1] for line in out] == ["SK502 RST warning: Inline emphasis start-string without end-string."]


def test_a_declared_directive_never_downgrades_a_known_literal_one(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """``directives = ["graphviz"]``, copied from a Sphinx conf.py, keeps
    graphviz a diagram; a repo's own diagram directive is literal when it
    says so."""
    from speckeeper.cli import main

    (tmp_path / ".speckeeper.toml").write_text('directives = ["graphviz"]\nliteral-directives = ["blockdiag2"]\n')
    spec = tmp_path / "x.rst"
    spec.write_text(
        "Title\n=====\n\n.. graphviz::\n\n   digraph { a -> *b }\n\n.. blockdiag2::\n\n   a -> `b\n", encoding="utf-8"
    )
    assert main(["check", "--config", str(tmp_path / ".speckeeper.toml"), "--select", "SK5", str(spec)]) == 0
    assert capsys.readouterr().out == ""
