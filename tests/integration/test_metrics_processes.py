"""Which real processes write metrics files, and where: only those that sum their figures (a
worker with a port, gunicorn), never a command run beside them with the deployment's ``.env``;
and a metrics port in use stops a worker or a relay at its start, in one line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import ROOT

TASKHUB = [sys.executable, "-m", "taskhub.entrypoints.cli"]
NO_BROKER = "redis://127.0.0.1:9/0"  # nothing listens: nothing here may reach a broker
ADA = {"username": "ada", "email": "ada@example.com"}


def run(env: dict[str, str], *argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TASKHUB, *argv], env={**os.environ, **env}, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False)  # fmt: skip


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port this test listens on, so that no metrics server can bind it."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield int(held.getsockname()[1])


@pytest.mark.parametrize("exists", [True, False], ids=["another's directory", "a missing one"])
def test_a_command_writes_no_metrics_file_whatever_the_environment_names(
    tmp_path: Path, exists: bool
) -> None:
    other = tmp_path / "another-deployment"
    if exists:
        other.mkdir()
    done = run({"PROMETHEUS_MULTIPROC_DIR": str(other)}, "users", "create",
               "--username", ADA["username"], "--email", ADA["email"])  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert list(other.iterdir()) == [] if exists else not other.exists()


def test_the_library_writes_none_either(tmp_path: Path) -> None:
    other = tmp_path / "another-deployment"
    other.mkdir()
    program = f"import taskhub\nwith taskhub.connect() as hub: hub.users.create(**{ADA!r})"
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(other)}
    done = subprocess.run([sys.executable, "-c", program], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert list(other.iterdir()) == []


def test_a_worker_whose_metrics_port_is_taken_stops_at_start_in_one_line(
    tmp_path: Path, taken_port: int
) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {
        "TASKHUB_BUS": "celery",
        "TASKHUB_BROKER_URL": NO_BROKER,
        "TMPDIR": str(temporary),
        "TASKHUB_WORKER_METRICS_PORT": str(taken_port),
        "TASKHUB_METRICS_ADDRESS": "127.0.0.1",
    }
    done = run(env, "worker", "--pool", "solo", timeout=30)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"taskhub: TASKHUB_WORKER_METRICS_PORT is {taken_port}, but ")
    assert done.stderr.count("\n") == 1
    assert list(temporary.iterdir()) == []  # its directory was removed as it stopped


def test_a_relay_whose_metrics_port_is_taken_stops_in_one_line(taken_port: int) -> None:
    env = {"TASKHUB_RELAY_METRICS_PORT": str(taken_port), "TASKHUB_METRICS_ADDRESS": "127.0.0.1"}
    done = run(env, "relay", "--interval", "1")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"taskhub: TASKHUB_RELAY_METRICS_PORT is {taken_port}, but ")
    assert done.stderr.count("\n") == 1


def test_loading_the_worker_app_makes_no_metrics_directory(tmp_path: Path) -> None:
    """What ``celery -A taskhub.entrypoints.worker inspect …`` does before it asks anything."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary), "TASKHUB_WORKER_METRICS_PORT": "9",
           "TASKHUB_BUS": "celery", "TASKHUB_BROKER_URL": NO_BROKER}  # fmt: skip
    program = "from taskhub.entrypoints import worker; print(worker.app.main)"
    done = subprocess.run([sys.executable, "-c", program], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert list(temporary.iterdir()) == []
