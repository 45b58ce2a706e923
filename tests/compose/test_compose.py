"""docker-compose.yml for real: the seed's flow through the published port, a worker container
killed mid-run, PostgreSQL stopped under the API and started again, everything taken down."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest

from tests.compose.stack import USERS_FILE, Stack
from tests.e2e.server import Reply
from tests.processes import ROOT, eventually

CREATES = 100
CLIENTS = 10

# The first run on a machine also builds the base images (about a minute and a half).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def test_the_compose_files_validate_with_the_example_settings(docker: dict[str, str]) -> None:
    """``docker-compose config`` on the users' file alone, and with the local override."""
    stack = Stack(docker, ROOT / "compose.env.example")
    stack.compose("config", "-q", files=USERS_FILE)
    stack.compose("config", "-q")


def test_web_made_the_first_administrator_of_the_settings(stack: Stack) -> None:
    listed = stack.compose("exec", "-T", "web", "taskhub", "admin", "list", "--json")
    assert [(a["username"], a["email"]) for a in json.loads(listed)] == [
        ("admin", "admin@example.com")
    ]


def test_the_api_of_the_compose_deployment_refuses_a_call_without_a_token(stack: Stack) -> None:
    refused = stack.request("POST", "/api/users/", new_user(uuid.uuid4().hex), token="")
    assert (refused.status, refused.body["code"]) == (401, "authentication_required")
    wrong = stack.request("GET", "/api/tasks/", token="thk_not-ours")
    assert (wrong.status, wrong.body["code"]) == (401, "invalid_token")
    assert stack.request("GET", "/api/tasks/").status == 200  # with the stack's token


def test_every_create_makes_one_user_though_a_worker_container_is_killed(stack: Stack) -> None:
    """Concurrent clients create users while one of the two workers is SIGKILLed; then the
    seed's list, PATCH and DELETE."""
    run = uuid.uuid4().hex[:8]
    names = [f"u{run}{index}" for index in range(CREATES)]
    done = create_while_killing_a_worker(stack, names)

    assert [task["status"] for task in done] == ["DONE"] * CREATES
    print(f"after the kill: {sum(task['attempt'] > 1 for task in done)} tasks ran again")
    made = {task["input_data"]["username"]: task["result"]["user_id"] for task in done}
    assert sorted(made) == sorted(names)
    listed = run_task(stack, "GET", "/api/users/?page_size=500")["result"]["users"]
    ours = [user["id"] for user in listed if user["username"].startswith(f"u{run}")]
    assert sorted(ours) == sorted(made.values())

    user_id = made[names[0]]
    patched = run_task(stack, "PATCH", f"/api/users/{user_id}/", {"email": f"{run}@example.org"})
    assert patched["result"]["user"]["email"] == f"{run}@example.org"
    assert run_task(stack, "DELETE", f"/api/users/{user_id}/")["status"] == "DONE"


def test_the_api_answers_503_while_postgres_is_down_and_recovers(stack: Stack) -> None:
    """Stopped: reads and submissions are refused as problems, nothing is accepted; started
    again: a create is DONE."""
    stack.compose("stop", "postgres")
    for request in (
        partial(stack.request, "GET", "/api/tasks/"),
        partial(stack.request, "POST", "/api/users/", new_user(uuid.uuid4().hex)),
    ):
        refused = eventually(partial(refusal, request), 30, "a 503 while postgres is down")
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert refused.body["code"] == "store_unavailable"
    stack.compose("start", "postgres")
    again = eventually(partial(recovered, stack), 60, "a create to be DONE again", interval=0.5)
    assert again["status"] == "DONE"


def create_while_killing_a_worker(stack: Stack, names: list[str]) -> list[Any]:
    """Submit every create from concurrent clients, SIGKILL a worker container once a fifth
    are accepted, and follow each task to its end."""
    with ThreadPoolExecutor(CLIENTS) as clients:
        accepted = [clients.submit(submit_create, stack, name) for name in names]
        enough = len(names) // 5
        eventually(lambda: sum(f.done() for f in accepted) >= enough, 60, "the first creates")
        stack.docker("kill", stack.containers("worker")[0])
        followed = [clients.submit(finished, stack, f.result()) for f in accepted]
        return [task.result() for task in followed]


def submit_create(stack: Stack, username: str) -> str:
    """POST one create; the 202's status endpoint."""
    reply = stack.request("POST", "/api/users/", new_user(username))
    assert reply.status == 202, reply.body
    assert reply.body["status_endpoint"] == f"/api/tasks/{reply.body['task_id']}/status/"
    return str(reply.body["status_endpoint"])


def new_user(username: str) -> dict[str, str]:
    return {"username": username, "email": f"{username}@example.org"}


def finished(stack: Stack, status_endpoint: str) -> Any:
    """Poll the status endpoint until the task has ended; the task."""

    def ended() -> Any:
        task = stack.request("GET", status_endpoint).body
        return task if task["status"] in ("DONE", "FAILED") else None

    return eventually(ended, 90, f"{status_endpoint} to end", interval=0.2)


def run_task(stack: Stack, method: str, path: str, body: Any = None) -> Any:
    reply = stack.request(method, path, body)
    assert reply.status == 202, reply.body
    return finished(stack, reply.body["status_endpoint"])


def refusal(request: partial[Reply]) -> Reply | None:
    reply = request()
    return reply if reply.status == 503 else None


def recovered(stack: Stack) -> Any:
    reply = stack.request("POST", "/api/users/", new_user(f"after{uuid.uuid4().hex[:8]}"))
    return finished(stack, reply.body["status_endpoint"]) if reply.status == 202 else None
