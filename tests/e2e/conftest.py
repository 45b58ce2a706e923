"""Fixtures for end-to-end tests: HTTP against a real ``taskhub serve`` process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import Server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``taskhub serve`` on a free port on the embedded default (a SQLite file in its own data
    directory, an in-process worker), stopped (and checked) after."""
    workdir: Path = tmp_path_factory.mktemp("serve")
    env = {"TASKHUB_DATA_DIR": str(workdir / "data")}
    server = Server(env, workdir / "serve.log")
    yield server
    assert server.stop() == 0, (workdir / "serve.log").read_text()
