"""The pytest plugin as a user meets it: fixtures, marker, options, isolation, xdist."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

# Loaded once here so that pytester's in-process runs (which drop modules they import) are fast.
import conftest_plugin._session  # noqa: F401
import fake_dataverse._webapi._app  # noqa: F401

AUTH = '{"Authorization": "Bearer t"}'
ORG = "https://contoso.crm.dynamics.com/api/data/v9.2"
QUIET = ("-p", "no:cacheprovider", "-p", "no:benchmark")


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Run pytest in-process on the test files written to the pytester directory."""
    return pytester.runpytest("-p", "no:cacheprovider", "-p", "no:benchmark", *args)


class TestFixtures:
    def test_fixtures_exist_after_install(self, pytester: pytest.Pytester) -> None:
        """Installing the package is enough: the fixtures work without a conftest."""
        pytester.makepyfile(
            """
            from fake_dataverse import Entity, FakeDataverse, OrganizationService

            def test_it(dataverse, dataverse_service):
                assert isinstance(dataverse, FakeDataverse)
                assert isinstance(dataverse_service, OrganizationService)
                dataverse_service.create(Entity("backgroundoperation", name="op"))
                assert len(dataverse.rows()) == 1
            """
        )
        run(pytester).assert_outcomes(passed=1)

    def test_requests_reach_the_fake(self, pytester: pytest.Pytester) -> None:
        """A ``requests`` POST to the org URL creates a row in the fixture's fake."""
        pytester.makepyfile(
            f"""
            import requests

            def test_it(dataverse):
                reply = requests.post("{ORG}/backgroundoperations",
                                      json={{"name": "export"}}, headers={AUTH})
                assert reply.status_code == 204, reply.text
                assert [r["name"] for r in dataverse.rows()] == ["export"]
            """
        )
        run(pytester).assert_outcomes(passed=1)

    def test_factory_makes_more_organizations(self, pytester: pytest.Pytester) -> None:
        """dataverse_factory makes organizations with other URLs, each served over HTTP."""
        pytester.makepyfile(
            f"""
            import requests
            from conftest_plugin import DataverseFactory

            def test_it(dataverse, dataverse_factory: DataverseFactory):
                other = dataverse_factory(url="https://fabrikam.crm4.dynamics.com")
                third = dataverse_factory()
                assert third.url == "https://org1.crm.dynamics.com"
                requests.post("https://fabrikam.crm4.dynamics.com/api/data/v9.2/"
                              "backgroundoperations", json={{"name": "b"}}, headers={AUTH})
                requests.post("{ORG}/backgroundoperations", json={{"name": "a"}}, headers={AUTH})
                assert [r["name"] for r in other.rows()] == ["b"]
                assert [r["name"] for r in dataverse.rows()] == ["a"]
                assert third.rows() == []
            """
        )
        run(pytester).assert_outcomes(passed=1)

    def test_factory_refuses_a_url_in_use(self, pytester: pytest.Pytester) -> None:
        """Two organizations on one URL would hide each other: the factory says so."""
        pytester.makepyfile(
            """
            import pytest

            def test_it(dataverse, dataverse_factory):
                with pytest.raises(ValueError, match="already exists in this test"):
                    dataverse_factory(url="https://contoso.crm.dynamics.com/")
            """
        )
        run(pytester).assert_outcomes(passed=1)

    def test_factory_after_its_test_fails_with_a_hint(self, pytester: pytest.Pytester) -> None:
        """Keeping the factory past its test and calling it later explains the mistake."""
        pytester.makepyfile(
            """
            import pytest
            kept = []

            def test_keep(dataverse_factory):
                kept.append(dataverse_factory)

            def test_use_later():
                with pytest.raises(RuntimeError, match="after its test finished"):
                    kept[0]()
            """
        )
        run(pytester).assert_outcomes(passed=2)


