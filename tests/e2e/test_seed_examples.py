"""The seed's curl examples, pasted as written, against a real ``taskhub serve``."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from typing import Any

from tests.e2e.server import Server
from tests.processes import eventually

# Pasted from the seed as they are: the long line stays long.

CREATE = r"""curl -X POST http://localhost:8000/api/users/ \
  -H "Content-Type: application/json" \
  -d '{"username": "user1", "email": "user1@example.com", "first_name": "John", "last_name": "Doe"}'"""  # noqa: E501
STATUS = r"""curl http://localhost:8000/api/tasks/12345-abcde/status/"""
UPDATE = r"""curl -X PATCH http://localhost:8000/api/users/f47ac10b-58cc-4372-a567-0e02b2c3d479/ \
  -H "Content-Type: application/json" \
  -d '{"email": "newemail@example.com"}'"""
SEED_TASK_ID, SEED_USER_ID = "12345-abcde", "f47ac10b-58cc-4372-a567-0e02b2c3d479"
TASK_FIELDS = {
    "id", "status", "task_name", "created_at", "updated_at", "input_data", "result", "progress",
    "related_table", "related_id", "operation",
}  # fmt: skip


def curl(server: Server, example: str) -> Any:
    """Run an example in a shell as written, but on the test server's port; its JSON output."""
    command = example.replace("localhost:8000", f"localhost:{server.port}")
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def finished_status(server: Server, task_id: str) -> Any:
    """Poll the seed's status example for ``task_id`` until the task is DONE or FAILED."""
    example = STATUS.replace(SEED_TASK_ID, task_id)

    def finished() -> Any:
        task = curl(server, example)
        return task if task["status"] in ("DONE", "FAILED") else None

    return eventually(finished, 15, f"task {task_id} to finish")


def test_the_seeds_curl_examples_work_as_written(server: Server) -> None:
    """Only the port (8000) and the placeholder ids (12345-abcde, f47ac10b-...) are replaced:
    by the server's port, the id of the task just created and the id of the user it created."""
    created = curl(server, CREATE)
    task_id = created["task_id"]
    assert created == {
        "task_id": task_id,
        "message": "Task created to create user user1",
        "status_endpoint": f"/api/tasks/{task_id}/status/",
    }
    done = finished_status(server, task_id)
    assert set(done) >= TASK_FIELDS
    assert (done["status"], done["task_name"], done["operation"]) == (
        "DONE",
        "create_user",
        "CREATE",
    )
    assert done["input_data"] == json.loads(CREATE.split("-d '")[1].rstrip("'"))
    assert done["result"]["message"] == "Successfully created user user1"
    assert (done["progress"], done["result"]["success"], done["related_table"]) == (
        100,
        True,
        "user",
    )
    assert done["created_at"].endswith("Z")
    assert datetime.fromisoformat(done["updated_at"])

    user_id = done["result"]["user_id"]
    updated = curl(server, UPDATE.replace(SEED_USER_ID, user_id))
    assert updated["message"] == f"Task created to update user {user_id}"
    assert updated["status_endpoint"] == f"/api/tasks/{updated['task_id']}/status/"
    patched = finished_status(server, updated["task_id"])
    assert (patched["status"], patched["operation"]) == ("DONE", "UPDATE")
    assert patched["result"]["user"]["email"] == "newemail@example.com"
    assert patched["result"]["user"]["first_name"] == "John"
