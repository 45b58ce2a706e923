"""``/api/users/``: every call makes a command (the domain judges it), submits it, answers 202."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from taskhub.application.users.commands import (
    CreateUser,
    DeleteUser,
    GetUser,
    ListUsers,
    ReplaceUser,
    UpdateUser,
)
from taskhub.entrypoints.http.openapi import SUBMISSION_HEADERS, submission
from taskhub.entrypoints.http.schemas import (
    UserCreateSchema,
    UserListArgsSchema,
    UserPatchSchema,
    UserReplaceSchema,
)
from taskhub.entrypoints.http.submissions import Answer, accept

blp = Blueprint(
    "users", __name__, url_prefix="/api/users", description="User operations, each run as a task."
)
Fields = dict[str, Any]


@blp.before_request
def require_json_body() -> None:
    """Refuse a body in any other format (415), or over the limit (413), before anything
    parses it. A chunked body has no Content-Length for werkzeug to check first, and werkzeug
    would hand on its first ``limit`` bytes: so once that much is read, a byte more from the
    server's stream means the body is over the limit."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if not request.is_json:
        abort(415, message="Send the request body as application/json.")
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    unmeasured = request.content_length is None
    if unmeasured and len(request.get_data(cache=True)) >= limit and _more(request.environ):
        abort(413, message=f"The request body is larger than {limit} bytes.")


def _more(environ: dict[str, Any]) -> bool:
    """Whether the server's stream holds a byte beyond what the app has read."""
    return bool(environ["wsgi.input"].read(1))


@blp.route("/", endpoint="users", parameters=SUBMISSION_HEADERS)
class Users(MethodView):
    @blp.arguments(UserListArgsSchema, location="query")
    @submission(blp)
    def get(self, args: Fields) -> Answer:
        """List users: one bounded page (its result's `next`: the next one's cursor), as a task"""
        command = ListUsers(**args)
        return accept(command, "list users")

    @blp.arguments(UserCreateSchema)
    @submission(blp)
    def post(self, fields: Fields) -> Answer:
        """Create a user, as a task"""
        return accept(CreateUser(values=fields), f"create user {fields['username']}")


@blp.route("/<uuid:user_id>/", endpoint="user", parameters=SUBMISSION_HEADERS)
class User(MethodView):
    @submission(blp)
    def get(self, user_id: UUID) -> Answer:
        """Get a user, as a task"""
        return accept(GetUser(user_id=user_id), f"get user {user_id}")

    @blp.arguments(UserReplaceSchema)
    @submission(blp)
    def put(self, fields: Fields, user_id: UUID) -> Answer:
        """Replace every field of a user (those not given return to defaults), as a task"""
        return accept(ReplaceUser(user_id=user_id, values=fields), f"update user {user_id}")

    @blp.arguments(UserPatchSchema)
    @submission(blp)
    def patch(self, fields: Fields, user_id: UUID) -> Answer:
        """Change only the given fields of a user, as a task"""
        return accept(UpdateUser(user_id=user_id, values=fields), f"update user {user_id}")

    @submission(blp)
    def delete(self, user_id: UUID) -> Answer:
        """Delete a user, as a task"""
        return accept(DeleteUser(user_id=user_id), f"delete user {user_id}")
