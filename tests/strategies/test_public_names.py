"""The public names of ``fake_dataverse.strategies``."""

from __future__ import annotations

import fake_dataverse.strategies as strategies


class TestAll:
    def test_all_is_sorted_and_complete(self) -> None:
        """``__all__`` is sorted and lists exactly the public names the package defines."""
        public = {n for n in dir(strategies) if n.isidentifier() and not n.startswith("_")}
        public -= {"annotations", "TYPE_CHECKING", "Any"}
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

    def test_every_name_resolves(self) -> None:
        """Each name in ``__all__`` imports from its module on first use."""
        for name in strategies.__all__:
            assert getattr(strategies, name).__name__ == name

    def test_unknown_name_is_an_attribute_error(self) -> None:
        """A name the package does not have raises AttributeError (so hasattr() works)."""
        assert not hasattr(strategies, "record")
