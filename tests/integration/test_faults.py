"""Fault tests: real workers killed, a broker stopped, a submitter killed mid-way, duplicates.

Each runs a PostgreSQL database of its own, a private Redis, real ``taskhub worker`` processes and
a relay sweeping in a background thread, and checks that no user's change is lost or duplicated.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from dependency_injector import providers
from sqlalchemy import text

from taskhub.adapters.celery.bus import CeleryBus
from taskhub.application.paging import MAX_PAGE_SIZE
from taskhub.application.sweeping import sweep_until
from taskhub.bootstrap import Container
from taskhub.domain.task import Task, TaskStatus
from taskhub.entrypoints.library import Hub
from taskhub.testing import user_fields
from tests.integration.conftest import hub_for, start_test_worker
from tests.processes import RedisServer, Worker, eventually
from tests.stack import stack_env

pytestmark = pytest.mark.slow
SETTLE = 90  # seconds: generous for a shared 2-core machine; each wait ends as soon as it can
SWEEP_EVERY = 0.5  # seconds between the test relay's sweeps
SWEEP_SLACK = 5.0  # seconds a sweep may lag on a loaded shared machine (observed: under 0.5)


@contextmanager
def relay_sweeping(hub: Hub | Container, every: float = SWEEP_EVERY) -> Iterator[None]:
    """The relay, sweeping in a background thread as ``taskhub relay`` would."""
    container = hub.container if isinstance(hub, Hub) else hub
    stop = threading.Event()
    sweep = lambda ignore_backoff: container.service().sweep(ignore_backoff)  # noqa: E731
    thread = threading.Thread(target=sweep_until, args=(stop, sweep, every), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def all_finished(hub: Hub, ids: list[UUID]) -> list[Task] | None:
    tasks = [hub.tasks.get(task_id) for task_id in ids]
    return tasks if all(task.is_finished for task in tasks) else None


def left_behind(task: Task, now: datetime, grace: timedelta) -> bool:
    """PROCESSING, its lease over for more than ``grace``, and neither changed nor handed on by
    the relay (which notes ``relay_after``) since it ran out."""
    expired = task.lease_expires_at
    if task.status is not TaskStatus.PROCESSING or expired is None:
        return False
    untouched = task.updated_at <= expired and task.relay_after is None
    return expired + grace < now and untouched


@contextmanager
def watching_leases(hub: Hub, grace: timedelta) -> Iterator[dict[UUID, datetime | None]]:
    """Samples the PROCESSING tasks in a background thread; yields those found left behind.

    Each is given with the moment its lease ran out.
    """
    found: dict[UUID, datetime | None] = {}
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.25):
            now = datetime.now(UTC)
            tasks = hub.tasks.list(status="PROCESSING", page_size=MAX_PAGE_SIZE).items
            found.update((t.id, t.lease_expires_at) for t in tasks if left_behind(t, now, grace))

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        stop.set()
        thread.join()


@contextmanager
def creates_stalled(hub: Hub) -> Iterator[None]:
    """Holds a lock that blocks every INSERT into users: a claimed create stays PROCESSING.

    The worker claims in one commit and inserts the user in the next, so while this lasts no
    task seen PROCESSING can finish; a process killed now certainly leaves its task orphaned.
    """
    with hub.container.engine().begin() as connection:
        connection.execute(text("LOCK TABLE users IN SHARE MODE"))
        yield


def kill(pid: int) -> None:
    """SIGKILL a pool child, unless it is already gone (the pool replaces the ones it loses)."""
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def running(hub: Hub, at_least: int) -> dict[UUID, int]:
    """The PROCESSING tasks with their attempts, once there are ``at_least`` of them."""
    tasks = hub.tasks.list(status="PROCESSING").items
    return {task.id: task.attempt for task in tasks} if len(tasks) >= at_least else {}


def assert_run_again(held: dict[UUID, int], tasks: list[Task]) -> None:
    """Each task held by a killed process finished on a later attempt than the one killed."""
    attempts = {task.id: task.attempt for task in tasks if task.id in held}
    assert attempts.keys() == held.keys()
    assert all(attempts[task_id] > attempt for task_id, attempt in held.items()), attempts


def assert_each_done_create_made_exactly_one_user(hub: Hub, tasks: list[Task]) -> None:
    done = [task for task in tasks if task.status is TaskStatus.DONE]
    for task in tasks:
        if task.status is TaskStatus.FAILED:
            assert task.result is not None
            assert task.result["code"]
            assert task.result["error"]
    with hub.container.engine().connect() as connection:
        ids = {row[0] for row in connection.execute(text("SELECT id FROM users"))}
    assert ids == {task.related_id for task in done}


def test_pool_children_killed_during_a_run_lose_and_duplicate_nothing(
    database_url: str, private_redis: RedisServer, start_worker: Callable[..., Worker]
) -> None:
    env = stack_env(database_url, private_redis.url)
    worker = start_worker(env, "--concurrency=2")
    relay_idle = float(env["TASKHUB_RELAY_IDLE_SECONDS"])
    grace = timedelta(seconds=relay_idle + SWEEP_EVERY + SWEEP_SLACK)
    with hub_for(env) as hub, relay_sweeping(hub), watching_leases(hub, grace) as left:
        ids: list[UUID] = []
        submitter = threading.Thread(
            target=lambda: ids.extend(hub.users.create(**user_fields()).id for _ in range(300))
        )
        submitter.start()
        with creates_stalled(hub):
            children = worker.children()
            held = eventually(lambda: running(hub, len(children)), 30, "each child to hold one")
            for child in children:
                kill(child)
        kills = len(children)
        while kills < 12 and (submitter.is_alive() or kills < 5):
            time.sleep(0.1)
            if children := worker.children():
                kill(random.choice(children))
                kills += 1
        submitter.join()
        tasks = eventually(lambda: all_finished(hub, ids), SETTLE, "every task to finish")
    assert not left, f"not handed on {grace.total_seconds()}s after their lease ran out: {left}"
    assert_each_done_create_made_exactly_one_user(hub, tasks)
    assert {task.status for task in tasks} == {TaskStatus.DONE}
    assert "WorkerLostError" in worker.log.read_text(), "no kill interrupted a running task"
    assert_run_again(held, tasks)


def test_a_killed_worker_s_orphans_are_finished_by_the_next_one(
    database_url: str, private_redis: RedisServer, start_worker: Callable[..., Worker]
) -> None:
    env = stack_env(database_url, private_redis.url)
    first = start_worker(env, "--concurrency=2")
    with hub_for(env) as hub, relay_sweeping(hub):
        with creates_stalled(hub):
            ids = [hub.users.create(**user_fields()).id for _ in range(100)]
            held = eventually(lambda: running(hub, 1), 30, "a task in flight")
            first.kill()
        start_worker(env, "--concurrency=2")
        tasks = eventually(lambda: all_finished(hub, ids), SETTLE, "the orphans to finish")
        assert {task.status for task in tasks} == {TaskStatus.DONE}
        assert_each_done_create_made_exactly_one_user(hub, tasks)
    assert_run_again(held, tasks)


@pytest.mark.parametrize("in_flight", [False, True], ids=["while-tasks-flow", "mid-task"])
def test_a_broker_outage_during_submissions_loses_nothing(
    database_url: str,
    private_redis: RedisServer,
    start_worker: Callable[..., Worker],
    in_flight: bool,
) -> None:
    """Redis stops while its messages flow, or while a worker holds one it has not acknowledged."""
    env = stack_env(database_url, private_redis.url)
    worker = start_worker(env, "--concurrency=2")

    def settled() -> list[Task] | None:
        assert worker.process.poll() is None, "the worker exited instead of reconnecting"
        return all_finished(hub, ids)

    with hub_for(env) as hub, relay_sweeping(hub):
        with creates_stalled(hub) if in_flight else nullcontext():
            ids = [hub.users.create(**user_fields()).id for _ in range(20)]
            if in_flight:
                eventually(lambda: running(hub, 1), 30, "a task in flight")
            private_redis.stop()
        started = time.monotonic()
        ids += [hub.users.create(**user_fields()).id for _ in range(20)]
        assert time.monotonic() - started < 20 * 1.5, "publishing blocked on the dead broker"
        private_redis.start()
        tasks = eventually(settled, SETTLE, "every task to finish")
        assert {task.status for task in tasks} == {TaskStatus.DONE}
        assert_each_done_create_made_exactly_one_user(hub, tasks)


SUBMIT_AND_DIE = """
import os, signal, sys
from dependency_injector import providers
import taskhub

