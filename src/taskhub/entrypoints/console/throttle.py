"""Sign-in attempts, counted before they are heard, over a moving window: past a bound, a
sign-in is refused unheard until the window lets it through ("try again in N s").

Three bounds: an account from one client (5 per 15 minutes: guessing one password), a client
(20: guessing across accounts), and an account from everywhere (50: guessing from many
addresses). One client cannot lock an administrator out by itself: it meets its own bounds long
before the account's. Each attempt is counted before its password is checked, so attempts sent
at once are counted at once rather than all heard. Accounts key on the username as the sign-in
reads it (NFC), whether or not such an account exists, so the throttle tells nothing about which
usernames do. A success clears its account-from-client count. The counts live where the API's
rate limits do (``TASKHUB_RATE_LIMIT_STORAGE_URL``): Redis shares them between processes and
machines; with ``memory://`` each process counts alone, so N web processes allow N times the
bounds. Should that storage fail, counting goes on in this process.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import TypeVar

from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from taskhub.domain.user_fields import normalize_username
from taskhub.entrypoints.http.limits import storage_options

log = logging.getLogger(__name__)

ACCOUNT_FROM_CLIENT = parse("5 per 15 minutes")
CLIENT = parse("20 per 15 minutes")
ACCOUNT = parse("50 per 15 minutes")
NAMESPACE = "taskhub-console-sign-in"
T = TypeVar("T")


class SignInThrottle:
    def __init__(self, storage_url: str) -> None:
        storage = storage_from_string(
            storage_url, wrap_exceptions=True, **storage_options(storage_url)
        )
        assert isinstance(storage, Storage)  # a synchronous one: the URL is not async+
        self._counts = MovingWindowRateLimiter(storage)
        self._fallback = MovingWindowRateLimiter(MemoryStorage())

    def attempt(self, client: str, username: str) -> int:
        """Count a sign-in from ``client`` as ``username``; seconds until one is heard again if
        a bound refuses it (0: hear it now)."""
        account = normalize_username(username)
        bounds = (
            (ACCOUNT_FROM_CLIENT, ("account-from-client", account, client)),
            (CLIENT, ("client", client)),
            (ACCOUNT, ("account", account)),
        )
        return next((wait for limit, key in bounds if (wait := self._hit(limit, key))), 0)

    def _hit(self, limit: RateLimitItem, key: tuple[str, ...]) -> int:
        """Count one under ``limit``: 0 if it fits, else seconds until one would."""
        if self._safely(lambda counts: counts.hit(limit, NAMESPACE, *key)):
            return 0
        stats = self._safely(lambda counts: counts.get_window_stats(limit, NAMESPACE, *key))
        return max(1, math.ceil(stats.reset_time - time.time()))

    def succeeded(self, client: str, username: str) -> None:
        key = ("account-from-client", normalize_username(username), client)
        self._safely(lambda counts: counts.clear(ACCOUNT_FROM_CLIENT, NAMESPACE, *key))

    def _safely(self, act: Callable[[MovingWindowRateLimiter], T]) -> T:
        try:
            return act(self._counts)
        except StorageError as error:
            log.warning("Sign-in counts are kept in this process: their storage failed (%s)", error)
            return act(self._fallback)
