"""A real ``taskhub serve`` process on a free port, and a plain HTTP client for it."""

from __future__ import annotations

import json
import os
import re
import shlex
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

README = (ROOT / "README.md").read_text()
README_SERVE = "taskhub serve --port 8000"
README_GUNICORN = re.search(r"^gunicorn --bind .*$", README, flags=re.MULTILINE)


def readme_command(command: str, port: int) -> list[str]:
    """``command`` as the README writes it, on ``port`` and with this virtualenv's executable."""
    argv = shlex.split(command.replace(":8000", f":{port}").replace(" 8000", f" {port}"))
    return [str(Path(sys.executable).parent / argv[0]), *argv[1:]]


def serve_command(port: int) -> list[str]:
    """``taskhub serve``, as the README's development command, on ``port``."""
    assert README_SERVE in README
    return readme_command(README_SERVE, port)


def gunicorn_command(port: int) -> list[str]:
    """The production command the README documents, exactly, on ``port``."""
    assert README_GUNICORN is not None, "the README shows one gunicorn --bind command"
    return readme_command(README_GUNICORN.group(0), port)


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
        return request(self.url, method, path, body, headers)

    def request_text(self, path: str) -> str:
        """A GET of ``path`` answered 200, as text (``/metrics``)."""
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return str(response.read().decode())

    def kill(self) -> None:
        """SIGKILL: the process dies where it stands, with whatever its threads were running."""
        self.process.kill()
        self.process.wait(timeout=10)
        self._log.close()

    def stop(self) -> int:
        """SIGTERM, as a process manager would; the exit status once it has stopped."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)
        self._log.close()
        return self.process.returncode


def request(
    url: str, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None
) -> Reply:
    """One HTTP exchange with the server at ``url``, a JSON body sent and read back."""
    data = None if body is None else json.dumps(body).encode()
    sent = {"Content-Type": "application/json"} if body is not None else {}
    message = urllib.request.Request(url + path, data, {**sent, **(headers or {})}, method=method)
    try:
        with urllib.request.urlopen(message, timeout=30) as response:
            return Reply(response.status, dict(response.headers), _json(response.read()))
    except urllib.error.HTTPError as error:
        return Reply(error.code, dict(error.headers), _json(error.read()))


def _json(raw: bytes) -> Any:
    return json.loads(raw) if raw else None
