"""The relay purges periodically: at its first turn, then every TASKHUB_PURGE_INTERVAL, a few
batches a turn, with a failed purge costing neither the sweep nor the loop."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID

import pytest
from dependency_injector import providers

from taskhub.application.housekeeping import Housekeeping
from taskhub.application.relay import SweepReport
from taskhub.application.retention import Retention
from taskhub.entrypoints.library import Hub
from taskhub.testing import ManualClock, memory_hub, user_fields
from tests.http.apps import UnreachableStore

INTERVAL = timedelta(minutes=10)
OLD = timedelta(days=31)


def stored(hub: Hub) -> set[UUID]:
    return {task.id for task in hub.tasks.list(page_size=500).items}


def old_tasks(hub: Hub, clock: ManualClock, count: int = 1) -> set[UUID]:
    """``count`` tasks that finished longer ago than the retention, once the clock moved."""
    made = {hub.users.create(**user_fields()).id for _ in range(count)}
    clock.advance(OLD)
    return made


@pytest.fixture
def batches_of_two(clock: ManualClock) -> Iterator[Hub]:
    """An in-memory hub whose purges go two tasks a transaction."""
    with memory_hub(clock, purge_batch_size=2) as hub:
        yield hub


def turn_of(
    hub: Hub, clock: ManualClock, interval: timedelta = INTERVAL, batches: int = 20
) -> Housekeeping:
    return Housekeeping(hub.service, clock, interval, batches_per_turn=batches)


def test_the_purge_comes_at_the_first_turn_then_once_an_interval(clock: ManualClock) -> None:
    with memory_hub(clock, task_retention="5m") as hub:
        turn = turn_of(hub, clock)
        hub.users.create(**user_fields())
        clock.advance(timedelta(minutes=6))
        assert turn(False) == SweepReport()
        assert stored(hub) == set()
        second = hub.users.create(**user_fields())
        clock.advance(timedelta(minutes=6))  # old enough, but not an interval since the purge
        assert turn(False) == SweepReport()
        assert stored(hub) == {second.id}
        clock.advance(timedelta(minutes=4))
        turn(False)
        assert stored(hub) == set()


def test_a_backlog_is_purged_a_few_batches_a_turn_until_done(
    batches_of_two: Hub, clock: ManualClock
) -> None:
    old_tasks(batches_of_two, clock, count=7)
    turn = turn_of(batches_of_two, clock, batches=3)  # each kind goes on until one finds none
    reports = [turn.purge_if_due() for _ in range(4)]
    assert [(r.purged, r.complete) for r in reports if r] == [(4, False), (3, False), (0, True)]
    assert reports[-1] is None  # done: the next comes an interval later
    assert stored(batches_of_two) == set()


def test_an_interval_of_zero_never_purges(hub: Hub, clock: ManualClock) -> None:
    made = old_tasks(hub, clock)
    turn = turn_of(hub, clock, timedelta(0))
    assert turn(False) == SweepReport()
    assert stored(hub) == made


def test_a_failed_purge_costs_neither_the_sweep_nor_the_loop_and_comes_again_later(
    hub: Hub, clock: ManualClock
) -> None:
    made = old_tasks(hub, clock)
    unreachable = Retention(lambda: UnreachableStore(), clock)  # type: ignore[arg-type, return-value]
    hub.container.retention.override(providers.Object(unreachable))
    turn = turn_of(hub, clock)
    assert turn(False) == SweepReport()  # the sweep went through
    hub.container.retention.reset_override()
    assert turn.purge_if_due() is None
    assert stored(hub) == made
    clock.advance(INTERVAL)
    assert turn.purge_if_due() is not None
    assert stored(hub) == set()


def test_the_relay_thread_of_a_thread_bus_hub_purges(clock: ManualClock) -> None:
    with memory_hub(clock, bus="thread", relay_interval_seconds=0.02) as hub:
        task = hub.users.create(**user_fields())
        hub.tasks.wait(task.id, timeout=10)
        clock.advance(OLD)
        deadline = time.monotonic() + 10
        while stored(hub) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert stored(hub) == set()
