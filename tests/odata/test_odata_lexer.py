"""The OData expression lexer: tokens, positions and lexical faults."""

from __future__ import annotations

import pytest

from fake_dataverse import DataverseError
from fake_dataverse._query.odata._lexer import TokenKind, TokenStream, tokenize


def kinds(text: str) -> list[TokenKind]:
    return [token.kind for token in tokenize(text)]


class TestTokens:
    def test_comparison_with_string(self) -> None:
        """A comparison is an identifier, an operator word and a string, then END."""
        tokens = tokenize("name eq 'O''Bryan'")
        assert [TokenKind.IDENTIFIER] * 2 + [TokenKind.STRING, TokenKind.END] == [
            t.kind for t in tokens
        ]
        assert "'O''Bryan'" == tokens[2].text
        assert [0, 5, 8, 18] == [t.position for t in tokens]

    @pytest.mark.parametrize(
        ("text", "kind"),
        [
            ("00000000-0000-0000-0000-00000000000a", TokenKind.GUID),
            ("2024-01-01T10:00:00Z", TokenKind.DATETIME),
            ("2024-01-01T10:00:00.1234567+02:00", TokenKind.DATETIME),
            ("2024-01-01", TokenKind.DATE),
            ("42", TokenKind.INTEGER),
            ("-42", TokenKind.INTEGER),
            ("42L", TokenKind.INTEGER),
            ("4.2", TokenKind.DECIMAL),
            ("4e2", TokenKind.DECIMAL),
            ("@p1", TokenKind.ALIAS),
            ("$count", TokenKind.IDENTIFIER),
            ("Microsoft.Dynamics.CRM.Today", TokenKind.IDENTIFIER),
            ('["a","b"]', TokenKind.ARRAY),
            ("guid'x'", TokenKind.TYPED),
        ],
    )
    def test_literal_kinds(self, text: str, kind: TokenKind) -> None:
        """Each literal form is recognised as one token of its kind."""
        assert [kind, TokenKind.END] == kinds(text)

    def test_punctuation(self) -> None:
        """Parentheses, commas, slashes and equals signs are single tokens."""
        expected = [
            TokenKind.IDENTIFIER,
            TokenKind.OPEN,
            TokenKind.IDENTIFIER,
            TokenKind.EQUALS,
            TokenKind.STRING,
            TokenKind.COMMA,
            TokenKind.IDENTIFIER,
            TokenKind.SLASH,
            TokenKind.IDENTIFIER,
            TokenKind.CLOSE,
            TokenKind.END,
        ]
        assert expected == kinds("f(a='x',b/c)")


class TestLexicalFaults:
    def test_unterminated_literal_as_dataverse_words_it(self) -> None:
        """An apostrophe that is not doubled ends in Dataverse's unterminated-literal fault."""
        with pytest.raises(DataverseError) as info:
            tokenize("lastname eq 'O'Bryan'")
        assert "0x0" == info.value.hex_code
        assert 400 == info.value.http_status
        assert (
            "There is an unterminated literal at position 21 in 'lastname eq 'O'Bryan''."
            == info.value.message
        )

    def test_invalid_character(self) -> None:
        """A character no token starts with is a syntax fault naming it and its position."""
        with pytest.raises(DataverseError) as info:
            tokenize("name # 'x'")
        assert "Syntax error: character '#' is not valid at position 5 in 'name # 'x''." == (
            info.value.message
        )

    def test_unterminated_array(self) -> None:
        """An array without its closing bracket is an unterminated literal."""
        with pytest.raises(DataverseError) as info:
            tokenize('f(PropertyValues=["a"')
        assert "unterminated literal at position 21" in info.value.message


class TestTokenStream:
    def test_expect_names_what_was_expected(self) -> None:
        """A missing token is reported with what was expected and where."""
        stream = TokenStream("(a")
        stream.next()
        stream.next()
        with pytest.raises(DataverseError) as info:
            stream.expect(TokenKind.CLOSE, "')' or operator")
        assert "')' or operator expected at position 2 in '(a'." == info.value.message

    def test_end_rejects_leftovers(self) -> None:
        """Tokens left after a complete expression are a syntax error at the first of them."""
        stream = TokenStream("a b")
        stream.next()
        with pytest.raises(DataverseError) as info:
            stream.end()
        assert "Syntax error at position 2 in 'a b'." == info.value.message
