"""Signing in to the console: one answer for every failure, one hash verified per attempt."""

from __future__ import annotations

import unicodedata

import pytest
from argon2 import PasswordHasher

from taskhub.adapters.local.clock import SystemClock
from taskhub.adapters.local.passwords import Argon2Hasher
from taskhub.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from taskhub.application.administrators import Administrators
from taskhub.domain.errors import SignInRefused

SECRET = "correct horse battery staple"


class CountingHasher(Argon2Hasher):
    """The real hasher, counting the verifications it makes."""

    def __init__(self) -> None:
        super().__init__()
        self.verified = 0

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified += 1
        return super().verify(password_hash, password)


@pytest.fixture
def hasher() -> CountingHasher:
    """The argon2id hasher, counting its verifications."""
    return CountingHasher()


@pytest.fixture
def store() -> InMemoryStore:
    """An empty in-memory store."""
    return InMemoryStore()


@pytest.fixture
def accounts(hasher: CountingHasher, store: InMemoryStore) -> Administrators:
    """The administrators of ``store``, holding ``root`` (password ``SECRET``)."""
    made = Administrators(lambda: InMemoryUnitOfWork(store), hasher, SystemClock())
    made.create("root", "root@example.com", SECRET)
    return made


def test_the_right_password_signs_in_and_any_other_attempt_gets_the_same_refusal(
    accounts: Administrators, hasher: CountingHasher
) -> None:
    assert accounts.authenticate("root", SECRET).username == "root"
    refusals = []
    for username, password in [("root", SECRET.upper()), ("nobody", SECRET), ("", ""),
                               ("root", "\ud800"), ("ROOT", SECRET)]:  # fmt: skip
        with pytest.raises(SignInRefused) as refused:
            accounts.authenticate(username, password)
        refusals.append((refused.value.code, refused.value.message))
    assert len(set(refusals)) == 1, refusals
    assert hasher.verified == 6, "an unknown username costs a verification, as a known one does"


def test_a_username_signs_in_in_whichever_unicode_form_it_comes(hasher: CountingHasher) -> None:
    store = InMemoryStore()
    accounts = Administrators(lambda: InMemoryUnitOfWork(store), hasher, SystemClock())
    accounts.create(unicodedata.normalize("NFC", "renée"), "r@example.com", SECRET)
    assert accounts.authenticate(unicodedata.normalize("NFD", "renée"), SECRET)


def test_a_hash_made_weaker_is_remade_at_the_first_sign_in(
    accounts: Administrators, store: InMemoryStore
) -> None:
    [root] = accounts.list()
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(SECRET)
    with InMemoryUnitOfWork(store) as uow:
        found = uow.administrators.get_by_username("root")
        assert found is not None
        found.password_hash = weak
        uow.commit()
    accounts.authenticate("root", SECRET)
    [again] = accounts.list()
    assert again.id == root.id
    assert again.password_hash != weak
    assert not Argon2Hasher().needs_rehash(again.password_hash)
