"""The administrators repository, the same on every store."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from taskhub.application.ports import UnitOfWorkFactory
from taskhub.domain.administrator import Administrator
from taskhub.domain.errors import AdministratorExists

MOMENT = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def account(username: str, minutes: int = 0) -> Administrator:
    return Administrator(
        id=uuid.uuid4(),
        username=username,
        email=f"{username}@example.com",
        password_hash=f"$argon2id$v=19$hash-of-{username}",
        created_at=MOMENT + timedelta(minutes=minutes),
    )


def test_a_committed_administrator_is_found_by_username_with_every_field(
    uow_factory: UnitOfWorkFactory,
) -> None:
    made = account("root")
    with uow_factory() as uow:
        uow.administrators.add(made)
        uow.commit()
    with uow_factory() as uow:
        found = uow.administrators.get_by_username("root")
        assert found is not None
        assert (found.id, found.email, found.password_hash) == (
            made.id,
            "root@example.com",
            made.password_hash,
        )
        assert found.created_at == MOMENT
        assert uow.administrators.get_by_username("ROOT") is None


def test_leaving_without_commit_makes_no_administrator(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.administrators.add(account("root"))
    with uow_factory() as uow:
        assert uow.administrators.get_by_username("root") is None
        assert list(uow.administrators.list()) == []


def test_a_second_administrator_of_one_username_fails_the_commit_naming_it(
    uow_factory: UnitOfWorkFactory,
) -> None:
    first = account("root")
    with uow_factory() as uow:
        uow.administrators.add(first)
        uow.commit()
    with uow_factory() as uow:
        uow.administrators.add(account("root"))
        with pytest.raises(AdministratorExists) as refused:
            uow.commit()
    assert refused.value.username == "root"
    with uow_factory() as uow:
        assert [a.id for a in uow.administrators.list()] == [first.id]


def test_a_commit_that_repeats_a_username_saves_none_of_its_administrators(
    uow_factory: UnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        uow.administrators.add(account("root"))
        uow.commit()
    with uow_factory() as uow:
        uow.administrators.add(account("other"))
        uow.administrators.add(account("root"))
        with pytest.raises(AdministratorExists):
            uow.commit()
    with uow_factory() as uow:
        assert [a.username for a in uow.administrators.list()] == ["root"]


def test_administrators_are_listed_oldest_first(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        for name, minutes in (("late", 5), ("early", 1), ("middle", 3)):
            uow.administrators.add(account(name, minutes))
        uow.commit()
    with uow_factory() as uow:
        assert [a.username for a in uow.administrators.list()] == ["early", "middle", "late"]
