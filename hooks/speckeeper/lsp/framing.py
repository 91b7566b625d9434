"""The server's standard input, bounded: no message the client frames
makes it read more than :data:`MOST_MESSAGE_BYTES` at once.

pygls reads a ``Content-Length`` header and then exactly that many bytes,
whatever the number: an absurd one is a MemoryError or an OverflowError,
and the server dies. pygls has no limit of its own, so the stream it
reads is this one: a header line is read at most :data:`MOST_HEADER_BYTES`
at a time, a length of more digits than Python's ``int`` reads is over
the limit, and a body over the limit is not read. In its place pygls gets
:data:`DROPPED`, a notification the server answers by telling the client
(the message had no id that could be read, so there is no request to
answer with an error); what the client sent as that body is skipped up
to the next ``Content-Length`` header, and the server goes on serving.
"""

from __future__ import annotations

import json
import logging
from typing import BinaryIO

# A message's body, at most: a document at the spec size bound
# (``max-bytes``, 1 MB by default) in JSON, where an escaped character
# takes up to six bytes, with room to spare.
MOST_MESSAGE_BYTES = 32 << 20
MOST_HEADER_BYTES = 64 << 10
# The notification that stands for a message not read; "$/": a client or
# server that does not know it may ignore it.
DROPPED = "$/speckeeper/messageDropped"
_HEADER = b"Content-Length:"
_MOST_DIGITS = 20

log = logging.getLogger(__name__)


class BoundedInput:
    """``readline`` and ``read``, as pygls reads its input, bounded."""

    def __init__(self, raw: BinaryIO, most: int = MOST_MESSAGE_BYTES) -> None:
        self.raw = raw
        self.most = most
        self._skipping = False

    def readline(self) -> bytes:
        line = self._next_header() if self._skipping else self.raw.readline(MOST_HEADER_BYTES)
        if line.startswith(_HEADER) and len(line.strip()) > len(_HEADER) + _MOST_DIGITS:
            # More digits than int() reads (4,300) would end pygls' loop:
            # any length this long is over the limit, and said so.
            return b"Content-Length: %d\r\n" % (self.most + 1)
        return line

    def read(self, size: int) -> bytes:
        if size <= self.most:
            return self.raw.read(size)
        why = f"a message of {size:,} bytes was dropped: speckeeper lsp reads at most {self.most:,}"
        log.error("%s", why)
        self._skipping = True
        return json.dumps({"jsonrpc": "2.0", "method": DROPPED, "params": {"message": why}}).encode()

    def _next_header(self) -> bytes:
        """Skip what the dropped message's body was, up to the next header
        line (it may follow the body on the same line); b"" at the end."""
        carry = b""
        while True:
            chunk = self.raw.readline(MOST_HEADER_BYTES)
            if not chunk:
                return b""
            seen = carry + chunk
            at = seen.find(_HEADER)
            if at >= 0:
                self._skipping = False
                header = seen[at:]
                return header if header.endswith(b"\n") else header + self.raw.readline(MOST_HEADER_BYTES)
            carry = seen[-(len(_HEADER) - 1) :]  # A header split between two chunks.
