"""Settings: one frozen, typed object, read once from the environment and a ``.env`` file.

Every field is ``TASKHUB_<FIELD IN CAPITALS>``; its ``description`` is what the README's
settings table says of it (a test holds the two together). pydantic checks each value, and a
wrong one is refused in one line naming the variable and what it allows (``SettingsError``).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from dotenv import dotenv_values
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    model_validator,
)

from taskhub.domain.administrator import MIN_PASSWORD_LENGTH, validate_administrator
from taskhub.domain.errors import InvalidAdministrator
from taskhub.domain.time import DURATION_EXAMPLES, parse_duration
from taskhub.settings_errors import SettingsError, masked, one_line

ENV_PREFIX = "TASKHUB_"
ENV_FILE = ".env"
DATABASE_KINDS = {"memory": "memory", "sqlite": "sqlite", "postgresql": "postgresql"}
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NotNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
AtLeastOne = Annotated[int, Field(ge=1)]
# The notation of flask-limiter (its ``limits`` package), of at least one request: "N/unit" or
# "N per [M] unit", several joined by ";", "," or "|".
_RATE = r"\s*0*[1-9][0-9]*\s*(/|\s*per\s*)\s*([0-9]+\s*)?(second|minute|hour|day|month|year)s?\s*"
RATE_LIMITS = re.compile(rf"({_RATE}([;,|]{_RATE})*)?", re.IGNORECASE)
ORIGIN = re.compile(r"\*|https?://[^/\s,]+")


def _rate_limits(value: str) -> str:
    if not RATE_LIMITS.fullmatch(value):
        raise ValueError(
            "must be like 100/minute, or several joined by ';' (100/minute;2000/hour), each "
            "of at least 1"
        )
    return value


def _duration(value: Any) -> Any:
    """A duration given as text (``30d``, ``12h``, ``90m``) or as a ``timedelta``."""
    return parse_duration(value) if isinstance(value, str) else value


def _positive(span: timedelta) -> timedelta:
    if span <= timedelta(0):
        raise ValueError(f"must be a positive duration like {DURATION_EXAMPLES}")
    return span


Duration = Annotated[timedelta, BeforeValidator(_duration)]
PositiveDuration = Annotated[timedelta, BeforeValidator(_duration), AfterValidator(_positive)]


def _origins(value: str) -> str:
    if value and not all(ORIGIN.fullmatch(part.strip()) for part in value.split(",")):
        raise ValueError("must be origins like https://example.com (no path), comma-separated")
    return value


def _url_of(*schemes: str) -> AfterValidator:
    """A URL setting that is empty or starts with one of ``schemes``."""
    allowed = ", ".join(f"{scheme}://" for scheme in schemes)

    def check(value: str) -> str:
        if value and value.partition("://")[0] not in schemes:
            raise ValueError(f"must start with one of {allowed}")
        try:
            _ = urlsplit(value).port  # a port that is not a number, or out of range
        except ValueError as error:
            raise ValueError(f"is not a URL taskhub can use: {error}") from None
        return value

    return AfterValidator(check)


BROKER_URL = _url_of("redis", "rediss", "amqp", "amqps", "pyamqp")


def _none_if_empty(value: Any) -> Any:
    """An empty variable (``TASKHUB_X=``) is the setting left unset."""
    return None if value == "" else value


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


Port = Annotated[int, Field(ge=1, le=65535)]
OptionalPort = Annotated[Port | None, BeforeValidator(_none_if_empty)]
LogLevel = Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(_upper)]


def default_data_dir() -> str:
    """Where the embedded database lives: ``$XDG_DATA_HOME/taskhub``, else ``~/.local/share``."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share"
    )
    return os.path.join(base, "taskhub")


def _text(value: Any) -> Any:
    """A path given as a ``Path`` is the same setting as its text."""
    return os.fspath(value) if isinstance(value, os.PathLike) else value


def _setting(default: Any, meaning: str, shown: str | None = None) -> Any:
    """A setting's default and meaning; ``shown`` is how the README shows a default that is
    not a value a reader would type (an empty string that means "the embedded file")."""
    return Field(
        default, description=meaning, json_schema_extra={"shown": shown} if shown else None
    )


