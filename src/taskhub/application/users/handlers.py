"""The handlers of the user commands: each performs its command inside the runner's unit of work
and returns the task's result. ``taskhub.application.catalogue`` ties each to its command."""

from __future__ import annotations

from datetime import datetime

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


def _existing_user(command: UserCommand, uow: UnitOfWork) -> User:
    user = uow.users.get(command.user_id)
    if user is None:
        raise UserNotFound(command.user_id)
    return user


def list_users(command: ListUsers, uow: UnitOfWork, now: datetime) -> Result:
    page = uow.users.list(command.page, command.page_size)
    return {
        "users": [user.to_dict() for user in page.items],
        "count": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "message": f"Listed {len(page.items)} of {page.total} users",
    }


def get_user(command: GetUser, uow: UnitOfWork, now: datetime) -> Result:
    user = _existing_user(command, uow)
    return {"user": user.to_dict(), "message": f"Retrieved user {user.username}"}


def create_user(command: CreateUser, uow: UnitOfWork, now: datetime) -> Result:
    user = User.register(command.user_id, command.values, now)
    uow.users.add(user)
    return {"user_id": str(user.id), "message": f"Successfully created user {user.username}"}


def update_user(command: UpdateUser | ReplaceUser, uow: UnitOfWork, now: datetime) -> Result:
    """PATCH and PUT alike: a replacement's command already carries every field."""
    user = _existing_user(command, uow)
    user.change(command.values)
    return {
        "user_id": str(user.id),
        "user": user.to_dict(),
        "message": f"Successfully updated user {user.username}",
    }


def delete_user(command: DeleteUser, uow: UnitOfWork, now: datetime) -> Result:
    user = _existing_user(command, uow)
    user.mark_deleted()
    uow.users.remove(user)
    return {"user_id": str(user.id), "message": f"Successfully deleted user {user.username}"}
