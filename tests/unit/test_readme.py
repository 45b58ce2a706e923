"""The README's Python examples run as written, so they cannot drift from the code.

An example that defines ``test_`` functions is a test module for the reader's own project: it
runs under pytest, as its reader would run it, with taskhub's plugin found through its entry
point. Every other example runs as a script.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

README = Path(__file__).parents[2] / "README.md"
EXAMPLES = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
SCRIPTS = [example for example in EXAMPLES if "\ndef test_" not in example]
TEST_MODULES = [example for example in EXAMPLES if "\ndef test_" in example]


def test_the_readme_has_examples() -> None:
    assert len(SCRIPTS) >= 2
    assert len(TEST_MODULES) >= 1


@pytest.mark.parametrize("example", SCRIPTS, ids=[f"script-{i}" for i in range(len(SCRIPTS))])
def test_a_readme_script_runs(example: str) -> None:
    exec(compile(example, str(README), "exec"), {})


@pytest.mark.parametrize(
    "example", TEST_MODULES, ids=[f"test-module-{i}" for i in range(len(TEST_MODULES))]
)
def test_a_readme_test_module_passes(example: str, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_readme_example=example)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=example.count("\ndef test_"))


def test_the_library_example_runs_again_on_the_same_data() -> None:
    """Its store is the default SQLite file, which a second run finds already used."""
    for _ in range(2):
        exec(compile(SCRIPTS[0], str(README), "exec"), {})
