"""``taskhub tasks purge``: keep the history bounded, by hand or from a cron job."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import click

from taskhub.application.retention import PurgeReport
from taskhub.domain.time import DURATION_EXAMPLES, format_timestamp, parse_duration
from taskhub.entrypoints.cli.output import DONE, emit, json_option
from taskhub.entrypoints.cli.session import with_hub

if TYPE_CHECKING:
    from taskhub.entrypoints.library import Hub


class Duration(click.ParamType[timedelta]):
    """A positive duration: ``30d``, ``12h``, ``90m``, ``45s``, ``1d12h``."""

    name = "duration"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> timedelta:
        if isinstance(value, timedelta):
            return value
        try:
            span = parse_duration(str(value))
        except ValueError as error:
            self.fail(f"{value!r} {error}.", param, ctx)
        if span <= timedelta(0):
            self.fail(
                f"{value!r} must be a positive duration like {DURATION_EXAMPLES}.", param, ctx
            )
        return span


@click.command()
@click.option(
    "--older-than",
    type=Duration(),
    help="Delete the tasks that finished longer ago than this, like 30d, 12h or 90m (default: "
    "TASKHUB_TASK_RETENTION; reads go at TASKHUB_READ_RETENTION if that is sooner).",
)
@click.option("--dry-run", is_flag=True, help="Count what would go; change nothing.")
@json_option
def purge(older_than: timedelta | None, dry_run: bool, as_json: bool) -> int:
    """Delete old finished tasks and redact deleted users' personal fields from theirs (never a
    task on its way), in short transactions; exit 0 once done."""

    def purging(hub: Hub) -> int:
        report = hub.tasks.purge(older_than, dry_run=dry_run)
        emit(report.to_dict(), as_json, lambda: said(report))
        return DONE

    return with_hub(purging, as_json)


def said(report: PurgeReport) -> str:
    """``Purged 12 finished tasks (10 of them reads) and redacted 3 …: tasks finished before …``."""
    counts = (
        f"{report.purged} finished tasks ({report.purged_reads} of them reads) and "
        f"{'redact' if report.dry_run else 'redacted'} {report.redacted} tasks of deleted users"
    )
    moments = (
        f"tasks finished before {format_timestamp(report.finished_before)}, reads before "
        f"{format_timestamp(report.reads_finished_before)}, users deleted before "
        f"{format_timestamp(report.deleted_before)}"
    )
    if report.dry_run:
        return f"Would purge {counts} ({moments}); nothing was changed."
    return f"Purged {counts}: {moments}."
