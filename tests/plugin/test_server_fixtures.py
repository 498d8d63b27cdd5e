"""The dataverse_server and dataverse_session_server fixtures, through pytest itself."""

from __future__ import annotations

import pytest

# Loaded once here so that pytester's in-process runs (which drop modules they import) are fast.
import conftest_plugin._session  # noqa: F401
import fake_dataverse._interception._server
import fake_dataverse._webapi._app  # noqa: F401


def _run(pytester: pytest.Pytester, code: str, **outcomes: int) -> None:
    pytester.makepyfile(test_served=code)
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:benchmark")
    result.assert_outcomes(**outcomes)


class TestDataverseServer:
    def test_serves_the_tests_fake_with_the_marker(self, pytester: pytest.Pytester) -> None:
        """.url answers over HTTP; .fake is the dataverse fixture's fake; rows and user= apply."""
        _run(pytester, '''
import pytest
import requests

@pytest.mark.dataverse(rows=[{"name": "seeded"}], user="Ann")
def test_served(dataverse_server, dataverse, dataverse_user_id):
    assert dataverse_server.fake is dataverse
    assert dataverse_server.url.startswith("http://127.0.0.1:")
    api = f"{dataverse_server.url}/api/data/v9.2"
    auth = {"Authorization": "Bearer t"}
    page = requests.get(f"{api}/backgroundoperations", headers=auth).json()
    assert [row["name"] for row in page["value"]] == ["seeded"]
    assert requests.get(f"{api}/WhoAmI", headers=auth).json()["UserId"] == str(dataverse_user_id)
    created = requests.post(f"{api}/backgroundoperations", json={"name": "n"}, headers=auth)
    assert created.headers["OData-EntityId"].startswith(api)
''', passed=1)

    def test_each_test_gets_its_own_server_stopped_after(self, pytester: pytest.Pytester) -> None:
        """Two tests, two servers; the first one's port is closed once its test ended."""
        _run(pytester, '''
import socket
import pytest

URLS = []

@pytest.mark.parametrize("n", [1, 2])
def test_served(dataverse_server, n):
    URLS.append(dataverse_server.url)
    if n == 2:
        assert URLS[0] != URLS[1]
        port = int(URLS[0].rsplit(":", 1)[1])
        with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
            probe.connect(("127.0.0.1", port))
''', passed=2)


class TestDataverseSessionServer:
    def test_one_server_for_the_session(self, pytester: pytest.Pytester) -> None:
        """Every test sees the same server and organization; options apply."""
        pytester.makeini("[pytest]\ndataverse_url = https://fabrikam.crm4.dynamics.com\n")
        _run(pytester, '''
import requests

SEEN = []

def test_first(dataverse_session_server):
    SEEN.append(dataverse_session_server)
    api = f"{dataverse_session_server.url}/api/data/v9.2/backgroundoperations"
    reply = requests.post(api, json={"name": "shared"}, headers={"Authorization": "Bearer t"})
    assert reply.status_code == 204, reply.text

def test_second(dataverse_session_server):
    assert SEEN == [dataverse_session_server]
    assert dataverse_session_server.fake.url == "https://fabrikam.crm4.dynamics.com"
    assert [r["name"] for r in dataverse_session_server.fake.rows()] == ["shared"]
''', passed=2)
