"""Settings: one frozen object, read from the environment once, passed to whatever needs it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

ENV_PREFIX = "TASKHUB_"
BUS_KINDS = ("inline", "thread")


@dataclass(frozen=True)
class Settings:
    """How taskhub is wired. Every field can be set as ``TASKHUB_<FIELD NAME IN CAPITALS>``."""

    database_url: str = "memory://"
    bus: str = "thread"
    worker_threads: int = 4
    lease_seconds: float = 300.0

    def __post_init__(self) -> None:
        if self.bus not in BUS_KINDS:
            raise ValueError(
                f"TASKHUB_BUS must be one of {', '.join(BUS_KINDS)}, not {self.bus!r}."
            )
        if self.worker_threads < 1:
            raise ValueError("TASKHUB_WORKER_THREADS must be at least 1.")
        if self.lease_seconds <= 0:
            raise ValueError("TASKHUB_LEASE_SECONDS must be positive.")

    @property
    def database_kind(self) -> str:
        return self.database_url.partition("://")[0]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``TASKHUB_*`` variables, then ``overrides``, then the defaults."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = environ.get(ENV_PREFIX + field.name.upper())
            if raw is not None:
                values[field.name] = _parse(field.name, raw, field.type)
        return cls(**{**values, **overrides})


def _parse(name: str, raw: str, kind: Any) -> Any:
    converter = {"int": int, "float": float}.get(str(kind), str)
    try:
        return converter(raw)
    except ValueError:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {kind}.") from None
