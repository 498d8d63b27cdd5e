"""Response building: JSON and error bodies, the common headers."""

from __future__ import annotations

import datetime as dt
import json

from fake_dataverse._model._errors import InvalidArgument, RequestsLimitExceeded
from fake_dataverse._webapi._prefer import parse_prefer
from fake_dataverse._webapi._reply import error_reply, json_reply


class TestReplies:
    def test_json_reply_headers(self) -> None:
        """JSON answers carry OData-Version and the minimal-metadata content type."""
        response = json_reply(200, {"a": 1})
        assert response.headers["OData-Version"] == "4.0"
        assert response.headers["Content-Type"] == "application/json; odata.metadata=minimal"
        assert response.body == b'{"a":1}'

    def test_error_body_without_annotations(self) -> None:
        """{"error":{"code","message"}} and the fault's status."""
        response = error_reply(InvalidArgument("bad"), parse_prefer(None))
        assert response.status == 400
        assert json.loads(response.body) == {"error": {"code": "0x80040203", "message": "bad"}}

    def test_details_only_when_asked(self) -> None:
        """ErrorDetails extras follow odata.include-annotations; Retry-After is a header."""
        error = RequestsLimitExceeded(error_details={"Retry-After": dt.timedelta(seconds=61)})
        plain = error_reply(error, parse_prefer(None))
        assert plain.headers["Retry-After"] == "61"
        assert set(json.loads(plain.body)["error"]) == {"code", "message"}
        detailed = error_reply(
            error, parse_prefer("odata.include-annotations=Microsoft.PowerApps.CDS.ErrorDetails.*")
        )
        body = json.loads(detailed.body)["error"]
        assert body["@Microsoft.PowerApps.CDS.ErrorDetails.Retry-After"] == "00:01:01"
        assert "@Microsoft.PowerApps.CDS.HelpLink" not in body
