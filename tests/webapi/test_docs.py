"""The ``requests`` examples in docs/webapi.md run as written, top to bottom."""

from __future__ import annotations

import re
from pathlib import Path

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "webapi.md"
_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


class TestWebApiDocs:
    def test_examples_run_in_order(self) -> None:
        """Every fenced Python block runs (its asserts hold), sharing one namespace."""
        blocks = _BLOCK.findall(DOCUMENT.read_text("utf-8"))
        assert len(blocks) >= 6
        namespace: dict[str, object] = {"__name__": "docs_webapi"}
        for number, code in enumerate(blocks):
            exec(compile(code, f"docs/webapi.md[{number}]", "exec"), namespace)
