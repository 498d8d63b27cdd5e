"""The OData expression lexer: ``$filter`` / ``$orderby`` / ``$apply`` text becomes tokens.

The whole text is tokenized before parsing, as Dataverse's OData library scans one token ahead:
a lexical fault (an unterminated string, a character no token starts with) is reported before any
syntax fault, with the position where the lexer stopped.
"""

from __future__ import annotations

import enum
import re

import attrs

from fake_dataverse._model import _errors as errors

__all__ = ["Token", "TokenKind", "TokenStream", "odata_error", "tokenize"]


class TokenKind(enum.Enum):
    """What a token is."""

    IDENTIFIER = "identifier"
    ALIAS = "alias"
    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    GUID = "guid"
    DATETIME = "datetime"
    DATE = "date"
    TYPED = "typed"
    ARRAY = "array"
    OPEN = "("
    CLOSE = ")"
    COMMA = ","
    SLASH = "/"
    EQUALS = "="
    END = "end"


@attrs.frozen
class Token:
    """One token: its kind, its source text and its position in the expression."""

    kind: TokenKind
    text: str
    position: int

    def is_word(self, word: str) -> bool:
        """Return True for the identifier ``word`` (keywords are case-sensitive)."""
        return self.kind is TokenKind.IDENTIFIER and self.text == word


def odata_error(message: str) -> errors.DataverseError:
    """Return the 400 ``0x0`` fault Dataverse answers for a query it cannot parse or bind."""
    return errors.ODataError(message)


_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# re.ASCII: OData literals take ASCII digits only (``\d`` alone also matches ``٣``).
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})", re.ASCII
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_NUMBER = re.compile(
    r"-?\d+(?P<fraction>\.\d+)?(?P<exponent>[eE][+-]?\d+)?(?P<suffix>[mMdDfFlL])?", re.ASCII
)
_IDENTIFIER = re.compile(r"\$?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_ALIAS = re.compile(r"@[A-Za-z_][A-Za-z0-9_]*")
_IDENT_CHAR = re.compile(r"[A-Za-z0-9_.]")
_PUNCTUATION = {
    "(": TokenKind.OPEN,
    ")": TokenKind.CLOSE,
    ",": TokenKind.COMMA,
    "/": TokenKind.SLASH,
    "=": TokenKind.EQUALS,
}


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.tokens: list[Token] = []

    def run(self) -> list[Token]:
        while True:
            while self.pos < len(self.text) and self.text[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(self.text):
                self.tokens.append(Token(TokenKind.END, "", len(self.text)))
                return self.tokens
            self.tokens.append(self._next())

    def _emit(self, kind: TokenKind, end: int) -> Token:
        token = Token(kind, self.text[self.pos : end], self.pos)
        self.pos = end
        return token

    def _next(self) -> Token:
        char = self.text[self.pos]
        if char in _PUNCTUATION:
            return self._emit(_PUNCTUATION[char], self.pos + 1)
        if char == "'":
            return self._emit(TokenKind.STRING, self._quoted_end(self.pos))
        if char == "[":
            return self._emit(TokenKind.ARRAY, self._array_end())
        for kind, pattern in ((TokenKind.GUID, _GUID), (TokenKind.DATETIME, _DATETIME)):
            match = pattern.match(self.text, self.pos)
            if match and not self._ident_follows(match.end()):
                return self._emit(kind, match.end())
        return self._word_or_number(char)

    def _word_or_number(self, char: str) -> Token:
        date = _DATE.match(self.text, self.pos)
        if date and not self._ident_follows(date.end()):
            return self._emit(TokenKind.DATE, date.end())
        number = _NUMBER.match(self.text, self.pos)
        if number and not self._ident_follows(number.end()):
            decimal = (
                number["fraction"] or number["exponent"] or number["suffix"] not in (None, "l", "L")
            )
            return self._emit(TokenKind.DECIMAL if decimal else TokenKind.INTEGER, number.end())
        alias = _ALIAS.match(self.text, self.pos)
        if alias:
            return self._emit(TokenKind.ALIAS, alias.end())
        word = _IDENTIFIER.match(self.text, self.pos)
        if word:
            if word.end() < len(self.text) and self.text[word.end()] == "'":
                return self._emit(TokenKind.TYPED, self._quoted_end(word.end()))
            return self._emit(TokenKind.IDENTIFIER, word.end())
        raise odata_error(
            f"Syntax error: character '{char}' is not valid at position {self.pos} in "
            f"'{self.text}'."
        )

    def _ident_follows(self, end: int) -> bool:
        return end < len(self.text) and bool(_IDENT_CHAR.match(self.text[end]))

    def _quoted_end(self, start: int) -> int:
        index = start + 1
        while index < len(self.text):
            if self.text[index] == "'":
                if index + 1 < len(self.text) and self.text[index + 1] == "'":
                    index += 2
                    continue
                return index + 1
            index += 1
        raise odata_error(
            f"There is an unterminated literal at position {len(self.text)} in '{self.text}'."
        )

    def _array_end(self) -> int:
        index, quote = self.pos + 1, ""
        while index < len(self.text):
            char = self.text[index]
            if quote:
                if char == "\\" and quote == '"':
                    index += 1
                elif char == quote:
                    quote = ""
            elif char == '"':
                quote = char
            elif char == "]":
                return index + 1
            index += 1
        raise odata_error(
            f"There is an unterminated literal at position {len(self.text)} in '{self.text}'."
        )


def tokenize(text: str) -> list[Token]:
    """Split an OData expression into tokens, ending with an END token.

    Raises:
        ODataError: 0x0 (HTTP 400) for an unterminated literal or an invalid character.
    """
    return _Lexer(text).run()


class TokenStream:
    """The tokens of one expression, read front to back, with Dataverse's syntax faults."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    def peek(self, offset: int = 0) -> Token:
        """Return a token ahead without consuming it (END past the end)."""
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def next(self) -> Token:
        """Consume and return the next token."""
        token = self.peek()
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def accept(self, kind: TokenKind) -> bool:
        """Consume the next token when it is of ``kind``; return whether it was."""
        if self.peek().kind is kind:
            self.next()
            return True
        return False

    def expect(self, kind: TokenKind, expected: str) -> Token:
        """Consume a token of ``kind``, or raise ``'<expected>' expected at position …``.

        Raises:
            ODataError: 0x0 when the next token is of another kind.
        """
        if self.peek().kind is not kind:
            raise self.error(f"{expected} expected at position {{position}} in '{{text}}'.")
        return self.next()

    def error(self, template: str, token: Token | None = None) -> errors.DataverseError:
        """Return a 400 fault whose message names a position (next token by default)."""
        at = token if token is not None else self.peek()
        return odata_error(template.format(position=at.position, text=self.text))

    def end(self) -> None:
        """Raise a syntax fault unless every token has been read.

        Raises:
            ODataError: 0x0 ``Syntax error at position N in '…'.``
        """
        if self.peek().kind is not TokenKind.END:
            raise self.error("Syntax error at position {position} in '{text}'.")