class Settings(BaseModel):
    """How taskhub is wired. ``Settings(...)`` takes exactly what it is given (and defaults);
    ``Settings.from_env()`` reads the environment and ``.env`` first."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str = _setting(
        "",
        "`postgresql://…`, `sqlite:///path` (its directory must exist) or `memory://`",
        shown="SQLite file in the data directory",
    )
    data_dir: Annotated[str, BeforeValidator(_text)] = Field(
        default_factory=default_data_dir,
        description="where the embedded SQLite file lives (created if missing)",
        json_schema_extra={"shown": "`$XDG_DATA_HOME/taskhub` or `~/.local/share/taskhub`"},
    )
    bus: Literal["inline", "thread", "celery"] = _setting(
        "thread", "`thread` (background threads), `inline` (run on submit) or `celery`"
    )
    worker_threads: AtLeastOne = _setting(4, "threads of the `thread` bus")
    worker_concurrency: AtLeastOne = _setting(
        2, "pool processes of a Celery worker (`--concurrency` overrides it)"
    )
    lease_seconds: Positive = _setting(
        30.0,
        "how long a claim holds a task unrenewed before another runner may take it over "
        "(renewed every third of it while the task runs)",
    )
    max_body_bytes: AtLeastOne = _setting(
        1_048_576, "largest request body the HTTP API accepts (413 beyond)"
    )
    max_wait_seconds: NotNegative = _setting(30.0, "cap on `Prefer: wait=N` in the HTTP API")
    sse_heartbeat_seconds: Positive = _setting(
        5.0,
        "seconds between a task event stream's keep-alive comments, and between its reads of "
        "the task when no event wakes it",
    )
    sse_max_seconds: Positive = _setting(
        300.0, "longest a task event stream stays open (the client reconnects with `Last-Event-ID`)"
    )
    sse_max_streams: AtLeastOne = _setting(
        4, "task event streams a web process holds open at once, each on a thread (503 beyond)"
    )
    cors_origins: Annotated[str, AfterValidator(_origins)] = _setting(
        "", "origins whose scripts may call `/api/` (comma-separated, or `*`)", shown="(none)"
    )
    rate_limit: Annotated[str, AfterValidator(_rate_limits)] = _setting(
        "",
        "requests each client may make to `/api/`, e.g. `100/minute;2000/hour` (429 beyond)",
        shown="(none: unlimited)",
    )
    rate_limit_storage_url: Annotated[str, _url_of("redis", "rediss", "memory")] = _setting(
        "",
        "where the counts live: `redis://…` (shared by every process) or `memory://` (each "
        "process its own)",
        shown="the broker if it is Redis, else `memory://`",
    )
    forwarded_hops: Annotated[int, Field(ge=0)] = _setting(
        0, "proxies in front of the web whose `X-Forwarded-For`/`-Proto` name the client"
    )
    db_pool_size: AtLeastOne = _setting(5, "PostgreSQL connections kept per process")
    db_max_overflow: Annotated[int, Field(ge=0)] = _setting(
        10, "PostgreSQL connections a process may open beyond its pool"
    )
    db_connect_timeout: AtLeastOne = _setting(5, "seconds to wait for a database connection")
    db_statement_timeout_seconds: NotNegative = _setting(
        30.0, "PostgreSQL `statement_timeout` of web, worker and relay sessions (0: none)"
    )
    db_lock_timeout_seconds: NotNegative = _setting(
        10.0, "PostgreSQL `lock_timeout` of those sessions (0: none)"
    )
    task_time_limit_seconds: Positive = _setting(
        300.0, "a worker stops a task running longer (`time_limit_exceeded`)"
    )
    broker_url: Annotated[str, BROKER_URL] = _setting(
        "redis://127.0.0.1:6379/0",
        "Celery broker (`redis://` or `amqp://`); setting it asks for `TASKHUB_BUS=celery`",
    )
    queue: str = _setting("taskhub", "the queue tasks are published to and workers consume")
    events_url: Annotated[str, BROKER_URL] = _setting(
        "", "kombu URL for the event exchange", shown="(none: events stay in the process)"
    )
    publish_timeout_seconds: Positive = _setting(
        1.0, "bound on connecting to the broker when publishing"
    )
    max_attempts: AtLeastOne = _setting(
        3, "attempts before a task that keeps losing its runner fails (`worker_lost`)"
    )
    relay_idle_seconds: NotNegative = _setting(
        30.0, "how long a task idles before a sweep first hands it on (then 2, 4 … 32 idles)"
    )
    relay_interval_seconds: Positive = _setting(
        5.0, "seconds between sweeps (in-process on `thread`, else `taskhub relay`'s)"
    )
    log_format: Literal["text", "json"] = _setting(
        "text", "`text` (a line for a person) or `json` (one JSON object a line, for a shipper)"
    )
    log_level: LogLevel = _setting(
        "INFO", "the least severe level logged: `DEBUG`, `INFO`, `WARNING` or `ERROR`"
    )
    worker_metrics_port: OptionalPort = _setting(
        None,
        "port on which `taskhub worker` serves Prometheus metrics (the sum of its pool processes)",
        shown="(none: no metrics server)",
    )
    relay_metrics_port: OptionalPort = _setting(
        None, "port on which `taskhub relay` serves Prometheus metrics", shown="(none)"
    )
    metrics_address: str = _setting(
        "0.0.0.0", "address the worker's and the relay's metrics servers listen on"
    )
    task_retention: PositiveDuration = _setting(
        timedelta(days=30),
        "a finished task is deleted this long after it finished (`taskhub tasks purge`, and "
        "the relay's periodic purge); a duration: `30d`, `12h`, `90m`",
    )
    read_retention: PositiveDuration = _setting(
        timedelta(days=1),
        "a finished read (`get_user`, `list_users`: copies of users) is deleted sooner: this "
        "long after it finished (or at `TASKHUB_TASK_RETENTION`, if shorter)",
    )
    redact_after: PositiveDuration = _setting(
        timedelta(days=1),
        "how long after a user's deletion its finished tasks lose its personal fields",
    )
    idempotency_key_ttl: PositiveDuration = _setting(
        timedelta(hours=24),
        "how long an `Idempotency-Key` names its first request (and while its task runs); "
        "after that a new request may use it",
    )
    purge_interval: Duration = _setting(
        timedelta(minutes=10),
        "how often the relay (a thread of each `thread` process, else `taskhub relay`) purges "
        "and redacts; `0s`: never (`taskhub tasks purge` still does)",
    )
    purge_batch_size: AtLeastOne = _setting(
        500, "tasks deleted or redacted per transaction of a purge"
    )

    admin_username: str = _setting(
        "", "the first administrator of the console, made at start if missing", shown="(none)"
    )
    admin_email: str = _setting("", "that administrator's email address", shown="(none)")
    admin_password: SecretStr = _setting(
        SecretStr(""),
        f"that administrator's password (at least {MIN_PASSWORD_LENGTH} characters), used only "
        "when the account is made",
        shown="(none)",
    )

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

    @model_validator(mode="after")
    def _check_administrator(self) -> Self:
        given = self.administrator
        if not any(given.values()):
            return self
        if missing := [ENV_PREFIX + "ADMIN_" + name.upper() for name, v in given.items() if not v]:
            raise ValueError(
                "TASKHUB_ADMIN_USERNAME, TASKHUB_ADMIN_EMAIL and TASKHUB_ADMIN_PASSWORD go "
                f"together: set {' and '.join(missing)} too."
            )
        try:
            validate_administrator(**given)
        except InvalidAdministrator as invalid:
            field, problems = next(iter(invalid.errors.items()))
            said = f"TASKHUB_ADMIN_{field.upper()} is refused: {' '.join(problems)}"
            raise ValueError(said) from None
        return self

    @property
    def administrator(self) -> dict[str, str]:
        """The first administrator's ``username``, ``email`` and ``password`` ("" if unset)."""
        password = self.admin_password.get_secret_value()
        return {"username": self.admin_username, "email": self.admin_email, "password": password}

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
