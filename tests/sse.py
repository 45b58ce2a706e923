"""Reading a Server-Sent Events stream as a client does, for the tests of the task stream."""

from __future__ import annotations

import json
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
