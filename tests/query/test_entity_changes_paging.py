"""RetrieveEntityChanges paging: checked as RetrieveMultiple's paging is.

Each rejected request must leave the store exactly as it was (the ``rejects`` fixture checks).
"""

from __future__ import annotations

import pytest

from fake_dataverse import (
    ColumnSet,
    Entity,
    FakeDataverse,
    PagingInfo,
    RetrieveEntityChangesRequest,
)

from .conftest import Rejects

TABLE = "backgroundoperation"


def changes(dv: FakeDataverse, page_info: PagingInfo) -> int:
    """Return how many changes one page of a first sync holds."""
    request = RetrieveEntityChangesRequest(
        entity_name=TABLE, columns=ColumnSet("name"), page_info=page_info
    )
    return len(dv.service.execute(request).entity_changes.changes)


class TestEntityChangesPaging:
    def test_count_zero_with_a_page_number(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A page size of 0 with a page number is 0x8004110c, as for RetrieveMultiple."""
        dv.service.create(Entity(TABLE, name="a"))
        with rejects("0x8004110c"):
            changes(dv, PagingInfo(count=0, page_number=1))

    def test_empty_paging_info_means_no_paging(self, dv: FakeDataverse) -> None:
        """``PagingInfo()`` (count 0, page 0) still returns every change."""
        for name in ("a", "b"):
            dv.service.create(Entity(TABLE, name=name))
        assert 2 == changes(dv, PagingInfo())

    @pytest.mark.parametrize(("count", "page"), [(5000, 11), (100, 501)])
    def test_simple_paging_past_50000(
        self, dv: FakeDataverse, rejects: Rejects, count: int, page: int
    ) -> None:
        """A page number reaching past 50,000 changes without a cookie is 0x8004430a."""
        dv.service.create(Entity(TABLE, name="a"))
        with rejects("0x8004430a"):
            changes(dv, PagingInfo(count=count, page_number=page))

    def test_simple_paging_within_the_limit(self, dv: FakeDataverse) -> None:
        """Page 2 of 1 without a cookie skips the first change."""
        for name in ("a", "b", "c"):
            dv.service.create(Entity(TABLE, name=name))
        assert 1 == changes(dv, PagingInfo(count=1, page_number=2))