class TestMarker:
    def test_arguments_are_applied(self, pytester: pytest.Pytester) -> None:
        """url, now, seed, strict_writes, require_auth, rows and user reach the fake."""
        pytester.makepyfile(
            """
            import datetime as dt
            import pytest
            from fake_dataverse import DataverseError, Entity

            @pytest.mark.dataverse(
                url="https://fabrikam.crm.dynamics.com", now="2030-05-01T12:00:00Z", seed=7,
                strict_writes=True, require_auth=False,
                rows=[{"name": "seeded", "priority": 4}],
                user={"fullname": "Reader", "privileges": ["prvReadbackgroundoperation"]})
            def test_it(dataverse, dataverse_service):
                assert dataverse.url == "https://fabrikam.crm.dynamics.com"
                assert dataverse.clock.now() == dt.datetime(2030, 5, 1, 12, tzinfo=dt.timezone.utc)
                assert dataverse.settings.strict_writes and not dataverse.settings.require_auth
                (row,) = dataverse.rows()
                assert (row["name"], row["priority"]) == ("seeded", 4)
                with pytest.raises(DataverseError) as caught:
                    dataverse_service.create(Entity("backgroundoperation", name="x"))
                assert caught.value.hex_code == "0x80040220"
            """
        )
        run(pytester).assert_outcomes(passed=1)

    def test_user_applies_to_web_api_requests(self, pytester: pytest.Pytester) -> None:
        """With user=, requests naming no caller run on the user's behalf; a header wins."""
        pytester.makepyfile(
            f"""
            import pytest, requests

            READER = {{"fullname": "Reader", "privileges": ["prvReadbackgroundoperation"]}}

            @pytest.mark.dataverse(user=READER)
            def test_denied(dataverse, dataverse_user_id):
                reply = requests.post("{ORG}/backgroundoperations", json={{"name": "a"}},
                                      headers={AUTH})
                assert reply.status_code == 403, reply.text
                assert reply.json()["error"]["code"] == "0x80040220"
                assert str(dataverse_user_id) in reply.json()["error"]["message"]
                assert dataverse.rows() == []

            @pytest.mark.dataverse(user=READER)
            def test_own_caller_header_wins(dataverse, dataverse_responses):
                headers = {{**{AUTH}, "MSCRMCallerID": str(dataverse.admin_id)}}
                reply = requests.post("{ORG}/backgroundoperations", json={{"name": "a"}},
                                      headers=headers)
                assert reply.status_code == 204, reply.text
                sent = dataverse_responses.calls[0].request.headers
                assert "MSCRMCallerID" in sent and len(dataverse.rows()) == 1

            @pytest.mark.dataverse(user="Writer")
            def test_both_surfaces_record_the_user(dataverse, dataverse_service,
                                                   dataverse_user_id):
                from fake_dataverse import Entity
                requests.post("{ORG}/backgroundoperations", json={{"name": "web"}},
                              headers={AUTH})
                dataverse_service.create(Entity("backgroundoperation", name="sdk"))
                owners = {{(r["createdby"].id, r["createdonbehalfby"].id)
                           for r in dataverse.rows()}}
                assert owners == {{(dataverse_user_id, dataverse.admin_id)}}

            def test_without_user_the_administrator(dataverse, dataverse_user_id):
                assert dataverse_user_id == dataverse.admin_id
            """
        )
        run(pytester).assert_outcomes(passed=4)

    def test_closest_marker_wins_per_argument(self, pytester: pytest.Pytester) -> None:
        """Module, class and function markers merge; the closest one sets each argument."""
        pytester.makepyfile(
            """
            import pytest
            pytestmark = pytest.mark.dataverse(url="https://module.crm.dynamics.com",
                                               strict_writes=False)

            @pytest.mark.dataverse(strict_writes=True)
            class TestIt:
                @pytest.mark.dataverse(url="https://function.crm.dynamics.com")
                def test_it(self, dataverse):
                    assert dataverse.url == "https://function.crm.dynamics.com"
                    assert dataverse.settings.strict_writes

                def test_class(self, dataverse):
                    assert dataverse.url == "https://module.crm.dynamics.com"
            """
        )
        run(pytester).assert_outcomes(passed=2)

    @pytest.mark.parametrize(
        ("marker", "message"),
        [
            (
                'urll="https://x"',
                "unexpected keyword argument 'urll'. Did you mean 'url'? It takes keyword",
            ),
            ('"https://x"', "takes 0 positional arguments"),
            ("now=datetime.datetime(2026, 1, 1)", "now must be an aware datetime"),
            ('now="tomorrow"', "'tomorrow' is not an ISO-8601 date and time"),
            ('url="contoso"', "url must be an organization root"),
            ('rows={"name": "x"}', "rows must be a list of rows"),
            ("strict_writes=1", "strict_writes must be True or False"),
            ("user=42", "user must be a full name"),
            ('rows=[{"priority": 11}]', "rows[0] was rejected by the fake: 0x8004432f"),
            (
                'user={"fullname": "R", "privileges": "prvReadbackgroundoperation"}',
                "user=...): privileges is a list of privilege names, not one string",
            ),
            (
                'user={"fullname": "R", "privileges": ["prvReadbackgroundoperaton"]}',
                "did you mean 'prvReadbackgroundoperation'?",
            ),
        ],
    )
    def test_misuse_fails_with_a_fix(
        self, pytester: pytest.Pytester, marker: str, message: str
    ) -> None:
        """A wrong marker fails the test's setup with a message that says what to write."""
        pytester.makepyfile(
            f"""
            import datetime
            import pytest

            @pytest.mark.dataverse({marker})
            def test_it(dataverse):
                pass
            """
        )
        result = run(pytester)
        result.assert_outcomes(errors=1)
        assert message in result.stdout.str()

    def test_every_constructor_setting_is_a_marker_option(self) -> None:
        """Each FakeDataverse parameter is a marker option (clock is now=, id_factory seed=)."""
        import inspect

        from conftest_plugin._config import MarkerError, dataverse_marker
        from fake_dataverse import FakeDataverse

        renamed = {"clock": "now", "id_factory": "seed"}
        parameters = [p for p in inspect.signature(FakeDataverse.__init__).parameters
                      if p != "self"]
        refused = []
        for parameter in parameters:
            option = renamed.get(parameter, parameter)
            try:
                dataverse_marker(**{option: object()})
            except MarkerError as error:
                if "unexpected keyword argument" in str(error):
                    refused.append(option)
        assert [] == refused

    def test_constructor_settings_reach_the_fake(self, pytester: pytest.Pytester) -> None:
        """max_page_size, tables, atomic_changesets, ttl_emits_deletes, … build the fake."""
        pytester.makepyfile(
            """
            import pytest

            SENSOR = {
                "logical_name": "contoso_sensor", "entity_set_name": "contoso_sensors",
                "primary_id_attribute": "contoso_sensorid",
                "primary_name_attribute": "contoso_name",
                "attributes": [{"logical_name": "contoso_sensorid", "type": "Uniqueidentifier"},
                               {"logical_name": "contoso_name", "type": "String"}],
            }

            @pytest.mark.dataverse(max_page_size=2, tables=[SENSOR], atomic_changesets=True,
                                   ttl_emits_deletes=True, change_tracking_expiry_days=3,
                                   enforce_state_status=False)
            def test_it(dataverse):
                settings = dataverse.settings
                assert (settings.max_page_size, settings.change_tracking_expiry_days) == (2, 3)
                assert settings.atomic_changesets and settings.ttl_emits_deletes
                assert not settings.enforce_state_status
                assert dataverse.rows("contoso_sensor") == []
            """
        )
        run(pytester).assert_outcomes(passed=1)

    @pytest.mark.parametrize(
        ("marker", "message"),
        [
            ('now="tomorrow"', "'tomorrow' is not an ISO-8601 date and time"),
            ('max_page_size="many"', "max_page_size must be an int, got 'many'"),
            ("atomic_changesets=2", "atomic_changesets must be True or False"),
            ("max_page_size=0", "cannot build FakeDataverse: max_page_size must be between"),
            ("clock=1", "The marker calls clock now=."),
            ("max_pagesize=3", "Did you mean 'max_page_size'?"),
        ],
    )
    def test_setting_misuse_is_reported_once(
        self, pytester: pytest.Pytester, marker: str, message: str
    ) -> None:
        """A wrong setting fails the setup with one copy of its message (no chained copy)."""
        pytester.makepyfile(
            f"""
            import pytest

            @pytest.mark.dataverse({marker})
            def test_it(dataverse):
                pass
            """
        )
        result = run(pytester, "-rN")
        result.assert_outcomes(errors=1)
        assert 1 == result.stdout.str().count(message)
        assert "During handling" not in result.stdout.str()

    def test_checked_even_without_the_fixture(self, pytester: pytest.Pytester) -> None:
        """A misspelt argument is reported even on a test that does not use the fixture."""
        pytester.makepyfile(
            """
            import pytest

            @pytest.mark.dataverse(strict_write=True)
            def test_it():
                pass
            """
        )
        result = run(pytester)
        result.assert_outcomes(errors=1)
        result.stdout.fnmatch_lines(["*unexpected keyword argument 'strict_write'*"])

    def test_marker_is_registered(self, pytester: pytest.Pytester) -> None:
        """--strict-markers accepts the marker; --markers documents it."""
        pytester.makepyfile(
            """
            import pytest

            @pytest.mark.dataverse(seed=1)
            def test_it(dataverse):
                pass
            """
        )
        run(pytester, "--strict-markers").assert_outcomes(passed=1)
        run(pytester, "--markers").stdout.fnmatch_lines(["@pytest.mark.dataverse(url=*"])


