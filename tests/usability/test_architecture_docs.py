"""docs/architecture.md's custom-table example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


class TestAddATable:
    def test_example_runs(self) -> None:
        """The block under 'How to add a table' builds the table and answers over the Web API."""
        section = DOCUMENT.read_text("utf-8").split("## How to add a table", 1)[1]
        (code,) = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], re.S)
        exec(compile(code, "docs/architecture.md[table]", "exec"), {"__name__": "docs_table"})


class TestAddAMessage:
    def test_example_runs(self) -> None:
        """The block under 'How to add a message' declares, registers and runs a new message."""
        section = DOCUMENT.read_text("utf-8").split("## How to add a message", 1)[1]
        (code,) = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], re.S)
        exec(compile(code, "docs/architecture.md[message]", "exec"), {"__name__": "docs_msg"})
