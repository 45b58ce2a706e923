"""The app the baseline's worker runs: ``celery -A benchmarks.baseline_worker worker …``, on the
broker and result backend its environment names (``BENCH_BROKER_URL``, ``BENCH_BACKEND_URL``)."""

from __future__ import annotations

import os

from benchmarks.baseline_app import make_app

app = make_app(os.environ["BENCH_BROKER_URL"], os.environ["BENCH_BACKEND_URL"])
