"""Who may call the API, as a server says at start (``taskhub serve``, gunicorn's master).

Apart from ``auth`` so that gunicorn's master can say it without importing Flask.
"""

from __future__ import annotations

from taskhub.settings import Settings


def access_line(settings: Settings) -> str:
    """What a server says at start of who may call its API."""
    if settings.auth == "required":
        return "API auth required: /api/ answers 401 without a bearer token (taskhub tokens create)"
    return ("API auth off: anyone who reaches this port may call /api/ "
            "(TASKHUB_AUTH=required asks for a token)")  # fmt: skip
