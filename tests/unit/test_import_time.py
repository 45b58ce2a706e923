"""No module does work at import time: none reads settings, builds an app or connects."""

from __future__ import annotations

import subprocess
import sys

IMPORT_EVERY_MODULE = """
import pkgutil, importlib, taskhub
for module in pkgutil.walk_packages(taskhub.__path__, "taskhub."):
    if ".migrations" not in module.name and not module.name.endswith(".__main__"):
        importlib.import_module(module.name)
import celery
assert not celery._state._apps, "a Celery app was made at import"
print("imported")
"""


def test_every_module_imports_under_settings_that_would_refuse_to_load() -> None:
    """Settings read at import would raise here (an unknown bus, an unknown database scheme)."""
    env = {"TASKHUB_BUS": "carrier-pigeon", "TASKHUB_DATABASE_URL": "nosuch://x", "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_MODULE], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "imported"
