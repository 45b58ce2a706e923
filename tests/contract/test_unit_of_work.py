"""The unit-of-work and repository contract: every adapter must pass it unchanged."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta, timezone
from uuid import UUID, uuid4

import pytest

from taskhub.application.ports import (
    ConcurrentUpdate,
    ConcurrentUserChange,
    TaskFilter,
    UnitOfWork,
    UnitOfWorkFactory,
)
from taskhub.domain.errors import (
    EmailTaken,
    IdempotencyKeyInFlight,
    UserAlreadyExists,
    UsernameTaken,
)
from taskhub.domain.task import Operation, Task, TaskName, TaskStatus
from taskhub.domain.user import User
from taskhub.testing import MOMENT, a_task, a_user


def saved_user(uow_factory: UnitOfWorkFactory, **overrides: object) -> User:
    user = a_user(**overrides)  # type: ignore[arg-type]
    with uow_factory() as uow:
        uow.users.add(user)
        uow.commit()
    return user


def saved_task(uow_factory: UnitOfWorkFactory, **overrides: object) -> Task:
    task = a_task(**overrides)  # type: ignore[arg-type]
    with uow_factory() as uow:
        uow.tasks.add(task)
        uow.commit()
    return task


def load_user(uow_factory: UnitOfWorkFactory, user: User) -> User | None:
    with uow_factory() as uow:
        return uow.users.get(user.id)


def test_a_committed_user_is_seen_by_the_next_unit_of_work(uow_factory: UnitOfWorkFactory) -> None:
    user = saved_user(uow_factory, first_name="Ada")
    loaded = load_user(uow_factory, user)
    assert loaded is not None
    assert loaded.to_dict() == user.to_dict()


def test_leaving_without_commit_saves_nothing(uow_factory: UnitOfWorkFactory) -> None:
    user = a_user()
    with uow_factory() as uow:
        uow.users.add(user)
        uow.tasks.add(a_task())
    assert load_user(uow_factory, user) is None
    with uow_factory() as uow:
        assert uow.tasks.count(TaskFilter()) == 0


def test_rollback_discards_changes_to_a_loaded_user(uow_factory: UnitOfWorkFactory) -> None:
    user = saved_user(uow_factory, first_name="Ada")
    with uow_factory() as uow:
        loaded = uow.users.get(user.id)
        assert loaded is not None
        loaded.change({"first_name": "Grace"})
        uow.rollback()
        uow.commit()
    assert load_user(uow_factory, user).first_name == "Ada"  # type: ignore[union-attr]


def test_after_a_rollback_what_was_held_is_detached_and_a_fresh_get_sees_the_store(
    uow_factory: UnitOfWorkFactory,
) -> None:
    user = saved_user(uow_factory, first_name="Ada")
    with uow_factory() as uow:
        held = uow.users.get(user.id)
        assert held is not None
        held.change({"first_name": "Grace"})
        uow.rollback()
        assert held.first_name == "Grace"  # still readable, as it was left
        held.change({"last_name": "Hopper"})  # no longer tracked: never saved
        again = uow.users.get(user.id)
        assert again is not None
        assert again.first_name == "Ada"
        again.change({"first_name": "Lovelace"})
        uow.commit()
    stored = load_user(uow_factory, user)
    assert stored is not None
    assert (stored.first_name, stored.last_name) == ("Lovelace", user.last_name)


def test_changes_to_a_loaded_user_are_saved_by_commit(uow_factory: UnitOfWorkFactory) -> None:
    user = saved_user(uow_factory)
    with uow_factory() as uow:
        uow.users.get(user.id).change({"last_name": "Hopper", "is_active": False})  # type: ignore[union-attr]
        uow.commit()
    loaded = load_user(uow_factory, user)
    assert (loaded.last_name, loaded.is_active) == ("Hopper", False)  # type: ignore[union-attr]


def test_a_removed_user_is_gone_after_commit(uow_factory: UnitOfWorkFactory) -> None:
    user = saved_user(uow_factory)
    with uow_factory() as uow:
        uow.users.remove(uow.users.get(user.id))  # type: ignore[arg-type]
        assert uow.users.get(user.id) is None
        uow.commit()
    assert load_user(uow_factory, user) is None


def test_unknown_ids_are_none(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.users.get(uuid4()) is None
        assert uow.tasks.get(uuid4()) is None


def test_a_taken_username_fails_the_commit_and_saves_nothing(
    uow_factory: UnitOfWorkFactory,
) -> None:
    saved_user(uow_factory, username="ada")
    task = a_task()
    with uow_factory() as uow:
        uow.tasks.add(task)
        uow.users.add(a_user(username="ada"))
        with pytest.raises(UsernameTaken):
            uow.commit()
    with uow_factory() as uow:
        assert uow.tasks.get(task.id) is None
        assert uow.users.count() == 1


def test_a_taken_email_fails_the_commit_whatever_its_case(uow_factory: UnitOfWorkFactory) -> None:
    saved_user(uow_factory, email="ada@example.com")
    with uow_factory() as uow:
        uow.users.add(a_user(email="ADA@example.com"))
        with pytest.raises(EmailTaken):
            uow.commit()


@pytest.mark.parametrize(
    ("first", "second", "refusal"),
    [
        ({"email": "\u00c9mile@example.com"}, {"email": "\u00e9mile@example.com"}, EmailTaken),
        ({"email": "STRASSE@example.com"}, {"email": "stra\u00dfe@example.com"}, EmailTaken),
        ({"email": "\u00e9mile@example.com"}, {"email": "e\u0301mile@example.com"}, EmailTaken),
        ({"email": "ada@example.com"}, {"email": "\uff41\uff44\uff41@example.com"}, EmailTaken),
        ({"username": "\u00e9mile"}, {"username": "e\u0301mile"}, UsernameTaken),
        ({"email": "\u00e9mile@example.com"}, {"email": "emile@example.com"}, None),
        ({"email": "ada@example.com"}, {"email": "\u0430da@example.com"}, None),  # Cyrillic a
        ({"username": "Ada"}, {"username": "ada"}, None),
    ],
    ids=["É/é", "SS/ß", "composed/decomposed", "fullwidth", "username é", "é/e", "cyrillic", "Ada"],
)
def test_one_uniqueness_rule_for_every_store(
    uow_factory: UnitOfWorkFactory,
    first: dict[str, str],
    second: dict[str, str],
    refusal: type[Exception] | None,
) -> None:
    """The domain decides which names and addresses are one; no store's ``lower()`` has a say."""
    saved_user(uow_factory, **first)
    with uow_factory() as uow:
        uow.users.add(a_user(**second))
        with pytest.raises(refusal) if refusal else nullcontext():
            uow.commit()
    with uow_factory() as uow:
        assert uow.users.count() == (1 if refusal else 2)


