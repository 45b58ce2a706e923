"""Settings: one frozen object, read from the environment once, passed to whatever needs it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

ENV_PREFIX = "TASKHUB_"
BUS_KINDS = ("inline", "thread", "celery")
DATABASE_KINDS = {"memory": "memory", "sqlite": "sqlite", "postgresql": "postgresql"}


def default_data_dir() -> str:
    """Where the embedded database lives: ``$XDG_DATA_HOME/taskhub``, else ``~/.local/share``."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share"
    )
    return os.path.join(base, "taskhub")


def _at_least_one(value: float) -> bool:
    return value >= 1


def _positive(value: float) -> bool:
    return value > 0


def _not_negative(value: float) -> bool:
    return value >= 0


# Each numeric setting's bound, and the rule as its error message says it.
BOUNDS = {
    "worker_threads": (_at_least_one, "be at least 1"),
    "worker_concurrency": (_at_least_one, "be at least 1"),
    "lease_seconds": (_positive, "be positive"),
    "db_statement_timeout_seconds": (_not_negative, "not be negative (0 turns it off)"),
    "db_lock_timeout_seconds": (_not_negative, "not be negative (0 turns it off)"),
    "task_time_limit_seconds": (_positive, "be positive"),
    "relay_interval_seconds": (_positive, "be positive"),  # else the in-process sweep would spin
    "relay_idle_seconds": (_not_negative, "not be negative"),
    "max_attempts": (_at_least_one, "be at least 1"),
    "max_body_bytes": (_at_least_one, "be at least 1"),
    "max_wait_seconds": (_not_negative, "not be negative"),
}


@dataclass(frozen=True)
class Settings:
    """How taskhub is wired. Every field can be set as ``TASKHUB_<FIELD NAME IN CAPITALS>``."""

    database_url: str = ""
    data_dir: str = field(default_factory=default_data_dir)
    bus: str = "thread"
    worker_threads: int = 4
    worker_concurrency: int = 2
    lease_seconds: float = 30.0
    max_body_bytes: int = 1_048_576
    max_wait_seconds: float = 30.0
    db_pool_size: int = 5
    db_max_overflow: int = 10
    db_connect_timeout: int = 5
    db_statement_timeout_seconds: float = 30.0
    db_lock_timeout_seconds: float = 10.0
    task_time_limit_seconds: float = 300.0
    broker_url: str = "redis://127.0.0.1:6379/0"
    queue: str = "taskhub"
    events_url: str = ""
    publish_timeout_seconds: float = 1.0
    max_attempts: int = 3
    relay_idle_seconds: float = 30.0
    relay_interval_seconds: float = 5.0

    def __post_init__(self) -> None:
        if self.bus not in BUS_KINDS:
            raise ValueError(
                f"TASKHUB_BUS must be one of {', '.join(BUS_KINDS)}, not {self.bus!r}."
            )
        for name, (holds, rule) in BOUNDS.items():
            if not holds(getattr(self, name)):
                raise ValueError(f"TASKHUB_{name.upper()} must {rule}.")
        scheme = self.effective_database_url.partition("://")[0].partition("+")[0]
        if scheme not in DATABASE_KINDS:
            kinds = ", ".join(f"{kind}://" for kind in DATABASE_KINDS)
            raise ValueError(f"TASKHUB_DATABASE_URL must start with one of {kinds}")

    @property
    def effective_database_url(self) -> str:
        """The URL in use: the one set, else the embedded SQLite file in ``data_dir``."""
        return self.database_url or f"sqlite:///{os.path.join(self.data_dir, 'taskhub.sqlite3')}"

    @property
    def database_kind(self) -> str:
        """``memory``, ``sqlite`` or ``postgresql``: which adapter serves the URL."""
        scheme = self.effective_database_url.partition("://")[0].partition("+")[0]
        return DATABASE_KINDS[scheme]

    @property
    def events_kind(self) -> str:
        """``kombu`` when events go to a broker (``events_url``), else ``local`` to this process."""
        return "kombu" if self.events_url else "local"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``TASKHUB_*`` variables, then ``overrides``, then the defaults."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for setting in fields(cls):
            raw = environ.get(ENV_PREFIX + setting.name.upper())
            if raw is not None:
                values[setting.name] = _parse(setting.name, raw, setting.type)
        return cls(**{**values, **overrides})


def _parse(name: str, raw: str, kind: Any) -> Any:
    converter = {"int": int, "float": float}.get(str(kind), str)
    try:
        return converter(raw)
    except ValueError:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {kind}.") from None
