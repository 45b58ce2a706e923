"""How the domain writes moments in time."""

from datetime import datetime


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, as the product's JSON shows timestamps."""
    return moment.isoformat().replace("+00:00", "Z")
