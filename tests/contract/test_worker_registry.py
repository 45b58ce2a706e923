"""The worker registry contract, on every store: a note replaces its process's last one, the
recent ones are listed latest first, the long-gone forgotten, and only a commit saves."""

from __future__ import annotations

from datetime import timedelta

from taskhub.application.ports import Sighting, UnitOfWorkFactory
from taskhub.testing import MOMENT

MINUTE = timedelta(minutes=1)


def seen(name: str, at: timedelta, role: str = "worker") -> Sighting:
    return Sighting(f"{role}@{name}", role, name, 42, MOMENT, MOMENT + at)


def note(uow_factory: UnitOfWorkFactory, *sightings: Sighting) -> None:
    with uow_factory() as uow:
        for sighting in sightings:
            uow.workers.note(sighting)
        uow.commit()


def test_a_note_replaces_the_last_of_its_process_and_the_latest_come_first(
    uow_factory: UnitOfWorkFactory,
) -> None:
    note(uow_factory, seen("a", MINUTE), seen("b", 2 * MINUTE), seen("c", 0 * MINUTE, "relay"))
    note(uow_factory, seen("a", 3 * MINUTE))
    with uow_factory() as uow:
        listed = uow.workers.seen_since(MOMENT + MINUTE)
    assert listed == [seen("a", 3 * MINUTE), seen("b", 2 * MINUTE)]
    with uow_factory() as uow:
        assert [s.name for s in uow.workers.seen_since(MOMENT)][-1] == "relay@c"


def test_the_long_gone_are_forgotten_and_only_a_commit_saves(
    uow_factory: UnitOfWorkFactory,
) -> None:
    note(uow_factory, seen("old", 0 * MINUTE), seen("new", 5 * MINUTE))
    with uow_factory() as uow:
        uow.workers.forget_before(MOMENT + MINUTE)
        uow.workers.note(seen("uncommitted", 6 * MINUTE))
    with uow_factory() as uow:
        assert len(uow.workers.seen_since(MOMENT)) == 2
        uow.workers.forget_before(MOMENT + MINUTE)
        uow.commit()
    with uow_factory() as uow:
        assert uow.workers.seen_since(MOMENT) == [seen("new", 5 * MINUTE)]
