"""Each step of a task's life is one log line and a count, with its identifiers and the id of
the request that submitted it, and never a personal field."""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from dependency_injector import providers
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from taskhub.adapters.local.observers import Observers
from taskhub.adapters.sqlalchemy.engine import build_engine
from taskhub.application.cancellation import SafePoint
from taskhub.application.catalogue import CATALOGUE, Entry
from taskhub.application.log_context import logging_about
from taskhub.application.ports import UnitOfWork
from taskhub.application.progress import Progress
from taskhub.application.users import handlers
from taskhub.application.users.commands import CreateUser, GetUser, ListUsers
from taskhub.bootstrap import resources
from taskhub.bootstrap.logs import log_handler
from taskhub.bootstrap.metrics import serve_metrics
from taskhub.domain.task import Task, TaskStatus
from taskhub.entrypoints.library import Hub
from taskhub.settings import Settings
from taskhub.testing import HeldBus, ManualClock, a_task, user_fields
from tests.logs import Line, events, json_lines, personal_values, sample
from tests.processes import free_port
from tests.unit.test_cancelling import hub_with

TASK = {"task_name": "create_user", "operation": "CREATE"}
Lines = Callable[[], list[Line]]


@pytest.fixture
def lines() -> Lines:
    """Every JSON line this test logs, through taskhub's handler."""
    with json_lines() as read:
        yield read  # type: ignore[misc]


@pytest.fixture
def held(hub: Hub) -> Hub:
    """The hub, with a bus that leaves every submitted task PENDING."""
    hub.container.task_bus.override(providers.Object(HeldBus()))
    return hub


def test_each_step_is_one_line_with_the_task_ids_and_its_request_id(hub: Hub, lines: Lines) -> None:
    task = hub.service().submit(CreateUser(values=user_fields()), request_id="req-7")
    steps = [line for line in lines() if line["logger"] == "taskhub.tasks"]
    assert [line["event"] for line in steps] == ["task.submitted", "task.started", "task.done"]
    for line in steps:
        assert line | {"task_id": str(task.id), "request_id": "req-7", **TASK} == line
    assert {"duration_ms", "turnaround_ms"} <= steps[-1].keys()


def test_no_line_tells_a_personal_field_not_even_a_failure_that_names_one(
    hub: Hub, lines: Lines
) -> None:
    fields = user_fields(first_name="Grace", last_name="Hopper")
    hub.users.create(**fields)
    taken = hub.users.create(**{**fields, "email": "other@example.com"})
    assert "already taken" in taken.result["error"]  # type: ignore[index]
    assert events(lines(), "task.failed", code="username_taken", task_id=str(taken.id))
    logged = json.dumps(lines())
    assert not [value for value in personal_values(fields) if value in logged]


def test_lines_logged_while_a_task_runs_carry_its_ids(held: Hub, lines: Lines) -> None:
    task = held.service().submit(CreateUser(values=user_fields()), request_id="req-9")
    held.container.memory_store().tasks[task.id].input_data = None  # type: ignore[assignment]
    held.tasks.run(task.id)
    (broken,) = [line for line in lines() if "failed unexpectedly" in line["message"]]
    assert broken | {"task_id": str(task.id), "request_id": "req-9", **TASK} == broken
    assert "TypeError" in broken["exc_info"]


def test_submissions_and_ends_are_counted_by_name_operation_status_and_code(hub: Hub) -> None:
    failed = {"task_name": "get_user", "operation": "READ", "status": "FAILED"}
    before = [
        sample("taskhub_tasks_submitted_total", **TASK),
        sample("taskhub_tasks_finished_total", **TASK, status="DONE", code=""),
        sample("taskhub_tasks_finished_total", **failed, code="user_not_found"),
        sample("taskhub_task_run_duration_seconds_count", **TASK, status="DONE"),
        sample("taskhub_task_submit_to_done_seconds_count", **failed),
    ]
    hub.users.create(**user_fields())
    hub.submit(GetUser(user_id=uuid4()))
    after = [
        sample("taskhub_tasks_submitted_total", **TASK),
        sample("taskhub_tasks_finished_total", **TASK, status="DONE", code=""),
        sample("taskhub_tasks_finished_total", **failed, code="user_not_found"),
        sample("taskhub_task_run_duration_seconds_count", **TASK, status="DONE"),
        sample("taskhub_task_submit_to_done_seconds_count", **failed),
    ]
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 1, 1, 1]


