"""docs/webapi.md's example with Microsoft's official client runs as written (when installed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "webapi.md"


class TestOfficialClientDocs:
    def test_example_runs(self) -> None:
        """The ```python sdk block creates and reads a row through DataverseClient."""
        pytest.importorskip("PowerPlatform.Dataverse.client")
        (code,) = re.findall(r"```python sdk\n(.*?)```", DOCUMENT.read_text("utf-8"), re.S)
        exec(compile(code, "docs/webapi.md[sdk]", "exec"), {"__name__": "docs_sdk"})
