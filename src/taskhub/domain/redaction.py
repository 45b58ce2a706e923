"""What a deleted user's tasks lose, and so what they keep: the one rule of redaction.

A task on a user records that user's personal fields (``PERSONAL_FIELDS``) in its input (the
request) and in its result (the user as it was), and its sentences quote them ("Successfully
deleted user ada", "The username 'ada' is already taken."). Once the user is deleted, its finished
tasks are redacted (``Task.redact``): the value of every personal field and every sentence,
at any depth, becomes ``REDACTED``. What stays says what happened without saying to whom: ids,
statuses, operations, timestamps, attempts, progress, codes, ``success``, ``is_active``,
``date_joined`` and which fields a change named.
"""

from __future__ import annotations

from typing import Any

from taskhub.domain.user_fields import PERSONAL_FIELDS

REDACTED = "[redacted]"
SENTENCES = ("message", "error")  # free text, which may quote any personal field
REDACTED_KEYS = frozenset({*PERSONAL_FIELDS, *SENTENCES})


def redacted(data: Any) -> Any:
    """``data`` (JSON-ready) with every personal field's value and every sentence replaced by
    ``REDACTED``, at any depth; a member that is ``null`` stays ``null``.

    >>> redacted({"user": {"id": "7", "email": "ada@example.com"}, "message": "Hi ada", "n": 1})
    {'user': {'id': '7', 'email': '[redacted]'}, 'message': '[redacted]', 'n': 1}
    """
    if isinstance(data, dict):
        return {
            key: REDACTED if key in REDACTED_KEYS and value is not None else redacted(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [redacted(item) for item in data]
    return data
