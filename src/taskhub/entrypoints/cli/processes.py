"""The long-running commands (``serve``, ``worker``, ``relay``) and the ones about a deployment
(``check``, ``openapi``). Their dependencies are imported when they run, so ``taskhub users``
never loads Flask or Celery."""

from __future__ import annotations

import json

import click

from taskhub.settings import Settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on; 0 picks a free one.")  # fmt: skip
def serve(host: str, port: int) -> int:
    """Serve the HTTP API in this process (gunicorn serves production)."""
    from taskhub.entrypoints.http.serve import serve as serving

    return serving(host, port)


@click.command()
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    help="Pool processes (default: TASKHUB_WORKER_CONCURRENCY).",
)
@click.option("--queues", help="Comma-separated queues (default: TASKHUB_QUEUE).")
@click.option(
    "--pool",
    type=click.Choice(["prefork", "threads", "solo"]),
    default="prefork",
    show_default=True,
    help="Celery's pool: processes, threads, or this process alone.",
)
@click.option("--loglevel", help="Least severe level logged (default: TASKHUB_LOG_LEVEL).")
def worker(concurrency: int | None, queues: str | None, pool: str, loglevel: str | None) -> int:
    """Run a Celery worker that runs the tasks web processes publish."""
    from taskhub.entrypoints import worker as celery_worker

    celery_worker.start(concurrency, queues, pool, loglevel)
    return 0


@click.command()
@click.option("--once", is_flag=True, help="Sweep once and exit (for a cron job).")
@click.option(
    "--interval", type=click.FloatRange(min=0, min_open=True), help="Seconds between sweeps."
)
def relay(once: bool, interval: float | None) -> int:
    """Hand on tasks that no worker is finishing (required with TASKHUB_BUS=celery)."""
    from taskhub.entrypoints import relay as relaying

    return relaying.run(once, interval)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for scripts.")
def check(as_json: bool) -> int:
    """Print the settings in effect (passwords masked) and test every connection."""
    from taskhub.entrypoints import check as checking

    return checking.run(as_json)


@click.command()
def openapi() -> int:
    """Print the HTTP API's OpenAPI document."""
    from taskhub.entrypoints.http import create_app

    app = create_app(Settings(database_url="memory://", bus="inline"))
    click.echo(json.dumps(app.test_client().get("/api/openapi.json").json, indent=2))
    return 0