def test_a_redispatch_is_logged_and_counted(held: Hub, clock: ManualClock, lines: Lines) -> None:
    before = sample("taskhub_relay_redispatches_total", **TASK)
    task = held.service().submit(CreateUser(values=user_fields()), request_id="req-3")
    clock.advance(timedelta(seconds=held.container.settings().relay_idle_seconds))
    assert held.container.relay().sweep().redispatched == 1
    assert sample("taskhub_relay_redispatches_total", **TASK) == before + 1
    assert events(lines(), "task.redispatched", task_id=str(task.id), request_id="req-3")


def test_an_abandoned_task_is_logged_as_failed_worker_lost_and_counted(
    held: Hub, clock: ManualClock, lines: Lines
) -> None:
    abandoned = sample("taskhub_tasks_abandoned_total", **TASK)
    lost = {**TASK, "status": "FAILED", "code": "worker_lost"}
    ended = sample("taskhub_tasks_finished_total", **lost)
    task = held.users.create(**user_fields())
    runner = held.container.runner()
    for _ in range(runner.max_attempts):  # every runner dies while it holds the task
        held.container.memory_store().tasks[task.id].start(clock.now(), runner.lease)
        clock.advance(runner.lease)
    assert held.container.relay().sweep().abandoned == 1
    assert sample("taskhub_tasks_abandoned_total", **TASK) == abandoned + 1
    assert sample("taskhub_tasks_finished_total", **lost) == ended + 1
    (line,) = events(lines(), "task.failed", task_id=str(task.id))
    assert (line["code"], line["level"]) == ("worker_lost", "WARNING")
    assert [line for line in lines() if str(task.id) in line["message"]] == []  # the relay's own


class Recording:
    def __init__(self) -> None:
        self.heard: list[str] = []

    def submitted(self, task: Task) -> None:
        self.heard.append(f"submitted {task.id}")

    def started(self, task: Task) -> None:
        raise RuntimeError("a broken observer")

    def finished(self, task: Task, started_at: datetime) -> None:
        self.heard.append(f"finished {task.id}")

    def abandoned(self, task: Task) -> None:
        self.heard.append(f"abandoned {task.id}")

    def redispatched(self, task: Task) -> None:
        self.heard.append(f"redispatched {task.id}")


def test_an_observer_that_fails_is_logged_and_the_others_still_hear(
    caplog: pytest.LogCaptureFixture,
) -> None:
    task, broken, listening = a_task(), Recording(), Recording()
    observers = Observers(broken, listening)
    observers.started(task)
    observers.finished(task, task.created_at)
    assert listening.heard == broken.heard == [f"finished {task.id}"]
    assert caplog.text.count("failed at started") == 2


def test_a_text_line_ends_with_the_context_as_pairs(capsys: pytest.CaptureFixture[str]) -> None:
    handler = log_handler(Settings(log_format="text"))
    record = logging.LogRecord("taskhub.x", logging.INFO, __file__, 1, "Something", (), None)
    with logging_about(request_id="r-1", task_id="t-1"):
        handler.handle(record)
    assert capsys.readouterr().err.endswith(" Something request_id=r-1 task_id=t-1\n")


def test_a_task_remembers_the_request_that_submitted_it(hub: Hub) -> None:
    task = hub.service().submit(CreateUser(values=user_fields()), request_id="req-1")
    assert hub.tasks.get(task.id).request_id == "req-1"
    assert hub.tasks.get(task.id).status is TaskStatus.DONE


