"""How the application's lists are paged: by cursor (keyset), never by offset.

A page ends at a ``Position``, the sort key of its last item (a moment, then an id); the next page
is what comes after it in the list's order. So a deep page costs what the first does (an index
range, not an offset the database walks), and an item added or removed meanwhile never makes a
page repeat or skip one. A cursor is that position as opaque text, given out with each page that
has a next one. A total is counted only when asked for: it is the one part that grows with the
table.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

from taskhub.domain.errors import InvalidQuery

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# Worded as marshmallow's Integer and Range word the same bounds, so that the API, the library
# and the command line say one thing of one limit.
NOT_WHOLE = "Not a valid integer."
PAGE_SIZE_RULE = f"Must be greater than or equal to 1 and less than or equal to {MAX_PAGE_SIZE}."
PAGE_RULE = "Must be greater than or equal to 1."
NOT_A_CURSOR = "Not a cursor of this list: pass on the one a page gave, as it was given."

T = TypeVar("T")


@dataclass(frozen=True)
class Position:
    """Where a page ended: its last item's place in the list's order (a moment, then an id)."""

    at: datetime
    id: UUID


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: ``next`` is the cursor of the page after it (``None`` on the last),
    ``count`` how many the whole list holds, when that was asked for."""

    items: Sequence[T]
    page_size: int
    next: str | None = None
    count: int | None = None


def check_paging(cursor: str | None, page_size: int) -> Position | None:
    """The position ``cursor`` names (``None`` for the first page); raise InvalidQuery naming
    each field that is not a cursor this list gave or not a page size in range."""
    errors: dict[str, list[str]] = {}
    if not _whole(page_size) or not 1 <= page_size <= MAX_PAGE_SIZE:
        errors["page_size"] = [PAGE_SIZE_RULE if _whole(page_size) else NOT_WHOLE]
    position = None
    try:
        position = _position(cursor) if cursor is not None else None
    except ValueError:
        errors["cursor"] = [NOT_A_CURSOR]
    if errors:
        raise InvalidQuery(errors)
    return position


def check_page(page: int, page_size: int) -> None:
    """Raise InvalidQuery unless a numbered page (the console's user search, whose sort is any
    column) and its size are whole numbers in range."""
    errors = {}
    if not _whole(page) or page < 1:
        errors["page"] = [PAGE_RULE if _whole(page) else NOT_WHOLE]
    if not _whole(page_size) or not 1 <= page_size <= MAX_PAGE_SIZE:
        errors["page_size"] = [PAGE_SIZE_RULE if _whole(page_size) else NOT_WHOLE]
    if errors:
        raise InvalidQuery(errors)


def page_of(
    rows: Sequence[T], page_size: int, place: Callable[[T], Position], count: int | None = None
) -> Page[T]:
    """The page in ``rows``: a store asked for ``page_size + 1`` of them, so one more than the
    page holds says that a next page exists (with no count to tell)."""
    items = rows[:page_size]
    more = len(rows) > page_size
    return Page(items, page_size, cursor_for(place(items[-1])) if more else None, count)


def cursor_for(position: Position) -> str:
    """``position`` as text that survives a URL's query string as it is."""
    text = f"{position.at.isoformat()}|{position.id.hex}".encode()
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


def _position(cursor: str) -> Position:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as unreadable:
        raise ValueError(cursor) from unreadable
    moment, _, hex_id = text.partition("|")
    at = datetime.fromisoformat(moment)
    if at.tzinfo is None:
        raise ValueError(cursor)
    return Position(at, UUID(hex=hex_id))


def _whole(number: object) -> bool:
    return isinstance(number, int) and not isinstance(number, bool)
