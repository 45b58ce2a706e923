"""Starting and stopping a container: readied before anything is served, released in order."""

from __future__ import annotations

import logging

from taskhub.adapters.sqlalchemy.errors import SchemaNotReady
from taskhub.adapters.sqlalchemy.mapping import start_mappers
from taskhub.application.ports import StoreUnavailable
from taskhub.bootstrap.checks import check_settings
from taskhub.bootstrap.container import Container
from taskhub.settings import Settings

log = logging.getLogger(__name__)


def build_container(settings: Settings) -> Container:
    """A container wired as ``settings`` say, once they are checked (``check_settings``). Maps
    the domain for SQL stores; connects nothing."""
    check_settings(settings)
    if settings.database_kind != "memory":
        start_mappers()
    return Container(settings=settings)


def start(container: Container) -> Container:
    """Ready ``container`` before it serves anything, from the thread that builds it.

    The schema first: the embedded SQLite file is migrated here, once, rather than by whichever
    request comes first, and a schema that is not at head stops the start (``SchemaNotReady``,
    saying what to run). A PostgreSQL database that does not answer yet does not: the process
    starts, ``/readyz`` says 503, and the schema is checked when the database first answers.
    Then, on the thread bus, the bus and the relay sweeping on a thread of this process: tasks
    run on its threads die with it, and the next process's sweep finds them again. ``inline``
    runs each task inside its submission, so only one whose run met a store outage is left,
    saved, for a relay on the same store; with ``celery``, ``taskhub relay`` processes sweep.
    """
    try:
        container.task_observer()  # now: its metrics show every operation at 0 from the start
        if container.settings().database_kind != "memory":
            _ready_schema(container)
        if container.settings().events_kind == "kombu":
            container.event_publisher()  # a resource: built once here, not by racing requests
            container.event_subscriber()  # the same: its thread starts with the first follower
        if container.settings().bus == "thread":
            container.relay_thread()
        if container.settings().bus == "thread" or container.process_role() != "web":
            container.presence_thread()  # a process that runs (or relays) tasks says so
    except BaseException:
        shut_down(container)
        raise
    return container


def ensure_administrator(container: Container) -> None:
    """Make the first administrator that the settings name (``TASKHUB_ADMIN_*``), unless an
    account of that username exists: every web process calls this at start, and only the first
    one makes it. A database that does not answer yet only defers it to the next start."""
    wanted = container.settings().administrator
    if not wanted["username"]:
        return
    try:
        created = container.administrators().ensure(**wanted)
    except StoreUnavailable as error:
        log.warning(
            "The administrator %r was not made, since the database did not answer (%s); the "
            "next start makes it, or `taskhub admin create` does.",
            wanted["username"],
            error,
        )
        return
    outcome = "made" if created else "exists already, left as it is"
    log.info("The administrator %r %s.", wanted["username"], outcome)


def _ready_schema(container: Container) -> None:
    container.sessions()  # resolved here, once, rather than by request threads racing for it
    try:
        container.schema().ensure_ready()
    except SchemaNotReady:
        raise
    except StoreUnavailable as error:
        if container.settings().database_kind != "postgresql":
            raise
        log.warning("Starting without the database, to check its schema once it answers: %s", error)


def shut_down(container: Container) -> None:
    """Let running work finish and release what the container opened, in the order that work
    needs: the relay first (no sweep hands a task to a closed bus), then the thread bus, whose
    running and queued tasks finish with their leases still renewed and the store and event
    publisher still open, then the heartbeat, then the rest.
    """
    resources = (container.presence_thread, container.relay_thread, container.thread_bus,
                 container.heartbeat)  # fmt: skip
    for resource in resources:
        resource.shutdown()
    container.shutdown_resources()
