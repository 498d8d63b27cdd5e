"""The Python examples in docs/queries.md run as written, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "queries.md"
_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


class TestQueriesDocument:
    def test_examples_run(self) -> None:
        """Each fenced Python block of docs/queries.md runs and its asserts hold."""
        namespace: dict[str, object] = {"__name__": "docs_queries"}
        blocks = _BLOCK.findall(DOCUMENT.read_text("utf-8"))
        assert len(blocks) >= 5
        for number, code in enumerate(blocks):
            exec(compile(code, f"docs/queries.md[{number}]", "exec"), namespace)
