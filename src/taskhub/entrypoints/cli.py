"""The ``taskhub`` command line: submit user operations and follow tasks from a shell."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from taskhub.application.ports import StoreUnavailable
from taskhub.domain.errors import DomainError
from taskhub.domain.task import Task
from taskhub.entrypoints import check, database
from taskhub.entrypoints.cli_output import fields_of, missing, refused, unavailable
from taskhub.entrypoints.cli_parser import USER_FIELDS, build_parser
from taskhub.entrypoints.library import Hub, connect
from taskhub.settings_errors import SettingsError

ON_USER, ON_FIELDS, PAGED = frozenset({"user_id"}), frozenset({"fields"}), frozenset({"pages"})
ON_BOTH = ON_USER | ON_FIELDS


def _user_fields(args: argparse.Namespace) -> dict[str, Any]:
    fields = {name: getattr(args, name) for name in USER_FIELDS if getattr(args, name) is not None}
    if args.active is not None:
        fields["is_active"] = args.active == "true"
    return fields


@dataclass(frozen=True)
class UserAction:
    """One ``taskhub users`` action: the Hub call it makes, and the arguments it takes."""

    call: Callable[[Hub, argparse.Namespace], Task]
    takes: frozenset[str] = frozenset()


USER_ACTIONS = {
    "create": UserAction(lambda hub, a: hub.users.create(**_user_fields(a)), ON_FIELDS),
    "get": UserAction(lambda hub, a: hub.users.get(a.user_id), ON_USER),
    "list": UserAction(lambda hub, a: hub.users.list(page=a.page, page_size=a.page_size), PAGED),
    "update": UserAction(lambda hub, a: hub.users.update(a.user_id, **_user_fields(a)), ON_BOTH),
    "replace": UserAction(lambda hub, a: hub.users.replace(a.user_id, **_user_fields(a)), ON_BOTH),
    "delete": UserAction(lambda hub, a: hub.users.delete(a.user_id), ON_USER),
}


def _run_process(args: argparse.Namespace) -> int:
    """The long-running commands; imported here so ``taskhub users`` never loads Celery."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.command == "relay":
        from taskhub.entrypoints import relay

        return relay.run(args.once, args.interval)
    from taskhub.entrypoints import worker

    worker.start(args.concurrency, args.queues, args.pool, args.loglevel)
    return 0


def _run(hub: Hub, args: argparse.Namespace) -> Any:
    if args.command == "users":
        task = USER_ACTIONS[args.action].call(hub, args)  # finished on return: the bus is inline
        if not (task.is_finished or args.no_wait):
            raise TimeoutError(f"Task {task.id} is saved but could not run now: {task.status}.")
        return task.to_dict()
    if args.action == "get":
        return hub.tasks.get(args.task_id).to_dict()
    filters = {"status": args.status, "operation": args.operation, "task_name": args.task_name}
    page = hub.tasks.list(
        **filters, related_id=args.related_id, page=args.page, page_size=args.page_size
    )
    return [task.to_dict() for task in page.items]


def main(argv: Sequence[str] | None = None) -> int:
    """Print the outcome as JSON; exit 1 with the error as JSON if a request is refused, and 2
    with one line if the command or a setting is wrong (argparse's own usage errors exit 2)."""
    takes = {name: action.takes for name, action in USER_ACTIONS.items()}
    args = build_parser(takes).parse_args(argv)
    try:
        return _command(args)
    except SettingsError as error:
        print(f"taskhub: {error}", file=sys.stderr)
        return 2


def _command(args: argparse.Namespace) -> int:
    if args.command == "check":
        return check.run()
    if args.command in ("serve", "worker", "relay"):
        return _serve(args)
    if args.command == "db":
        print(json.dumps(database.run(args), indent=2))
        return 0
    try:
        with connect(bus="inline") as hub:
            output = _run(hub, args)
    except DomainError as error:
        return refused({"code": error.code, "error": error.message, **fields_of(error)})
    except StoreUnavailable as error:
        return unavailable(error)
    except TimeoutError as error:  # saved, not run: a relay on the same store will run it
        return refused({"code": "task_not_finished", "error": str(error)})
    print(json.dumps(output, indent=2))
    return 0


def _serve(args: argparse.Namespace) -> int:
    """The long-running commands, refused in one line when their start fails."""
    try:
        if args.command == "serve":
            from taskhub.entrypoints.http.serve import serve

            return serve(args.host, args.port)
        return _run_process(args)
    except ModuleNotFoundError as error:
        return missing(error)
    except SettingsError:  # a database that does not exist, say: exit 2 in one line
        raise
    except StoreUnavailable as error:  # at start: a schema not ready, a database out of reach
        return unavailable(error)


if __name__ == "__main__":
    sys.exit(main())
