"""taskhub.testing, as a user's test suite meets it: the clock, the memory hub, the plugin."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from importlib.metadata import entry_points

import pytest

from taskhub.testing import MOMENT, ManualClock, memory_hub, user_fields

pytest_plugins = ["pytester"]

START = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)  # a time no system clock gives today

A_TEST_OF_THE_FIXTURES = """
from datetime import timedelta

def test_the_hub_runs_on_the_clock(taskhub_hub, taskhub_clock):
    taskhub_clock.advance(timedelta(hours=1))
    task = taskhub_hub.users.create(username="ada", email="ada@example.com")
    assert task.status == "DONE"
    assert task.created_at == taskhub_clock.now()
"""


def test_the_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock()
    assert clock.now() == clock.now() == MOMENT
    clock.advance(timedelta(seconds=90))
    assert clock.now() == clock.now() == MOMENT + timedelta(seconds=90)
    assert ManualClock(START).now() == START


def test_a_memory_hub_runs_a_create_to_done_on_the_manual_clock() -> None:
    clock = ManualClock(START)
    clock.advance(timedelta(minutes=1))
    with memory_hub(clock) as hub:
        task = hub.users.create(**user_fields())
    assert task.status == "DONE"
    assert task.created_at == task.updated_at == START + timedelta(minutes=1)


def test_a_memory_hub_on_the_thread_bus_runs_on_the_manual_clock_too() -> None:
    with memory_hub(ManualClock(START), bus="thread") as hub:
        done = hub.tasks.wait(hub.users.create(**user_fields()).id, timeout=10)
    assert done.status == "DONE"
    assert done.updated_at == START


def test_a_memory_hub_ignores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's shell must not point a test at a real database or broker."""
    monkeypatch.setenv("TASKHUB_DATABASE_URL", "postgresql://nowhere.invalid/taskhub")
    monkeypatch.setenv("TASKHUB_BUS", "celery")
    with memory_hub(worker_threads=2) as hub:
        settings = hub.container.settings()
    assert settings.database_kind == "memory"
    assert settings.bus == "inline"
    assert settings.worker_threads == 2


def test_the_plugin_is_registered_with_pytest_as_taskhub() -> None:
    (plugin,) = entry_points(group="pytest11", name="taskhub")
    assert plugin.value == "taskhub.testing.plugin"


def test_the_fixtures_reach_a_test_run_by_pytest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(A_TEST_OF_THE_FIXTURES)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_fixtures_come_from_the_entry_point(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(A_TEST_OF_THE_FIXTURES)
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:taskhub")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'taskhub_hub' not found*"])


def test_taskhub_testing_runs_without_pytest() -> None:
    """pytest is a dev dependency: only the plugin module, which pytest loads, may import it."""
    check = "import sys, taskhub.testing; assert 'pytest' not in sys.modules"
    subprocess.run([sys.executable, "-c", check], check=True)
