"""gunicorn's configuration warns a worker whose threads event streams may take whole: none left
beside them, or one only (the sync worker), where every stream is refused."""

from __future__ import annotations

import pytest

from taskhub.entrypoints.http.gunicorn_config import threads_warning


@pytest.mark.parametrize("threads", [1, 3, 4])
def test_too_few_threads_for_the_streams_a_worker_may_hold_is_a_warning(threads: int) -> None:
    warning = threads_warning(threads, max_streams=4)
    assert warning is not None
    assert "--threads" in warning


def test_one_thread_says_that_streams_are_refused() -> None:
    assert "streams_unsupported" in str(threads_warning(1, max_streams=4))


def test_threads_beyond_the_streams_are_enough() -> None:
    assert threads_warning(8, max_streams=4) is None