class DieBeforePublishing:
    def dispatch(self, task_id):
        print(task_id, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

hub = taskhub.connect()
hub.container.task_bus.override(providers.Object(DieBeforePublishing()))
hub.users.create(username=sys.argv[1], email=sys.argv[1] + "@example.com")
"""


def test_a_submitter_killed_between_commit_and_publish_is_covered_by_the_relay(
    database_url: str, private_redis: RedisServer, start_worker: Callable[..., Worker]
) -> None:
    env = stack_env(database_url, private_redis.url)
    died = subprocess.run(
        [sys.executable, "-c", SUBMIT_AND_DIE, "orphan"],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert died.returncode == -signal.SIGKILL, died.stderr
    task_id = UUID(died.stdout.strip())
    start_worker(env, "--concurrency=1")
    with hub_for(env) as hub:
        assert hub.tasks.get(task_id).status is TaskStatus.PENDING
        with relay_sweeping(hub):
            finished = hub.tasks.wait(task_id, timeout=SETTLE)
    assert finished.status is TaskStatus.DONE
    assert finished.result["message"] == "Successfully created user orphan"  # type: ignore[index]


class TwiceBus:
    """Publishes every message twice, as an at-least-once broker may deliver it."""

    def __init__(self, bus: CeleryBus) -> None:
        self._bus = bus

    def dispatch(self, task_id: UUID) -> None:
        self._bus.dispatch(task_id)
        self._bus.dispatch(task_id)


def test_every_message_published_twice_has_its_effect_once(
    database_url: str, private_redis: RedisServer, start_worker: Callable[..., Worker]
) -> None:
    env = stack_env(database_url, private_redis.url)
    worker = start_worker(env, "--concurrency=2")
    with hub_for(env) as hub:
        hub.container.task_bus.override(providers.Object(TwiceBus(hub.container.celery_bus())))
        ids = [hub.users.create(**user_fields()).id for _ in range(50)]
        tasks = eventually(lambda: all_finished(hub, ids), SETTLE, "every task to finish")
        assert {(task.status, task.attempt) for task in tasks} == {(TaskStatus.DONE, 1)}
        assert_each_done_create_made_exactly_one_user(hub, tasks)
    runs = eventually(lambda: worker.log.read_text().count("succeeded in") >= 100, 30, "100 runs")
    assert runs


def test_a_task_that_always_kills_its_worker_fails_after_the_attempt_limit(
    database_url: str, private_redis: RedisServer, start_worker: Callable[..., Worker]
) -> None:
    env = {**stack_env(database_url, private_redis.url), "TASKHUB_MAX_ATTEMPTS": "2"}
    start_test_worker(start_worker, env, "poison_worker", concurrency=2)
    with hub_for(env) as hub, relay_sweeping(hub):
        poison = hub.users.create(**user_fields(username="poison_pill")).id
        others = [hub.users.create(**user_fields()).id for _ in range(10)]
        tasks = eventually(lambda: all_finished(hub, [poison, *others]), SETTLE, "all to end")
    failed, *done = tasks
    assert (failed.status, failed.attempt) == (TaskStatus.FAILED, 2)
    assert failed.result["code"] == "worker_lost"  # type: ignore[index]
    assert {task.status for task in done} == {TaskStatus.DONE}


def test_relay_command_sweeps_once_and_exits(database_url: str, tmp_path: Path) -> None:
    env = stack_env(database_url, "redis://127.0.0.1:1/0")
    done = subprocess.run(
        [sys.executable, "-m", "taskhub.entrypoints.cli", "relay", "--once"],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
