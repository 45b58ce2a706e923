"""Presence: a process that runs tasks notes itself; the service lists those seen lately."""

from __future__ import annotations

import os
from datetime import timedelta

from dependency_injector import providers

from taskhub.application.presence import FORGOTTEN_AFTER, RECENT, Presence
from taskhub.entrypoints.library import Hub
from taskhub.testing import HeldBus, ManualClock, memory_hub, user_fields
from tests.http.apps import UnreachableStore
from tests.processes import eventually


def test_a_process_is_seen_while_it_notes_itself_and_forgotten_a_day_after(
    hub: Hub, clock: ManualClock
) -> None:
    presence = Presence(hub.container.unit_of_work, clock, "worker")
    presence.note()
    [seen] = hub.service().workers_seen()
    assert (seen.role, seen.pid, seen.name) == (
        "worker",
        os.getpid(),
        f"worker@{seen.host}:{os.getpid()}",
    )
    clock.advance(RECENT + timedelta(seconds=1))
    assert hub.service().workers_seen() == []
    assert [s.name for s in hub.service().workers_seen(within=FORGOTTEN_AFTER)] == [seen.name]
    clock.advance(FORGOTTEN_AFTER)
    Presence(hub.container.unit_of_work, clock, "relay").note()  # each note forgets the gone
    assert [s.role for s in hub.service().workers_seen(within=3 * FORGOTTEN_AFTER)] == ["relay"]


def test_a_note_that_meets_a_store_outage_is_skipped(clock: ManualClock) -> None:
    Presence(UnreachableStore, clock, "web").note()  # type: ignore[arg-type]


def test_a_web_process_running_tasks_on_its_threads_notes_itself_from_its_start() -> None:
    with memory_hub(bus="thread") as hub:
        seen = eventually(hub.service().workers_seen, 10, "the web process to note itself")
    assert [s.role for s in seen] == ["web"]


def test_a_process_that_only_hands_tasks_on_is_not_listed(hub: Hub) -> None:
    assert hub.service().workers_seen() == []  # the inline bus: no worker of its own


def test_the_overview_agrees_with_what_was_done(hub: Hub, clock: ManualClock) -> None:

    done = hub.users.create(**user_fields())
    hub.users.create(**{**user_fields(), "username": done.input_data["username"]})  # FAILED
    hub.container.task_bus.override(providers.Object(HeldBus()))
    hub.users.create(**user_fields())  # PENDING
    clock.advance(timedelta(seconds=90))
    Presence(hub.container.unit_of_work, clock, "worker").note()
    seen = hub.service().overview()
    assert {status.value: n for status, n in seen.counts.items()} == {
        "DONE": 1, "FAILED": 1, "PENDING": 1}  # fmt: skip
    assert sorted((m.status.value, m.count) for m in seen.finished_per_minute) == [
        ("DONE", 1), ("FAILED", 1)]  # fmt: skip
    assert (seen.backlog.pending, seen.oldest_pending_age) == (1, timedelta(seconds=90))
    assert [w.role for w in seen.workers] == ["worker"]
    assert seen.since <= done.updated_at
