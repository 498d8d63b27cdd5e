"""multipart/mixed framing: boundaries, parts, inner requests and rendered answers."""

from __future__ import annotations

import pytest

from fake_dataverse import DataverseError
from fake_dataverse._webapi._http import HttpResponse
from fake_dataverse._webapi.batch._multipart import (
    boundary_of,
    parse_request,
    render_multipart,
    render_response,
    split_lines,
    split_parts,
)

PART = "--b\nContent-Type: application/http\n\n{}\n\n--b--"


class TestBoundary:
    @pytest.mark.parametrize(
        ("content_type", "boundary"),
        [
            ("multipart/mixed; boundary=batch_1", "batch_1"),
            ('multipart/mixed;boundary="batch_1"', "batch_1"),
            ("Multipart/Mixed; charset=utf-8; BOUNDARY=b", "b"),
            ("multipart/mixed", None),
            ("application/json; boundary=b", None),
            (None, None),
        ],
    )
    def test_boundary_parameter(self, content_type: str | None, boundary: str | None) -> None:
        """The boundary comes from a multipart/mixed content type, quoted or not."""
        assert boundary == boundary_of(content_type)


class TestParts:
    def test_preamble_and_epilogue_are_ignored(self) -> None:
        """Text before the first delimiter and after the closing one is not a part."""
        lines = split_lines(b"preamble\r\n--b\r\nA: 1\r\n\r\nbody\r\n--b--\r\nepilogue")
        [part] = split_parts(lines, "b")
        assert ("1", ("body",)) == (part.headers["a"], part.lines)

    def test_missing_closing_delimiter(self) -> None:
        """A batch without its closing delimiter cannot be read."""
        with pytest.raises(DataverseError) as info:
            split_parts(split_lines(b"--b\nA: 1\n\nbody\n"), "b")
        assert "0x80048d19" == info.value.hex_code

    def test_folded_header(self) -> None:
        """A header continued on an indented line is one header."""
        [part] = split_parts(split_lines(b"--b\nA: 1\n  2\n\n--b--"), "b")
        assert "1 2" == part.headers["A"]


class TestInnerRequest:
    def test_request_line_headers_and_body(self) -> None:
        """An application/http part yields method, URL, headers, body and Content-ID."""
        raw = (
            b"--b\nContent-Type: application/http\nContent-ID: 4\n\nPATCH x(1) HTTP/1.1\n"
            b'If-Match: *\n\n\n{"a":1}\n\n--b--'
        )
        [part] = split_parts(split_lines(raw), "b")
        request = parse_request(part)
        assert ("PATCH", "x(1)", {"If-Match": "*"}, '{"a":1}', "4") == (
            request.method,
            request.url,
            dict(request.headers),
            request.body,
            request.content_id,
        )

    @pytest.mark.parametrize(
        ("line", "method", "url"),
        [
            ("GET rows HTTP/1.1", "GET", "rows"),
            ("GET rows", "GET", "rows"),
            (
                "GET https://o/api/data/v9.2/rows?$select=name&$filter=name eq 'a b' HTTP/1.1",
                "GET",
                "https://o/api/data/v9.2/rows?$select=name&$filter=name%20eq%20'a%20b'",
            ),
        ],
    )
    def test_request_line_url_may_hold_unencoded_spaces(
        self, line: str, method: str, url: str
    ) -> None:
        """The URL is what stands between method and version (the Python SDK leaves spaces)."""
        [part] = split_parts(split_lines(PART.format(line).encode()), "b")
        request = parse_request(part)
        assert (method, url) == (request.method, request.url)

    @pytest.mark.parametrize(
        "line", ["FETCH rows HTTP/1.1", "GET", "GET HTTP/1.1", "GET a b HTTP/1.1", "GET a b"]
    )
    def test_malformed_request_line(self, line: str) -> None:
        """An unknown method, no URL, or a space in the URL's path is a framing fault."""
        [part] = split_parts(split_lines(PART.format(line).encode()), "b")
        with pytest.raises(DataverseError) as info:
            parse_request(part)
        assert "0x80048d19" == info.value.hex_code


class TestRendering:
    def test_response_part(self) -> None:
        """An answer part is application/http, binary, with status line, headers and body."""
        response = HttpResponse(404, {"Content-Type": "application/json"}, b"{}")
        assert [
            "Content-Type: application/http",
            "Content-Transfer-Encoding: binary",
            "Content-ID: 1",
            "",
            "HTTP/1.1 404 Not Found",
            "Content-Type: application/json",
            "",
            "{}",
        ] == render_response(response, "1")

    def test_multipart(self) -> None:
        """Parts are framed by delimiters and a closing delimiter."""
        assert ["--b", "x", "--b", "y", "--b--"] == render_multipart("b", [["x"], ["y"]])
