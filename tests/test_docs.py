"""The Python examples in README.md and the docs run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = ["README.md", "docs/background.md", "docs/testing.md"]
_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _blocks() -> list[tuple[str, int, str]]:
    found = []
    for name in DOCUMENTS:
        for number, match in enumerate(_BLOCK.finditer((ROOT / name).read_text("utf-8"))):
            found.append((name, number, match.group(1)))
    return found


@pytest.mark.parametrize(("document", "number", "code"), _blocks(),
                         ids=lambda v: str(v)[:30] if not isinstance(v, str) or "\n" not in v
                         else "code")
def test_example_runs(document: str, number: int, code: str) -> None:
    """Each fenced Python block runs without error (its asserts hold)."""
    exec(compile(code, f"{document}[{number}]", "exec"), {"__name__": "docs_example"})
