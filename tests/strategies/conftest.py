"""Helpers for the strategy tests: the store state a rejected write must leave alone."""

from __future__ import annotations

from typing import Any

import pytest

from fake_dataverse import FakeDataverse

TABLE = "backgroundoperation"
API = "https://contoso.crm.dynamics.com/api/data/v9.2"
AUTH = {"Authorization": "Bearer token"}


def store_state(dv: FakeDataverse, table: str = TABLE) -> tuple[Any, ...]:
    """Return rows (values, versions, etags), the last version and the change log."""
    store = dv.organization.store
    rows = sorted(
        (
            (str(r.id), r.partition, sorted(r.values.items()), r.version, r.etag)
            for r in store.rows(table)
        ),
        key=repr,
    )
    return (rows, store.last_version, list(store.changes_since(table, 0)))


def pytest_configure(config: pytest.Config) -> None:
    """Load pytest's own ``pytester`` plugin (one test drives pytest itself)."""
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")
