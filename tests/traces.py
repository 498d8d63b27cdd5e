"""The "no trace left" check, for every test folder: what a rejected request must leave alone.

``store_state(dv, table)`` captures a table's rows (values, version, etag), the store's last
version and the table's change log; a test compares it before and after a request that must
fail, so a rejection that wrote anything (a row, a version bump, a change-log entry) fails.
"""

from __future__ import annotations

from typing import Any

from fake_dataverse import FakeDataverse

__all__ = ["TABLE", "store_state"]

TABLE = "backgroundoperation"


def store_state(dv: FakeDataverse, table: str = TABLE) -> tuple[Any, ...]:
    """Return a table's rows (values, versions, etags), the last version and its change log."""
    store = dv.organization.store
    rows = sorted(
        (
            (str(r.id), r.partition, sorted(r.values.items(), key=lambda kv: kv[0]), r.version,
             r.etag)
            for r in store.rows(table)
        ),
        key=repr,
    )
    return (rows, store.last_version, list(store.changes_since(table, 0)))
