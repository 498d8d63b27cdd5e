"""The ``dataverse`` marker sets the background modes: ``background=`` and ``advance_on_poll=``."""

from __future__ import annotations

import pytest


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:cacheprovider", "-p", "no:benchmark", *args)


TESTS = '''
import pytest
import requests

AUTH = {"Authorization": "Bearer t"}


def _start(dv):
    dv.background.register("sample_Export", lambda inputs: {"Done": True})
    reply = requests.post(f"{dv.url}/api/data/v9.2/sample_Export", json={},
                          headers={**AUTH, "Prefer": "respond-async"})
    return reply.headers["Location"]


def _status(monitor):
    return requests.get(monitor, headers=AUTH).json()["backgroundOperationStatusCode"]


@pytest.mark.dataverse(background="auto")
def test_auto(dataverse):
    assert dataverse.background.auto_run
    assert 30 == _status(_start(dataverse))


@pytest.mark.dataverse(advance_on_poll=1)
def test_advance_on_poll(dataverse):
    monitor = _start(dataverse)
    assert [0, 20, 30] == [_status(monitor) for _ in range(3)]


def test_manual_by_default(dataverse):
    monitor = _start(dataverse)
    assert (False, None) == (dataverse.background.auto_run, dataverse.background.advance_on_poll)
    assert [0, 0] == [_status(monitor) for _ in range(2)]
'''


def test_marker_sets_the_modes(pytester: pytest.Pytester) -> None:
    """background="auto" runs operations at once; advance_on_poll=1 moves one step per poll."""
    pytester.makepyfile(test_modes=TESTS)
    _run(pytester).assert_outcomes(passed=3)


def test_a_wrong_mode_is_reported(pytester: pytest.Pytester) -> None:
    """background="sometimes" fails the test with the constructor's explanation."""
    pytester.makepyfile(test_bad='''
        import pytest

        @pytest.mark.dataverse(background="sometimes")
        def test_it(dataverse):
            pass
    ''')
    result = _run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(['*background must be "manual" or "auto"*'])
