"""The SQL repository of API tokens, read and written through one unit of work's session."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from taskhub.adapters.sqlalchemy.errors import translated
from taskhub.adapters.sqlalchemy.tables import api_tokens
from taskhub.domain.api_token import ApiToken


class SqlApiTokenRepository:
    def __init__(self, session: Session, seen: list[object]) -> None:
        self._session, self._seen = session, seen

    def add(self, token: ApiToken) -> None:
        self._session.add(token)

    def get(self, token_id: UUID) -> ApiToken | None:
        with translated(self._seen):
            return self._session.get(ApiToken, token_id)

    def get_by_digest(self, digest: str) -> ApiToken | None:
        with translated(self._seen):
            return self._session.scalar(select(ApiToken).where(api_tokens.c.digest == digest))

    def list(self) -> Sequence[ApiToken]:
        query = select(ApiToken).order_by(api_tokens.c.created_at, api_tokens.c.id)
        with translated(self._seen):
            return list(self._session.scalars(query))
