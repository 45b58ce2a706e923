"""The settings as an operator reads them: the README's table and ``.env.example``, made from
the fields themselves, so the documentation cannot drift from the code (a test compares)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from taskhub.domain.time import format_duration
from taskhub.settings import ENV_PREFIX, Settings

HEADER = "| variable | default | meaning |\n| --- | --- | --- |"


def shown_default(field: FieldInfo) -> str:
    extra: dict[str, Any] = (
        field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    )
    if "shown" in extra:
        return str(extra["shown"])
    return f"`{shown_value(field.get_default(call_default_factory=True))}`"


def shown_value(value: Any) -> str:
    """A value as an operator writes it: ``30``, ``0.5``, ``30d``."""
    if isinstance(value, timedelta):
        return format_duration(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


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
        value = "" if default is None else shown_value(default)
        lines += ["", f"# {field.description}", f"# {ENV_PREFIX}{name.upper()}={value}"]
    return "\n".join(lines) + "\n"


def rewrite(readme: Path, env_example_path: Path) -> None:
    """Write the settings table into ``readme`` in place of the one there, and ``.env.example``
    (``python -m taskhub.settings.docs``, after a setting changed)."""
    text = readme.read_text()
    start = text.index(HEADER)
    end = text.find("\n\n", start)
    readme.write_text(text[:start] + markdown_table() + text[end if end != -1 else len(text) :])
    env_example_path.write_text(env_example())


if __name__ == "__main__":
    rewrite(Path("README.md"), Path(".env.example"))