def test_a_failed_statement_never_shows_its_parameters(tmp_path: Path) -> None:
    """Its error is logged (an unexpected failure's traceback): a user's fields stay out of it."""
    engine = build_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with pytest.raises(OperationalError) as failed, engine.connect() as connection:
        connection.execute(
            text("INSERT INTO nowhere VALUES (:email)"), {"email": "ada@example.com"}
        )
    engine.dispose()
    assert "INSERT INTO nowhere" in str(failed.value)
    assert "ada@example.com" not in str(failed.value)


def test_a_task_ended_before_any_attempt_ran_it_has_no_run_duration(lines: Lines) -> None:
    """As a task ended while PENDING is told: its end is counted, but no run is timed."""
    task = a_task()
    task.start(task.created_at, timedelta(seconds=30))
    task.fail("some_code", "It ended.", task.created_at + timedelta(seconds=2))
    ended = {**TASK, "status": "FAILED"}
    runs = sample("taskhub_task_run_duration_seconds_count", **ended)
    failures = sample("taskhub_tasks_finished_total", **ended, code="some_code")
    resources.task_observer(CATALOGUE).finished(task, None)
    assert sample("taskhub_task_run_duration_seconds_count", **ended) == runs
    assert sample("taskhub_tasks_finished_total", **ended, code="some_code") == failures + 1
    (line,) = events(lines(), "task.failed", task_id=str(task.id))
    assert (line["turnaround_ms"], line["code"]) == (2000, "some_code")
    assert "duration_ms" not in line


CANCELLED = {**TASK, "status": "CANCELLED"}


def cancel_counts() -> tuple[float, float]:
    """(CANCELLED ends counted, CANCELLED runs timed) of creates, in this process."""
    return (
        sample("taskhub_tasks_finished_total", **CANCELLED, code="cancelled"),
        sample("taskhub_task_run_duration_seconds_count", **CANCELLED),
    )


def until_orphaned(hub: Hub) -> timedelta:
    """How long a claimed task must be left for its lease to run out and the relay to find it."""
    idle = timedelta(seconds=hub.container.settings().relay_idle_seconds)
    return max(hub.container.runner().lease, idle)


def test_a_pending_task_cancelled_is_told_once_with_no_run(
    held: Hub, clock: ManualClock, lines: Lines
) -> None:
    ended, runs = cancel_counts()
    task = held.service().submit(CreateUser(values=user_fields()), request_id="req-c")
    clock.advance(timedelta(seconds=2))
    held.tasks.cancel(task.id)
    held.tasks.cancel(task.id)  # again: it changes nothing, so nothing more is told
    assert cancel_counts() == (ended + 1, runs)
    (line,) = events(lines(), "task.cancelled", task_id=str(task.id), request_id="req-c")
    assert (line["code"], line["status"], line["attempt"]) == ("cancelled", "CANCELLED", 0)
    assert line["turnaround_ms"] == 2000
    assert "duration_ms" not in line


def test_a_running_task_marked_is_told_nothing_until_it_stops_at_a_safe_point(
    held: Hub, clock: ManualClock, lines: Lines
) -> None:
    ended, runs = cancel_counts()
    task = held.service().submit(CreateUser(values=user_fields()), request_id="req-s")
    runner = held.container.runner()
    claim = runner._claim(task.id)
    assert claim is not None
    assert held.tasks.cancel(task.id).status is TaskStatus.PROCESSING  # only marked
    assert cancel_counts() == (ended, runs)
    assert not events(lines(), "task.cancelled")
    clock.advance(timedelta(seconds=1))
    assert runner._settle(claim) is None  # stops before the operation starts: a safe point
    assert cancel_counts() == (ended + 1, runs + 1)
    (line,) = events(lines(), "task.cancelled", task_id=str(task.id), request_id="req-s")
    assert (line["duration_ms"], line["attempt"], line["code"]) == (1000, 1, "cancelled")


