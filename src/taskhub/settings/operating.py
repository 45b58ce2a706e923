"""Settings of operation: what an operator watches, logs and metrics."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    BaseModel,
)

from taskhub.settings.values import (
    LogLevel,
    OptionalPort,
    setting,
)


class OperatingSettings(BaseModel):
    """What an operator watches: logs and metrics."""

    log_format: Literal["text", "json"] = setting(
        "text", "`text` (a line for a person) or `json` (one JSON object a line, for a shipper)"
    )
    log_level: LogLevel = setting(
        "INFO", "the least severe level logged: `DEBUG`, `INFO`, `WARNING` or `ERROR`"
    )
    worker_metrics_port: OptionalPort = setting(
        None,
        "port on which `taskhub worker` serves Prometheus metrics (the sum of its pool processes)",
        shown="(none: no metrics server)",
    )
    relay_metrics_port: OptionalPort = setting(
        None, "port on which `taskhub relay` serves Prometheus metrics", shown="(none)"
    )
    metrics_address: str = setting(
        "0.0.0.0", "address the worker's and the relay's metrics servers listen on"
    )
