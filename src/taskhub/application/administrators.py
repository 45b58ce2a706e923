"""The console's accounts: created from the command line or from settings at start.

Not tasks: an administrator is who may change users, not a resource changed through the task
pipeline, so creating one is a plain transaction that answers at once.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Hashable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import cast

from taskhub.application.ports import Clock, PasswordHasher, UnitOfWorkFactory
from taskhub.domain.administrator import Administrator, validate_administrator
from taskhub.domain.errors import AdministratorExists, SignInRefused
from taskhub.domain.user_fields import normalize_username


class Administrators:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock
    ) -> None:
        self._uow_factory, self._hasher, self._clock = uow_factory, hasher, clock

    def create(self, username: str, email: str, password: str) -> Administrator:
        """A new account; ``InvalidAdministrator`` names a bad field, ``AdministratorExists``
        a username in use."""
        cleaned = validate_administrator(username, email, password)
        with self._uow_factory() as uow:
            if uow.administrators.get_by_username(cleaned["username"]) is not None:
                raise AdministratorExists(cleaned["username"])
            administrator = Administrator(
                id=uuid.uuid4(),
                username=cleaned["username"],
                email=cleaned["email"],
                password_hash=self._hasher.hash(password),
                created_at=self._clock.now(),
            )
            uow.administrators.add(administrator)
            uow.commit()
        return administrator

    def ensure(self, username: str, email: str, password: str) -> bool:
        """The account exists afterwards; says whether this call created it. An account of that
        username is left as it is (its password may have been changed since), so that every
        start of every process may call this with the same settings."""
        try:
            self.create(username, email, password)
        except AdministratorExists:
            return False
        return True

    def authenticate(self, username: str, password: str) -> Administrator:
        """The account whose username and password these are, else ``SignInRefused``.

        Every attempt costs one verification of an argon2id hash, whether the account exists or
        not (an unknown username is checked against a decoy hash), so neither the answer nor
        its timing tells which usernames exist. A hash made with weaker parameters than the
        hasher's own is replaced, now that the password is known.
        """
        with self._uow_factory() as uow:
            found = uow.administrators.get_by_username(normalize_username(username))
            stored = found.password_hash if found else _decoy_hash(cast(Hashable, self._hasher))
            if not self._hasher.verify(stored, password) or found is None:
                raise SignInRefused()
            if self._hasher.needs_rehash(found.password_hash):
                found.password_hash = self._hasher.hash(password)
                uow.commit()
            return found

    def session_holder(self, username: str, signed_in_at: datetime) -> Administrator | None:
        """The administrator of a session signed in at ``signed_in_at``, unless it signed out
        since (``end_sessions``) or no longer exists."""
        with self._uow_factory() as uow:
            found = uow.administrators.get_by_username(username)
        return found if found is not None and found.holds_session_from(signed_in_at) else None

    def end_sessions(self, username: str) -> None:
        """End every session of ``username`` signed in until now (a sign-out, anywhere)."""
        with self._uow_factory() as uow:
            found = uow.administrators.get_by_username(username)
            if found is not None:
                found.end_sessions(self._clock.now())
                uow.commit()

    def list(self) -> Sequence[Administrator]:
        with self._uow_factory() as uow:
            return uow.administrators.list()


@lru_cache(maxsize=4)
def _decoy_hash(hasher: Hashable) -> str:
    """A hash of a password nobody knows, made once per hasher: what an unknown username's
    attempt is verified against, at the same cost as a real one."""
    return cast(PasswordHasher, hasher).hash(secrets.token_urlsafe(32))
