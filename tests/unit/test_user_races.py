"""Tasks racing on one user, on the in-memory store: no write is lost, none reports a fiction."""

from __future__ import annotations

import threading
from collections.abc import Callable
from uuid import UUID

import pytest
from dependency_injector import providers

from taskhub.adapters.memory import InMemoryUnitOfWork
from taskhub.application.retries import USER_CHANGE_TRIES
from taskhub.domain.task import Task, TaskStatus
from taskhub.domain.user import User
from taskhub.entrypoints.library import Hub
from taskhub.testing import user_fields
from tests.interleavings import Interleaving, all_at_once, in_thread


class NoBus:
    def dispatch(self, task_id: UUID) -> None:
        """Leaves the task PENDING, for the test to run when it chooses."""


@pytest.fixture
def bob(hub: Hub) -> User:
    """A stored user with no first name, and a hub whose later submissions stay PENDING."""
    task = hub.users.create(**user_fields(first_name="", last_name=""))
    hub.container.task_bus.override(providers.Object(NoBus()))
    return stored(hub, UUID(task.result["user_id"]))  # type: ignore[index]


def stored(hub: Hub, user_id: UUID) -> User:
    with InMemoryUnitOfWork(hub.container.memory_store()) as uow:
        user = uow.users.get(user_id)
    assert user is not None
    return user


def interleave(hub: Hub, between: Callable[[], object], times: int = 1) -> None:
    """From now on, the hub's tasks commit a user they read only after ``between`` ran."""
    store = hub.container.memory_store()
    interleaving = Interleaving(lambda: InMemoryUnitOfWork(store), between, times)
    hub.container.unit_of_work.override(providers.Callable(interleaving))


def run(hub: Hub, task: Task) -> Callable[[], Task]:
    return lambda: hub.container.runner().run(task.id)


def events(hub: Hub, name: str) -> list[object]:
    return [e for e in hub.container.event_publisher().recent if e.name == name]


def test_a_put_that_a_patch_overtook_is_run_again_and_reports_what_is_stored(
    hub: Hub, bob: User
) -> None:
    """The PUT writes the values it read: before, its write was empty and its result a fiction."""
    put = hub.users.replace(bob.id, username=bob.username, email=bob.email)
    patch = hub.users.update(bob.id, first_name="Bob")
    interleave(hub, in_thread(run(hub, patch)))
    finished = hub.container.runner().run(put.id)
    assert finished.status is TaskStatus.DONE
    assert finished.result["user"] == stored(hub, bob.id).to_dict()  # type: ignore[index]
    assert stored(hub, bob.id).first_name == ""
    assert hub.tasks.get(patch.id).result["user"]["first_name"] == "Bob"  # type: ignore[index]


def test_two_patches_of_different_fields_both_survive(hub: Hub, bob: User) -> None:
    first = hub.users.update(bob.id, first_name="Bob")
    second = hub.users.update(bob.id, last_name="Builder")
    interleave(hub, in_thread(run(hub, second)))
    assert hub.container.runner().run(first.id).status is TaskStatus.DONE
    assert (stored(hub, bob.id).first_name, stored(hub, bob.id).last_name) == ("Bob", "Builder")


def test_of_two_concurrent_deletes_one_is_done_and_one_finds_no_user(hub: Hub, bob: User) -> None:
    deletes = [hub.users.delete(bob.id) for _ in range(2)]
    both_have_read = threading.Barrier(2, timeout=10)
    interleave(hub, both_have_read.wait, times=2)
    all_at_once(*(run(hub, task) for task in deletes))
    finished = sorted((hub.tasks.get(task.id) for task in deletes), key=lambda t: t.status)
    assert [task.status for task in finished] == [TaskStatus.DONE, TaskStatus.FAILED]
    assert finished[1].result["code"] == "user_not_found"  # type: ignore[index]
    assert len(events(hub, "user.deleted")) == 1
    assert hub.container.memory_store().users == {}


def test_a_patch_that_a_delete_overtook_finds_no_user(hub: Hub, bob: User) -> None:
    patch = hub.users.update(bob.id, first_name="Bob")
    interleave(hub, in_thread(run(hub, hub.users.delete(bob.id))))
    finished = hub.container.runner().run(patch.id)
    assert (finished.status, finished.result["code"]) == (TaskStatus.FAILED, "user_not_found")  # type: ignore[index]
    assert events(hub, "user.updated") == []


def test_a_task_overtaken_on_every_try_fails_saying_so_and_saves_nothing(
    hub: Hub, bob: User
) -> None:
    store = hub.container.memory_store()
    renames = iter(f"other-{n}" for n in range(USER_CHANGE_TRIES))

    def another_write() -> None:
        with InMemoryUnitOfWork(store) as uow:
            uow.users.get(bob.id).change({"last_name": next(renames)})  # type: ignore[union-attr]
            uow.commit()

    patch = hub.users.update(bob.id, first_name="Bob")
    interleave(hub, another_write, times=USER_CHANGE_TRIES)
    finished = hub.container.runner().run(patch.id)
    assert finished.status is TaskStatus.FAILED
    assert finished.result["code"] == "concurrent_user_change"  # type: ignore[index]
    assert f"each of {USER_CHANGE_TRIES} tries" in finished.result["error"]  # type: ignore[index]
    last = stored(hub, bob.id)
    assert (last.first_name, last.last_name) == ("", f"other-{USER_CHANGE_TRIES - 1}")
