"""The repository's docker-compose.yml run for real: local base images, a project of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from tests.e2e.server import Reply, request
from tests.processes import ROOT, eventually, free_port

USERS_FILE = ["-f", "docker-compose.yml"]
FILES = [*USERS_FILE, "-f", "docker-compose.local.yml"]


def docker_environment() -> dict[str, str]:
    """The environment that reaches our dockerd (installed and started if it is not)."""
    started = _run(["bash", "scripts/containers"], os.environ).stdout
    host = started.strip().rpartition("DOCKER_HOST=")[2]
    environment = {**os.environ, "DOCKER_HOST": host}
    _run(["bash", "scripts/compose-images"], environment)
    return environment


def build_wheels() -> None:
    """The wheels the image installs offline, built on the host as the Dockerfile says."""
    _run(["bash", "scripts/wheels"], {**os.environ, "PYTHON": sys.executable})


class Stack:
    """One compose project (a unique name, so runs never meet) with its web port published."""

    def __init__(self, environment: dict[str, str], env_file: Path) -> None:
        self.project = f"taskhub-test-{uuid.uuid4().hex[:8]}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.environment = {
            **environment,
            "ENV_FILE": str(env_file),
            "WEB_PUBLISH": f"127.0.0.1:{self.port}",
        }
        self.token: str | None = None  # sent with every request once set

    def make_token(self) -> None:
        """A token made as the README says, in the web container; later requests carry it."""
        made = self.compose("exec", "-T", "web", "taskhub", "tokens", "create", "--name", "test")
        self.token = made.strip()

    def compose(self, *args: str, timeout: float = 300, files: list[str] = FILES) -> str:
        """``docker-compose`` on this project: by default with the local base images."""
        command = ["docker-compose", "-p", self.project, *files, *args]
        return _run(command, self.environment, timeout).stdout

    def containers(self, service: str) -> list[str]:
        return self.compose("ps", "-q", service).split()

    def docker(self, *args: str) -> str:
        return _run(["/usr/bin/docker", *args], self.environment).stdout

    def request(self, method: str, path: str, body: Any = None, token: str | None = None) -> Reply:
        """One exchange with the web, with ``token`` (default: the stack's own), if any."""
        secret = token if token is not None else self.token
        return request(
            self.url, method, path, body, {"Authorization": f"Bearer {secret}"} if secret else None
        )

    def wait_ready(self, timeout: float) -> None:
        eventually(self._ready, timeout, f"/readyz to answer 200 on {self.url}", interval=0.5)

    def _ready(self) -> bool:
        try:
            return self.request("GET", "/readyz").status == 200
        except OSError:
            return False

    def logs(self) -> str:
        command = ["docker-compose", "-p", self.project, *FILES, "logs", "--no-color"]
        return _run([*command, "--tail", "80"], self.environment, check=False).stdout


def _run(
    command: list[str], environment: Any, timeout: float = 600, check: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=timeout
    )
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr}")
    return done
