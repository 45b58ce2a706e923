"""How much one page of a list may hold: the bounds every list of the application keeps."""

from __future__ import annotations

from taskhub.domain.errors import InvalidQuery

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def check_page(page: int, page_size: int) -> None:
    """Raise InvalidQuery unless the page number and size are in range."""
    errors = {}
    if not _whole(page) or page < 1:
        errors["page"] = ["Must be a whole number of at least 1."]
    if not _whole(page_size) or not 1 <= page_size <= MAX_PAGE_SIZE:
        errors["page_size"] = [f"Must be a whole number from 1 to {MAX_PAGE_SIZE}."]
    if errors:
        raise InvalidQuery(errors)


def _whole(number: object) -> bool:
    return isinstance(number, int) and not isinstance(number, bool)
