"""The relay hands on what no runner is finishing, and gives up on tasks that kill their runners."""

from __future__ import annotations

import itertools
from datetime import timedelta
from uuid import UUID

import pytest
from dependency_injector import providers

from taskhub.application.ports import DispatchFailed
from taskhub.application.relay import Relay, SweepReport
from taskhub.domain.task import TaskStatus
from taskhub.entrypoints.library import Hub
from taskhub.testing import ManualClock, user_fields

IDLE = timedelta(seconds=30)
LEASE = timedelta(minutes=5)


class RecordingBus:
    def __init__(self) -> None:
        self.dispatched: list[UUID] = []

    def dispatch(self, task_id: UUID) -> None:
        self.dispatched.append(task_id)


@pytest.fixture
def bus(hub: Hub) -> RecordingBus:
    """A bus that only records, installed in the hub: submissions stay PENDING."""
    recording = RecordingBus()
    hub.container.task_bus.override(providers.Object(recording))
    return recording


def relay(hub: Hub, bus: RecordingBus, clock: ManualClock, max_attempts: int = 3) -> Relay:
    return Relay(
        hub.container.unit_of_work, bus, clock, hub.container.event_publisher(), IDLE, max_attempts
    )


def test_a_pending_task_is_dispatched_again_once_it_has_idled(
    hub: Hub, bus: RecordingBus, clock: ManualClock
) -> None:
    task = hub.users.create(**user_fields())
    assert relay(hub, bus, clock).sweep().redispatched == 0
    clock.advance(IDLE)
    assert relay(hub, bus, clock).sweep().redispatched == 1
    assert bus.dispatched == [task.id, task.id]
    assert relay(hub, bus, clock).sweep().redispatched == 0  # handed on: it waits anew


def redispatch_times(hub: Hub, bus: RecordingBus, clock: ManualClock, idles: int) -> list[int]:
    """Sweep once per idle for ``idles`` idles; the idles at which the relay handed a task on."""
    times = []
    for elapsed in range(1, idles + 1):
        clock.advance(IDLE)
        if relay(hub, bus, clock).sweep().redispatched:
            times.append(elapsed)
    return times


def test_the_wait_between_redispatches_doubles(
    hub: Hub, bus: RecordingBus, clock: ManualClock
) -> None:
    """Queued behind busy workers for 60 idles, a task gets 6 messages, not 61."""
    hub.users.create(**user_fields())
    assert redispatch_times(hub, bus, clock, 60) == [1, 3, 7, 15, 31]
    assert len(bus.dispatched) == 1 + 5


def test_the_doubling_stops_at_32_idles(hub: Hub, bus: RecordingBus, clock: ManualClock) -> None:
    hub.users.create(**user_fields())
    times = redispatch_times(hub, bus, clock, 200)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps == [2, 4, 8, 16, 32, 32, 32, 32, 32]


def test_a_claim_racing_the_relay_still_wins_and_ends_the_backoff(
    hub: Hub, bus: RecordingBus, clock: ManualClock
) -> None:
    """The relay notes a redispatch between a runner's read and its claim: the claim commits,
    and the relay's note is cleared, so a runner lost afterwards is replaced within its lease."""
    task = hub.users.create(**user_fields())
    clock.advance(IDLE * 4)
    runner = hub.container.runner()
    with hub.container.unit_of_work() as claiming:
        loaded = claiming.tasks.get(task.id)
        assert loaded is not None
        assert relay(hub, bus, clock).sweep().redispatched == 1  # between read and claim
        loaded.start(clock.now(), runner.lease)
        claiming.commit()
    claimed = hub.tasks.get(task.id)
    assert (claimed.status, claimed.redispatches, claimed.relay_after) == (
        TaskStatus.PROCESSING, 0, None,
    )  # fmt: skip
    clock.advance(runner.lease)
    assert relay(hub, bus, clock).sweep().redispatched == 1  # its runner is gone: handed on


def test_a_task_under_a_live_lease_is_left_to_its_runner(
    hub: Hub, bus: RecordingBus, clock: ManualClock
) -> None:
    task = hub.users.create(**user_fields())
    hub.container.memory_store().tasks[task.id].start(clock.now(), LEASE)
    clock.advance(LEASE - timedelta(seconds=1))
    assert relay(hub, bus, clock).sweep().redispatched == 0


def test_an_expired_lease_is_dispatched_again_and_finished_by_the_next_runner(
    hub: Hub, bus: RecordingBus, clock: ManualClock
) -> None:
    task = hub.users.create(**user_fields())
    hub.container.memory_store().tasks[task.id].start(clock.now(), LEASE)  # its runner died
    clock.advance(LEASE)
    assert relay(hub, bus, clock).sweep().redispatched == 1
    finished = hub.tasks.run(bus.dispatched[-1])
    assert (finished.status, finished.attempt) == (TaskStatus.DONE, 2)


