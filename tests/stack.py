"""Settings the processes of one deployment share, and the machine's RabbitMQ, for tests."""

from __future__ import annotations

RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"
LEASE_SECONDS = 3


def stack_env(database_url: str, broker_url: str, queue: str = "taskhub") -> dict[str, str]:
    """The settings a web process, a worker and a relay of one deployment share."""
    return {
        "TASKHUB_DATABASE_URL": database_url,
        "TASKHUB_BROKER_URL": broker_url,
        "TASKHUB_QUEUE": queue,
        "TASKHUB_BUS": "celery",
        "TASKHUB_LEASE_SECONDS": str(LEASE_SECONDS),
        "TASKHUB_RELAY_IDLE_SECONDS": "1",
        "TASKHUB_MAX_ATTEMPTS": "3",
        # Fault tests stall creates behind a table lock on purpose, for longer than the default
        # lock timeout would let them wait (tests/integration/test_store_faults.py tests that).
        "TASKHUB_DB_LOCK_TIMEOUT_SECONDS": "120",
    }