class TestRequireCalls:
    def test_off_by_default(self, pytester: pytest.Pytester) -> None:
        """A test that sets up the organization and never calls it passes by default."""
        pytester.makepyfile("def test_it(dataverse):\n    pass\n")
        run(pytester).assert_outcomes(passed=1)

    def test_a_test_that_never_calls_fails_at_teardown(self, pytester: pytest.Pytester) -> None:
        """With require_calls, a test whose code sent nothing errors at teardown, saying how
        to fix it; one that called (over HTTP or the SDK) passes; seeded rows do not count."""
        pytester.makepyfile(
            f"""
            import pytest, requests
            from fake_dataverse import Entity

            pytestmark = pytest.mark.dataverse(require_calls=True, rows=[{{"name": "seeded"}}])

            def test_silent(dataverse):
                assert len(dataverse.rows()) == 1

            def test_http(dataverse):
                requests.get("{ORG}/backgroundoperations", headers={AUTH})

            def test_sdk(dataverse_service):
                dataverse_service.create(Entity("backgroundoperation", name="x"))

            def test_failing_anyway(dataverse):
                assert False, "its own failure"

            @pytest.mark.dataverse(require_calls=False)
            def test_turned_off(dataverse):
                pass
            """
        )
        result = run(pytester, "-rN")
        result.assert_outcomes(passed=4, failed=1, errors=1)
        result.stdout.fnmatch_lines([
            "*ERROR at teardown of test_silent*",
            "require_calls: the test set up the organization https://contoso.crm.dynamics.com "
            "but its code never called it (no Web API request, no SDK message). Call it, drop "
            "the dataverse fixture, or turn the check off: "
            "@pytest.mark.dataverse(require_calls=False) or dataverse_require_calls = false.",
        ])
        assert 1 == result.stdout.str().count("never called it")

    @pytest.mark.parametrize("forget", ["dataverse.requests.clear()", "dataverse.reset()"])
    def test_a_call_counts_after_the_log_is_cleared(
        self, pytester: pytest.Pytester, forget: str
    ) -> None:
        """A test that called the organization and then cleared its log (or reset it) passes."""
        pytester.makepyfile(
            f"""
            import pytest
            from fake_dataverse import Entity

            @pytest.mark.dataverse(require_calls=True)
            def test_it(dataverse_service, dataverse):
                dataverse_service.create(Entity("backgroundoperation", name="x"))
                {forget}
            """
        )
        run(pytester).assert_outcomes(passed=1)

    def test_ini_value_turns_it_on(self, pytester: pytest.Pytester) -> None:
        """dataverse_require_calls = true applies to every test using the fixture."""
        pytester.makeini("[pytest]\ndataverse_require_calls = true\n")
        pytester.makepyfile("def test_it(dataverse):\n    pass\n")
        result = run(pytester)
        result.assert_outcomes(passed=1, errors=1)
        result.stdout.fnmatch_lines(["*never called it*"])


