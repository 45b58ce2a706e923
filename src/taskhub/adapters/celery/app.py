"""The Celery app, made by a factory from settings: nothing connects until a message moves.

Web processes publish by task name with it; workers register the task on it
(``taskhub.entrypoints.worker``), so the web side never imports worker code.
"""

from __future__ import annotations

from celery import Celery

RUN_TASK = "taskhub.run_task"
HARD_LIMIT_GRACE_SECONDS = 10.0


def make_celery(
    broker_url: str,
    queue: str,
    lease_seconds: float,
    publish_timeout: float = 1.0,
    time_limit: float = 300.0,
) -> Celery:
    """A Celery app whose delivery guarantees match the runner's lease and time limit.

    Late acks with ``reject_on_worker_lost`` put a message back when its worker dies. A task is
    stopped at ``time_limit`` seconds (the soft limit, which the runner turns into FAILED
    ``time_limit_exceeded``), and killed a little later if it ignores that; the Redis visibility
    timeout outlasts both, so a healthy task is never redelivered while it runs. Timeouts are
    short so that publishing never blocks a request.
    """
    hard_limit = time_limit + HARD_LIMIT_GRACE_SECONDS
    app = Celery("taskhub", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=time_limit,
        task_time_limit=hard_limit,
        task_default_queue=queue,
        broker_connection_timeout=publish_timeout,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": int(max(hard_limit, lease_seconds)) + 60,
            "socket_connect_timeout": publish_timeout,
            "socket_timeout": publish_timeout,
            "max_retries": 1,
        },
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    return app
