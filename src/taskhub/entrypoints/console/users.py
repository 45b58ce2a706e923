"""The users, as an operator looks through them: a searchable, sortable table, and one user.

Read straight from the store (``TaskService.browse_users``, ``find_user``), not through tasks:
see why there. Every change goes through the task pipeline (``user_forms``).
"""

from __future__ import annotations

import math
from typing import Any
from uuid import UUID

from flask import render_template, request, url_for

from taskhub.application.ports import TaskFilter, UserQuery
from taskhub.application.ports.browsing import SORTABLE
from taskhub.domain.errors import InvalidQuery
from taskhub.entrypoints.console.blueprint import console
from taskhub.entrypoints.http.state import service

PAGE_SIZE = 25
COLUMNS = [("username", "Username"), ("email", "Email"), ("first_name", "First name"),
           ("last_name", "Last name"), ("date_joined", "Joined")]  # fmt: skip
RECENT_TASKS = 10


@console.get("/users/")
def users() -> tuple[str, int]:
    """A page of users matching ``search``, in the order ``sort`` names (``-`` descending)."""
    search, order = request.args.get("search", ""), request.args.get("sort", "-date_joined")
    page, problem = page_number(request.args.get("page", "1")), None
    try:
        query = UserQuery(search=search, order=order)
    except InvalidQuery as refused:
        query, problem = UserQuery(), refused.message
    found = service().browse_users(query, page, PAGE_SIZE)
    pages = max(1, math.ceil(found.total / PAGE_SIZE))
    return render_template(
        "users/list.html", found=found, query=query, pages=pages, columns=COLUMNS,
        problem=problem, sort_link=lambda field: _sort_link(query, field),
        page_link=lambda number: _link(query, number),
    ), 400 if problem else 200  # fmt: skip


@console.get("/users/<uuid:user_id>/")
def user(user_id: UUID) -> str:
    """One user as stored, with the latest tasks on it."""
    found = service().find_user(user_id)
    recent = service().list(TaskFilter(related_id=user_id), page_size=RECENT_TASKS).items
    return render_template("users/detail.html", user=found, tasks=recent)


def page_number(given: str) -> int:
    """The page ``given`` names, or the first for anything that is not a page number."""
    return int(given) if given.isdigit() and 0 < int(given) < 10**9 else 1


def _link(query: UserQuery, page: int, order: str | None = None) -> str:
    arguments: dict[str, Any] = {"sort": order or query.order, "page": page}
    if query.search:
        arguments["search"] = query.search
    return url_for("console.users", **arguments)


def _sort_link(query: UserQuery, field: str) -> dict[str, str]:
    """The header link of ``field``'s column: ascending first, the other way when it is sorted
    by it already; and the column's ``aria-sort``."""
    assert field in SORTABLE
    sorted_by = query.field == field
    order = field if not sorted_by or query.descending else f"-{field}"
    state = ("descending" if query.descending else "ascending") if sorted_by else "none"
    return {"href": _link(query, 1, order), "aria_sort": state}
