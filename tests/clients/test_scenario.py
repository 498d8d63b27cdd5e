"""The same scenario passes through every stack: requests, httpx (sync and async) built by a
library that takes no transport, aiohttp, a subprocess against dv.serve(), curl against the CLI."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
import requests

from fake_dataverse import FakeDataverse

from .cli import cli_process
from .scenario import Hooks, Reply, admin_hooks, lowered, run_scenario

SCENARIO = Path(__file__).with_name("scenario.py")


def fake_hooks(dv: FakeDataverse) -> Hooks:
    """Hooks that drive the fake in-process, as a Python test does."""

    async def register(name: str) -> None:
        dv.background.register(name, lambda inputs: {"Rows": 7})

    async def run(operation_id: str) -> None:
        dv.background.run(operation_id)

    return Hooks(register, run)


def check_store(dv: FakeDataverse, summary: dict[str, Any]) -> None:
    """What the scenario answered is what the fake stored."""
    rows = {str(row.id): row for row in dv.rows()}
    assert (2, "scenario-0") == (rows[summary["id"]]["retrycount"], rows[summary["id"]]["name"])
    names = sorted(row["name"] for row in rows.values() if row["name"].startswith("scenario"))
    assert [f"scenario-{n}" for n in range(5)] + ["scenario-batch"] == names
    operation = rows[summary["operation"]]
    assert (3, 30) == (operation["backgroundoperationstatecode"].value,
                       operation["backgroundoperationstatuscode"].value)


class ThirdPartyClient:
    """A client library that builds its own httpx clients and takes no transport."""

    def __init__(self) -> None:
        self.sync = httpx.Client(timeout=30)
        self.asynchronous = httpx.AsyncClient(timeout=30)

    def send(self, method: str, url: str, headers: dict[str, str], body: bytes | None) -> Reply:
        answer = self.sync.request(method, url, headers=headers, content=body)
        return Reply(answer.status_code, lowered(answer.headers), answer.content)

    async def asend(self, method: str, url: str, headers: dict[str, str],
                    body: bytes | None) -> Reply:
        answer = await self.asynchronous.request(method, url, headers=headers, content=body)
        return Reply(answer.status_code, lowered(answer.headers), answer.content)


class TestInProcess:
    def test_requests(self) -> None:
        dv = FakeDataverse()

        async def send(method: str, url: str, headers: dict[str, str], body: bytes | None
                       ) -> Reply:
            answer = requests.request(method, url, headers=headers, data=body, timeout=30)
            return Reply(answer.status_code, lowered(answer.headers), answer.content)

        with dv.intercept():
            summary = asyncio.run(run_scenario(send, dv.url, fake_hooks(dv)))
        check_store(dv, summary)

    def test_httpx_client_of_a_library(self) -> None:
        dv = FakeDataverse()
        library = ThirdPartyClient()

        async def send(method: str, url: str, headers: dict[str, str], body: bytes | None
                       ) -> Reply:
            return library.send(method, url, headers, body)

        with dv.intercept():
            summary = asyncio.run(run_scenario(send, dv.url, fake_hooks(dv)))
        check_store(dv, summary)

    def test_httpx_async_client_of_a_library(self) -> None:
        dv = FakeDataverse()

        async def scenario() -> dict[str, Any]:
            library = ThirdPartyClient()
            try:
                return await run_scenario(library.asend, dv.url, fake_hooks(dv))
            finally:
                await library.asynchronous.aclose()

        with dv.intercept():
            summary = asyncio.run(scenario())
        check_store(dv, summary)

    def test_aiohttp_session(self) -> None:
        dv = FakeDataverse()

        async def scenario() -> dict[str, Any]:
            async with aiohttp.ClientSession() as session:

                async def send(method: str, url: str, headers: dict[str, str],
                               body: bytes | None) -> Reply:
                    async with session.request(method, url, headers=headers, data=body) as answer:
                        return Reply(answer.status, lowered(answer.headers), await answer.read())

                return await run_scenario(send, dv.url, fake_hooks(dv))

        with dv.intercept():
            summary = asyncio.run(scenario())
        check_store(dv, summary)


class TestOverHttp:
    def test_subprocess_against_serve(self) -> None:
        """Another process (urllib, the admin API) runs the scenario against dv.serve()."""
        dv = FakeDataverse()
        with dv.serve() as server:
            done = subprocess.run(
                [sys.executable, str(SCENARIO), server.url],
                capture_output=True, text=True, timeout=120, check=False,
            )
        assert 0 == done.returncode, done.stderr
        check_store(dv, json.loads(done.stdout))

    def test_requests_against_serve_in_process(self) -> None:
        """dv.serve() inside intercept(): the fake's own server stays reachable."""
        dv = FakeDataverse()

        async def send(method: str, url: str, headers: dict[str, str], body: bytes | None
                       ) -> Reply:
            answer = httpx.request(method, url, headers=headers, content=body, timeout=30)
            return Reply(answer.status_code, lowered(answer.headers), answer.content)

        with dv.serve() as server, dv.intercept():
            summary = asyncio.run(run_scenario(send, server.url, fake_hooks(dv)))
        check_store(dv, summary)


@pytest.fixture
def cli_server() -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``fake-dataverse serve --port 0`` in the foreground of a child process; its URL."""
    with cli_process("--seed", "7") as served:
        yield served


def _curl(method: str, url: str, headers: dict[str, str], body: bytes | None) -> Reply:
    command = ["curl", "-sS", "-i", "-X", method, url, "--max-time", "30"]
    if method == "HEAD":
        command = ["curl", "-sS", "-I", url]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if body is not None:
        command += ["--data-binary", "@-"]
    done = subprocess.run(command, input=body or b"", capture_output=True, timeout=60,
                          check=True)
    head, _, content = done.stdout.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    fields = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return Reply(status, lowered(fields), content)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
class TestCli:
    def test_curl_against_fake_dataverse_serve(
        self, cli_server: tuple[subprocess.Popen[str], str]
    ) -> None:
        """Every request of the scenario goes through curl to the CLI's server."""
        process, url = cli_server

        async def send(method: str, target: str, headers: dict[str, str], body: bytes | None
                       ) -> Reply:
            return _curl(method, target, headers, body)

        summary = asyncio.run(run_scenario(send, url, admin_hooks(url, _curl)))
        listed = _curl("GET", f"{url}/api/data/v9.2/backgroundoperations?$select=name",
                       {"Authorization": "Bearer t"}, None).json()["value"]
        assert summary["id"] in {row["backgroundoperationid"] for row in listed}
        process.send_signal(signal.SIGINT)
        assert 0 == process.wait(timeout=30)
        assert process.stderr is not None
        assert "stopped" in process.stderr.read()

    def test_sigterm_stops_cleanly(self, cli_server: tuple[subprocess.Popen[str], str]) -> None:
        """SIGTERM (a container's stop) ends the server with status 0 and frees the port."""
        process, url = cli_server
        assert 401 == _curl("GET", f"{url}/api/data/v9.2/WhoAmI", {}, None).status
        process.send_signal(signal.SIGTERM)
        assert 0 == process.wait(timeout=30)
        with pytest.raises(subprocess.CalledProcessError):
            _curl("GET", f"{url}/api/data/v9.2/WhoAmI", {}, None)
