"""What a scrape shows: this process's metrics (or, in multiprocess mode, the sum of its
siblings' too), and the backlog read from the store at that moment.

The backlog (``taskhub_tasks_pending``, ``taskhub_tasks_processing``,
``taskhub_oldest_pending_task_age_seconds``) is the deployment's, not the process's: every
process that shows it shows the same figure, so aggregate it with ``max``, never ``sum``. A
store that does not answer leaves it out of that scrape (and says why in the log).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator

from prometheus_client import REGISTRY, CollectorRegistry, start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from taskhub.application.service import TaskService

log = logging.getLogger(__name__)
MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"


class BacklogCollector(Collector):
    """The tasks waiting and running, read through the task service at each scrape."""

    def __init__(self, service: Callable[[], TaskService]) -> None:
        self._service = service

    def collect(self) -> Iterator[Metric]:
        try:
            service = self._service()
            backlog, now = service.backlog(), service.clock.now()
        except Exception:
            log.warning("The backlog could not be read for this scrape", exc_info=True)
            return
        age = backlog.oldest_pending_age(now).total_seconds()
        yield GaugeMetricFamily("taskhub_tasks_pending", "Tasks PENDING now.", backlog.pending)
        yield GaugeMetricFamily(
            "taskhub_tasks_processing", "Tasks PROCESSING now.", backlog.processing
        )
        yield GaugeMetricFamily(
            "taskhub_oldest_pending_task_age_seconds",
            "How long the oldest PENDING task has waited (0 when none waits).",
            age,
        )


def _recorded(directory: str | None) -> Collector:
    """What this process recorded or, with a multiprocess directory, all its siblings did."""
    if directory:
        return MultiProcessCollector(None, directory)  # type: ignore[no-untyped-call]
    return REGISTRY


class MetricsPage(Collector):
    """The metrics a scrape of this process shows, with the backlog if ``service`` is given."""

    def __init__(self, service: Callable[[], TaskService] | None = None) -> None:
        directory = os.environ.get(MULTIPROCESS_DIRECTORY)
        self.multiprocess = bool(directory)
        self._collectors = [_recorded(directory)]
        if service is not None:
            self._collectors.append(BacklogCollector(service))

    def collect(self) -> Iterator[Metric]:
        for collector in self._collectors:
            yield from collector.collect()

    def render(self, accept: str = "") -> tuple[bytes, str]:
        """The page in the format ``accept`` (a request's Accept header) asks for (Prometheus'
        text format by default, or OpenMetrics), and its content type."""
        encode, content_type = choose_encoder(accept)
        return encode(self), content_type

    def serve(self, address: str, port: int) -> Callable[[], None]:
        """Serve the page at ``http://address:port/`` (any path) on a thread; return a stop.

        prometheus-client's server wants a registry (``?name[]=`` asks it for a restricted
        one), so the page is served through one of its own, which reads nothing at start."""
        registry = CollectorRegistry(auto_describe=False, support_collectors_without_names=True)
        registry.register(self)
        server, thread = start_http_server(port, address, registry=registry)

        def stop() -> None:
            server.shutdown()
            server.server_close()
            thread.join()

        return stop
