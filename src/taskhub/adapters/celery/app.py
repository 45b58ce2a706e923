"""The Celery app, made by a factory from settings: nothing connects until a message moves.

Web processes publish by task name with it; workers register the task on it
(``taskhub.entrypoints.worker``), so the web side never imports worker code.
"""

from __future__ import annotations

from celery import Celery

RUN_TASK = "taskhub.run_task"


def make_celery(
    broker_url: str, queue: str, lease_seconds: float, publish_timeout: float = 1.0
) -> Celery:
    """A Celery app whose delivery guarantees match the runner's lease.

    Late acks with ``reject_on_worker_lost`` put a message back when its worker dies; a Redis
    visibility timeout longer than the lease keeps a healthy long task from being redelivered
    while its lease still holds. Timeouts are short so that publishing never blocks a request.
    """
    app = Celery("taskhub", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=queue,
        broker_connection_timeout=publish_timeout,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": int(lease_seconds) + 60,
            "socket_connect_timeout": publish_timeout,
            "socket_timeout": publish_timeout,
            "max_retries": 1,
        },
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    return app
