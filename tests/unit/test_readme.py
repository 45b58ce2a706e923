"""The README's Python examples run as written, so they cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).parents[2] / "README.md"
EXAMPLES = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_the_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"example-{i}" for i in range(len(EXAMPLES))])
def test_a_readme_example_runs(example: str) -> None:
    exec(compile(example, str(README), "exec"), {})


def test_the_library_example_runs_again_on_the_same_data() -> None:
    """Its store is the default SQLite file, which a second run finds already used."""
    for _ in range(2):
        exec(compile(EXAMPLES[0], str(README), "exec"), {})
