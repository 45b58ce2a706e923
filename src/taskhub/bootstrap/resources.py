"""The adapters the container must build and release with care: threads to stop, pools to drain.

Celery and kombu come with the ``celery`` extra: they are imported only when settings ask for them.
prometheus-client (the ``metrics`` extra) is imported only when the container first needs it, once
the process's launcher has chosen its multiprocess mode (``taskhub.bootstrap.metrics``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from taskhub.adapters.local.buses import RunTask, ThreadPoolBus
from taskhub.adapters.local.observers import Observers
from taskhub.adapters.local.relay_thread import RelayThread
from taskhub.adapters.local.task_log import TaskLog
from taskhub.adapters.local.ticker import Ticker
from taskhub.application.catalogue import Catalogue
from taskhub.application.heartbeat import Heartbeat
from taskhub.application.ports import Clock, TaskObserver, UnitOfWorkFactory
from taskhub.application.presence import INTERVAL, Presence
from taskhub.application.service import TaskService
from taskhub.application.sweeping import Sweep
from taskhub.bootstrap.checks import installed
from taskhub.settings import Settings

if TYPE_CHECKING:
    from celery import Celery

    from taskhub.adapters.celery.bus import CeleryBus
    from taskhub.adapters.celery.events import KombuEventPublisher
    from taskhub.adapters.celery.followers import KombuEventSubscriber
    from taskhub.adapters.prometheus.exposition import MetricsPage
    from taskhub.adapters.prometheus.observers import RequestMetrics


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


def presence_thread(presence: Presence) -> Iterator[Ticker]:
    """This process noting itself in the worker registry, from start until shutdown."""
    ticker = Ticker(presence.note, INTERVAL.total_seconds(), "taskhub-presence")
    ticker.start()
    yield ticker
    ticker.stop()


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


def task_observer(catalogue: Catalogue) -> TaskObserver:
    """Each step of a task logged and, where prometheus-client is installed, counted."""
    if not installed("prometheus_client"):
        return Observers(TaskLog())
    from taskhub.adapters.prometheus.observers import TaskMetricsObserver

    tasks = [(str(name), str(entry.command.operation)) for name, entry in catalogue.items()]
    return Observers(TaskLog(), TaskMetricsObserver(tasks))


def request_metrics() -> RequestMetrics:
    from taskhub.adapters.prometheus.observers import RequestMetrics

    return RequestMetrics()


def metrics_page(service: Callable[[], TaskService]) -> MetricsPage:
    """This process's metrics page, with the backlog read through ``service``."""
    from taskhub.adapters.prometheus.exposition import MetricsPage

    return MetricsPage(service)


def kombu_publisher(url: str, timeout: float) -> Iterator[KombuEventPublisher]:
    from taskhub.adapters.celery.events import KombuEventPublisher

    publisher = KombuEventPublisher(url, timeout)
    yield publisher
    publisher.close()


def kombu_subscriber(url: str, timeout: float) -> Iterator[KombuEventSubscriber]:
    """The subscriber as a resource, so that shutting the container down stops its thread."""
    from taskhub.adapters.celery.followers import KombuEventSubscriber

    subscriber = KombuEventSubscriber(url, timeout)
    yield subscriber
    subscriber.close()
