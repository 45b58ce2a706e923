"""The rules a user's fields keep, in one function (``validate_user_fields``) that commands apply
when they are made and the User aggregate when it changes; and the key two emails share."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from taskhub.domain.errors import InvalidUserData

NAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254
# Case folding can lengthen text (ß → ss, ﬃ → ffi): room for the longest key an address gives.
EMAIL_KEY_MAX_LENGTH = 3 * EMAIL_MAX_LENGTH
# A username's characters, as the body of a regex class: ``\w`` as Python reads it (letters of
# any script, digits, _) and ``.@+-``, combining marks aside (``_is_username``). The domain's
# pattern and the one the API documents are both built from it.
USERNAME_CHARACTERS = r"\w.@+-"
USERNAME_PATTERN = re.compile(rf"^[{USERNAME_CHARACTERS}]+\Z")
# Deliberately modest: one @, no spaces, a dotted domain. Deliverability is not ours to judge.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+\Z")
EDITABLE_FIELDS = ("username", "email", "first_name", "last_name", "is_active")
# What identifies a person: a deleted user's tasks lose these (``taskhub.domain.redaction``).
PERSONAL_FIELDS = ("username", "email", "first_name", "last_name")
REQUIRED_FIELDS = ("username", "email")
OPTIONAL_FIELD_DEFAULTS: dict[str, Any] = {"first_name": "", "last_name": "", "is_active": True}
# Text without control characters (NUL among them: PostgreSQL cannot store it) or lone surrogates.
CONTROL_CHARACTERS = r"\x00-\x1f\x7f-\x9f"
TEXT_PATTERN = re.compile(rf"[^{CONTROL_CHARACTERS}\ud800-\udfff]*")


def normalize_email(email: str) -> str:
    """Lower-case the domain part, as mail systems treat it case-insensitively."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else email.strip()


def normalize_username(username: str) -> str:
    """NFC, so that a composed and a decomposed ``é`` are one name, stored once that way.

    Case still counts, as in Django. Not NFKC (Django's choice): it rewrites characters people
    chose to see (fullwidth letters, superscripts) and turns some the pattern allows into ones it
    refuses (``½`` has a fraction slash); what NFKC unites for emails is only the comparison key.
    """
    return unicodedata.normalize("NFC", username)


def _is_mark(character: str) -> bool:
    return unicodedata.category(character).startswith("M")


def _is_username(name: str) -> bool:
    """Letters, digits and ``_.@+-``, with combining marks anywhere but first.

    Python's ``\\w`` has no marks: alone, it refuses names that NFC leaves decomposed (``q̃``,
    the Devanagari ``क़``) and most Indic names (``हिंदी``).
    """
    unmarked = "".join(character for character in name if not _is_mark(character))
    return not _is_mark(name[0]) and USERNAME_PATTERN.match(unmarked) is not None


def _username_problems(name: str) -> list[str]:
    if not name:
        return ["Must not be empty."]
    if len(name) > NAME_MAX_LENGTH:
        return [f"Must be at most {NAME_MAX_LENGTH} characters."]
    if not _is_username(name):
        return ["May contain only letters, digits and @/./+/-/_ characters."]
    return []


def email_key(email: str) -> str:
    """The form under which two addresses count as the same, decided here for every store.

    Unicode's compatibility caseless match (NFKC, case-folded, NFKC again): ``Émile@`` and
    ``émile@``, ``STRASSE@`` and ``straße@``, a composed and a decomposed ``é`` are one address.
    Every store keeps this key in a unique index, so none relies on its database's ``lower()``.
    """
    folded = unicodedata.normalize("NFKC", normalize_email(email)).casefold()
    return unicodedata.normalize("NFKC", folded)


def _problems(name: str, value: Any) -> list[str]:
    if name == "is_active":
        return [] if isinstance(value, bool) else ["Must be true or false."]
    if not isinstance(value, str):
        return ["Must be a string."]
    if not TEXT_PATTERN.fullmatch(value):
        return ["Must not contain control characters or unpaired surrogates."]
    if name == "username":
        return _username_problems(normalize_username(value))
    if name == "email":
        if len(value) > EMAIL_MAX_LENGTH:
            return [f"Must be at most {EMAIL_MAX_LENGTH} characters."]
        if len(email_key(value)) > EMAIL_KEY_MAX_LENGTH:  # NFKC can expand a character 18-fold
            return [f"Must be at most {EMAIL_KEY_MAX_LENGTH} characters once case-folded."]
        return [] if EMAIL_PATTERN.match(value.strip()) else ["Must be a valid email address."]
    if len(value) > NAME_MAX_LENGTH:
        return [f"Must be at most {NAME_MAX_LENGTH} characters."]
    return []


def validate_user_fields(values: Mapping[str, Any], *, require_all: bool) -> dict[str, Any]:
    """Check user fields, returning them cleaned; raise InvalidUserData naming every bad field.

    ``require_all`` demands the required fields (a create or a full replacement); otherwise only the
    fields given are checked (a partial update).
    """
    errors: dict[str, list[str]] = {}
    for name in values:
        if name not in EDITABLE_FIELDS:
            errors[name] = ["Unknown or read-only field."]
    if require_all:
        for name in REQUIRED_FIELDS:
            if name not in values:
                errors[name] = ["This field is required."]
    for name in EDITABLE_FIELDS:
        if name in values and (problems := _problems(name, values[name])):
            errors[name] = problems
    if errors:
        raise InvalidUserData(errors)
    cleaned = {name: values[name] for name in EDITABLE_FIELDS if name in values}
    if "username" in cleaned:
        cleaned["username"] = normalize_username(cleaned["username"])
    if "email" in cleaned:
        cleaned["email"] = normalize_email(cleaned["email"])
    return cleaned
