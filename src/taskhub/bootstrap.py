"""The composition root: the one place where ports meet their adapters.

Swapping an adapter is a settings change (``TASKHUB_DATABASE_URL``, ``TASKHUB_BUS``) or, in a
test, a provider override. Building the container connects to nothing; the first use does.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from dependency_injector import containers, providers

from taskhub.adapters.buses import InlineBus, RunTask, ThreadPoolBus
from taskhub.adapters.clock import SystemClock
from taskhub.adapters.local_events import LocalEventPublisher
from taskhub.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from taskhub.application.execution import Runner
from taskhub.settings import Settings


def _thread_pool_bus(run: RunTask, workers: int) -> Iterator[ThreadPoolBus]:
    """The bus as a resource, so that shutting the container down lets running tasks finish."""
    bus = ThreadPoolBus(run, workers)
    yield bus
    bus.close()


class Container(containers.DeclarativeContainer):
    config = providers.Configuration(strict=True)

    clock = providers.Singleton(SystemClock)
    event_publisher = providers.Singleton(LocalEventPublisher)

    memory_store = providers.Singleton(InMemoryStore)
    unit_of_work = providers.Selector(
        config.database_kind,
        memory=providers.Factory(InMemoryUnitOfWork, store=memory_store),
    )

    runner = providers.Singleton(
        Runner,
        uow_factory=unit_of_work.provider,
        clock=clock,
        publisher=event_publisher,
        lease=providers.Factory(timedelta, seconds=config.lease_seconds),
    )
    task_bus = providers.Selector(
        config.bus,
        inline=providers.Singleton(InlineBus, run=runner.provided.run),
        thread=providers.Resource(
            _thread_pool_bus, run=runner.provided.run, workers=config.worker_threads
        ),
    )


def build_container(settings: Settings) -> Container:
    """A container wired as ``settings`` say."""
    container = Container()
    container.config.from_dict(
        {
            "database_kind": settings.database_kind,
            "bus": settings.bus,
            "worker_threads": settings.worker_threads,
            "lease_seconds": settings.lease_seconds,
        }
    )
    return container


def shut_down(container: Container) -> None:
    """Let running work finish and release what the container opened."""
    container.shutdown_resources()
