"""The port that keeps passwords: a one-way hash, checked without ever storing the password."""

from __future__ import annotations

from typing import Protocol


class PasswordHasher(Protocol):
    """Hashes passwords with a slow, salted, memory-hard function (argon2id in production).

    ``verify`` says whether ``password`` is the one ``password_hash`` was made from, and is
    False (never an error) for a wrong password or a hash it cannot read.
    """

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than the hasher's own now (weaker,
        or unreadable): a login that verified it then stores a new hash."""
        ...
