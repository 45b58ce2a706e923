"""The adapters the container must build and release with care: threads to stop, pools to drain.

Celery and kombu come with the ``celery`` extra: they are imported only when settings ask for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from taskhub.adapters.local.buses import RunTask, ThreadPoolBus
from taskhub.adapters.local.relay_thread import RelayThread
from taskhub.application.heartbeat import Heartbeat
from taskhub.application.ports import Clock, UnitOfWorkFactory
from taskhub.application.sweeping import Sweep
from taskhub.settings import Settings

if TYPE_CHECKING:
    from celery import Celery

    from taskhub.adapters.celery.bus import CeleryBus
    from taskhub.adapters.celery.events import KombuEventPublisher


def thread_pool_bus(run: RunTask, workers: int) -> Iterator[ThreadPoolBus]:
    """The bus as a resource, so that shutting the container down lets running tasks finish."""
    bus = ThreadPoolBus(run, workers)
    yield bus
    bus.close()


def heartbeat(
    uow_factory: UnitOfWorkFactory, clock: Clock, lease: timedelta
) -> Iterator[Heartbeat]:
    """The heartbeat as a resource, so that shutting the container down stops its thread."""
    beating = Heartbeat(uow_factory, clock, lease)
    yield beating
    beating.close()


def relay_thread(sweep: Sweep, interval: float) -> Iterator[RelayThread]:
    """The relay sweeping (and purging, ``Housekeeping``) on a thread of this process, from
    start until shutdown. ``Housekeeping`` asks for the service at each sweep, so that a bus
    overridden in a test is the one the sweep uses."""
    thread = RelayThread(sweep, interval)
    thread.start()
    yield thread
    thread.stop()


def celery_app(settings: Settings) -> Celery:
    """The one Celery app of a process: the bus publishes with it, a worker consumes with it."""
    from taskhub.adapters.celery.app import make_celery

    return make_celery(
        settings.broker_url,
        settings.queue,
        settings.lease_seconds,
        settings.publish_timeout_seconds,
        settings.task_time_limit_seconds,
    )


def celery_bus(app: Celery) -> CeleryBus:
    from taskhub.adapters.celery.bus import CeleryBus

    return CeleryBus(app)


def kombu_publisher(url: str, timeout: float) -> Iterator[KombuEventPublisher]:
    from taskhub.adapters.celery.events import KombuEventPublisher

    publisher = KombuEventPublisher(url, timeout)
    yield publisher
    publisher.close()
