"""The library façade: connect, submit through a real background bus, wait, list."""

from __future__ import annotations

from pathlib import Path

import pytest

import taskhub
from taskhub.adapters.local.buses import ThreadPoolBus
from taskhub.domain.errors import InvalidQuery
from taskhub.entrypoints.library import Hub
from taskhub.testing import user_fields


def test_the_default_hub_runs_tasks_in_the_background() -> None:
    with taskhub.connect(database_url="memory://") as hub:
        assert isinstance(hub.container.task_bus(), ThreadPoolBus)
        tasks = [hub.users.create(**user_fields()) for _ in range(20)]
        finished = [hub.tasks.wait(task.id, timeout=10) for task in tasks]
    assert {task.status for task in finished} == {"DONE"}
    assert len({task.result["user_id"] for task in finished}) == 20  # type: ignore[index]


def test_closing_the_hub_lets_running_tasks_finish() -> None:
    hub = taskhub.connect(database_url="memory://", worker_threads=2)
    ids = [hub.users.create(**user_fields()).id for _ in range(10)]
    hub.close()
    assert {hub.tasks.get(task_id).status for task_id in ids} == {"DONE"}


def test_wait_gives_up_after_the_timeout(hub: Hub) -> None:
    store = hub.container.memory_store()
    task = hub.users.create(**user_fields())
    store.tasks[task.id].status = taskhub.TaskStatus.PROCESSING
    with pytest.raises(TimeoutError, match="still PROCESSING"):
        hub.tasks.wait(task.id, timeout=0.05)


def test_an_unknown_task_is_a_task_not_found_error(hub: Hub) -> None:
    with pytest.raises(taskhub.TaskNotFound) as missing:
        hub.tasks.get("00000000-0000-0000-0000-000000000000")
    assert missing.value.code == "task_not_found"


def test_tasks_are_listed_with_filters_given_as_text(hub: Hub) -> None:
    created = hub.users.create(**user_fields())
    hub.users.get(created.related_id)  # type: ignore[arg-type]
    page = hub.tasks.list(operation="CREATE", status="DONE")
    assert [task.id for task in page.items] == [created.id]
    assert hub.tasks.list(related_id=str(created.related_id), count=True).count == 2


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"status": "FINISHED"}, "status"),
        ({"operation": "MERGE"}, "operation"),
        ({"task_name": "nonsense"}, "task_name"),
        ({"related_id": "nope"}, "related_id"),
        ({"page_size": 10_000}, "page_size"),
    ],
)
def test_bad_list_arguments_name_the_field(
    hub: Hub, filters: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidQuery) as refused:
        hub.tasks.list(**filters)  # type: ignore[arg-type]
    assert field in refused.value.errors


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_an_unknown_task_name_is_refused_naming_the_allowed_ones(
    store: str, tmp_path: Path
) -> None:
    url = "memory://" if store == "memory" else f"sqlite:///{tmp_path / 't.sqlite3'}"
    with taskhub.connect(database_url=url, bus="inline") as hub:
        with pytest.raises(InvalidQuery) as refused:
            hub.tasks.list(task_name="nonsense")
        assert hub.tasks.list(task_name="create_user").items == []
    assert refused.value.code == "invalid_query"
    assert list(refused.value.errors) == ["task_name"]
    assert all(name.value in refused.value.errors["task_name"][0] for name in taskhub.TaskName)


def test_settings_come_from_the_environment() -> None:
    settings = taskhub.Settings.from_env({"TASKHUB_BUS": "inline", "TASKHUB_WORKER_THREADS": "3"})
    assert (settings.bus, settings.worker_threads) == ("inline", 3)


@pytest.mark.parametrize(
    ("environ", "words"),
    [
        ({"TASKHUB_BUS": "carrier-pigeon"}, "TASKHUB_BUS must be one of"),
        ({"TASKHUB_WORKER_THREADS": "many"}, "WORKER_THREADS must be a whole number"),
        ({"TASKHUB_LEASE_SECONDS": "0"}, "must be positive"),
        ({"TASKHUB_RELAY_INTERVAL_SECONDS": "0"}, "RELAY_INTERVAL_SECONDS must be positive"),
    ],
)
def test_bad_settings_are_refused_with_the_variable_named(
    environ: dict[str, str], words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        taskhub.Settings.from_env(environ)


def test_cancel_and_retry_take_ids_as_text_and_name_a_bad_one(hub: Hub) -> None:
    failed = hub.users.get("f47ac10b-58cc-4372-a567-0e02b2c3d479")
    retry = hub.tasks.retry(str(failed.id))
    assert (retry.retry_of, retry.status) == (failed.id, "FAILED")
    with pytest.raises(taskhub.TaskAlreadyFinished):
        hub.tasks.cancel(str(retry.id))
    for call in (hub.tasks.cancel, hub.tasks.retry):
        with pytest.raises(InvalidQuery) as refused:
            call("nope")
        assert list(refused.value.errors) == ["task_id"]
