"""The ``taskhub`` command line: a line for people, ``--json`` for scripts, exit codes that mean
something (0 DONE, 1 FAILED or refused, 2 the command or a setting is wrong)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from dependency_injector import providers

import taskhub
from taskhub.entrypoints.cli import main
from taskhub.entrypoints.cli.output import task_line
from taskhub.testing import MOMENT, a_task
from tests.unit.test_running import NoBus

ADA = ["--username", "ada", "--email", "ada@example.com"]


def test_users_create_prints_the_finished_task(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["users", "create", *ADA, "--json"]) == 0
    task = json.loads(capsys.readouterr().out)
    assert (task["status"], task["operation"]) == ("DONE", "CREATE")
    assert task["result"]["message"] == "Successfully created user ada"


def test_a_task_said_in_one_line_and_a_failed_one_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["users", "create", *ADA]) == 0
    line = capsys.readouterr().out
    assert line.startswith("DONE create_user ")
    assert line.count("\n") == 1
    assert line.rstrip().endswith(": Successfully created user ada")
    assert main(["users", "create", "--username", "ada", "--email", "other@example.com"]) == 1
    assert "FAILED create_user" in capsys.readouterr().out


def test_a_refused_request_exits_1_with_the_fields_named(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["users", "create", "--username", "a b", "--email", "x", "--json"]) == 1
    error = json.loads(capsys.readouterr().err)
    assert error["code"] == "invalid_user_data"
    assert set(error["errors"]) == {"username", "email"}


@pytest.mark.parametrize(
    "argv",
    [
        ["users", "create", "--email", "ada@example.com"],  # --username is required
        ["users", "replace", "some-id", "--username", "ada"],  # and --email, for a replace
        ["tasks", "list", "--status", "LOST"],
        ["tasks", "list", "--task-name", "nonsense"],
        ["users", "list", "--page-size", "501"],
        ["serve", "--port", "99999"],
        ["nonsense"],
    ],
)
def test_a_wrong_command_is_a_usage_error(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert "Error:" in capsys.readouterr().err


def test_every_command_and_option_has_help() -> None:
    from taskhub.entrypoints.cli import taskhub

    def commands(group: object, path: str = "taskhub") -> list[tuple[str, object]]:
        found = [(path, group)]
        for name, sub in getattr(group, "commands", {}).items():
            found += commands(sub, f"{path} {name}")
        return found

    for path, command in commands(taskhub):
        assert command.help, path  # type: ignore[attr-defined]
        for option in command.params:  # type: ignore[attr-defined]
            if option.param_type_name == "option" and option.name != "help":
                assert option.help, f"{path} {option.name}"
        assert "``" not in command.help, path  # type: ignore[attr-defined]


def test_an_unreachable_database_exits_1_saying_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TASKHUB_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert main(["users", "list"]) == 1
    error = capsys.readouterr().err
    assert "cannot be reached" in error
    assert error.count("\n") == 1


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
    ran = without_extras("users", "create", *ADA, "--json")
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["status"] == "DONE"


@pytest.mark.parametrize(
    ("argv", "env", "extra"),
    [
        (["serve"], {}, "http"),
        (["worker"], {}, "celery"),
        (["openapi"], {}, "http"),
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


def test_tasks_wait_and_show_exit_0_for_done_and_1_for_failed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["users", "create", *ADA, "--json"]) == 0
    done = json.loads(capsys.readouterr().out)["id"]
    assert main(["users", "show", "f47ac10b-58cc-4372-a567-0e02b2c3d479", "--json"]) == 1
    failed = json.loads(capsys.readouterr().out)["id"]
    assert [main(["tasks", "wait", done]), main(["tasks", "wait", failed, "--json"])] == [0, 1]
    output = capsys.readouterr().out
    assert "DONE create_user" in output
    assert '"code": "user_not_found"' in output
    assert [main(["tasks", "show", done]), main(["tasks", "show", failed])] == [0, 1]


def test_openapi_prints_the_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert "/api/users/" in document["paths"]


def held_task() -> str:
    """A create recorded in the command line's store and left PENDING, as if queued."""
    with taskhub.connect(bus="inline") as hub:
        hub.container.task_bus.override(providers.Object(NoBus()))
        return str(hub.users.create(username="ada", email="ada@example.com").id)


def test_tasks_cancel_and_retry(capsys: pytest.CaptureFixture[str]) -> None:
    held = held_task()
    assert main(["tasks", "cancel", held]) == 0
    line = capsys.readouterr().out
    assert line.startswith(f"CANCELLED create_user {held} (attempt 0) [cancelled]: It was")
    assert [main(["tasks", "show", held]), main(["tasks", "wait", held])] == [1, 1]
    capsys.readouterr()
    assert main(["tasks", "retry", held, "--json"]) == 0
    retry = json.loads(capsys.readouterr().out)
    assert (retry["status"], retry["retry_of"]) == ("DONE", held)
    assert main(["tasks", "cancel", retry["id"]]) == 1
    assert "[task_already_finished]" in capsys.readouterr().err
    assert main(["tasks", "retry", held, "--json"]) == 1
    assert json.loads(capsys.readouterr().err)["code"] == "task_already_retried"
    assert main(["tasks", "list", "--status", "CANCELLED", "--json"]) == 0
    assert [task["id"] for task in json.loads(capsys.readouterr().out)["tasks"]] == [held]


def test_a_task_s_line_says_what_became_of_its_cancel() -> None:
    task = a_task()
    task.start(MOMENT, timedelta(minutes=1))
    task.cancel(MOMENT)
    assert task_line(task).endswith("(cancel requested: stops at a safe point)")
    task.succeed({"message": "Successfully created user ada"}, MOMENT)
    assert task_line(task).endswith(": Successfully created user ada (cancel came too late)")