class TestMisuse:
    def test_calling_the_fixture_directly_says_how_to_use_it(
        self, pytester: pytest.Pytester
    ) -> None:
        """Calling the fixture function by hand fails with pytest's advice to request it."""
        pytester.makepyfile(
            """
            from conftest_plugin.plugin import dataverse

            def test_it():
                dataverse()
            """
        )
        result = run(pytester)
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(['*Fixture "dataverse" called directly*'])


class TestOptions:
    def test_ini_values_and_command_line(self, pytester: pytest.Pytester) -> None:
        """ini values set suite-wide defaults; --dataverse-* options override them."""
        pytester.makeini(
            """
            [pytest]
            dataverse_url = https://ini.crm.dynamics.com
            dataverse_strict_writes = true
            dataverse_now = 2027-03-01T00:00:00Z
            """
        )
        pytester.makepyfile(
            """
            def test_it(dataverse):
                print("URL", dataverse.url, dataverse.settings.strict_writes,
                      dataverse.clock.now().isoformat())
            """
        )
        run(pytester, "-s").stdout.fnmatch_lines(
            ["*URL https://ini.crm.dynamics.com True 2027-03-01T00:00:00+00:00"]
        )
        run(pytester, "-s", "--dataverse-url=https://cli.crm.dynamics.com").stdout.fnmatch_lines(
            ["*URL https://cli.crm.dynamics.com True *"]
        )

    def test_bad_option_value_fails_with_its_name(self, pytester: pytest.Pytester) -> None:
        """A wrong ini value names the option to fix."""
        pytester.makeini("[pytest]\ndataverse_require_auth = maybe\n")
        pytester.makepyfile("def test_it(dataverse):\n    pass\n")
        result = run(pytester)
        result.assert_outcomes(errors=1)
        result.stdout.fnmatch_lines(["*dataverse_require_auth: require_auth must be True*"])

    def test_disable_with_p_no(self, pytester: pytest.Pytester) -> None:
        """-p no:fake_dataverse removes the plugin: the fixture is unknown."""
        pytester.makepyfile("def test_it(dataverse):\n    pass\n")
        result = run(pytester, "-p", "no:fake_dataverse")
        result.assert_outcomes(errors=1)
        result.stdout.fnmatch_lines(["*fixture 'dataverse' not found*"])


