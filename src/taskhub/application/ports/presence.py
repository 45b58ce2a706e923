"""The port that remembers which processes run (or relay) tasks, and when each was last seen.

Each such process notes itself every few seconds (``application.presence``); the console's
overview lists those seen lately. A process that dies simply stops being seen: nothing has to
say goodbye, so a SIGKILL leaves the record as true as a clean stop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Sighting:
    """A process as last seen: ``role`` is ``worker`` (a Celery pool process), ``web`` (a web
    process running tasks on its threads) or ``relay``; ``name`` is ``role@host:pid``."""

    name: str
    role: str
    host: str
    pid: int
    started_at: datetime
    last_seen_at: datetime


class WorkerRegistry(Protocol):
    """The sightings inside one unit of work; ``commit`` saves notes and forgettings."""

    def note(self, sighting: Sighting) -> None:
        """Record ``sighting``, replacing the one of the same ``name``."""
        ...

    def seen_since(self, moment: datetime) -> Sequence[Sighting]:
        """The processes last seen at ``moment`` or later, the latest seen first."""
        ...

    def forget_before(self, moment: datetime) -> None:
        """Drop the processes not seen since before ``moment``."""
        ...
