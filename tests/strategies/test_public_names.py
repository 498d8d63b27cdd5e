"""The public names of ``fake_dataverse.strategies``."""

from __future__ import annotations

import fake_dataverse.strategies as strategies


class TestAll:
    def test_all_is_sorted_and_complete(self) -> None:
        """``__all__`` is sorted and lists exactly the public names the package defines."""
        public = {name for name in vars(strategies) if not name.startswith("_")}
        public -= {"annotations"}
        assert sorted(strategies.__all__) == list(strategies.__all__)
        assert public == set(strategies.__all__)

    def test_the_issue_names_are_there(self) -> None:
        """The strategies the documentation promises are exported."""
        promised = {
            "values",
            "records",
            "entities",
            "invalid_records",
            "odata_filters",
            "query_expressions",
            "DataverseStateMachine",
            "isolate_examples",
            "ExpectedError",
        }
        assert promised <= set(strategies.__all__)