def test_a_list_stopped_between_two_batches_is_told_as_cancelled_with_its_run(
    clock: ManualClock, lines: Lines
) -> None:
    """The real safe point of a list (``StoreSafePoint``), reached with the cancel asked."""
    hub: Hub

    def list_(
        command: ListUsers, uow: UnitOfWork, now: datetime, at: SafePoint, progress: Progress
    ) -> object:
        hub.tasks.cancel(command.task_id)  # a client's cancel, arriving mid-run
        return handlers.list_users(command, uow, now, at, progress)

    listing = {"task_name": "list_users", "operation": "READ", "status": "CANCELLED"}
    hub = hub_with(Entry(ListUsers, list_), clock=clock)
    with hub:
        for _ in range(handlers.LIST_BATCH + 1):
            hub.users.create(**user_fields())
        ended = sample("taskhub_tasks_finished_total", **listing, code="cancelled")
        runs = sample("taskhub_task_run_duration_seconds_count", **listing)
        task = hub.users.list(page_size=handlers.LIST_BATCH * 2)
    assert task.status is TaskStatus.CANCELLED
    assert sample("taskhub_tasks_finished_total", **listing, code="cancelled") == ended + 1
    assert sample("taskhub_task_run_duration_seconds_count", **listing) == runs + 1
    (line,) = events(lines(), "task.cancelled", task_id=str(task.id))
    assert "duration_ms" in line


@pytest.mark.parametrize("finder", ["relay", "claim"])
def test_a_marked_task_whose_runner_died_is_told_as_cancelled_not_abandoned(
    held: Hub, clock: ManualClock, lines: Lines, finder: str
) -> None:
    ended, runs = cancel_counts()
    abandoned = sample("taskhub_tasks_abandoned_total", **TASK)
    task = held.service().submit(CreateUser(values=user_fields()), request_id="req-d")
    assert held.container.runner()._claim(task.id) is not None  # and then its runner dies
    held.tasks.cancel(task.id)
    clock.advance(until_orphaned(held))
    if finder == "relay":
        assert held.container.relay().sweep().cancelled == 1
    else:  # the relay's earlier message, or a redelivery, reaches a runner
        assert held.tasks.run(task.id).status is TaskStatus.CANCELLED
    assert cancel_counts() == (ended + 1, runs)
    assert sample("taskhub_tasks_abandoned_total", **TASK) == abandoned
    (line,) = events(lines(), "task.cancelled", task_id=str(task.id), request_id="req-d")
    assert (line["attempt"], line["code"]) == (1, "cancelled")
    assert "duration_ms" not in line
    assert [line for line in lines() if str(task.id) in line["message"]] == []  # the relay's own


def test_a_retry_carries_the_request_that_asked_for_it(hub: Hub, lines: Lines) -> None:
    fields = user_fields()
    taker = hub.users.create(**fields)
    failed = hub.users.create(**user_fields(username=fields["username"]))
    hub.users.delete(taker.related_id)  # type: ignore[arg-type]
    submitted = sample("taskhub_tasks_submitted_total", **TASK)
    retry = hub.service().retry(failed.id, request_id="req-r")
    assert hub.tasks.get(retry.id).request_id == "req-r"
    assert hub.tasks.get(failed.id).request_id is None  # the original keeps its own
    assert sample("taskhub_tasks_submitted_total", **TASK) == submitted + 1
    steps = events(lines(), "task.submitted", task_id=str(retry.id), request_id="req-r")
    steps += events(lines(), "task.done", task_id=str(retry.id), request_id="req-r")
    assert len(steps) == 2


def test_a_metrics_server_answers_a_scrape_restricted_to_some_names(hub: Hub) -> None:
    hub.users.create(**user_fields())  # taskhub's metrics exist, among prometheus-client's own
    port = free_port()
    stop = serve_metrics("127.0.0.1", port, "TASKHUB_RELAY_METRICS_PORT")
    try:
        url = f"http://127.0.0.1:{port}/metrics?name[]=taskhub_tasks_submitted_total"
        with urllib.request.urlopen(url, timeout=10) as page:
            status, text = page.status, page.read().decode()
    finally:
        stop()
    assert status == 200
    names = {family.name for family in text_string_to_metric_families(text)}
    assert names == {"taskhub_tasks_submitted"}
