"""``taskhub check``: the settings in effect (secrets masked), and whether each service answers.

Exit 0 when every connection answers, 1 when one does not, 2 when a setting is wrong (as every
command does). The schema is read, never migrated.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from pydantic import SecretStr

from taskhub.application.ports import StoreUnavailable
from taskhub.bootstrap import Container, build_container, shut_down
from taskhub.domain.time import format_duration
from taskhub.settings import ENV_PREFIX, Settings
from taskhub.settings.errors import SettingsError, masked


def run(as_json: bool = False) -> int:
    settings = Settings.from_env()
    container = build_container(settings)
    try:
        checks = {name: _outcome(check) for name, check in _checks(container).items()}
    finally:
        shut_down(container)
    shown = {
        ENV_PREFIX + name.upper(): _shown(getattr(settings, name)) for name in settings.model_fields
    }
    if as_json:
        print(json.dumps({"settings": shown, "checks": checks}, indent=2))
    else:
        print("\n".join(f"{name}={value}" for name, value in shown.items()))
        print(
            "\n".join(
                f"{name}: {'ok' if o['ok'] else 'FAILED'}: {o['detail']}"
                for name, o in checks.items()
            )
        )
    return 0 if all(outcome["ok"] for outcome in checks.values()) else 1


def _shown(value: object) -> object:
    """A value as ``check`` prints it: a secret as ``***`` when set, a URL's password masked."""
    if isinstance(value, SecretStr):
        return "***" if value.get_secret_value() else ""
    if isinstance(value, timedelta):
        return format_duration(value)
    return masked(value)


def _checks(container: Container) -> dict[str, Callable[[], str]]:
    settings, service = container.settings(), container.service()
    checks: dict[str, Callable[[], str]] = {"database": lambda: _database(container)}
    if settings.bus == "celery":
        checks["broker"] = lambda: _answers(service.check_bus)
    if settings.events_kind == "kombu":
        checks["events"] = lambda: _answers(service.check_events)
    return checks


def _answers(check: Callable[[], None]) -> str:
    check()
    return "answers"


def _database(container: Container) -> str:
    if container.settings().database_kind == "memory":
        return "in memory: nothing to reach"
    revisions = container.migrations().revisions()
    current, head = revisions["current"], revisions["head"]
    if current == head:
        return f"answers; its schema is at {head}, the newest"
    at = f"answers; its schema is at {current or 'none (empty)'}, not {head}"
    if current is not None and not container.migrations().knows(current):
        raise NotReady(f"{at}, and a newer taskhub made it: run that version")
    if container.settings().database_kind == "sqlite":
        return f"{at}: taskhub migrates it when it next starts"
    raise NotReady(f"{at}: run `taskhub db upgrade`")


class NotReady(Exception):
    """A service that answers but cannot serve this taskhub as it is."""


def _outcome(check: Callable[[], str]) -> dict[str, object]:
    try:
        return {"ok": True, "detail": check()}
    except SettingsError:  # a database that does not exist: a setting, exit 2
        raise
    except (StoreUnavailable, OSError, NotReady) as error:
        return {"ok": False, "detail": str(error)}
    except Exception as error:  # a broker client raises kinds of its own
        return {"ok": False, "detail": f"{type(error).__name__}: {error}"}
