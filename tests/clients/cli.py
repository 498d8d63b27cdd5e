"""``fake-dataverse serve`` in a child process, for the tests that drive the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cli_process(*options: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Start ``fake-dataverse serve --port 0`` with ``options``; yield the process and its URL.

    The process is killed (if still running) and its pipes closed on the way out.
    """
    command = [sys.executable, "-m", "fake_dataverse", "serve", "--port", "0", *options]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), (url, process.stderr and process.stderr.read())
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