def test_a_task_whose_every_attempt_died_ends_failed_worker_lost(
    hub: Hub, bus: RecordingBus, clock: ManualClock
) -> None:
    task = hub.users.create(**user_fields())
    store = hub.container.memory_store()
    for _ in range(2):
        store.tasks[task.id].start(clock.now(), LEASE)
        clock.advance(LEASE)
    report = relay(hub, bus, clock, max_attempts=2).sweep()
    assert (report.abandoned, report.redispatched) == (1, 0)
    failed = hub.tasks.get(task.id)
    assert failed.status is TaskStatus.FAILED
    assert failed.result["code"] == "worker_lost"  # type: ignore[index]
    assert "2 attempts" in failed.result["error"]  # type: ignore[index]
    assert store.users == {}


def test_a_runner_also_gives_up_on_an_exhausted_task(hub: Hub, clock: ManualClock) -> None:
    runner = hub.container.runner()
    task = hub.users.create(**user_fields())
    store = hub.container.memory_store()
    store.tasks[task.id].status = TaskStatus.PENDING
    store.tasks[task.id].result = None
    for _ in range(runner.max_attempts):
        store.tasks[task.id].start(clock.now(), runner.lease)
        clock.advance(runner.lease)
    assert hub.tasks.run(task.id).result["code"] == "worker_lost"  # type: ignore[index]


def test_finished_tasks_are_never_relayed(hub: Hub, bus: RecordingBus, clock: ManualClock) -> None:
    hub.container.task_bus.reset_override()
    hub.users.create(**user_fields())
    clock.advance(IDLE * 10)
    assert relay(hub, bus, clock).sweep() == relay(hub, bus, clock).sweep().__class__()
    assert bus.dispatched == []


class FlakyBus(RecordingBus):
    """Refuses while ``down``, as a broker in an outage does."""

    down = True

    def dispatch(self, task_id: UUID) -> None:
        if self.down:
            raise DispatchFailed("broker down")
        super().dispatch(task_id)


def test_a_failed_dispatch_is_retried_next_sweep_without_backoff(
    hub: Hub, bus: RecordingBus, clock: ManualClock
) -> None:
    task = hub.users.create(**user_fields())
    flaky = FlakyBus()
    clock.advance(IDLE)
    for _ in range(3):  # a broker outage three sweeps long
        assert relay(hub, flaky, clock).sweep().failed_dispatches == 1
    flaky.down = False
    assert relay(hub, flaky, clock).sweep().redispatched == 1
    assert (flaky.dispatched, hub.tasks.get(task.id).redispatches) == ([task.id], 1)


def test_a_first_sweep_after_a_restart_can_ignore_the_backoff(
    hub: Hub, bus: RecordingBus, clock: ManualClock
) -> None:
    """The process that queued a redispatched task may be gone with its queue."""
    hub.users.create(**user_fields())
    clock.advance(IDLE)
    assert relay(hub, bus, clock).sweep().redispatched == 1  # next one due in 2 idles
    clock.advance(IDLE)
    assert relay(hub, bus, clock).sweep().redispatched == 0
    assert relay(hub, bus, clock).sweep(ignore_backoff=True).redispatched == 1


def test_a_cancelled_task_is_never_handed_on(
    hub: Hub, bus: RecordingBus, clock: ManualClock
) -> None:
    task = hub.users.create(**user_fields())
    hub.tasks.cancel(task.id)
    clock.advance(IDLE * 100)
    assert relay(hub, bus, clock).sweep(ignore_backoff=True) == SweepReport()
    assert bus.dispatched == [task.id]  # the submission's message only


def test_an_orphan_whose_cancel_was_asked_is_cancelled_not_handed_on(
    hub: Hub, bus: RecordingBus, clock: ManualClock
) -> None:
    task = hub.users.create(**user_fields())
    hub.container.memory_store().tasks[task.id].start(clock.now(), LEASE)  # its runner dies
    hub.tasks.cancel(task.id)
    assert hub.tasks.get(task.id).status is TaskStatus.PROCESSING
    clock.advance(LEASE + IDLE)
    assert relay(hub, bus, clock).sweep() == SweepReport(cancelled=1)
    assert (hub.tasks.get(task.id).status, bus.dispatched) == (TaskStatus.CANCELLED, [task.id])
    assert hub.container.event_publisher().recent[-1].name == "task.cancelled"
