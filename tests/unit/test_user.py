"""The User aggregate's rules."""

from __future__ import annotations

from uuid import uuid4

import pytest

from taskhub.domain.errors import InvalidUserData
from taskhub.domain.events import UserCreated, UserDeleted, UserUpdated
from taskhub.domain.user import User
from taskhub.domain.user_fields import email_key, validate_user_fields
from taskhub.testing import MOMENT, a_user, user_fields


def test_register_keeps_the_fields_and_records_creation() -> None:
    user_id = uuid4()
    user = User.register(user_id, user_fields(username="ada", first_name="Ada"), MOMENT)
    assert (user.id, user.username, user.first_name, user.is_active) == (
        user_id,
        "ada",
        "Ada",
        True,
    )
    assert user.date_joined == MOMENT
    assert user.events == [UserCreated(user_id=user_id, username="ada")]


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("username", "", "Must not be empty."),
        ("username", "a b", "May contain only letters"),
        ("username", "x" * 151, "at most 150"),
        ("username", 42, "Must be a string."),
        ("email", "not-an-email", "valid email"),
        ("email", "a@b", "valid email"),
        ("email", "a b@example.com", "valid email"),
        ("email", "a" * 250 + "@example.com", "at most 254"),
        ("first_name", "x" * 151, "at most 150"),
        ("first_name", "nul\x00byte", "control characters"),
        ("last_name", "line\nbreak", "control characters"),
        ("email", "a\x00b@example.com", "control characters"),
        ("first_name", "half \ud800 a pair", "unpaired surrogates"),
        ("last_name", None, "Must be a string."),
        ("is_active", "yes", "true or false"),
        ("id", str(uuid4()), "read-only"),
        ("date_joined", "2025-01-01", "read-only"),
    ],
)
def test_bad_fields_are_refused_by_name(field: str, value: object, problem: str) -> None:
    with pytest.raises(InvalidUserData) as refused:
        User.register(uuid4(), user_fields(**{field: value}), MOMENT)
    assert list(refused.value.errors) == [field]
    assert problem in refused.value.errors[field][0]


def test_every_bad_field_is_named_at_once() -> None:
    with pytest.raises(InvalidUserData) as refused:
        validate_user_fields({"email": "nope", "first_name": 3}, require_all=True)
    assert set(refused.value.errors) == {"username", "email", "first_name"}
    assert refused.value.code == "invalid_user_data"


def test_names_accept_any_printable_text() -> None:
    names = {"first_name": "Zoë 李 🙂", "last_name": "O'Brien-Smith Jr."}
    assert validate_user_fields(names, require_all=False) == names


def test_usernames_accept_the_documented_characters() -> None:
    assert validate_user_fields({"username": "a.b+c-d_e@f9"}, require_all=False)
    assert validate_user_fields({"username": "x" * 150}, require_all=False)


COMPOSED, DECOMPOSED = "\u00e9mile", "e\u0301mile"


def test_usernames_are_stored_composed_so_both_spellings_of_a_letter_are_one_name() -> None:
    for spelling in (COMPOSED, DECOMPOSED):
        assert validate_user_fields({"username": spelling}, require_all=False) == {
            "username": COMPOSED
        }


def test_usernames_keep_their_case_and_their_width() -> None:
    """Only canonical equivalents are united: ``Ada`` and ``ada`` stay two names, as in Django."""
    for name in ("Ada", "ada", "\uff41da"):
        assert validate_user_fields({"username": name}, require_all=False) == {"username": name}


@pytest.mark.parametrize("name", ["\u0939\u093f\u0902\u0926\u0940", "q\u0303", "\u0958"])
def test_usernames_may_carry_combining_marks(name: str) -> None:
    """``\\w`` alone refused Hindi, and any letter NFC leaves decomposed (``q̃``, ``क़``)."""
    assert validate_user_fields({"username": name}, require_all=False)


def test_a_username_may_not_start_with_a_combining_mark() -> None:
    with pytest.raises(InvalidUserData) as refused:
        validate_user_fields({"username": "\u0301ada"}, require_all=False)
    assert "May contain only letters" in refused.value.errors["username"][0]


def test_a_username_is_measured_once_composed() -> None:
    assert validate_user_fields({"username": "e\u0301" * 150}, require_all=False)


def test_emails_are_stored_with_a_lower_case_domain_and_compared_case_insensitively() -> None:
    cleaned = validate_user_fields({"email": " Ada@EXAMPLE.Com "}, require_all=False)
    assert cleaned["email"] == "Ada@example.com"
    assert email_key("ADA@example.com") == email_key("ada@Example.COM")


def test_change_applies_only_given_fields_and_names_the_changed_ones() -> None:
    user = a_user(first_name="Ada")
    user.events.clear()
    user.change({"first_name": "Grace", "last_name": user.last_name})
    assert user.first_name == "Grace"
    assert user.events == [UserUpdated(user_id=user.id, fields=("first_name",))]


def test_every_change_is_a_new_version_even_when_no_value_changes() -> None:
    """So that saving it is a compare-and-set: a PUT of what is there proves it still is."""
    user = a_user(first_name="Ada")
    user.change({"first_name": "Ada"})
    assert user.version == 1
    assert user.events[-1] == UserUpdated(user_id=user.id, fields=())


def test_a_refused_change_changes_nothing() -> None:
    user = a_user()
    before = user.to_dict()
    with pytest.raises(InvalidUserData):
        user.change({"first_name": "Ok", "email": "broken"})
    assert (user.to_dict(), user.version) == (before, 0)


def test_deletion_is_recorded() -> None:
    user = a_user()
    user.mark_deleted()
    assert user.events[-1] == UserDeleted(user_id=user.id)


def test_users_are_equal_by_id() -> None:
    user = a_user()
    twin = User.register(user.id, user_fields(), MOMENT)
    assert user == twin
    assert user != a_user()
    assert len({user, twin}) == 1


def test_to_dict_uses_iso_timestamps_in_utc() -> None:
    data = a_user().to_dict()
    assert data["date_joined"] == "2025-03-18T10:15:30Z"
    assert set(data) == {
        "id", "username", "email", "first_name", "last_name", "is_active", "date_joined"
    }  # fmt: skip


def test_an_address_whose_folded_key_would_not_fit_the_stores_is_refused() -> None:
    """U+FDFA folds to 18 characters: 212 of them would make a key no store's column holds."""
    email = "\ufdfa" * 200 + "@example.com"
    with pytest.raises(InvalidUserData) as refused:
        validate_user_fields({"username": "ok", "email": email}, require_all=True)
    assert "once case-folded" in refused.value.errors["email"][0]
