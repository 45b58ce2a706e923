"""The ``taskhub`` command line."""

from __future__ import annotations

import json
import subprocess
import sys

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


def test_tasks_list_refuses_an_unknown_task_name(capsys: pytest.CaptureFixture[str]) -> None:
    """On the embedded SQLite default, where the raw value once reached the database."""
    assert main(["tasks", "list", "--task-name", "nonsense"]) == 1
    error = json.loads(capsys.readouterr().err)
    assert error["code"] == "invalid_query"
    assert "create_user" in error["errors"]["task_name"][0]


def test_an_unreachable_database_exits_1_with_a_json_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TASKHUB_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert main(["users", "list"]) == 1
    error = json.loads(capsys.readouterr().err)
    assert error["code"] == "store_unavailable"
    assert "cannot be reached" in error["error"]


def without_extras(*argv: str) -> subprocess.CompletedProcess[str]:
    """``taskhub *argv`` as on a machine with only ``pip install taskhub``: no extra imports."""
    absent = ["flask", "flask_smorest", "marshmallow", "celery", "kombu", "redis", "psycopg2"]
    program = (
        f"import sys; sys.modules.update(dict.fromkeys({absent!r})); "
        f"from taskhub.entrypoints.cli import main; sys.exit(main({list(argv)!r}))"
    )
    return subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )


def test_the_library_and_its_commands_need_no_extra() -> None:
    ran = without_extras("users", "create", "--username", "ada", "--email", "ada@example.com")
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["status"] == "DONE"


@pytest.mark.parametrize(
    ("argv", "env", "extra"),
    [
        (["serve"], {}, "http"),
        (["worker"], {}, "celery"),
        (["users", "list"], {"TASKHUB_DATABASE_URL": "postgresql://db/taskhub"}, "postgres"),
        (["db", "upgrade"], {"TASKHUB_DATABASE_URL": "postgresql://db/taskhub"}, "postgres"),
        (["relay", "--once"], {"TASKHUB_BUS": "celery"}, "celery"),
    ],
)
def test_a_command_whose_extra_is_not_installed_names_it_in_one_line_and_exits_2(
    argv: list[str], env: dict[str, str], extra: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    ran = without_extras(*argv)
    assert ran.returncode == 2, ran.stderr
    assert ran.stderr.count("\n") == 1
    assert f"pip install 'taskhub[{extra}]'" in ran.stderr
