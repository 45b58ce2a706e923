"""The handlers of the user commands: each performs its command inside the runner's unit of work
and returns the task's result. ``taskhub.application.catalogue`` ties each to its command.

Only the list can stop part-way (``SafePoint``): the others are one read or one write, which
commits with the task's DONE, and run to the end once started. Each reports its progress where
that tells something (``Progress``): a list after each batch it reads but the last, a change
once its checks have passed and only its write is left. A read of one user is one step: it has
nothing to tell before its DONE.
"""

from __future__ import annotations

from datetime import datetime

from taskhub.application.cancellation import SafePoint
from taskhub.application.commands import Result
from taskhub.application.paging import Position, page_of
from taskhub.application.ports import UnitOfWork
from taskhub.application.progress import CHECKED, Progress, partway
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

LIST_BATCH = 100  # users read at once by a list; between two: a safe point and a progress report


def _existing_user(command: UserCommand, uow: UnitOfWork) -> User:
    user = uow.users.get(command.user_id)
    if user is None:
        raise UserNotFound(command.user_id)
    return user


def list_users(
    command: ListUsers, uow: UnitOfWork, now: datetime, safe_point: SafePoint, progress: Progress
) -> Result:
    """One page of users, read ``LIST_BATCH`` at a time (one more than the page holds, to know
    whether a next page exists); a cancel stops it between batches."""
    wanted, after = command.page_size + 1, command.after
    users = list(uow.users.list(after, min(LIST_BATCH, wanted)))
    last = len(users)
    while last == LIST_BATCH and len(users) < wanted:
        safe_point.reached()
        progress.report(partway(len(users), command.page_size))
        batch = uow.users.list(user_place(users[-1]), min(LIST_BATCH, wanted - len(users)))
        users, last = [*users, *batch], len(batch)
    page = page_of(users, command.page_size, user_place)
    listed: Result = {
        "users": [user.to_dict() for user in page.items],
        "page_size": page.page_size,
        "next": page.next,
        "message": f"Listed {len(page.items)} users",
    }
    if command.count:
        listed["count"] = uow.users.count()
        listed["message"] = f"Listed {len(page.items)} of {listed['count']} users"
    return listed


def user_place(user: User) -> Position:
    """A user's place in the user list: when they joined, then their id."""
    return Position(user.date_joined, user.id)


def get_user(
    command: GetUser, uow: UnitOfWork, now: datetime, safe_point: SafePoint, progress: Progress
) -> Result:
    user = _existing_user(command, uow)
    return {"user": user.to_dict(), "message": f"Retrieved user {user.username}"}


def create_user(
    command: CreateUser, uow: UnitOfWork, now: datetime, safe_point: SafePoint, progress: Progress
) -> Result:
    user = User.register(command.user_id, command.values, now)
    progress.report(CHECKED)
    uow.users.add(user)
    return {"user_id": str(user.id), "message": f"Successfully created user {user.username}"}


def update_user(
    command: UpdateUser | ReplaceUser,
    uow: UnitOfWork,
    now: datetime,
    safe_point: SafePoint,
    progress: Progress,
) -> Result:
    """PATCH and PUT alike: a replacement's command already carries every field."""
    user = _existing_user(command, uow)
    user.change(command.values)
    progress.report(CHECKED)
    return {
        "user_id": str(user.id),
        "user": user.to_dict(),
        "message": f"Successfully updated user {user.username}",
    }


def delete_user(
    command: DeleteUser, uow: UnitOfWork, now: datetime, safe_point: SafePoint, progress: Progress
) -> Result:
    user = _existing_user(command, uow)
    progress.report(CHECKED)
    user.mark_deleted()
    uow.users.remove(user)
    return {"user_id": str(user.id), "message": f"Successfully deleted user {user.username}"}
