"""How the command line answers when it cannot do what was asked: JSON for a refused request
(exit 1), one line for a missing extra (exit 2, through ``SettingsError``)."""

from __future__ import annotations

import json
import sys
from typing import Any

from taskhub.application.ports import StoreUnavailable
from taskhub.domain.errors import DomainError
from taskhub.settings_errors import SettingsError

# Which optional dependency group (``pip install 'taskhub[group]'``) brings each module.
EXTRAS = {
    "flask": "http", "flask_smorest": "http", "marshmallow": "http", "swagger_ui_bundle": "http",
    "celery": "celery", "kombu": "celery", "redis": "celery", "psycopg2": "postgres",
}  # fmt: skip


def missing(error: ModuleNotFoundError) -> int:
    """Name the extra to install, rather than a traceback, when a command's dependency is absent."""
    extra = EXTRAS.get((error.name or "").partition(".")[0])
    if extra is None:
        raise error
    needs = f"This command needs taskhub's '{extra}' dependencies: pip install 'taskhub[{extra}]'."
    raise SettingsError(needs) from error


def unavailable(error: StoreUnavailable) -> int:
    """The store's refusal, with its own code where it has one (``schema_not_ready``)."""
    return refused({"code": getattr(error, "code", "store_unavailable"), "error": str(error)})


def fields_of(error: DomainError) -> dict[str, Any]:
    errors = getattr(error, "errors", None)
    return {"errors": errors} if errors else {}


def refused(details: dict[str, Any]) -> int:
    """The error as JSON on standard error, and the exit status of a refused request."""
    print(json.dumps(details, indent=2), file=sys.stderr)
    return 1
