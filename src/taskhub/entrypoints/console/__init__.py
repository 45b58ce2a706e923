"""The admin console at ``/admin/``: server-rendered pages over the same ``TaskService`` as the
API, for the administrators of ``taskhub admin`` (see the README's "Console").

``init_console(app, settings)`` is all an app does to have it: the blueprint, its key and
sessions, and CSRF protection for its forms only. Templates and static files ship inside this
package (``pyproject.toml``'s package data): nothing comes from another site.
"""

from __future__ import annotations

import logging

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from taskhub.entrypoints.console import (
    auth,
    missing,
    overview,
    progress,
    tasks,
    tokens,
    user_forms,
    users,
)
from taskhub.entrypoints.console.blueprint import EXTENSION, ConsoleState, console
from taskhub.entrypoints.console.headers import secure_console_answers
from taskhub.entrypoints.console.keys import secret_key
from taskhub.entrypoints.console.sessions import configure_sessions
from taskhub.entrypoints.console.throttle import SignInThrottle
from taskhub.settings import Settings, SettingsError

__all__ = [
    "auth",
    "init_console",
    "missing",
    "overview",
    "progress",
    "tasks",
    "tokens",
    "user_forms",
    "users",
]  # the views, registered
log = logging.getLogger(__name__)


def init_console(app: Flask, settings: Settings) -> None:
    """Serve the console on ``app``; without a key to sign its sessions (``keys``), every
    console page says why, in one sentence, and the rest of the app is unaffected."""
    off_because = None
    try:
        configure_sessions(app, secret_key(settings), settings.console_session_lifetime)
    except SettingsError as error:
        off_because = str(error)
        log.warning("%s", off_because)
    # Checked by the console's own guard; the JSON API takes no cookies, so needs no token.
    app.config.update(WTF_CSRF_CHECK_DEFAULT=False, WTF_CSRF_TIME_LIMIT=None)
    CSRFProtect(app)
    throttle = SignInThrottle(settings.effective_rate_limit_storage_url)
    app.extensions[EXTENSION] = ConsoleState(off_because, throttle)
    app.register_blueprint(console)
    app.after_request(secure_console_answers)
