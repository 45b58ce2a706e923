"""Failed sign-ins, counted per account and per client over a moving window: past either bound,
a sign-in is refused unheard until the window lets it through ("try again in N s").

An account's count keys on the username as typed, whether or not such an account exists, so
the throttle tells nothing about which usernames do. A client that guesses passwords for many
accounts meets the client bound. A success clears its account's count (the password is known),
never the client's. The counts live where the API's rate limits do
(``TASKHUB_RATE_LIMIT_STORAGE_URL``): Redis shares them between processes and machines; with
``memory://`` each process counts alone, so N web processes allow N times the bound. Should
that storage fail, counting goes on in this process.
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

from taskhub.entrypoints.http.limits import storage_options

log = logging.getLogger(__name__)

ACCOUNT_FAILURES = parse("5 per 15 minutes")
CLIENT_FAILURES = parse("20 per 15 minutes")
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

    def wait(self, client: str, username: str) -> int:
        """Seconds until a sign-in from ``client`` as ``username`` is heard again (0: now)."""
        waits = [
            self._wait(limit, key)
            for limit, key in ((ACCOUNT_FAILURES, ("account", username)),
                               (CLIENT_FAILURES, ("client", client)))
        ]  # fmt: skip
        return max(waits)

    def failed(self, client: str, username: str) -> None:
        self._safely(lambda counts: counts.hit(ACCOUNT_FAILURES, NAMESPACE, "account", username))
        self._safely(lambda counts: counts.hit(CLIENT_FAILURES, NAMESPACE, "client", client))

    def succeeded(self, username: str) -> None:
        self._safely(lambda counts: counts.clear(ACCOUNT_FAILURES, NAMESPACE, "account", username))

    def _wait(self, limit: RateLimitItem, key: tuple[str, str]) -> int:
        if self._safely(lambda counts: counts.test(limit, NAMESPACE, *key)):
            return 0
        stats = self._safely(lambda counts: counts.get_window_stats(limit, NAMESPACE, *key))
        return max(1, math.ceil(stats.reset_time - time.time()))

    def _safely(self, act: Callable[[MovingWindowRateLimiter], T]) -> T:
        try:
            return act(self._counts)
        except StorageError as error:
            log.warning("Sign-in counts are kept in this process: their storage failed (%s)", error)
            return act(self._fallback)
