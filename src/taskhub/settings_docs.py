"""The settings as an operator reads them: the README's table and ``.env.example``, made from
the fields themselves, so the documentation cannot drift from the code (a test compares)."""

from __future__ import annotations

from typing import Any

from pydantic.fields import FieldInfo

from taskhub.settings import ENV_PREFIX, Settings

HEADER = "| variable | default | meaning |\n| --- | --- | --- |"


def shown_default(field: FieldInfo) -> str:
    extra: dict[str, Any] = (
        field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    )
    if "shown" in extra:
        return str(extra["shown"])
    default = field.get_default(call_default_factory=True)
    return f"`{default:g}`" if isinstance(default, float) else f"`{default}`"


def markdown_table() -> str:
    """One row per setting, in the order the class declares them."""
    rows = [
        f"| `{ENV_PREFIX}{name.upper()}` | {shown_default(field)} | {field.description} |"
        for name, field in Settings.model_fields.items()
    ]
    return "\n".join([HEADER, *rows])


def env_example() -> str:
    """Every setting, commented out at its default, with its meaning above it."""
    lines = ["# taskhub's settings: copy to .env and uncomment what you change."]
    for name, field in Settings.model_fields.items():
        default = "" if field.default_factory is not None else field.default
        value = (
            "" if default is None else (f"{default:g}" if isinstance(default, float) else default)
        )
        lines += ["", f"# {field.description}", f"# {ENV_PREFIX}{name.upper()}={value}"]
    return "\n".join(lines) + "\n"