def test_changing_a_taken_username_on_update_fails(uow_factory: UnitOfWorkFactory) -> None:
    saved_user(uow_factory, username="taken")
    user = saved_user(uow_factory, username="mine")
    with uow_factory() as uow:
        uow.users.get(user.id).change({"username": "taken"})  # type: ignore[union-attr]
        with pytest.raises(UsernameTaken):
            uow.commit()
    assert load_user(uow_factory, user).username == "mine"  # type: ignore[union-attr]


def test_a_user_may_change_the_case_of_its_own_email(uow_factory: UnitOfWorkFactory) -> None:
    user = saved_user(uow_factory, email="ada@example.com")
    with uow_factory() as uow:
        uow.users.get(user.id).change({"email": "Ada@example.com"})  # type: ignore[union-attr]
        uow.commit()
    assert load_user(uow_factory, user).email == "Ada@example.com"  # type: ignore[union-attr]


def test_adding_a_user_whose_id_exists_fails(uow_factory: UnitOfWorkFactory) -> None:
    user = saved_user(uow_factory)
    with uow_factory() as uow:
        uow.users.add(a_user(user_id=user.id))
        with pytest.raises(UserAlreadyExists):
            uow.commit()


def write(uow: UnitOfWork, user_id: UUID, how: str, first_name: str) -> None:
    """One write of a user: a ``change``, a ``rewrite`` of the values it has, or a ``delete``."""
    user = uow.users.get(user_id)
    assert user is not None
    if how == "delete":
        user.mark_deleted()
        uow.users.remove(user)
    else:
        user.change({"first_name": first_name if how == "change" else user.first_name})


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("change", "change"),
        ("change", "rewrite"),
        ("rewrite", "change"),
        ("change", "delete"),
        ("delete", "change"),
        ("delete", "delete"),
    ],
)
def test_of_two_writes_to_one_user_only_the_first_commit_wins(
    uow_factory: UnitOfWorkFactory, first: str, second: str
) -> None:
    """Every write of a user is a compare-and-set on its version, even one that changes no value
    (a PUT of what is there): the second writer learns that what it read is no longer stored."""
    user = saved_user(uow_factory, first_name="Before")
    with uow_factory() as mine, uow_factory() as theirs:
        write(mine, user.id, first, "Mine")
        write(theirs, user.id, second, "Theirs")
        mine.commit()
        with pytest.raises(ConcurrentUserChange):
            theirs.commit()
    stored = load_user(uow_factory, user)
    expected = {"change": "Mine", "rewrite": "Before", "delete": None}[first]
    assert (None if stored is None else stored.first_name) == expected


