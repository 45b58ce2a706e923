"""The forms that change a user: create, edit (PATCH), replace (PUT) and delete.

A post makes the command (the domain judges its fields: refused ones are shown beside their
fields, and no task is made) and submits it through ``TaskService.submit``, as the API does;
then it redirects to the same page naming the task (``?task=``), which shows its progress live
and, once it has finished, its outcome: a failure's sentence beside its field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from flask import abort, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from taskhub.application.commands import Command
from taskhub.application.users.commands import CreateUser, DeleteUser, ReplaceUser, UpdateUser
from taskhub.domain.errors import InvalidUserData, UserNotFound
from taskhub.domain.task import Task
from taskhub.entrypoints.console.blueprint import console
from taskhub.entrypoints.console.forms import USER_FIELDS, ConfirmForm, PatchForm, UserForm
from taskhub.entrypoints.console.progress import Progress
from taskhub.entrypoints.http.observing import request_id
from taskhub.entrypoints.http.state import service

Page = Response | str | tuple[str, int]
TITLES = {
    "console.new_user": "Create a user",
    "console.edit_user": "Edit a user (PATCH: only what you change)",
    "console.replace_user": "Replace a user (PUT: a field left blank resets)",
    "console.delete_user": "Delete a user",
}


@console.route("/users/new", methods=["GET", "POST"])
def new_user() -> Page:
    form, task = UserForm(), _task()
    if form.validate_on_submit():
        return _submit(form, lambda: CreateUser(values=form.values()), "users/form.html")
    if task is not None:
        form.process(data=task.input_data)
        done = url_for("console.user", user_id=task.related_id)
        return _show(form, Progress(task, done, "See the user"), "users/form.html")
    return _show(form, None, "users/form.html")


@console.route("/users/<uuid:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: UUID) -> Page:
    form, task = PatchForm(), _task()
    if form.validate_on_submit():
        return _submit(form, lambda: UpdateUser(user_id=user_id, values=form.changes()))
    stored = _stored(user_id, task)
    form.show(stored, {**stored, **(task.input_data if task else {})})
    return _show(form, _progress(task, user_id), "users/form.html")


@console.route("/users/<uuid:user_id>/replace", methods=["GET", "POST"])
def replace_user(user_id: UUID) -> Page:
    form, task = UserForm(), _task()
    if form.validate_on_submit():
        return _submit(form, lambda: ReplaceUser(user_id=user_id, values=form.values()))
    form.process(data=task.input_data if task else _stored(user_id, None))
    return _show(form, _progress(task, user_id), "users/form.html")


@console.route("/users/<uuid:user_id>/delete", methods=["GET", "POST"])
def delete_user(user_id: UUID) -> Page:
    form, task = ConfirmForm(), _task()
    if form.validate_on_submit():
        return _submit(form, lambda: DeleteUser(user_id=user_id), "users/delete.html")
    done = Progress(task, url_for("console.users"), "Back to the users") if task else None
    stored = _stored(user_id, task)
    return _show(form, done, "users/delete.html", user=stored)


def _submit(
    form: FlaskForm, command: Callable[[], Command], template: str = "users/form.html"
) -> Page:
    """Submit the command ``command()`` makes, or show why the domain refused to make it."""
    try:
        made = command()
    except InvalidUserData as refused:
        return _show(form, None, template, refused.errors, status=422)
    task = service().submit(made, request_id=request_id())
    view_args = request.view_args or {}
    return redirect(url_for(str(request.endpoint), **view_args, task=task.id), 303)


def _show(
    form: FlaskForm,
    progress: Progress | None,
    template: str,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    **context: Any,
) -> tuple[str, int]:
    """The page: the form, and the task's progress (its failure beside a field) if it has one."""
    if errors is None:
        errors = progress.field_errors() if progress else {}
    action = TITLES[str(request.endpoint)]
    context.update(form=form, progress=progress, errors=errors, action=action)
    return render_template(template, **context), status


def _task() -> Task | None:
    """The task this page submitted (``?task=``), if it names one."""
    if (given := request.args.get("task")) is None:
        return None
    try:
        return service().get(UUID(given))
    except ValueError:
        abort(404)


def _stored(user_id: UUID, task: Task | None) -> dict[str, Any]:
    """The user's fields as stored; once a task on it has run, it may be gone, and none are."""
    try:
        found = service().find_user(user_id).to_dict()
    except UserNotFound:
        if task is None:
            raise
        return {}
    return {name: found[name] for name in USER_FIELDS}


def _progress(task: Task | None, user_id: UUID) -> Progress | None:
    done = url_for("console.user", user_id=user_id)
    return Progress(task, done, "See the user") if task else None
