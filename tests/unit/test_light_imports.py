"""Processes that need only a part of taskhub import only that part (memory: docs/benchmarks.md).

gunicorn's master reads its config and never serves; a process at start checks the schema's
revision, which needs no Alembic unless the database is behind. Each of these is a process of
every deployment, so what it imports it keeps in memory for good.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine

from taskhub.adapters.sqlalchemy import migrate, revisions
from taskhub.adapters.sqlalchemy.mapping import start_mappers

HEAVY = ("sqlalchemy", "flask", "celery", "alembic", "dependency_injector")


def imported_after(code: str) -> set[str]:
    """The top-level packages a fresh interpreter holds after running ``code``."""
    script = (
        f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_gunicorn_master_config_imports_none_of_the_app() -> None:
    held = imported_after("import taskhub.entrypoints.http.gunicorn_config")
    assert held.isdisjoint(HEAVY), held & set(HEAVY)


def test_the_package_and_its_settings_import_no_store_nor_framework() -> None:
    held = imported_after("import taskhub, taskhub.settings, taskhub.bootstrap.logs")
    assert held.isdisjoint(HEAVY), held & set(HEAVY)


def test_connect_is_still_there_on_first_use() -> None:
    held = imported_after("import taskhub; assert callable(taskhub.connect); taskhub.Hub")
    assert {"sqlalchemy", "dependency_injector"} <= held


def test_a_schema_at_head_is_checked_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'taskhub.sqlite3'}"
    start_mappers()
    migrate.upgrade(create_engine(url))
    check = (
        "from sqlalchemy import create_engine\n"
        "from taskhub.adapters.sqlalchemy.schema import Schema\n"
        f"Schema(create_engine({url!r})).ensure_ready()"
    )
    assert "alembic" not in imported_after(check)


def test_a_schema_behind_is_migrated_through_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'taskhub.sqlite3'}"
    check = (
        "from sqlalchemy import create_engine\n"
        "from taskhub.adapters.sqlalchemy.schema import Schema\n"
        f"Schema(create_engine({url!r})).ensure_ready()"
    )
    assert "alembic" in imported_after(check)
    assert revisions.current_revision(create_engine(url)) == revisions.head_revision()


def test_the_revisions_read_without_alembic_agree_with_alembic() -> None:
    """A revision is its file's number and the history is one line (``revisions``)."""
    assert revisions.head_revision() == migrate.alembic_head()
    files = sorted(revisions.VERSIONS.glob(revisions.MIGRATION_FILES))
    for earlier, later in zip([None, *files], files, strict=False):
        text = later.read_text()
        assert f'revision = "{later.name[:4]}"' in text, later.name
        down = f'"{earlier.name[:4]}"' if earlier else "None"
        assert f"down_revision = {down}" in text, later.name
