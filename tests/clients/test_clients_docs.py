"""docs/clients.md: every Python example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "clients.md"
_BLOCK = re.compile(r"```python\n(.*?)```", re.S)
BLOCKS = _BLOCK.findall(PAGE.read_text("utf-8"))


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_example_runs(number: int) -> None:
    """Each fenced Python block runs without error (its asserts hold)."""
    code = BLOCKS[number]
    exec(compile(code, f"docs/clients.md[{number}]", "exec"), {"__name__": "docs_clients"})
