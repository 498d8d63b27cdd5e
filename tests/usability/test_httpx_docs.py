"""docs/webapi.md's httpx adapter example runs as written (when httpx is installed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "webapi.md"


class TestHttpxDocs:
    def test_example_runs(self) -> None:
        """The ```python httpx block creates and lists a row through an httpx MockTransport."""
        pytest.importorskip("httpx")
        (code,) = re.findall(r"```python httpx\n(.*?)```", DOCUMENT.read_text("utf-8"), re.S)
        exec(compile(code, "docs/webapi.md[httpx]", "exec"), {"__name__": "docs_httpx"})
