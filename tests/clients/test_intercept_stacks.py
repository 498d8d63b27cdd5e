"""intercept() routes httpx (sync and async) and aiohttp to the fake, beside their users' mocks."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import aiohttp
import httpx
import pytest
import requests
import respx
from aioresponses import aioresponses

from fake_dataverse import FakeAsyncCredential, FakeDataverse
from fake_dataverse._interception._entra import ENTRA_URL
from fake_dataverse._interception._patching import Library, enter_libraries

AUTH = {"Authorization": "Bearer t"}


def _patched_attributes() -> dict[str, Any]:
    """Every class attribute intercept() may replace, as the classes hold them now."""
    return {
        "Client": vars(httpx.Client).get("_transport_for_url"),
        "AsyncClient": vars(httpx.AsyncClient).get("_transport_for_url"),
        "ClientSession": vars(aiohttp.ClientSession).get("_request"),
        "TCPConnector": vars(aiohttp.TCPConnector).get("_create_connection"),
    }


def _collection(dv: FakeDataverse) -> str:
    return f"{dv.url}/api/data/v9.2/backgroundoperations"


async def _aiohttp_names(dv: FakeDataverse) -> list[str]:
    async with aiohttp.ClientSession(headers=AUTH) as session:
        async with session.post(_collection(dv), json={"name": "async"}) as created:
            assert 204 == created.status
            assert created.headers["OData-EntityId"].startswith(_collection(dv) + "(")
        async with session.get(_collection(dv) + "?$select=name") as page:
            assert "application/json" in page.headers["Content-Type"]
            return [row["name"] for row in (await page.json())["value"]]


class TestStacksReachTheFake:
    def test_httpx_client_built_by_a_library(self) -> None:
        """An httpx.Client made inside the block (no transport given) reaches the fake."""
        dv = FakeDataverse()
        with dv.intercept(), httpx.Client(headers=AUTH) as client:
            created = client.post(_collection(dv), json={"name": "sync"})
            etag = client.get(created.headers["OData-EntityId"]).headers["ETag"]
        assert 204 == created.status_code
        assert ["sync"] == [row["name"] for row in dv.rows()]
        assert etag.startswith('W/"')

    def test_httpx_client_made_before_the_block(self) -> None:
        """A client that exists already is routed too (the routing is per request)."""
        dv = FakeDataverse()
        with httpx.Client(headers=AUTH) as client:
            with dv.intercept():
                reply = client.get(_collection(dv))
            assert 200 == reply.status_code
            assert {"@odata.context", "value"} == set(reply.json())

    def test_httpx_async_client(self) -> None:
        """httpx.AsyncClient reaches the fake."""
        dv = FakeDataverse()

        async def run() -> int:
            async with httpx.AsyncClient(headers=AUTH) as client:
                await client.post(_collection(dv), json={"name": "a"})
                return (await client.get(_collection(dv))).status_code

        with dv.intercept():
            assert 200 == asyncio.run(run())
        assert ["a"] == [row["name"] for row in dv.rows()]

    def test_aiohttp_session(self) -> None:
        """aiohttp.ClientSession writes and reads through the fake; aiohttp parses the reply."""
        dv = FakeDataverse()
        with dv.intercept():
            assert ["async"] == asyncio.run(_aiohttp_names(dv))

    def test_aiohttp_error_body_and_raise_for_status(self) -> None:
        """A Dataverse error reaches aiohttp as the same status and JSON body."""
        dv = FakeDataverse()

        async def run() -> tuple[int, Any]:
            async with (
                aiohttp.ClientSession(headers=AUTH) as session,
                session.post(_collection(dv), json={"priority": 11}) as reply,
            ):
                return reply.status, await reply.json()

        with dv.intercept():
            status, body = asyncio.run(run())
        assert (400, "0x8004432f") == (status, body["error"]["code"])
        assert [] == dv.rows()

    def test_official_async_client(self) -> None:
        """AsyncDataverseClient (aiohttp) with FakeAsyncCredential runs unmodified."""
        client_module = pytest.importorskip("PowerPlatform.Dataverse.aio.async_client")
        dv = FakeDataverse()
        ann = dv.add_user("Ann")

        async def run() -> str:
            credential = FakeAsyncCredential(ann)
            async with client_module.AsyncDataverseClient(dv.url, credential) as client:
                row_id = await client.records.create("backgroundoperation", {"name": "export"})
                record = await client.records.retrieve("backgroundoperation", row_id)
                return str(record["name"])

        with dv.intercept():
            assert "export" == asyncio.run(run())
        assert ann == dv.rows()[0]["createdby"].id


class TestOtherHosts:
    def test_httpx_refuses_other_hosts_naming_them(self) -> None:
        """A host no fake serves is a ConnectError naming it; nothing goes to the network."""
        dv = FakeDataverse()
        with dv.intercept(), pytest.raises(httpx.ConnectError) as caught:
            httpx.get("https://example.invalid/x")
        assert str(caught.value) == (
            "fake-dataverse: https://example.invalid is not an intercepted organization and the "
            f"network is off inside intercept() (intercepted: {dv.url}, {ENTRA_URL}). Mock it "
            "(respx, pytest-httpx) or intercept a FakeDataverse at that URL."
        )

    def test_httpx_async_refuses_other_hosts(self) -> None:
        """The same for httpx.AsyncClient."""
        dv = FakeDataverse()

        async def run() -> None:
            async with httpx.AsyncClient() as client:
                await client.get("http://example.invalid:8080/x")

        with dv.intercept(), pytest.raises(httpx.ConnectError, match=r"example\.invalid:8080"):
            asyncio.run(run())

    def test_aiohttp_refuses_other_hosts_naming_them(self) -> None:
        """aiohttp gets ClientConnectorError naming the host and the intercepted URLs."""
        dv = FakeDataverse()

        async def run() -> None:
            async with aiohttp.ClientSession() as session:
                await session.get("https://example.invalid/x")

        with dv.intercept(), pytest.raises(aiohttp.ClientConnectorError) as caught:
            asyncio.run(run())
        assert "example.invalid" in str(caught.value)
        assert caught.value.os_error.strerror == (
            "fake-dataverse: https://example.invalid is not an intercepted organization and the "
            f"network is off inside intercept() (intercepted: {dv.url}, {ENTRA_URL}); mock it "
            "(aioresponses) or intercept a FakeDataverse at that URL"
        )

    def test_respx_mock_keeps_answering(self) -> None:
        """respx routes for other hosts answer inside intercept(); the fake answers its URL."""
        dv = FakeDataverse()
        with respx.mock(assert_all_called=True) as router:
            router.get("https://api.example.test/ping").respond(json={"pong": True})
            with dv.intercept(), httpx.Client() as client:
                assert {"pong": True} == client.get("https://api.example.test/ping").json()
                assert 200 == client.get(_collection(dv), headers=AUTH).status_code

    def test_respx_mock_keeps_answering_async(self) -> None:
        """The same with httpx.AsyncClient."""
        dv = FakeDataverse()

        async def run() -> tuple[Any, int]:
            async with httpx.AsyncClient() as client:
                other = (await client.get("https://api.example.test/ping")).json()
                return other, (await client.get(_collection(dv), headers=AUTH)).status_code

        with respx.mock as router:
            router.get("https://api.example.test/ping").respond(json={"pong": 1})
            with dv.intercept():
                assert ({"pong": 1}, 200) == asyncio.run(run())

    def test_pytest_httpx_mock_keeps_answering(self, httpx_mock: Any) -> None:
        """pytest-httpx's httpx_mock answers for its URL inside intercept()."""
        httpx_mock.add_response(url="https://api.example.test/ping", json={"pong": 2})
        dv = FakeDataverse()
        with dv.intercept(), httpx.Client() as client:
            assert {"pong": 2} == client.get("https://api.example.test/ping").json()
            assert 200 == client.get(_collection(dv), headers=AUTH).status_code

    def test_aioresponses_mock_keeps_answering(self) -> None:
        """aioresponses answers for its URL inside intercept(); the fake answers its own."""
        dv = FakeDataverse()

        async def run() -> tuple[Any, list[str]]:
            async with (
                aiohttp.ClientSession() as session,
                session.get("https://api.example.test/ping") as reply,
            ):
                other = await reply.json()
            return other, await _aiohttp_names(dv)

        with aioresponses() as mocked:
            mocked.get("https://api.example.test/ping", payload={"pong": 3})
            with dv.intercept():
                assert ({"pong": 3}, ["async"]) == asyncio.run(run())


