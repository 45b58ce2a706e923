"""Memory and CPU of the deployment's processes, read with psutil.

A role (``web``, ``worker``, ``relay``) is a started process and all its descendants (gunicorn's
workers, Celery's pool). A sampler thread keeps each role's peak RSS and PSS, and the peak of
their sum, while the run lasts; CPU seconds are read on demand, to be divided by tasks.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

import psutil

MB = 1024 * 1024


def tree(pid: int) -> list[psutil.Process]:
    """The process ``pid`` and its descendants, those still alive."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def cpu_seconds(roots: Mapping[str, list[int]]) -> float:
    """User and system CPU seconds spent so far by every process of these roles."""
    total = 0.0
    for pids in roots.values():
        for pid in pids:
            for process in tree(pid):
                try:
                    times = process.cpu_times()
                except psutil.NoSuchProcess:
                    continue
                total += times.user + times.system
    return total


class MemorySampler:
    """Peak RSS and PSS (MB) of each role and of their sum, sampled every ``interval`` s."""

    def __init__(self, roots: Mapping[str, list[int]], interval: float = 0.5) -> None:
        self._roots = dict(roots)
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)
        self.peaks: dict[str, float] = {}
        self.by_process: dict[str, float] = {}  # peak RSS (MB) of each "role pid"
        self.samples = 0

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.sample()

    def sample(self) -> None:
        totals = {"rss": 0.0, "pss": 0.0}
        for role, pids in self._roots.items():
            rss = pss = 0.0
            for pid in pids:
                for process in tree(pid):
                    try:
                        memory = process.memory_full_info()
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        continue
                    rss += memory.rss / MB
                    key = f"{role} {process.pid}"
                    self.by_process[key] = max(self.by_process.get(key, 0.0), memory.rss / MB)
                    pss += getattr(memory, "pss", memory.rss) / MB
            self._peak(f"{role}_rss_mb", rss)
            self._peak(f"{role}_pss_mb", pss)
            totals["rss"] += rss
            totals["pss"] += pss
        self._peak("total_rss_mb", totals["rss"])
        self._peak("total_pss_mb", totals["pss"])
        self.samples += 1

    def _peak(self, name: str, value: float) -> None:
        self.peaks[name] = max(self.peaks.get(name, 0.0), value)
