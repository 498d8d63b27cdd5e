"""``isolate_examples``: give every Hypothesis example the fixture's fresh fake, not the last
example's leftovers."""

from __future__ import annotations

import functools
import sys
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import responses
from hypothesis import HealthCheck, settings
from hypothesis.errors import InvalidArgument

from fake_dataverse._fake import FakeDataverse, Snapshot

__all__ = ["isolate_examples"]

TestFunction = TypeVar("TestFunction", bound=Callable[..., Any])


def _restorer() -> Callable[[tuple[Any, ...], dict[str, Any]], None]:
    first_states: weakref.WeakKeyDictionary[FakeDataverse, Snapshot] = weakref.WeakKeyDictionary()

    def restore(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        for value in (*args, *kwargs.values()):
            new_example = getattr(value, "new_example", None)
            if callable(new_example):  # the dataverse_factory fixture: drop last example's orgs
                new_example()
            if isinstance(value, responses.RequestsMock):  # dataverse_responses: its calls
                value.calls.reset()
            if not isinstance(value, FakeDataverse):
                continue
            saved = first_states.get(value)
            if saved is None:
                first_states[value] = value.snapshot()
            else:
                value.restore(saved)

    return restore


def isolate_examples(test: TestFunction) -> TestFunction:
    """Reset every ``FakeDataverse`` argument to its first-example state before each example.

    Put it above ``@given`` (and above ``@settings``)::

        @isolate_examples
        @given(body=records())
        def test_create(dataverse, body): ...

    Rows, change logs, users, the id sequence and the clock all go back to what the fixture
    made, so a function-scoped ``dataverse`` fixture is safe in a ``@given`` test; the
    ``function_scoped_fixture`` health check is suppressed for that test. Organizations the
    ``dataverse_factory`` fixture made in one example are dropped before the next (any
    argument with a ``new_example()`` method is told that a new example starts), and a
    ``responses.RequestsMock`` argument (``dataverse_responses``) forgets the calls recorded
    so far; the mocks registered on it stay.

    Raises:
        InvalidArgument: when the test is not a ``@given`` test (``isolate_examples`` must
            be the outermost decorator).
    """
    handle: Any = getattr(test, "hypothesis", None)
    if not getattr(test, "is_hypothesis_test", False) or handle is None:
        raise InvalidArgument(
            f"@isolate_examples must decorate a @given test, above @given and @settings; "
            f"{getattr(test, '__name__', test)!r} is not one"
        )
    inner = handle.inner_test
    restore = _restorer()

    @functools.wraps(inner)
    def each_example(*args: Any, **kwargs: Any) -> Any:
        restore(args, kwargs)
        return inner(*args, **kwargs)

    handle.inner_test = each_example
    holder: Any = test
    current: settings = getattr(holder, "_hypothesis_internal_use_settings", None) or settings()
    # Build the new settings from the classes the test's own settings come from: under
    # pytester's in-process runs a test module may hold a freshly imported Hypothesis.
    settings_type: Any = type(current)
    health: Any = getattr(sys.modules[settings_type.__module__], "HealthCheck", HealthCheck)
    suppressed = (*current.suppress_health_check, health.function_scoped_fixture)
    holder._hypothesis_internal_use_settings = settings_type(
        current, suppress_health_check=suppressed
    )
    return test
