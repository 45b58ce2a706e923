"""How the domain writes moments in time, and spans of it (``30d``, ``12h``, ``90m``)."""

import re
from datetime import UTC, datetime, timedelta

DURATION_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1),
                  "s": timedelta(seconds=1)}  # fmt: skip
DURATION = re.compile(r"(?:\d+[dhms])+")
DURATION_PART = re.compile(r"(\d+)([dhms])")
DURATION_EXAMPLES = "30d, 12h, 90m, 45s or 1d12h"
# A century: longer than any retention means, and short enough to subtract from any moment now.
LONGEST_DURATION = timedelta(days=36_500)


def in_utc(moment: datetime) -> datetime:
    """``moment`` in UTC (a naive one is taken as UTC already); ``ValueError`` for one whose UTC
    falls outside the years 1 to 9999, which no store could hold (``0001-01-01T00:00+05:00``)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of the range of moments (years 1 to 9999 in UTC)") from None


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, as the product's JSON shows timestamps."""
    return moment.isoformat().replace("+00:00", "Z")


def parse_duration(text: str) -> timedelta:
    """``30d``, ``12h``, ``90m``, ``45s``, or several together (``1d12h``); a bare number is
    refused, since nothing would say whether it counts days or seconds, and so is one longer
    than ``LONGEST_DURATION``.

    >>> parse_duration("1d12h")
    datetime.timedelta(days=1, seconds=43200)
    """
    compact = text.strip().lower()
    if not DURATION.fullmatch(compact):
        raise ValueError(f"must be a duration like {DURATION_EXAMPLES}")
    parts = [(int(count), DURATION_UNITS[unit]) for count, unit in DURATION_PART.findall(compact)]
    longest = LONGEST_DURATION.days
    if any(count > longest * (DURATION_UNITS["d"] // size) for count, size in parts):
        raise ValueError(f"must be at most {longest}d")
    span = sum((count * size for count, size in parts), timedelta())
    if span > LONGEST_DURATION:
        raise ValueError(f"must be at most {longest}d")
    return span


def format_duration(span: timedelta) -> str:
    """A duration as ``parse_duration`` reads it, in its largest whole units.

    >>> format_duration(timedelta(days=1, hours=12)), format_duration(timedelta())
    ('1d12h', '0s')
    """
    seconds, text = int(span.total_seconds()), ""
    for unit, size in DURATION_UNITS.items():
        count, seconds = divmod(seconds, int(size.total_seconds()))
        text += f"{count}{unit}" if count else ""
    return text or "0s"
