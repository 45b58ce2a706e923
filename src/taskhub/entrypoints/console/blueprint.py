"""The console's blueprint at ``/admin/``, and what guards every one of its requests.

Before any view: the console must have a key (``keys``), a form post must carry its CSRF token
(Flask-WTF, for the console only: the JSON API takes no cookies, so it needs none), and every
page but sign-in needs a signed-in administrator. After: ``headers.secured``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from taskhub.entrypoints.console.sessions import PUBLIC, signed_in_as, to_sign_in
from taskhub.entrypoints.console.throttle import SignInThrottle
from taskhub.entrypoints.http.state import settings

EXTENSION = "taskhub.console"
# The console's sections, in the navigation's order: a label, its endpoint, and the word its
# pages' endpoints hold (``console.edit_user`` is of Users); one shows once its endpoint exists.
NAV = [("Overview", "console.overview", "overview"), ("Tasks", "console.tasks", "task"),
       ("Users", "console.users", "user"), ("Tokens", "console.tokens", "token")]  # fmt: skip

console = Blueprint(
    "console", __name__, url_prefix="/admin", template_folder="templates",
    static_folder="static", static_url_path="/static",
)  # fmt: skip


@dataclass(frozen=True)
class ConsoleState:
    """The console of one app: why it is off (None: it is on), and its sign-in throttle."""

    off_because: str | None
    throttle: SignInThrottle


def console_state() -> ConsoleState:
    found: ConsoleState = current_app.extensions[EXTENSION]
    return found


@console.before_request
def guard() -> Response | str | tuple[str, int] | None:
    state = console_state()
    if state.off_because is not None:
        return render_template("unavailable.html", reason=state.off_because), 503
    current_app.extensions["csrf"].protect()  # raises CSRFError: refused below
    if request.endpoint in PUBLIC:
        return None
    if (username := signed_in_as(settings().console_session_lifetime)) is None:
        return to_sign_in()
    g.administrator = username
    return None


@console.errorhandler(CSRFError)
def refused_form(error: CSRFError) -> tuple[str, int]:
    """A form post without its token, or with another session's: refused, nothing done."""
    return render_template("refused.html", reason=error.description), 400


@console.app_context_processor
def navigation() -> dict[str, object]:
    """The sections to link to: (label, endpoint, whether this page is one of its pages)."""
    endpoints, here = current_app.view_functions, request.endpoint or ""
    shown = [(label, name, word in here) for label, name, word in NAV if name in endpoints]
    return {"navigation": shown}
