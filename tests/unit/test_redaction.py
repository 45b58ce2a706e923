"""A deleted user's tasks lose its personal fields once the delay has passed, and say so; what
is kept says what happened without saying to whom."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from dependency_injector import providers

from taskhub.application.service import Idempotency
from taskhub.application.users.commands import UpdateUser
from taskhub.domain.errors import IdempotencyKeyReused, InvalidTransition
from taskhub.domain.redaction import REDACTED, redacted
from taskhub.domain.task import Task, TaskStatus
from taskhub.entrypoints.library import Hub
from taskhub.testing import MOMENT, HeldBus, ManualClock, a_task, memory_hub, user_fields

DAY = timedelta(days=1)
ADA = {"username": "ada_l", "email": "ada@example.com", "first_name": "Ada", "last_name": "King"}
PERSONAL = list(ADA.values())


def text_of(task: Task) -> str:
    return json.dumps(task.to_dict())


def life_of_ada(hub: Hub) -> tuple[UUID, list[Task]]:
    """Ada created, read, renamed, refused a taken address, and deleted: every task on her."""
    created = hub.users.create(**ADA)
    user_id = created.related_id
    assert user_id is not None
    other = hub.users.create(**user_fields())
    tasks = [
        created,
        hub.users.get(user_id),
        hub.users.update(user_id, last_name="Lovelace"),
        hub.users.update(user_id, email=other.input_data["email"]),  # FAILED: email_taken
        hub.users.delete(user_id),
    ]
    return user_id, [hub.tasks.get(task.id) for task in tasks]


@pytest.fixture
def keeping_reads(clock: ManualClock) -> Iterator[Hub]:
    """A hub that keeps reads a week, so that a redaction a day after a deletion meets them."""
    with memory_hub(clock, read_retention="7d") as hub:
        yield hub


def test_a_deleted_users_tasks_are_redacted_once_the_delay_has_passed(
    keeping_reads: Hub, clock: ManualClock
) -> None:
    hub = keeping_reads
    user_id, tasks = life_of_ada(hub)
    assert any(value in text_of(tasks[0]) for value in PERSONAL)
    clock.advance(DAY - timedelta(seconds=1))
    assert hub.tasks.purge().redacted == 0
    clock.advance(timedelta(seconds=2))
    assert hub.tasks.purge().redacted == len(tasks)
    for before in tasks:
        after = hub.tasks.get(before.id)
        assert not [value for value in [*PERSONAL, "Lovelace"] if value in text_of(after)]
        assert after.redacted_at == clock.now()
        assert (after.id, after.status, after.related_id) == (before.id, before.status, user_id)
        assert after.updated_at == before.updated_at  # still when it finished
        assert (after.result or {}).get("code") == (before.result or {}).get("code")
    assert hub.tasks.get(tasks[3].id).result["code"] == "email_taken"  # type: ignore[index]
    assert hub.tasks.get(tasks[2].id).result["user"]["is_active"] is True  # type: ignore[index]


def test_other_users_tasks_are_left_as_they_are_and_lists_go_with_the_reads(
    keeping_reads: Hub, clock: ManualClock
) -> None:
    """A list is nobody's task: it is not redacted, and leaves with the reads, at their
    retention (which by default ends with the delay of a redaction, a day)."""
    hub = keeping_reads
    kept = hub.users.create(**user_fields())
    user_id = hub.users.create(**ADA).related_id
    listed = hub.users.list()
    hub.users.delete(user_id)  # type: ignore[arg-type]
    clock.advance(2 * DAY)
    assert hub.tasks.purge().redacted == 2
    assert hub.tasks.get(kept.id).to_dict() == kept.to_dict()
    assert "ada@example.com" in text_of(hub.tasks.get(listed.id))
    clock.advance(5 * DAY + timedelta(seconds=1))  # a week since it finished
    assert hub.tasks.purge().purged_reads == 1
    assert listed.id not in {task.id for task in hub.tasks.list().items}


def test_a_task_still_on_its_way_at_the_deletion_is_redacted_once_it_finishes(
    hub: Hub, clock: ManualClock
) -> None:
    created = hub.users.create(**ADA)
    user_id = created.related_id
    hub.container.task_bus.override(providers.Object(HeldBus()))
    late = hub.users.update(user_id, first_name="Augusta")  # type: ignore[arg-type]
    hub.container.task_bus.reset_override()
    deletion = hub.users.delete(user_id)  # type: ignore[arg-type]
    clock.advance(2 * DAY)
    assert hub.tasks.purge().redacted == 1  # the creation; the deletion waits for the late one
    assert hub.tasks.get(deletion.id).redacted_at is None
    assert hub.tasks.run(late.id).result["code"] == "user_not_found"  # type: ignore[index]
    assert hub.tasks.purge().redacted == 2  # the late one, then the deletion
    assert "Augusta" not in text_of(hub.tasks.get(late.id))


def test_a_dry_run_counts_the_tasks_to_redact(hub: Hub, clock: ManualClock) -> None:
    _, tasks = life_of_ada(hub)
    clock.advance(2 * DAY)
    dry = hub.tasks.purge(dry_run=True)
    assert all(hub.tasks.get(task.id).redacted_at is None for task in tasks)
    done = hub.tasks.purge()  # the read goes (a day's retention) rather than being redacted
    assert (dry.purged_reads, dry.redacted) == (done.purged_reads, done.redacted)
    assert (done.purged_reads, done.redacted) == (1, len(tasks) - 1)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"username": "ada", "is_active": True}, {"username": REDACTED, "is_active": True}),
        (
            {"users": [{"id": "1", "email": "a@b.c", "date_joined": "2025-01-01T00:00:00Z"}]},
            {"users": [{"id": "1", "email": REDACTED, "date_joined": "2025-01-01T00:00:00Z"}]},
        ),
        ({"error": "The username 'ada' is taken.", "code": "username_taken"},
         {"error": REDACTED, "code": "username_taken"}),
        ({"last_name": None, "progress": 40}, {"last_name": None, "progress": 40}),
        (None, None),
    ],
)  # fmt: skip
def test_the_domain_says_what_a_redacted_document_keeps(data: Any, expected: Any) -> None:
    assert redacted(data) == expected


def test_only_a_finished_task_is_redacted_and_only_once() -> None:
    task = a_task(input_data=dict(ADA))
    with pytest.raises(InvalidTransition):
        task.redact(MOMENT)
    task.start(MOMENT, timedelta(seconds=30))
    task.succeed({"message": "Successfully created user ada_l"}, MOMENT)
    task.redact(MOMENT + DAY)
    task.redact(MOMENT + 2 * DAY)
    assert task.redacted_at == MOMENT + DAY
    assert task.to_dict()["redacted_at"] == "2025-03-19T10:15:30Z"
    assert task.input_data == dict.fromkeys(ADA, REDACTED)
    assert task.result == {"success": True, "message": REDACTED, "progress": 100}
    assert task.status is TaskStatus.DONE


def test_redaction_takes_the_request_digest_too_so_a_replay_of_its_key_is_refused(
    clock: ManualClock,
) -> None:
    """The digest hashes the request body, names and email included: kept, it would confirm a
    guess of them. Without it, a replay of a key that still names the task (keys kept three
    days here) is another request's, never run again."""
    with memory_hub(clock, idempotency_key_ttl="3d") as hub:
        refuses_a_replay_after_redaction(hub, clock)


def refuses_a_replay_after_redaction(hub: Hub, clock: ManualClock) -> None:
    service, key = hub.service(), Idempotency("key-1", "digest of the request")
    user_id = hub.users.create(**user_fields()).related_id
    assert user_id is not None
    update = service.submit(UpdateUser(user_id=user_id, values={"first_name": "Ada"}), key)
    hub.users.delete(user_id)
    clock.advance(DAY + timedelta(seconds=1))
    assert hub.tasks.purge().redacted >= 1
    kept = hub.tasks.get(update.id)
    assert (kept.redacted_at, kept.request_fingerprint, kept.idempotency_key) == (
        clock.now(),
        None,
        "key-1",
    )
    with pytest.raises(IdempotencyKeyReused):
        service.submit(UpdateUser(user_id=user_id, values={"first_name": "Ada"}), key)