def test_every_change_of_a_user_is_a_new_version(uow_factory: UnitOfWorkFactory) -> None:
    user = saved_user(uow_factory)
    with uow_factory() as uow:
        loaded = uow.users.get(user.id)
        assert loaded is not None
        loaded.change({"first_name": "Ada"})
        uow.commit()
        loaded.change({"first_name": "Ada"})
        uow.commit()
    assert load_user(uow_factory, user).version == user.version + 2  # type: ignore[union-attr]


def test_a_task_round_trips_every_field(uow_factory: UnitOfWorkFactory) -> None:
    task = a_task(input_data={"username": "ü", "nested": {"n": [1, 2.5, None, True]}})
    task.start(MOMENT, timedelta(minutes=5))
    task.report_progress(40, MOMENT + timedelta(seconds=1))
    with uow_factory() as uow:
        uow.tasks.add(task)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.tasks.get(task.id)
    assert loaded is not None
    assert loaded.to_dict() == task.to_dict()
    assert (loaded.lease_expires_at, loaded.attempt) == (task.lease_expires_at, 1)
    assert loaded.status is TaskStatus.PROCESSING
    assert loaded.created_at.utcoffset() == timedelta(0)


def test_every_save_bumps_the_version(uow_factory: UnitOfWorkFactory) -> None:
    task = saved_task(uow_factory)
    first = task.version
    with uow_factory() as uow:
        loaded = uow.tasks.get(task.id)
        loaded.start(MOMENT, timedelta(minutes=1))  # type: ignore[union-attr]
        uow.commit()
        loaded.report_progress(50, MOMENT)  # type: ignore[union-attr]
        uow.commit()
    with uow_factory() as uow:
        assert uow.tasks.get(task.id).version == first + 2  # type: ignore[union-attr]


def test_of_two_claims_on_one_task_only_the_first_commit_wins(
    uow_factory: UnitOfWorkFactory,
) -> None:
    task = saved_task(uow_factory)
    with uow_factory() as first, uow_factory() as second:
        mine, theirs = first.tasks.get(task.id), second.tasks.get(task.id)
        mine.start(MOMENT, timedelta(minutes=1))  # type: ignore[union-attr]
        theirs.start(MOMENT, timedelta(minutes=2))  # type: ignore[union-attr]
        first.commit()
        with pytest.raises(ConcurrentUpdate):
            second.commit()
    with uow_factory() as uow:
        stored = uow.tasks.get(task.id)
    assert stored.lease_expires_at == MOMENT + timedelta(minutes=1)  # type: ignore[union-attr]


def test_adding_a_task_whose_id_exists_fails(uow_factory: UnitOfWorkFactory) -> None:
    task = saved_task(uow_factory)
    with uow_factory() as uow:
        uow.tasks.add(a_task(task_id=task.id))
        with pytest.raises(ConcurrentUpdate):
            uow.commit()


