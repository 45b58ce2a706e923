"""``taskhub tasks purge`` and ``taskhub relay --once`` on the embedded SQLite file: what they
print, what they delete, and their exit codes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

import taskhub
from taskhub.domain.task import Task
from taskhub.entrypoints.cli import main
from taskhub.testing import a_task

LEASE = timedelta(seconds=30)


def finished_ago(age: timedelta) -> Task:
    """A create_user task that finished ``age`` ago by the system clock."""
    moment = datetime.now(UTC) - age
    task = a_task(now=moment)
    task.start(moment, LEASE)
    task.succeed({"message": "Successfully created user ada"}, moment)
    return task


@pytest.fixture
def tasks() -> dict[str, UUID]:
    """In the default store: two tasks finished 40 days ago, one 2 hours ago, one PENDING for
    40 days."""
    with taskhub.connect(bus="inline") as hub, hub.container.unit_of_work() as uow:
        made = {  # made once the store mapped the domain
            "old": finished_ago(timedelta(days=40)),
            "older": finished_ago(timedelta(days=41)),
            "recent": finished_ago(timedelta(hours=2)),
            "pending": a_task(now=datetime.now(UTC) - timedelta(days=40)),
        }
        for task in made.values():
            uow.tasks.add(task)
        uow.commit()
    return {name: task.id for name, task in made.items()}


def remaining(tasks: dict[str, UUID]) -> set[str]:
    with taskhub.connect(bus="inline") as hub:
        ids = {task.id for task in hub.tasks.list().items}
    return {name for name, task_id in tasks.items() if task_id in ids}


def test_a_dry_run_says_what_would_go_and_deletes_nothing(
    tasks: dict[str, UUID], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tasks", "purge", "--dry-run", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["dry_run"], report["purged"], report["redacted"]) == (True, 2, 0)
    assert report["finished_before"].endswith("Z")
    assert remaining(tasks) == set(tasks)


def test_a_purge_deletes_old_finished_tasks_and_says_so_in_one_line(
    tasks: dict[str, UUID], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tasks", "purge"]) == 0
    line = capsys.readouterr().out
    assert line.startswith("Purged 2 finished tasks (0 of them reads) and redacted 0 tasks")
    assert line.count("\n") == 1
    assert remaining(tasks) == {"recent", "pending"}


def test_older_than_reaches_younger_tasks_but_never_one_on_its_way(
    tasks: dict[str, UUID], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tasks", "purge", "--older-than", "90m", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["purged"] == 3
    assert remaining(tasks) == {"pending"}


@pytest.mark.parametrize("age", ["0d", "30", "a month", "-1d"])
def test_an_age_that_is_not_a_positive_duration_is_a_usage_error(
    age: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tasks", "purge", "--older-than", age]) == 2
    error = capsys.readouterr().err
    assert "Error: Invalid value for '--older-than'" in error
    assert "like 30d, 12h, 90m" in error


def test_an_unreachable_database_exits_1_saying_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TASKHUB_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert main(["tasks", "purge", "--json"]) == 1
    assert json.loads(capsys.readouterr().err)["code"] == "store_unavailable"


def test_a_relay_turn_purges_too(tasks: dict[str, UUID]) -> None:
    assert main(["relay", "--once"]) == 0
    assert remaining(tasks) == {"recent", "pending"}


def test_a_relay_purges_nothing_when_its_interval_is_zero(
    tasks: dict[str, UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TASKHUB_PURGE_INTERVAL", "0s")
    assert main(["relay", "--once"]) == 0
    assert remaining(tasks) == set(tasks)


@pytest.mark.parametrize("age", ["99999999999d", "800000d", "36500d1s"])
def test_an_age_beyond_a_century_is_a_usage_error_not_a_traceback(
    age: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tasks", "purge", "--older-than", age]) == 2
    assert f"'{age}' must be at most 36500d." in capsys.readouterr().err
