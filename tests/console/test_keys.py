"""The key that signs sign-ins: one for every process of a deployment, or no console."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from taskhub.bootstrap import shut_down
from taskhub.entrypoints.console.keys import KEY_FILE, NEEDS_A_KEY, kept_key
from taskhub.entrypoints.http import create_app
from taskhub.settings import Settings, SettingsError
from tests.console.conftest import ADMIN, sign_in


def test_the_embedded_store_keeps_one_private_key_that_every_process_signs_with(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=str(tmp_path), bus="inline", **ADMIN)
    first, second = create_app(settings), create_app(settings)  # two gunicorn workers, say
    try:
        key = tmp_path / KEY_FILE
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert len(key.read_bytes()) >= 32
        signed_in = first.test_client()
        assert sign_in(signed_in) == "/admin/"
        cookie = signed_in.get_cookie("taskhub_console", path="/admin")
        assert cookie is not None
        other = second.test_client()
        other.set_cookie(cookie.key, cookie.value, path="/admin")
        assert other.get("/admin/users/").status_code == 200  # the other process knows it
    finally:
        for app in (first, second):
            shut_down(app.extensions["taskhub"].container)


def test_a_key_file_others_may_read_is_refused(tmp_path: Path) -> None:
    key = tmp_path / KEY_FILE
    kept = kept_key(key)
    assert kept_key(key) == kept
    key.chmod(0o644)
    with pytest.raises(SettingsError, match="chmod 600"):
        kept_key(key)


def test_a_planted_key_is_refused_a_link_or_a_short_one(tmp_path: Path) -> None:
    """Someone who could write the data directory must not choose the key that signs sign-ins."""
    planted = tmp_path / "planted"
    planted.write_text("k" * 64)
    planted.chmod(0o600)
    (tmp_path / "linked").mkdir()
    (tmp_path / "linked" / KEY_FILE).symlink_to(planted)
    with pytest.raises(SettingsError, match="cannot be read"):
        kept_key(tmp_path / "linked" / KEY_FILE)
    short = tmp_path / "short"
    short.mkdir()
    (short / KEY_FILE).write_text("x")
    (short / KEY_FILE).chmod(0o600)
    with pytest.raises(SettingsError, match="too short"):
        kept_key(short / KEY_FILE)


def test_the_data_directory_taskhub_makes_is_its_owners_alone(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=str(tmp_path / "made"), bus="inline"))
    shut_down(app.extensions["taskhub"].container)
    assert (tmp_path / "made").stat().st_mode & 0o777 == 0o700


def test_on_postgresql_without_a_key_the_console_is_off_and_the_api_is_not(
    postgres_url: str,
) -> None:
    app = create_app(Settings(database_url=postgres_url, bus="inline"))
    try:
        client = app.test_client()
        off = client.get("/admin/login")
        assert off.status_code == 503
        assert "TASKHUB_SECRET_KEY" in off.text
        assert NEEDS_A_KEY.split(";")[0] in off.text
        assert client.get("/api/tasks/").status_code == 200
    finally:
        shut_down(app.extensions["taskhub"].container)
    key = "k" * 40
    app = create_app(Settings(database_url=postgres_url, bus="inline", secret_key=key))
    try:
        assert app.test_client().get("/admin/login").status_code == 200
    finally:
        shut_down(app.extensions["taskhub"].container)


def test_a_short_key_is_refused_in_one_line() -> None:
    with pytest.raises(SettingsError, match=r"^TASKHUB_SECRET_KEY must be at least 32 characters"):
        Settings(secret_key="short")
    with pytest.raises(SettingsError) as refused:
        Settings(secret_key="a-secret-never-shown")
    assert "never-shown" not in str(refused.value)
