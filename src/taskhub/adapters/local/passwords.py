"""Passwords hashed with argon2id (argon2-cffi), at RFC 9106's low-memory profile.

That profile (64 MiB, 3 passes, 4 lanes) is stronger than OWASP's minimum for argon2id
(19 MiB, 2 passes, 1 lane); ``needs_rehash`` tells a login to upgrade a hash made weaker.
"""

from __future__ import annotations

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

PROFILE = profiles.RFC_9106_LOW_MEMORY


class Argon2Hasher:
    def __init__(self) -> None:
        self._hasher = PasswordHasher.from_parameters(PROFILE)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError, UnicodeError):  # a lone surrogate, say
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True
