"""The handlers of the user commands: each performs its command inside the runner's unit of work
and returns the task's result. ``taskhub.application.catalogue`` ties each to its command.

Only the list can stop part-way (``SafePoint``): the others are one read or one write, which
commits with the task's DONE, and run to the end once started.
"""

from __future__ import annotations

from datetime import datetime

from taskhub.application.cancellation import SafePoint
from taskhub.application.commands import Result
from taskhub.application.ports import UnitOfWork
from taskhub.application.users.commands import (
    CreateUser,
    DeleteUser,
    GetUser,
    ListUsers,
    ReplaceUser,
    UpdateUser,
    UserCommand,
)
from taskhub.domain.errors import UserNotFound
from taskhub.domain.user import User

LIST_BATCH = 100  # users read at once by a list, with a safe point between two batches


def _existing_user(command: UserCommand, uow: UnitOfWork) -> User:
    user = uow.users.get(command.user_id)
    if user is None:
        raise UserNotFound(command.user_id)
    return user


def list_users(command: ListUsers, uow: UnitOfWork, now: datetime, safe_point: SafePoint) -> Result:
    """One page of users, read ``LIST_BATCH`` at a time; a cancel stops it between batches."""
    page = uow.users.list(command.page, command.page_size, limit=LIST_BATCH)
    users, last = list(page.items), len(page.items)
    while last == LIST_BATCH and len(users) < command.page_size:
        safe_point.reached()
        wanted = min(LIST_BATCH, command.page_size - len(users))
        batch = uow.users.listed_after(users[-1], wanted)
        users, last = [*users, *batch], len(batch)
    return {
        "users": [user.to_dict() for user in users],
        "count": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "message": f"Listed {len(users)} of {page.total} users",
    }


def get_user(command: GetUser, uow: UnitOfWork, now: datetime, safe_point: SafePoint) -> Result:
    user = _existing_user(command, uow)
    return {"user": user.to_dict(), "message": f"Retrieved user {user.username}"}


def create_user(
    command: CreateUser, uow: UnitOfWork, now: datetime, safe_point: SafePoint
) -> Result:
    user = User.register(command.user_id, command.values, now)
    uow.users.add(user)
    return {"user_id": str(user.id), "message": f"Successfully created user {user.username}"}


def update_user(
    command: UpdateUser | ReplaceUser, uow: UnitOfWork, now: datetime, safe_point: SafePoint
) -> Result:
    """PATCH and PUT alike: a replacement's command already carries every field."""
    user = _existing_user(command, uow)
    user.change(command.values)
    return {
        "user_id": str(user.id),
        "user": user.to_dict(),
        "message": f"Successfully updated user {user.username}",
    }


def delete_user(
    command: DeleteUser, uow: UnitOfWork, now: datetime, safe_point: SafePoint
) -> Result:
    user = _existing_user(command, uow)
    user.mark_deleted()
    uow.users.remove(user)
    return {"user_id": str(user.id), "message": f"Successfully deleted user {user.username}"}
