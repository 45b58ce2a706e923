"""The API token repository contract, on every store: found by id and by digest, listed oldest
first, a revocation and a noted use saved by a commit and only by one."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid4

from taskhub.application.ports import UnitOfWorkFactory
from taskhub.domain.api_token import ApiToken, digest_of, new_secret
from taskhub.testing import MOMENT


def a_token(created_at: datetime = MOMENT, read_only: bool = False) -> ApiToken:
    secret = new_secret()
    digest, hint = digest_of(secret), secret[:10]
    return ApiToken(uuid4(), "ci", digest, hint, read_only, created_at)


def save(uow_factory: UnitOfWorkFactory, *tokens: ApiToken) -> None:
    with uow_factory() as uow:
        for token in tokens:
            uow.api_tokens.add(token)
        uow.commit()


def test_a_token_is_found_by_id_and_by_digest_and_listed_oldest_first(
    uow_factory: UnitOfWorkFactory,
) -> None:
    newer, older = a_token(MOMENT + timedelta(hours=1)), a_token(read_only=True)
    save(uow_factory, newer, older)
    with uow_factory() as uow:
        found = uow.api_tokens.get(older.id)
        assert found is not None
        assert (found.name, found.read_only, found.digest, found.hint) == (
            "ci", True, older.digest, older.hint)  # fmt: skip
        assert uow.api_tokens.get_by_digest(newer.digest) == newer
        assert uow.api_tokens.get_by_digest(digest_of("thk_unknown")) is None
        assert uow.api_tokens.get(uuid4()) is None
        assert [t.id for t in uow.api_tokens.list()] == [older.id, newer.id]


def test_a_revocation_and_a_use_are_saved_by_a_commit_and_only_by_one(
    uow_factory: UnitOfWorkFactory,
) -> None:
    token = a_token()
    save(uow_factory, token)
    with uow_factory() as uow:
        uow.api_tokens.get(token.id).revoke(MOMENT + timedelta(days=1))  # type: ignore[union-attr]
    with uow_factory() as uow:
        assert uow.api_tokens.get(token.id).revoked_at is None  # type: ignore[union-attr]
        found = uow.api_tokens.get_by_digest(token.digest)
        assert found is not None
        found.note_use(MOMENT + timedelta(hours=2))
        found.revoke(MOMENT + timedelta(days=1))
        uow.commit()
    with uow_factory() as uow:
        stored = uow.api_tokens.get(token.id)
    assert stored is not None
    assert (stored.last_used_at, stored.revoked_at, stored.is_active) == (
        MOMENT + timedelta(hours=2), MOMENT + timedelta(days=1), False)  # fmt: skip
