"""Where the thread bus runs tasks, the process sweeps for lost ones itself; nowhere else."""

from __future__ import annotations

from uuid import UUID

import pytest
from dependency_injector import providers

import taskhub
from taskhub.domain.task import TaskStatus
from taskhub.testing import user_fields

SWEEPING_OFTEN = {"relay_idle_seconds": 0.0, "relay_interval_seconds": 0.05}


class LosingBus:
    """A bus (the port's fake) that loses every task handed to it, as a process dying would."""

    def dispatch(self, task_id: UUID) -> None:
        return None


def test_a_thread_bus_hub_finds_a_lost_task_again_and_runs_it() -> None:
    with taskhub.connect(database_url="memory://", **SWEEPING_OFTEN) as hub:
        hub.container.task_bus.override(providers.Object(LosingBus()))
        lost = hub.users.create(**user_fields())
        assert hub.tasks.get(lost.id).status == TaskStatus.PENDING
        hub.container.task_bus.reset_override()
        assert hub.tasks.wait(lost.id, timeout=5).status == TaskStatus.DONE


def test_closing_a_thread_bus_hub_stops_its_relay() -> None:
    hub = taskhub.connect(database_url="memory://", **SWEEPING_OFTEN)
    relay = hub.container.relay_thread
    assert relay.initialized
    sweeping = relay()
    assert sweeping.running
    hub.close()
    assert not relay.initialized
    assert not sweeping.running


@pytest.mark.parametrize("bus", ["inline", "celery"])
def test_other_buses_leave_sweeping_to_taskhub_relay(bus: str) -> None:
    with taskhub.connect(database_url="memory://", bus=bus) as hub:
        assert not hub.container.relay_thread.initialized
