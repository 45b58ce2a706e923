"""The README's quick start, run as written: the service it starts answers the curl it shows.

Only the port changes (a free one instead of 8000), and ``.venv/bin/`` is this test's own
virtualenv, which ``./scripts/check`` built with the same ``pip install -e``.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.e2e.server import Server
from tests.processes import ROOT

QUICK_START = (ROOT / "README.md").read_text().split("## Quick start", 1)[1].split("\n## ", 1)[0]
START, CURL = re.findall(r"```bash\n(.*?)```", QUICK_START, flags=re.DOTALL)[:2]
LIBRARY = (ROOT / "README.md").read_text().split("## The library", 1)[1].split("```python\n")[1]
LIBRARY = LIBRARY.split("```", 1)[0]
TASKHUB = [sys.executable, "-m", "taskhub.entrypoints.cli"]


def on_port(command: str, port: int) -> str:
    return command.replace(":8000", f":{port}").replace("--port 8000", f"--port {port}")


def test_the_quick_start_serves_on_the_embedded_default_and_answers_its_curl(
    tmp_path: Path,
) -> None:
    setup_venv, install, serve = (step.strip() for step in START.split("&&"))
    assert (setup_venv, install) == ("python3 -m venv .venv", ".venv/bin/pip install -e '.[http]'")
    argv = shlex.split(serve)
    argv[0] = str(Path(sys.executable).parent / Path(argv[0]).name)

    def command(port: int) -> list[str]:
        return shlex.split(on_port(shlex.join(argv), port))

    server = Server({"TASKHUB_DATA_DIR": str(tmp_path)}, tmp_path / "serve.log", command)
    try:
        curl = subprocess.run(
            ["bash", "-c", on_port(CURL, server.port)], capture_output=True, text=True, timeout=30
        )
        task = json.loads(curl.stdout)
        assert (task["status"], task["task_name"]) == ("DONE", "create_user"), curl.stderr
        assert task["result"]["success"] is True
    finally:
        assert server.stop() == 0, (tmp_path / "serve.log").read_text()
    assert list(tmp_path.glob("*.sqlite*")), "the embedded default keeps its SQLite file there"


def test_the_library_example_runs_after_the_quick_start_on_the_same_data_directory(
    tmp_path: Path,
) -> None:
    """A newcomer runs the quick start, then the library's first example, on one machine."""
    env = {**os.environ, "TASKHUB_DATA_DIR": str(tmp_path)}
    quick_start = ["create", "--username", "ada", "--email", "ada@example.com"]
    made = subprocess.run(
        [*TASKHUB, "users", *quick_start], env=env, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    for _ in range(2):  # and again: it cleans up after itself
        ran = subprocess.run(
            [sys.executable, "-c", LIBRARY], env=env, capture_output=True, text=True
        )
        assert ran.returncode == 0, ran.stderr