IDS_TEST = """
import pytest
from fake_dataverse import Entity

@pytest.mark.parametrize("n", range(4))
def test_ids(dataverse, n):
    row_id = dataverse.service.create(Entity("backgroundoperation", name=str(n)))
    print(f"ID {n} {row_id} {dataverse.clock.now().isoformat()}")
"""


def _ids(result: pytest.RunResult) -> dict[str, str]:
    return dict(re.findall(r"ID (\d) (\S+ \S+)", result.stdout.str()))


class TestDeterminism:
    def test_same_test_same_ids_other_test_other_ids(self, pytester: pytest.Pytester) -> None:
        """Ids are a function of the node id: stable across runs, different between tests."""
        pytester.makepyfile(IDS_TEST)
        first, second = _ids(run(pytester, "-s")), _ids(run(pytester, "-s"))
        assert first == second
        assert 4 == len({value.split()[0] for value in first.values()})
        assert all(v.endswith("2026-01-01T09:00:00+00:00") for v in first.values())

    def test_seed_option_changes_every_id(self, pytester: pytest.Pytester) -> None:
        """--dataverse-seed mixes into every test's seed."""
        pytester.makepyfile(IDS_TEST)
        plain, seeded = _ids(run(pytester, "-s")), _ids(run(pytester, "-s", "--dataverse-seed=9"))
        assert set(plain.values()).isdisjoint(seeded.values())

    def test_xdist_workers_reproduce_the_serial_run(self, pytester: pytest.Pytester) -> None:
        """Under ``-n 2`` each test gets the same ids as in a serial run."""
        pytester.makepyfile(IDS_TEST)
        serial = _ids(run(pytester, "-s"))
        assert 4 == len(serial)
        parallel = pytester.runpytest_subprocess(*QUIET, "-n", "2", "-rP")
        parallel.assert_outcomes(passed=4)
        parallel.stdout.fnmatch_lines(["*2 workers*"])
        assert serial == _ids(parallel)

    def test_failure_report_names_the_user(self, pytester: pytest.Pytester) -> None:
        """With user=, the report's fake-dataverse section says who the test acted as."""
        pytester.makepyfile(
            """
            import pytest

            @pytest.mark.dataverse(user="Jane Doe")
            def test_it(dataverse):
                assert False
            """
        )
        result = run(pytester)
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(["url=https://contoso.crm.dynamics.com * user='Jane Doe'"])

    def test_failure_report_says_how_to_reproduce(self, pytester: pytest.Pytester) -> None:
        """A failing test's report shows the organization's url, seed and start time."""
        pytester.makepyfile("def test_it(dataverse):\n    assert False\n")
        result = run(pytester)
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(
            ["*fake-dataverse*", "url=https://contoso.crm.dynamics.com seed=* now=2026-01-01*"]
        )


