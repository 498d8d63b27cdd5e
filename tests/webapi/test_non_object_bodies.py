"""A body that is not a JSON object is named by the JSON node ODataLib reads."""

from __future__ import annotations

import pytest

from ..traces import store_state
from .conftest import Api, error_of


class TestNotAnObject:
    @pytest.mark.parametrize(
        ("body", "node"),
        [(b"[]", "StartArray"), (b"null", "PrimitiveValue"), (b"42", "PrimitiveValue")],
    )
    def test_create_with_a_non_object_body(self, api: Api, body: bytes, node: str) -> None:
        """POST with an array or a primitive: 400 0x80048d19 naming the node; nothing written."""
        before = store_state(api.dv)
        response = api.post(
            "backgroundoperations", data=body, headers={"Content-Type": "application/json"}
        )
        status, code, message = error_of(response)
        assert (status, code) == (400, "0x80048d19")
        assert f"A node of type '{node}' was read from the JSON reader" in message
        assert store_state(api.dv) == before
