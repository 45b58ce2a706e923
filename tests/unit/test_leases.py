"""Leases that mean what they say: renewed while a runner lives, kept through a store outage.

The runner's guarantees under a failing store are checked here on the in-memory store with a unit
of work that loses the store on cue; ``tests/integration/test_store_faults.py`` restarts a real
PostgreSQL under running tasks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from dependency_injector import providers

import taskhub
from taskhub.adapters.memory import InMemoryUnitOfWork
from taskhub.application.heartbeat import Heartbeat
from taskhub.application.ports import StoreTimeout, StoreUnavailable
from taskhub.application.progress import CHECKED
from taskhub.application.relay import Relay
from taskhub.application.runner import TIME_LIMIT_ERROR, Runner
from taskhub.domain.task import TaskStatus
from taskhub.entrypoints.library import Hub
from taskhub.testing import ManualClock, user_fields
from tests.unit.test_running import pending

LEASE = timedelta(seconds=30)


class StoreFaults:
    """Makes the next commits that would finish a task raise ``fault``, as many as asked."""

    def __init__(self) -> None:
        self.left = 0
        self.fault: BaseException = StoreUnavailable("the database went away")

    def fail_next(self, commits: int, fault: BaseException | None = None) -> None:
        self.left = commits
        self.fault = fault or self.fault


def faulty_store(hub: Hub, faults: StoreFaults) -> None:
    """Install a unit of work whose commit that would finish a task fails while faults are left."""
    store = hub.container.memory_store()

    class FaultyUnitOfWork(InMemoryUnitOfWork):
        def commit(self) -> None:
            finishing = any(t.is_finished for t, _ in self.tasks.tracked.changed())
            if finishing and faults.left > 0:
                faults.left -= 1
                raise faults.fault
            super().commit()

    hub.container.unit_of_work.override(providers.Factory(FaultyUnitOfWork, store=store))


def runner_for(hub: Hub, clock: ManualClock, patience: timedelta, **options: object) -> Runner:
    return Runner(
        hub.container.unit_of_work, clock, hub.container.event_publisher(), LEASE,
        outage_patience=patience, **options,  # type: ignore[arg-type]
    )  # fmt: skip


def test_a_store_blip_after_the_claim_is_waited_out_under_the_same_claim(
    hub: Hub, clock: ManualClock
) -> None:
    task_id = pending(hub)
    faults = StoreFaults()
    faulty_store(hub, faults)
    faults.fail_next(2)
    task = runner_for(hub, clock, timedelta(seconds=10)).run(task_id)
    assert (task.status, task.attempt) == (TaskStatus.DONE, 1)
    assert faults.left == 0
    assert len(hub.container.memory_store().users) == 1


def test_an_outage_past_patience_is_raised_and_its_lease_runs_out(
    hub: Hub, clock: ManualClock
) -> None:
    """The claim is kept (nothing can give it back while the store is down): it counts as an
    attempt once another runner takes the task over after its lease."""
    task_id = pending(hub)
    faults = StoreFaults()
    faulty_store(hub, faults)
    faults.fail_next(1000)
    with pytest.raises(StoreUnavailable):
        runner_for(hub, clock, timedelta(seconds=0.3)).run(task_id)
    held = hub.tasks.get(task_id)
    assert (held.status, held.attempt, held.lease_expires_at) == (
        TaskStatus.PROCESSING, 1, clock.now() + LEASE,
    )  # fmt: skip
    faults.fail_next(0)
    clock.advance(LEASE)
    finished = runner_for(hub, clock, timedelta(seconds=0.3)).run(task_id)
    assert (finished.status, finished.attempt) == (TaskStatus.DONE, 2)


@pytest.mark.parametrize("code", ["lock_timeout", "statement_timeout"])
def test_a_store_timeout_ends_the_task_failed_with_its_code(
    hub: Hub, clock: ManualClock, code: str
) -> None:
    task_id = pending(hub)
    faults = StoreFaults()
    faulty_store(hub, faults)
    faults.fail_next(1, StoreTimeout(code, "It waited too long; nothing was changed."))
    task = runner_for(hub, clock, timedelta(seconds=10)).run(task_id)
    assert (task.status, task.attempt) == (TaskStatus.FAILED, 1)
    assert task.result == {
        "success": False,
        "error": "It waited too long; nothing was changed.",
        "code": code,
        "progress": CHECKED,  # the create had passed its checks: only its write timed out
    }
    assert hub.container.memory_store().users == {}


class Stopped(Exception):
    """Stands for what a host raises at a task's time limit (Celery's SoftTimeLimitExceeded)."""


def test_a_task_stopped_at_its_time_limit_ends_failed_saying_so(
    hub: Hub, clock: ManualClock
) -> None:
    task_id = pending(hub)
    faults = StoreFaults()
    faulty_store(hub, faults)
    faults.fail_next(1, Stopped())
    task = runner_for(hub, clock, timedelta(seconds=10), time_limits=(Stopped,)).run(task_id)
    assert task.status is TaskStatus.FAILED
    assert task.result["code"] == TIME_LIMIT_ERROR  # type: ignore[index]
    assert "time limit" in task.result["error"]  # type: ignore[index]


def claimed(hub: Hub, clock: ManualClock) -> UUID:
    task_id = pending(hub)
    with hub.container.unit_of_work() as uow:
        task = uow.tasks.get(task_id)
        assert task is not None
        task.start(clock.now(), LEASE)
        uow.commit()
    return task_id


def relay_for(hub: Hub, clock: ManualClock) -> Relay:
    uow, publisher = hub.container.unit_of_work, hub.container.event_publisher()
    return Relay(uow, hub.container.task_bus(), clock, publisher, timedelta(seconds=1))


def test_a_heartbeat_keeps_a_slow_task_from_being_taken_over(hub: Hub, clock: ManualClock) -> None:
    task_id = claimed(hub, clock)
    heartbeat = Heartbeat(hub.container.unit_of_work, clock, LEASE)
    held = hub.tasks.get(task_id)
    with heartbeat.holding(held):
        for _ in range(10):  # ten leases long, beating three times a lease
            for _ in range(3):
                clock.advance(LEASE / 3)
                assert heartbeat.beat() == 1
            assert relay_for(hub, clock).sweep().redispatched == 0
    after = hub.tasks.get(task_id)
    assert (after.status, after.attempt, after.version) == (
        TaskStatus.PROCESSING, 1, held.version,
    )  # fmt: skip
    heartbeat.close()


def test_without_beats_the_same_task_is_handed_on_once_its_lease_runs_out(
    hub: Hub, clock: ManualClock
) -> None:
    """The control for the test above: the relay would take it over."""
    task_id = claimed(hub, clock)
    hub.container.task_bus.override(providers.Object(NoopBus()))
    clock.advance(LEASE)
    assert relay_for(hub, clock).sweep().redispatched == 1
    assert hub.tasks.get(task_id).status is TaskStatus.PROCESSING


class NoopBus:
    def dispatch(self, task_id: UUID) -> None:
        """Hands nothing on: the test only counts the relay's decision."""


