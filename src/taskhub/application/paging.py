"""How much one page of a list may hold: the bounds every list of the application keeps."""

from __future__ import annotations

from taskhub.domain.errors import InvalidQuery

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# Worded as the HTTP task list's paging (marshmallow's Integer and Range) words the same bounds,
# so that both lists, and the library, say one thing of one limit.
NOT_WHOLE = "Not a valid integer."
PAGE_RULE = "Must be greater than or equal to 1."
PAGE_SIZE_RULE = f"Must be greater than or equal to 1 and less than or equal to {MAX_PAGE_SIZE}."


def check_page(page: int, page_size: int) -> None:
    """Raise InvalidQuery unless the page number and size are whole numbers in range."""
    errors = {}
    if problem := _problem(page, page >= 1 if _whole(page) else False, PAGE_RULE):
        errors["page"] = [problem]
    in_range = 1 <= page_size <= MAX_PAGE_SIZE if _whole(page_size) else False
    if problem := _problem(page_size, in_range, PAGE_SIZE_RULE):
        errors["page_size"] = [problem]
    if errors:
        raise InvalidQuery(errors)


def _problem(number: object, in_range: bool, rule: str) -> str | None:
    if not _whole(number):
        return NOT_WHOLE
    return None if in_range else rule


def _whole(number: object) -> bool:
    return isinstance(number, int) and not isinstance(number, bool)
