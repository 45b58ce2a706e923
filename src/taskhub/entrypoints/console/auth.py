"""Signing in and out of the console."""

from __future__ import annotations

import logging

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from taskhub.domain.errors import SignInRefused
from taskhub.entrypoints.console.blueprint import console, console_state
from taskhub.entrypoints.console.forms import ConfirmForm, SignInForm
from taskhub.entrypoints.console.sessions import safe_next, sign_in, sign_out
from taskhub.entrypoints.http.state import api_state

log = logging.getLogger(__name__)
Page = str | tuple[str, int] | tuple[str, int, dict[str, str]]


@console.get("/")
def home() -> Response:
    """The console's first page: the overview of the work."""
    return redirect(url_for("console.overview"))


@console.route("/login", methods=["GET", "POST"])
def login() -> Response | Page:
    """The sign-in form; a failure, whatever its reason, says one sentence (``SignInRefused``),
    and past the throttle's bounds (counted before the password is checked) a sign-in is refused
    unheard, with how long to wait."""
    form = SignInForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("login.html", form=form)
    username, password = form.username.data or "", form.password.data or ""
    throttle, client = console_state().throttle, request.remote_addr or "unknown"
    if wait := throttle.attempt(client, username):
        message = f"Too many failed sign-ins: try again in {wait} s."
        return (
            render_template("login.html", form=form, error=message),
            429,
            {"Retry-After": str(wait)},
        )
    try:
        administrator = api_state().container.administrators().authenticate(username, password)
    except SignInRefused as refused:
        return render_template("login.html", form=form, error=refused.message)
    throttle.succeeded(client, username)
    sign_in(administrator)
    log.info("An administrator signed in to the console")
    return redirect(safe_next(form.next.data), 303)


@console.post("/logout")
def logout() -> Response:
    """Sign out: the session cookie is cleared (the form's CSRF token proves it was asked)."""
    if ConfirmForm().validate_on_submit():
        sign_out()
    return redirect(url_for("console.login"), 303)
