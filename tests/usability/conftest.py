"""Shared helpers for the usability tests: what a rejected call must leave as it was."""

from __future__ import annotations

from typing import Any

import pytest

from fake_dataverse import FakeDataverse

TABLE = "backgroundoperation"


def store_state(dv: FakeDataverse) -> tuple[Any, ...]:
    """Return the rows, their versions and the change log of the background operations table."""
    store = dv.organization.store
    rows = sorted(
        ((str(r.id), r.partition, sorted(r.values.items()), r.version) for r in store.rows(TABLE)),
        key=repr,
    )
    return (rows, store.last_version, list(store.changes_since(TABLE, 0)))


def pytest_configure(config: pytest.Config) -> None:
    """Load pytest's own ``pytester`` plugin (the interception tests run a session with it)."""
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")