def test_tasks_are_listed_newest_first_and_filtered(uow_factory: UnitOfWorkFactory) -> None:
    user_id = uuid4()
    older = saved_task(uow_factory, now=MOMENT)
    newer = saved_task(uow_factory, now=MOMENT + timedelta(seconds=1))
    reading = saved_task(
        uow_factory,
        now=MOMENT + timedelta(seconds=2),
        task_name=TaskName.GET_USER,
        operation=Operation.READ,
        input_data={},
        related_id=user_id,
    )
    with uow_factory() as uow:
        everything = uow.tasks.list(TaskFilter(), None, 10)
        assert [t.id for t in everything] == [reading.id, newer.id, older.id]
        assert uow.tasks.list(TaskFilter(), None, 2)[1].id == newer.id
        assert uow.tasks.count(TaskFilter(operation=Operation.READ)) == 1
        assert uow.tasks.count(TaskFilter(task_name=TaskName.CREATE_USER)) == 2
        assert uow.tasks.list(TaskFilter(related_id=user_id), None, 10)[0].id == reading.id
        assert uow.tasks.list(TaskFilter(status=TaskStatus.DONE), None, 10) == []
        assert uow.tasks.count(TaskFilter(status=TaskStatus.PENDING)) == 3


def test_tasks_are_filtered_by_when_they_were_submitted(uow_factory: UnitOfWorkFactory) -> None:
    minute = timedelta(minutes=1)
    early, on_time, late = (saved_task(uow_factory, now=MOMENT + n * minute) for n in (0, 1, 2))
    other_zone = timezone(timedelta(hours=2))  # the same moment, written in another zone

    def listed(**where: object) -> list[UUID]:
        with uow_factory() as uow:
            found = uow.tasks.list(TaskFilter(**where), None, 10)  # type: ignore[arg-type]
            assert uow.tasks.count(TaskFilter(**where)) == len(found)  # type: ignore[arg-type]
        return [task.id for task in found]

    assert listed(created_after=MOMENT + minute) == [late.id, on_time.id]  # from, inclusive
    assert listed(created_before=MOMENT + minute) == [early.id]  # until, exclusive
    assert listed(created_after=MOMENT + minute, created_before=MOMENT + 2 * minute) == [on_time.id]
    assert listed(created_after=(MOMENT + 2 * minute).astimezone(other_zone)) == [late.id]
    assert listed(created_after=MOMENT + 3 * minute, status=TaskStatus.PENDING) == []


def test_events_are_collected_only_from_what_was_committed(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.users.add(a_user())
        uow.rollback()
        uow.commit()
        assert list(uow.collect_events()) == []
        user = a_user()
        uow.users.add(user)
        uow.commit()
        assert [e.name for e in uow.collect_events()] == ["user.created"]
        assert list(uow.collect_events()) == []


def test_a_task_is_found_by_its_idempotency_key(uow_factory: UnitOfWorkFactory) -> None:
    task = saved_task(uow_factory, idempotency_key="key-1", request_fingerprint="abc")
    with uow_factory() as uow:
        found = uow.tasks.get_by_idempotency_key("key-1")
        assert uow.tasks.get_by_idempotency_key("key-2") is None
    assert found is not None
    assert (found.id, found.request_fingerprint) == (task.id, "abc")


def test_a_second_task_with_a_stored_idempotency_key_fails_the_commit(
    uow_factory: UnitOfWorkFactory,
) -> None:
    saved_task(uow_factory, idempotency_key="key-1", request_fingerprint="abc")
    with uow_factory() as uow:
        uow.tasks.add(a_task(idempotency_key="key-1", request_fingerprint="abc"))
        with pytest.raises(IdempotencyKeyInFlight):
            uow.commit()
    with uow_factory() as uow:
        assert uow.tasks.count(TaskFilter()) == 1


def test_tasks_due_for_relay_are_the_idle_pending_and_the_expired(
    uow_factory: UnitOfWorkFactory,
) -> None:
    lease, now = timedelta(minutes=1), MOMENT + timedelta(minutes=10)
    idle_pending = saved_task(uow_factory, now=MOMENT)
    saved_task(uow_factory, now=now)  # pending, but fresh
    expired, live, finished = a_task(), a_task(), a_task()
    expired.start(MOMENT, lease)
    live.start(now - timedelta(seconds=1), lease)
    finished.start(MOMENT, lease)
    finished.succeed({}, MOMENT)
    with uow_factory() as uow:
        for task in (expired, live, finished):
            uow.tasks.add(task)
        uow.commit()
    with uow_factory() as uow:
        due = uow.tasks.due_for_relay(now, timedelta(seconds=30), 10)
        assert {task.id for task in due} == {idle_pending.id, expired.id}
        assert len(uow.tasks.due_for_relay(now, timedelta(seconds=30), 1)) == 1
