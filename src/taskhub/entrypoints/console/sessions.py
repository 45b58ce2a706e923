"""The console's sessions: a signed cookie that names the administrator and when they signed in.

The cookie is Flask's, signed with the console's key (``keys``): HttpOnly, SameSite=Lax, only
on ``/admin``, and Secure whenever the request came over HTTPS (as ``TASKHUB_FORWARDED_HOPS``
proxies report it), so a sign-in over HTTPS never travels in clear. A sign-in lasts
``TASKHUB_CONSOLE_SESSION_LIFETIME`` from the moment it was made, however busy: the cookie's
signature is checked against that age too. Signing out clears it and notes the moment on the
administrator, whose sessions signed in before then are refused from then on (a copy of the
cookie included); an account deleted ends its sessions too. Moments come from the container's
clock, as every other in taskhub.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import Flask, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.wrappers import Response

from taskhub.bootstrap import Container
from taskhub.domain.administrator import Administrator
from taskhub.entrypoints.http.state import api_state

COOKIE = "taskhub_console"
PREFIX = "/admin"
PUBLIC = {"console.login", "console.static", "console.unavailable"}


class ConsoleSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, Secure when this request is HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure


def configure_sessions(app: Flask, key: bytes, lifetime: timedelta) -> None:
    app.secret_key = key
    app.session_interface = ConsoleSessions()
    app.config.update(
        SESSION_COOKIE_NAME=COOKIE,
        SESSION_COOKIE_PATH=PREFIX,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=lifetime,
    )


def sign_in(administrator: Administrator) -> None:
    """A new session for ``administrator``: nothing of the one before survives (no fixation)."""
    session.clear()
    session.permanent = True
    signed_in_at = _container().clock().now().timestamp()
    session.update(administrator=administrator.username, signed_in_at=signed_in_at)


def sign_out() -> None:
    """End this administrator's sessions, this one and any copy of it, then clear the cookie."""
    if isinstance(username := session.get("administrator"), str):
        _container().administrators().end_sessions(username)
    session.clear()


def signed_in_as(lifetime: timedelta) -> str | None:
    """The administrator of this session, unless there is none, it has outlived ``lifetime``,
    or its administrator signed out since (or is gone)."""
    username, since = session.get("administrator"), session.get("signed_in_at")
    if not isinstance(username, str) or not isinstance(since, int | float):
        return None
    container = _container()
    now = container.clock().now()
    signed_in_at = datetime.fromtimestamp(since, UTC)
    too_old = now - signed_in_at > lifetime
    if too_old or container.administrators().session_holder(username, signed_in_at) is None:
        session.clear()
        return None
    return username


def _container() -> Container:
    return api_state().container


def to_sign_in() -> Response:
    """A redirect to the sign-in page that comes back here afterwards."""
    back = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("console.login", next=back))


def safe_next(target: str | None) -> str:
    """Where to go after signing in: ``target`` if it is a console path on this site, else the
    console's home. Anything else (another host, ``//host``, a scheme, a backslash that some
    browsers read as a slash) would make the sign-in page an open redirect."""
    default = url_for("console.home")
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(f"{PREFIX}/"):
        return default
    return target