def test_a_heartbeat_stops_renewing_a_claim_taken_over(hub: Hub, clock: ManualClock) -> None:
    task_id = claimed(hub, clock)
    heartbeat = Heartbeat(hub.container.unit_of_work, clock, LEASE)
    first = hub.tasks.get(task_id)
    clock.advance(LEASE)
    hub.tasks.run(task_id)  # another runner took the expired lease and finished
    with heartbeat.holding(first):
        assert heartbeat.beat() == 0
    assert hub.tasks.get(task_id).status is TaskStatus.DONE
    heartbeat.close()


def test_the_container_s_runner_renews_leases_while_it_runs(hub: Hub) -> None:
    runner = hub.container.runner()
    assert runner.heartbeat is hub.container.heartbeat()
    assert runner.outage_patience == runner.lease * 5


def test_shutting_down_lets_the_thread_bus_drain_before_the_heartbeat_stops(
    tmp_path: Path,
) -> None:
    """Tasks still running or queued at shutdown finish with their leases renewed."""
    order: list[str] = []
    url = f"sqlite:///{tmp_path / 'drain.sqlite3'}"
    hub = taskhub.connect(database_url=url, bus="thread")
    bus, heartbeat = hub.container.thread_bus(), hub.container.heartbeat()
    for name, closing in (("bus", bus), ("heartbeat", heartbeat)):
        close = closing.close

        def recorded(name: str = name, close: Callable[[], None] = close) -> None:
            close()
            order.append(name)

        closing.close = recorded  # type: ignore[method-assign]
    tasks = [hub.users.create(**user_fields()).id for _ in range(20)]
    hub.close()
    assert order == ["bus", "heartbeat"]
    with taskhub.connect(
        database_url=f"sqlite:///{tmp_path / 'drain.sqlite3'}", bus="inline"
    ) as after:
        assert {after.tasks.get(task_id).status for task_id in tasks} == {TaskStatus.DONE}


def test_an_inline_submission_whose_run_meets_an_outage_is_still_accepted(hub: Hub) -> None:
    """The inline bus says ``DispatchFailed`` (the port's word for a hand-over that failed), so
    the submission answers with its saved task rather than an error for work the relay will do."""
    store = hub.container.memory_store()

    class NoClaims(InMemoryUnitOfWork):
        def commit(self) -> None:
            if any(t.status is TaskStatus.PROCESSING for t, _ in self.tasks.tracked.changed()):
                raise StoreUnavailable("the database went away")
            super().commit()

    hub.container.unit_of_work.override(providers.Factory(NoClaims, store=store))
    task = hub.users.create(**user_fields())
    assert (task.status, task.attempt) == (TaskStatus.PENDING, 0)
    hub.container.unit_of_work.reset_override()
    assert hub.tasks.run(task.id).status is TaskStatus.DONE
