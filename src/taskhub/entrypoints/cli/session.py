"""One command's use of the library: a hub on the configured store, its tasks run inline, and
every failure a request can meet turned into its line and exit code."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from taskhub.application.ports import StoreUnavailable
from taskhub.domain.errors import DomainError
from taskhub.domain.task import Task
from taskhub.entrypoints.cli.output import failure, refused, show_task, task_line
from taskhub.settings.errors import SettingsError

if TYPE_CHECKING:
    from taskhub.entrypoints.library import Hub

Ask = Callable[["Hub"], Task]


def with_hub(ask: Callable[[Hub], int], as_json: bool) -> int:
    """Run ``ask`` on a hub of the configured store whose tasks run in this process."""
    from taskhub.entrypoints.library import connect  # the whole stack, once a command runs

    try:
        with connect(bus="inline") as hub:
            return ask(hub)
    except DomainError as error:
        return refused(error, as_json)
    except SettingsError:  # a database that does not exist: a setting to correct, exit 2
        raise
    except StoreUnavailable as error:
        return failure(getattr(error, "code", "store_unavailable"), str(error), as_json)


def submitted(ask: Ask, as_json: bool, human: Callable[[Task], str] = task_line) -> int:
    """Submit, and print the task as it finished here: exit 0 DONE, 1 FAILED or not run."""

    def run(hub: Hub) -> int:
        task = ask(hub)
        if not task.is_finished:  # its run met a store outage: saved for a relay to run
            said = f"{task_line(task)}; a relay on the same store runs it"
            return failure("task_not_finished", said, as_json, {"task": task.to_dict()})
        return show_task(task, as_json, human)

    return with_hub(run, as_json)