class TestIsolation:
    def test_each_test_gets_a_fresh_fake_and_mock(self, pytester: pytest.Pytester) -> None:
        """Rows and a user's mocks from one test are gone in the next; nothing stays patched."""
        pytester.makepyfile(
            """
            import pytest, requests, responses
            from fake_dataverse import Entity
            ORIGINAL = requests.adapters.HTTPAdapter.send

            def test_first(dataverse, dataverse_responses):
                dataverse.service.create(Entity("backgroundoperation", name="a"))
                dataverse_responses.add(responses.GET, "https://api.example.com/x", json={})
                assert requests.get("https://api.example.com/x").status_code == 200

            def test_second(dataverse, dataverse_responses):
                assert dataverse.rows() == []
                with pytest.raises(requests.ConnectionError):
                    requests.get("https://api.example.com/x")

            def test_unpatched_after():
                assert requests.adapters.HTTPAdapter.send is ORIGINAL
            """
        )
        run(pytester).assert_outcomes(passed=3)


class TestOtherMocks:
    def test_beside_responses_activate(self, pytester: pytest.Pytester) -> None:
        """Under @responses.activate the user's mocks and the fake answer in one test."""
        pytester.makepyfile(
            f"""
            import requests, responses

            @responses.activate
            def test_it(dataverse):
                responses.add(responses.GET, "https://api.example.com/x", json={{"ok": 1}})
                assert requests.get("https://api.example.com/x").json() == {{"ok": 1}}
                reply = requests.post("{ORG}/backgroundoperations", json={{"name": "a"}},
                                      headers={AUTH})
                assert reply.status_code == 204
                assert len(dataverse.rows()) == 1
            """
        )
        run(pytester).assert_outcomes(passed=1)

    def test_beside_a_started_default_mock(self, pytester: pytest.Pytester) -> None:
        """An autouse fixture's responses.start() (as pytest-responses does) is joined, not
        hidden: the user's responses.add() mocks and the fake both answer."""
        pytester.makeconftest(
            """
            import pytest, responses

            @pytest.fixture(autouse=True)
            def _mocked():
                responses.start()
                yield
                responses.stop()
                responses.reset()
            """
        )
        pytester.makepyfile(
            f"""
            import requests, responses

            def test_it(dataverse, dataverse_responses):
                assert dataverse_responses is responses.mock
                responses.add(responses.GET, "https://api.example.com/x", json={{"ok": 1}})
                assert requests.get("https://api.example.com/x").json() == {{"ok": 1}}
                reply = requests.post("{ORG}/backgroundoperations", json={{"name": "a"}},
                                      headers={AUTH})
                assert reply.status_code == 204
                assert len(dataverse.rows()) == 1
            """
        )
        run(pytester).assert_outcomes(passed=1)

    def test_one_mock_for_everything(self, pytester: pytest.Pytester) -> None:
        """responses.add() without the decorator, responses.calls and another fake's
        intercept() all share the fixture's mock: nothing hides the organization."""
        pytester.makepyfile(
            f"""
            import requests, responses
            from fake_dataverse import FakeDataverse

            def test_it(dataverse, dataverse_responses):
                assert dataverse_responses is responses.mock
                responses.add(responses.GET, "https://api.example.com/x", body="hi")
                other = FakeDataverse("https://fabrikam.crm.dynamics.com")
                with other.intercept():
                    assert requests.get("https://api.example.com/x").text == "hi"
                    reply = requests.post("{ORG}/backgroundoperations",
                                          json={{"name": "a"}}, headers={AUTH})
                    assert reply.status_code == 204
                    reply = requests.get("https://fabrikam.crm.dynamics.com/api/data/v9.2/"
                                         "backgroundoperations", headers={AUTH})
                    assert reply.json()["value"] == []
                assert len(responses.calls) == 3
                assert len(dataverse.rows()) == 1
            """
        )
        run(pytester).assert_outcomes(passed=1)

    def test_beside_the_fixture_mock(self, pytester: pytest.Pytester) -> None:
        """Mocks added to dataverse_responses work next to the fake."""
        pytester.makepyfile(
            f"""
            import requests, responses

            def test_it(dataverse, dataverse_responses):
                dataverse_responses.add(responses.GET, "https://api.example.com/x", body="hi")
                assert requests.get("https://api.example.com/x").text == "hi"
                reply = requests.get("{ORG}/backgroundoperations", headers={AUTH})
                assert reply.json()["value"] == []
            """
        )
        run(pytester).assert_outcomes(passed=1)

    def test_own_mock_by_overriding_the_fixture(self, pytester: pytest.Pytester) -> None:
        """A user's own RequestsMock, handed in by overriding dataverse_responses, is used."""
        pytester.makeconftest(
            """
            import pytest, responses

            @pytest.fixture
            def dataverse_responses():
                with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
                    mock.add(responses.GET, "https://api.example.com/x", body="mine")
                    yield mock
            """
        )
        pytester.makepyfile(
            f"""
            import requests

            def test_it(dataverse, dataverse_responses):
                assert requests.get("https://api.example.com/x").text == "mine"
                requests.post("{ORG}/backgroundoperations", json={{"name": "a"}}, headers={AUTH})
                assert len(dataverse.rows()) == 1
            """
        )
        run(pytester).assert_outcomes(passed=1)

    def test_httpx_is_left_alone(self, pytester: pytest.Pytester) -> None:
        """respx users who do not use requests keep their own mocks untouched."""
        pytest.importorskip("respx")
        pytester.makepyfile(
            """
            import httpx, respx

            @respx.mock
            def test_it(dataverse):
                respx.get("https://api.example.com/x").respond(json={"ok": 1})
                assert httpx.get("https://api.example.com/x").json() == {"ok": 1}
            """
        )
        run(pytester).assert_outcomes(passed=1)

    def test_beside_pytest_httpx(self, pytester: pytest.Pytester) -> None:
        """pytest-httpx's httpx_mock and the fake answer in one test; neither fails teardown."""
        pytest.importorskip("pytest_httpx")
        pytester.makepyfile(
            f"""
            import httpx, requests

            def test_it(dataverse, httpx_mock):
                httpx_mock.add_response(url="https://api.example.com/x", json={{"ok": 1}})
                assert httpx.get("https://api.example.com/x").json() == {{"ok": 1}}
                reply = requests.post("{ORG}/backgroundoperations", json={{"name": "a"}},
                                      headers={AUTH})
                assert reply.status_code == 204
                assert len(dataverse.rows()) == 1
            """
        )
        run(pytester, "-p", "pytest_httpx").assert_outcomes(passed=1)


class TestCheapImport:
    def test_plugin_import_loads_no_heavy_module(self) -> None:
        """Importing the plugin imports neither fake_dataverse, responses nor hypothesis."""
        code = (
            "import sys, conftest_plugin.plugin; "
            "print(sorted(m for m in ('fake_dataverse', 'responses', 'requests', 'hypothesis')"
            " if m in sys.modules))"
        )
        output = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        assert "[]" == output.strip()


class TestPublicNames:
    def test_all_lists_the_fixture_types(self) -> None:
        """``conftest_plugin.__all__`` is sorted and exports exactly its public names."""
        import conftest_plugin

        public = {n for n in vars(conftest_plugin) if n.isidentifier() and not n.startswith("_")}
        public -= {"annotations", "TYPE_CHECKING", "Any", "Protocol", "plugin"}
        assert sorted(conftest_plugin.__all__) == list(conftest_plugin.__all__)
        assert {"DataverseFactory", "DataverseServer"} == set(conftest_plugin.__all__) == public
