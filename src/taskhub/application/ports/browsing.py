"""How an operator looks through the users: a search and an order, checked before any store
sees them, so no adapter meets a column it does not know or a term without bound."""

from __future__ import annotations

from dataclasses import dataclass

from taskhub.domain.errors import InvalidQuery

SORTABLE = ("username", "email", "first_name", "last_name", "date_joined")
SEARCHED = ("username", "email", "first_name", "last_name")
LONGEST_SEARCH = 100


@dataclass(frozen=True)
class UserQuery:
    """Users whose username, email or names contain ``search`` (ignoring the case of ASCII
    letters; every store folds at least those), ordered by ``order``: a sortable field, with a
    leading ``-`` for descending; ties go by id, in the same direction."""

    search: str = ""
    order: str = "-date_joined"

    def __post_init__(self) -> None:
        errors = {}
        if len(self.search) > LONGEST_SEARCH:
            errors["search"] = [f"Must be at most {LONGEST_SEARCH} characters."]
        if self.order.removeprefix("-") not in SORTABLE:
            errors["order"] = [f"Must be one of {', '.join(SORTABLE)}, or one with a '-' before."]
        if errors:
            raise InvalidQuery(errors)
        object.__setattr__(self, "search", self.search.strip())

    @property
    def field(self) -> str:
        return self.order.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.order.startswith("-")
