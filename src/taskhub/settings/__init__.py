"""Settings: one frozen, typed object, read once from the environment and a ``.env`` file.

Every field is ``TASKHUB_<FIELD IN CAPITALS>``; its ``description`` is what the README's
settings table says of it (a test holds the two together). pydantic checks each value, and a
wrong one is refused in one line naming the variable and what it allows (``SettingsError``).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self

from dotenv import dotenv_values
from pydantic import ConfigDict, ValidationError, model_validator

from taskhub.settings.access import AccessSettings
from taskhub.settings.console import ConsoleSettings
from taskhub.settings.errors import SettingsError, masked, one_line
from taskhub.settings.operating import OperatingSettings
from taskhub.settings.retention import RetentionSettings
from taskhub.settings.store import StoreSettings
from taskhub.settings.web import WebSettings
from taskhub.settings.work import WorkSettings

ENV_PREFIX = "TASKHUB_"
ENV_FILE = ".env"
DATABASE_KINDS = {"memory": "memory", "sqlite": "sqlite", "postgresql": "postgresql"}
__all__ = ["ENV_FILE", "ENV_PREFIX", "Settings", "SettingsError"]


# pydantic gathers the fields of the last base first: the README's table reads in this order
# reversed (store, work, web, operating, retention, access, console).
class Settings(
    ConsoleSettings,
    AccessSettings,
    RetentionSettings,
    OperatingSettings,
    WebSettings,
    WorkSettings,
    StoreSettings,
):
    """How taskhub is wired. ``Settings(...)`` takes exactly what it is given (and defaults);
    ``Settings.from_env()`` reads the environment and ``.env`` first."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as error:
            raise SettingsError(one_line(error, ENV_PREFIX)) from None

    @model_validator(mode="after")
    def _check_together(self) -> Self:
        scheme = self.effective_database_url.partition("://")[0].partition("+")[0]
        if scheme not in DATABASE_KINDS:
            kinds = ", ".join(f"{kind}://" for kind in DATABASE_KINDS)
            given = masked(self.database_url)
            raise ValueError(
                f"TASKHUB_DATABASE_URL must start with one of {kinds} (not {given!r})."
            )
        if self.bus == "celery" and not self.broker_url:
            raise ValueError("TASKHUB_BUS=celery needs a broker: set TASKHUB_BROKER_URL.")
        if self.broker_url and "broker_url" in self.model_fields_set and self.bus == "thread":
            raise ValueError(
                "TASKHUB_BROKER_URL is set but TASKHUB_BUS is 'thread', which runs every task "
                "in this process: set TASKHUB_BUS=celery to hand tasks to workers, or unset "
                "TASKHUB_BROKER_URL."
            )
        return self

    @property
    def effective_database_url(self) -> str:
        """The URL in use: the one set, else the embedded SQLite file in ``data_dir``."""
        return self.database_url or f"sqlite:///{os.path.join(self.data_dir, 'taskhub.sqlite3')}"

    @property
    def effective_rate_limit_storage_url(self) -> str:
        """Where rate-limit counts live: as set, else the Redis broker, else this process."""
        if self.rate_limit_storage_url:
            return self.rate_limit_storage_url
        if self.bus == "celery" and self.broker_url.startswith(("redis://", "rediss://")):
            return self.broker_url
        return "memory://"

    @property
    def database_kind(self) -> str:
        """``memory``, ``sqlite`` or ``postgresql``: which adapter serves the URL."""
        scheme = self.effective_database_url.partition("://")[0].partition("+")[0]
        return DATABASE_KINDS[scheme]

    @property
    def events_kind(self) -> str:
        """``kombu`` when events go to a broker (``events_url``), else ``local`` to this process."""
        return "kombu" if self.events_url else "local"

    def replaced(self, **changes: Any) -> Settings:
        """These settings with ``changes``, checked again as a whole."""
        given = {name: getattr(self, name) for name in self.model_fields_set}
        return Settings(**{**given, **changes})

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        env_file: str | Path | None = None,
        **overrides: Any,
    ) -> Settings:
        """Settings from ``overrides``, then ``TASKHUB_*`` variables, then ``env_file`` (if it
        exists), then the defaults. A ``TASKHUB_`` variable that names no setting is refused.

        ``environ`` given alone is the whole environment: no ``.env`` is read beside it unless
        ``env_file`` is given too."""
        if environ is None:
            environ, env_file = os.environ, ENV_FILE if env_file is None else env_file
        found = {**(_dotenv(env_file) if env_file is not None else {}), **environ}
        variables = {name: value for name, value in found.items() if name.startswith(ENV_PREFIX)}
        values = {_field_of(name): value for name, value in variables.items()}
        return cls(**{**values, **overrides})


def _dotenv(env_file: str | Path) -> dict[str, str]:
    path = Path(env_file)
    if not path.is_file():
        return {}
    return {name: value for name, value in dotenv_values(path).items() if value is not None}


def _field_of(variable: str) -> str:
    name = variable.removeprefix(ENV_PREFIX).lower()
    if name not in Settings.model_fields:
        known = [ENV_PREFIX + field.upper() for field in Settings.model_fields]
        close = difflib.get_close_matches(variable, known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise SettingsError(f"{variable} is not a taskhub setting{hint}.")
    return name
