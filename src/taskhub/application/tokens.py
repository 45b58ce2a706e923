"""The API's tokens: made (their secret shown once), listed, revoked, and checked per request.

Like administrators, not tasks: a token is who may call the API, not a resource the API changes.
Checking one costs a read by digest; its last use is written at most once a minute
(``LAST_USE_RESOLUTION``), so a busy client does not turn every status poll into a write.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from taskhub.application.ports import Clock, UnitOfWorkFactory
from taskhub.domain.api_token import (
    HINT_LENGTH,
    ApiToken,
    digest_of,
    new_secret,
    validate_token_name,
)
from taskhub.domain.errors import ApiTokenNotFound, InvalidToken


@dataclass(frozen=True)
class IssuedToken:
    """A token just made, with its secret: the only time anyone sees it."""

    token: ApiToken
    secret: str


class ApiTokens:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory, self._clock = uow_factory, clock

    def create(self, name: str, read_only: bool = False) -> IssuedToken:
        """A new token named ``name`` (``InvalidApiToken`` if the name says nothing)."""
        secret = new_secret()
        token = ApiToken(
            id=uuid.uuid4(),
            name=validate_token_name(name),
            digest=digest_of(secret),
            hint=secret[:HINT_LENGTH],
            read_only=read_only,
            created_at=self._clock.now(),
        )
        with self._uow_factory() as uow:
            uow.api_tokens.add(token)
            uow.commit()
        return IssuedToken(token, secret)

    def list(self) -> Sequence[ApiToken]:
        with self._uow_factory() as uow:
            return uow.api_tokens.list()

    def revoke(self, token_id: UUID) -> ApiToken:
        """Refuse the token from now on (``ApiTokenNotFound`` if there is none); harmless twice."""
        with self._uow_factory() as uow:
            token = uow.api_tokens.get(token_id)
            if token is None:
                raise ApiTokenNotFound(token_id)
            token.revoke(self._clock.now())
            uow.commit()
        return token

    def authenticate(self, secret: str) -> ApiToken:
        """The active token whose secret this is; ``InvalidToken`` for anything else."""
        with self._uow_factory() as uow:
            token = uow.api_tokens.get_by_digest(digest_of(secret))
            if token is None or not token.is_active:
                raise InvalidToken()
            if token.note_use(self._clock.now()):
                uow.commit()
        return token
