"""A real ``taskhub serve`` process on a free port, and a plain HTTP client for it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.processes import ROOT, eventually, free_port


def serve_command(port: int) -> list[str]:
    return [sys.executable, "-m", "taskhub.entrypoints.cli", "serve", "--port", str(port)]


def gunicorn_command(port: int) -> list[str]:
    """The production command the README documents, on ``port``."""
    app = "taskhub.entrypoints.http:create_app()"
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--threads", "4", app]


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: Any


class Server:
    """``taskhub serve --port N`` (or ``command`` given the port) in its own process."""

    def __init__(
        self, env: Mapping[str, str], log: Path, command: Callable[[int], list[str]] | None = None
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            (command or serve_command)(self.port), env={**os.environ, **env}, stdout=self._log,
            stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
        eventually(self._answers, 30, f"the server to answer /healthz on port {self.port}")

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the server exited with {self.process.returncode}")
        try:
            return self.request("GET", "/healthz").status == 200
        except OSError:
            return False

    def request(
        self, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None
    ) -> Reply:
        data = None if body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json"} if body is not None else {}
        request = urllib.request.Request(
            self.url + path, data, {**sent, **(headers or {})}, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return Reply(response.status, dict(response.headers), _json(response.read()))
        except urllib.error.HTTPError as error:
            return Reply(error.code, dict(error.headers), _json(error.read()))

    def stop(self) -> int:
        """SIGTERM, as a process manager would; the exit status once it has stopped."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)
        self._log.close()
        return self.process.returncode


def _json(raw: bytes) -> Any:
    return json.loads(raw) if raw else None
