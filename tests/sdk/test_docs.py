"""The examples in docs/official-sdk.md run as written, top to bottom, in one namespace."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("PowerPlatform.Dataverse.aio.async_client")

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "official-sdk.md"
_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="the TLS example calls openssl")
def test_examples_run_in_order() -> None:
    """Every fenced Python block runs (its asserts hold), sharing one namespace."""
    blocks = _BLOCK.findall(DOCUMENT.read_text("utf-8"))
    assert len(blocks) >= 9
    namespace: dict[str, object] = {"__name__": "docs_official_sdk"}
    for number, code in enumerate(blocks):
        exec(compile(code, f"docs/official-sdk.md[{number}]", "exec"), namespace)
