"""Settings of the store: where tasks and users are kept, the database and its sessions."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
)

from taskhub.settings.values import (
    AtLeastOne,
    NotNegative,
    default_data_dir,
    path_text,
    setting,
)


class StoreSettings(BaseModel):
    """Where tasks and users are kept: the database and its sessions."""

    database_url: str = setting(
        "",
        "`postgresql://…`, `sqlite:///path` (its directory must exist) or `memory://`",
        shown="SQLite file in the data directory",
    )
    data_dir: Annotated[str, BeforeValidator(path_text)] = Field(
        default_factory=default_data_dir,
        description="where the embedded SQLite file lives (created if missing)",
        json_schema_extra={"shown": "`$XDG_DATA_HOME/taskhub` or `~/.local/share/taskhub`"},
    )
    db_pool_size: AtLeastOne = setting(
        10,
        "PostgreSQL connections kept per process: at least gunicorn's `--threads` (8), or the "
        "connections beyond it are opened and closed request by request",
    )
    db_max_overflow: Annotated[int, Field(ge=0)] = setting(
        10, "PostgreSQL connections a process may open beyond its pool"
    )
    db_connect_timeout: AtLeastOne = setting(5, "seconds to wait for a database connection")
    db_statement_timeout_seconds: NotNegative = setting(
        30.0, "PostgreSQL `statement_timeout` of web, worker and relay sessions (0: none)"
    )
    db_lock_timeout_seconds: NotNegative = setting(
        10.0, "PostgreSQL `lock_timeout` of those sessions (0: none)"
    )
