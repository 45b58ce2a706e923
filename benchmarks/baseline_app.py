"""The baseline: a bare Celery no-op on taskhub's own Celery settings (``make_celery``: late
acks, prefetch 1, the same serializer and transport options), on the same Redis, run by a worker
with the same pool and concurrency. What taskhub's worker spends beyond it is taskhub's own."""

from __future__ import annotations

from celery import Celery

from taskhub.adapters.celery.app import make_celery

QUEUE = "bench_baseline"
NOOP = "bench.noop"
NOOP_WITH_RESULT = "bench.noop_result"


def make_app(broker_url: str, backend_url: str) -> Celery:
    """The baseline's app: ``bench.noop`` stores no result, ``bench.noop_result`` stores one."""
    app = make_celery(broker_url, QUEUE, lease_seconds=30)
    app.conf.result_backend = backend_url

    @app.task(name=NOOP, ignore_result=True)  # type: ignore[untyped-decorator]
    def noop() -> None:
        return None

    @app.task(name=NOOP_WITH_RESULT, ignore_result=False)  # type: ignore[untyped-decorator]
    def noop_result() -> None:
        return None

    return app
