"""Reading a Server-Sent Events stream as a client does, for the tests of the task stream."""

from __future__ import annotations

import http.client
import json
import socket
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Block:
    """One block of the stream: an event (``name``, ``id``, ``data`` parsed from JSON), a
    ``retry`` hint, or a comment."""

    name: str | None = None
    id: str | None = None
    data: Any = None
    retry: int | None = None
    comment: str | None = None


def blocks(chunks: Iterable[bytes | str]) -> Iterator[Block]:
    """The blocks of a stream arriving in chunks of any size, each once it is complete."""
    pending = ""
    for chunk in chunks:
        pending += chunk.decode() if isinstance(chunk, bytes) else chunk
        while "\n\n" in pending:
            text, pending = pending.split("\n\n", 1)
            yield parsed(text)


def parsed(text: str) -> Block:
    fields: dict[str, str] = {}
    for line in text.split("\n"):
        name, _, value = line.partition(":")
        fields[name or "comment"] = value.removeprefix(" ")
    return Block(
        name=fields.get("event"),
        id=fields.get("id"),
        data=json.loads(fields["data"]) if "data" in fields else None,
        retry=int(fields["retry"]) if "retry" in fields else None,
        comment=fields.get("comment"),
    )


def events(stream: Iterable[Block]) -> list[Block]:
    """The events of a stream read to its end (no hints, no comments)."""
    return [block for block in stream if block.name is not None]


class StreamClient:
    """One event stream read from a real server over HTTP, as an EventSource would."""

    def __init__(self, base_url: str, path: str, headers: dict[str, str] | None = None) -> None:
        address = urllib.parse.urlsplit(base_url)
        self._connection = http.client.HTTPConnection(address.hostname or "", address.port, 30)
        sent = {"Accept": "text/event-stream", **(headers or {})}
        self._connection.request("GET", path, headers=sent)
        self.response = self._connection.getresponse()

    @property
    def status(self) -> int:
        return self.response.status

    def blocks(self) -> Iterator[Block]:
        """The blocks as they arrive, until the server ends the stream."""
        lines: list[str] = []
        while raw := self.response.readline():
            line = raw.decode().rstrip("\r\n")
            if line:
                lines.append(line)
            elif lines:
                yield parsed("\n".join(lines))
                lines = []

    def close(self) -> None:
        """Hang up without a word, as a closed browser tab does."""
        sock = self._connection.sock
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
        self.response.close()  # the last reference to the socket: now it is really closed
        self._connection.close()
