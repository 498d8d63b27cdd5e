"""docs/clients.md: every Python example runs as written, and the shell example with curl."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_example_runs() -> None:
    """The ```sh block (the CLI and curl) runs with bash -e, on a free port."""
    (script,) = re.findall(r"```sh\n(.*?)```", PAGE.read_text("utf-8"), re.S)
    script = script.replace("8765", str(_free_port()))
    script = script.replace("fake-dataverse serve", f"{sys.executable} -m fake_dataverse serve")
    done = subprocess.run(["bash", "-e", "-c", script], capture_output=True, text=True,
                          timeout=120, check=False)
    assert 0 == done.returncode, done.stdout + done.stderr
