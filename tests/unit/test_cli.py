"""The ``taskhub`` command line."""

from __future__ import annotations

import json

import pytest

from taskhub.entrypoints.cli import main


def test_users_create_prints_the_finished_task(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["users", "create", "--username", "ada", "--email", "ada@example.com"]) == 0
    task = json.loads(capsys.readouterr().out)
    assert (task["status"], task["operation"]) == ("DONE", "CREATE")
    assert task["result"]["message"] == "Successfully created user ada"


def test_a_refused_request_exits_1_with_the_fields_named(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["users", "create", "--username", "a b", "--email", "x"]) == 1
    error = json.loads(capsys.readouterr().err)
    assert error["code"] == "invalid_user_data"
    assert set(error["errors"]) == {"username", "email"}


def test_tasks_list_refuses_an_unknown_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tasks", "list", "--status", "LOST"]) == 1
    assert json.loads(capsys.readouterr().err)["errors"]["status"]


def test_an_unreachable_database_exits_1_with_a_json_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TASKHUB_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert main(["users", "list"]) == 1
    error = json.loads(capsys.readouterr().err)
    assert error["code"] == "store_unavailable"
    assert "cannot be reached" in error["error"]
