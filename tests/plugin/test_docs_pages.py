"""The examples in docs/pytest.md and docs/strategies.md run as written, through pytest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

# Loaded once here so that pytester's in-process runs (which drop modules they import) are fast.
import conftest_plugin._session  # noqa: F401
import fake_dataverse._webapi._app
import fake_dataverse.strategies  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["docs/pytest.md", "docs/strategies.md"]
# Timing health checks and deadlines judge the machine, not the example: off for these runs
# (CI runs them in parallel on 2 cores).
_NO_TIMING_CHECKS = """
from hypothesis import HealthCheck, settings

settings.register_profile("docs", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("docs")
"""
_BLOCK = re.compile(r"^( *)```python\n(.*?)^\1```", re.S | re.M)


def _blocks() -> list[tuple[str, int, str]]:
    found = []
    for page in PAGES:
        text = (ROOT / page).read_text("utf-8")
        for number, match in enumerate(_BLOCK.finditer(text)):
            indent = len(match.group(1))
            code = "\n".join(line[indent:] for line in match.group(2).splitlines())
            found.append((page, number, code))
    return found


@pytest.mark.parametrize(("page", "number", "code"), _blocks(), ids=lambda v: str(v)[:20])
def test_page_example_passes(pytester: pytest.Pytester, page: str, number: int, code: str) -> None:
    """Each Python block, saved as a test file, collects and its tests pass."""
    pytester.makeconftest(_NO_TIMING_CHECKS)
    pytester.makepyfile(**{f"test_{Path(page).stem}_{number}": code})
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:benchmark")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 1, result.stdout.str()
    assert 0 == outcomes.get("failed", 0) + outcomes.get("errors", 0), result.stdout.str()
