"""``taskhub admin``: an administrator made from a prompt or standard input, never an option."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from taskhub.entrypoints.cli import main

ROOT = ["--username", "root", "--email", "root@example.com"]
SECRET = "correct horse battery staple"


def test_made_from_standard_input_listed_and_refused_a_second_time(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(SECRET + "\n"))
    assert main(["admin", "create", *ROOT, "--password-stdin"]) == 0
    assert capsys.readouterr().out.startswith("administrator root made (")
    assert main(["admin", "list", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["username"], listed["email"]) == ("root", "root@example.com")
    monkeypatch.setattr(sys, "stdin", io.StringIO(SECRET + "\n"))
    assert main(["admin", "create", *ROOT, "--password-stdin"]) == 1
    said = capsys.readouterr().err
    assert said == "taskhub: An administrator named 'root' exists already. [administrator_exists]\n"


def test_a_short_password_is_refused_by_name_without_repeating_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("hunter2\n"))
    assert main(["admin", "create", *ROOT, "--password-stdin", "--json"]) == 1
    error = json.loads(capsys.readouterr().err)
    assert (error["code"], list(error["errors"])) == ("invalid_administrator", ["password"])
    assert "hunter2" not in json.dumps(error)
    assert main(["admin", "list"]) == 0
    assert capsys.readouterr().out.strip() == "USERNAME  EMAIL  CREATED"


def test_the_password_is_asked_for_twice_and_no_option_takes_it() -> None:
    command = [sys.executable, "-m", "taskhub.entrypoints.cli", "admin", "create", *ROOT]
    env = dict(os.environ)
    made = subprocess.run(
        command, input=f"{SECRET}\n{SECRET}\n", env=env, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    assert "Repeat for confirmation" in made.stdout + made.stderr
    assert SECRET not in made.stdout + made.stderr
    given = subprocess.run([*command, "--password", SECRET], env=env, capture_output=True)
    assert given.returncode == 2