class TestLeaving:
    def test_every_library_is_restored_exactly(self) -> None:
        """After leaving (nested, two fakes), each patched attribute is the very same object."""
        before = _patched_attributes()
        first, second = FakeDataverse(), FakeDataverse("https://fabrikam.crm.dynamics.com")
        with first.intercept():
            with first.intercept(), second.intercept():
                assert before != _patched_attributes()
            assert before != _patched_attributes()
            assert 200 == httpx.get(_collection(first), headers=AUTH).status_code
        assert before == _patched_attributes()

    def test_restored_under_a_mock_started_before(self) -> None:
        """Inside respx and aioresponses, leaving puts back their patches, not the originals."""
        dv = FakeDataverse()
        with respx.mock, aioresponses():
            mocked = _patched_attributes()
            with dv.intercept():
                pass
            assert mocked == _patched_attributes()

    def test_after_leaving_the_fake_is_unreachable(self) -> None:
        """Outside intercept() httpx no longer reaches the fake (respx sees the request)."""
        dv = FakeDataverse()
        with dv.intercept():
            pass
        with respx.mock(assert_all_called=False) as router:
            route = router.get(_collection(dv)).respond(418)
            assert 418 == httpx.get(_collection(dv)).status_code
        assert route.called

    def test_inner_exit_keeps_outer_routing(self) -> None:
        """Leaving a nested intercept() of the same fake keeps httpx and aiohttp routed."""
        dv = FakeDataverse()
        with dv.intercept():
            with dv.intercept():
                pass
            assert 200 == httpx.get(_collection(dv), headers=AUTH).status_code
            assert ["async"] == asyncio.run(_aiohttp_names(dv))

    def test_pooled_aiohttp_connection_is_dropped_after_leaving(self) -> None:
        """A session kept past intercept() holds no live connection to the fake."""
        dv = FakeDataverse()

        async def run() -> bool:
            async with aiohttp.ClientSession(headers=AUTH) as session:
                with dv.intercept():
                    async with session.get(_collection(dv)) as reply:
                        await reply.read()
                connector: Any = session.connector
                pooled = [p for held in connector._conns.values() for p, _ in held]
                return bool(pooled) and not any(p.is_connected() for p in pooled)

        assert asyncio.run(run())


class TestOptionalLibraries:
    def test_importing_the_package_imports_neither_library(self) -> None:
        """``import fake_dataverse`` stays cheap: httpx and aiohttp are imported on use only."""
        code = (
            "import sys, fake_dataverse\n"
            "assert not {'httpx', 'aiohttp'} & set(sys.modules), sorted(sys.modules)\n"
        )
        subprocess.run([sys.executable, "-c", code], check=True)

    def test_a_library_that_is_not_installed_is_never_patched(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A library whose module cannot be found is skipped without importing anything."""
        calls: list[str] = []

        def patches() -> list[Any]:
            calls.append("patched")
            return []

        missing = Library("fake_dataverse_no_such_library", patches)
        monkeypatch.setattr(
            "fake_dataverse._interception._patching._LIBRARIES", [missing], raising=True
        )
        dv = FakeDataverse()
        assert [] == enter_libraries(dv.url, owner=dv, handler=dv.handle)
        assert [] == calls
        with dv.intercept():
            reply = requests.get(_collection(dv), headers=AUTH, timeout=5)
        assert 200 == reply.status_code

