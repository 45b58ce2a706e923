"""The console's administrators: made with a checked name and an argon2id hash, once."""

from __future__ import annotations

import unicodedata

import pytest
from argon2 import PasswordHasher, extract_parameters

from taskhub.adapters.local.passwords import Argon2Hasher
from taskhub.domain.errors import AdministratorExists, InvalidAdministrator
from taskhub.entrypoints.library import Hub

SECRET = "correct horse battery staple"


def test_an_administrator_is_stored_with_an_argon2id_hash_that_only_its_password_verifies(
    hub: Hub,
) -> None:
    made = hub.administrators.create("root", "Root@Example.COM", SECRET)
    [stored] = hub.administrators.list()
    assert (stored.id, stored.username, stored.email) == (made.id, "root", "Root@example.com")
    assert SECRET not in stored.password_hash
    parameters = extract_parameters(stored.password_hash)
    # OWASP's minimum for argon2id is 19 MiB, 2 passes, 1 lane; these are stronger.
    assert stored.password_hash.startswith("$argon2id$")
    assert (parameters.memory_cost, parameters.time_cost) >= (19 * 1024, 2)
    hasher = Argon2Hasher()
    assert hasher.verify(stored.password_hash, SECRET)
    assert not hasher.verify(stored.password_hash, SECRET.upper())
    assert "password" not in str(made.to_dict())


def test_a_hash_made_weaker_asks_to_be_remade_and_garbage_verifies_nothing() -> None:
    hasher = Argon2Hasher()
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(SECRET)
    assert hasher.verify(weak, SECRET)
    assert hasher.needs_rehash(weak)
    assert not hasher.needs_rehash(hasher.hash(SECRET))
    assert not hasher.verify("not a hash", SECRET)
    assert hasher.needs_rehash("not a hash")


@pytest.mark.parametrize(
    ("username", "email", "password", "fields"),
    [
        ("ro ot", "root@example.com", SECRET, {"username"}),
        ("root", "not-an-address", SECRET, {"email"}),
        ("root", "root@example.com", "eleven char", {"password"}),
        ("root", "root@example.com", "x" * 129, {"password"}),
        ("", "", "", {"username", "email", "password"}),
    ],
)
def test_a_bad_field_is_refused_by_name_and_nothing_is_made(
    hub: Hub, username: str, email: str, password: str, fields: set[str]
) -> None:
    with pytest.raises(InvalidAdministrator) as refused:
        hub.administrators.create(username, email, password)
    assert set(refused.value.errors) == fields
    assert password not in refused.value.message or not password
    assert list(hub.administrators.list()) == []


def test_a_username_is_one_account_in_whichever_unicode_form_it_comes(hub: Hub) -> None:
    composed = unicodedata.normalize("NFC", "renée")
    hub.administrators.create(unicodedata.normalize("NFD", "renée"), "r@example.com", SECRET)
    with pytest.raises(AdministratorExists):
        hub.administrators.create(composed, "other@example.com", SECRET)
    assert [a.username for a in hub.administrators.list()] == [composed]


def test_ensure_makes_the_account_once_and_then_leaves_it_as_it_is(hub: Hub) -> None:
    assert hub.administrators.ensure("root", "root@example.com", SECRET) is True
    [first] = hub.administrators.list()
    assert hub.administrators.ensure("root", "changed@example.com", "another long secret") is False
    [kept] = hub.administrators.list()
    assert (kept.id, kept.email, kept.password_hash) == (
        first.id,
        "root@example.com",
        first.password_hash,
    )
