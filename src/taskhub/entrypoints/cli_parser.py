"""The ``taskhub`` command line's arguments: every command, action and option."""

from __future__ import annotations

import argparse
from collections.abc import Collection, Mapping
from typing import Any

from taskhub.application.paging import DEFAULT_PAGE_SIZE
from taskhub.domain.user_fields import EDITABLE_FIELDS
from taskhub.entrypoints import database

# The text fields as options; ``is_active`` is ``--active true|false``.
USER_FIELDS = tuple(name for name in EDITABLE_FIELDS if name != "is_active")
Takes = Collection[str]  # what an action takes: "user_id", "fields", "pages"


def _users_parser(commands: Any, user_actions: Mapping[str, Takes]) -> None:
    users = commands.add_parser("users", help="submit a user operation and print its task")
    actions = users.add_subparsers(dest="action", required=True)
    for action, takes in user_actions.items():
        parser = actions.add_parser(action)
        if "user_id" in takes:
            parser.add_argument("user_id")
        if "fields" in takes:
            for name in USER_FIELDS:
                parser.add_argument(f"--{name.replace('_', '-')}", dest=name)
            parser.add_argument("--active", choices=("true", "false"))
        if "pages" in takes:
            _paging(parser)
        parser.add_argument("--no-wait", action="store_true", help="print the task as submitted")


def _paging(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--page", type=int, default=1)
    parser.add_argument("--page-size", type=int, default=DEFAULT_PAGE_SIZE)


def _tasks_parser(commands: Any) -> None:
    tasks = commands.add_parser("tasks", help="show tasks")
    actions = tasks.add_subparsers(dest="action", required=True)
    actions.add_parser("get").add_argument("task_id")
    listing = actions.add_parser("list")
    for name in ("status", "operation", "task-name", "related-id"):
        listing.add_argument(f"--{name}")
    _paging(listing)


def port(text: str) -> int:
    """A TCP port to listen on: 1 to 65535, or 0 for any free one."""
    try:
        number = int(text)
    except ValueError:
        number = -1
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: give 1 to 65535, or 0")
    return number


def build_parser(user_actions: Mapping[str, Takes]) -> argparse.ArgumentParser:
    """Every command; ``user_actions`` names the ``users`` actions and what each takes."""
    parser = argparse.ArgumentParser(
        prog="taskhub", description="Submit user operations and follow tasks from a shell."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    _users_parser(commands, user_actions)
    _tasks_parser(commands)
    database.add_parser(commands)
    _process_parsers(commands)
    _serve_parser(commands)
    commands.add_parser("check", help="print the settings in effect and test every connection")
    return parser


def _serve_parser(commands: Any) -> None:
    server = commands.add_parser("serve", help="serve the HTTP API (settings from TASKHUB_*)")
    server.add_argument("--port", type=port, default=8000, help="1-65535; 0 picks a free port")
    server.add_argument("--host", default="127.0.0.1")


def _process_parsers(commands: Any) -> None:
    worker = commands.add_parser("worker", help="run a Celery worker (TASKHUB_BROKER_URL)")
    worker.add_argument(
        "--concurrency", type=int, help="processes (default: TASKHUB_WORKER_CONCURRENCY, 2)"
    )
    worker.add_argument("--queues", help="comma-separated (default: TASKHUB_QUEUE)")
    worker.add_argument("--pool", default="prefork", choices=("prefork", "threads", "solo"))
    worker.add_argument("--loglevel", default="INFO")
    relay = commands.add_parser("relay", help="re-dispatch tasks no worker is finishing")
    relay.add_argument("--once", action="store_true", help="sweep once and exit (a cron job)")
    relay.add_argument("--interval", type=float, help="seconds between sweeps")
