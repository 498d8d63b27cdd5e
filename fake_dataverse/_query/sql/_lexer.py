"""SQL text → tokens: words, bracketed or quoted names, strings, numbers and symbols.

Comments (``--`` to the end of the line, ``/* … */``) are skipped. A character the endpoint's
subset has no use for is a 400 naming it and its position.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from typing import NamedTuple

from fake_dataverse._model import _errors as errors

__all__ = ["Cursor", "Token", "TokenKind", "sql_error", "tokenize", "words"]


class TokenKind(enum.Enum):
    """What a token is."""

    WORD = "word"
    NAME = "name"  # a [bracketed] or "quoted" name: never a keyword
    STRING = "string"
    NUMBER = "number"
    SYMBOL = "symbol"
    END = "end"


class Token(NamedTuple):
    """One token: its kind, text (names and strings unquoted), offset, and a word's upper case.

    A named tuple rather than an attrs class: a statement makes dozens of them per request.
    """

    kind: TokenKind
    text: str
    position: int
    upper: str = ""

    def describe(self) -> str:
        """Return how an error message names the token."""
        if self.kind is TokenKind.END:
            return "the end of the statement"
        return f"'{self.text}'"


def words(text: str) -> frozenset[str]:
    """Return the set of space-separated keywords in ``text``."""
    return frozenset(text.split())


def sql_error(message: str) -> errors.DataverseError:
    """Return the 400 fault the SQL endpoint answers for a statement it does not run."""
    return errors.InvalidArgument(f"The SQL query cannot run: {message}")


_PATTERN = re.compile(
    r"""
    (?P<space>\s+|--[^\n]*|/\*.*?\*/)
    |(?P<string>[Nn]?'(?:[^']|'')*')
    |(?P<bracket>\[(?:[^\]]|\]\])+\])
    |(?P<quoted>"(?:[^"]|"")+")
    |(?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    |(?P<word>[A-Za-z_@#][A-Za-z0-9_@#$]*)
    |(?P<symbol><>|!=|<=|>=|[(),.*=<>;+\-/%])
    """,
    re.VERBOSE | re.DOTALL | re.ASCII,  # numbers take ASCII digits only, as T-SQL reads them
)


_UNQUOTE: dict[str, Callable[[str], tuple[TokenKind, str]]] = {
    "string": lambda t: (
        TokenKind.STRING,
        (t[2:-1] if t[0] in "Nn" else t[1:-1]).replace("''", "'"),
    ),
    "bracket": lambda t: (TokenKind.NAME, t[1:-1].replace("]]", "]")),
    "quoted": lambda t: (TokenKind.NAME, t[1:-1].replace('""', '"')),
    "number": lambda t: (TokenKind.NUMBER, t),
    "symbol": lambda t: (TokenKind.SYMBOL, t),
}


def tokenize(text: str) -> list[Token]:
    """Return the statement's tokens, ending with an END token.

    Raises:
        InvalidArgument: 0x80040203 for an unterminated string, name or comment, or a
            character outside the subset.
    """
    tokens: list[Token] = []
    position = 0
    for match in _PATTERN.finditer(text):
        start = match.start()
        if start != position:
            break
        position = match.end()
        kind, raw = match.lastgroup, match[0]
        if kind == "space":
            continue
        if kind == "word":
            tokens.append(Token(TokenKind.WORD, raw, start, raw.upper()))
            continue
        token_kind, body = _UNQUOTE[kind or "symbol"](raw)
        tokens.append(Token(token_kind, body, start))
    if position != len(text):
        char = text[position]
        if char in "'[\"" or text.startswith("/*", position):
            raise sql_error(f"unterminated {char!r} at position {position}.")
        raise sql_error(f"unexpected character {char!r} at position {position}.")
    tokens.append(Token(TokenKind.END, "", len(text)))
    return tokens


class Cursor:
    """A position in a statement's tokens, with the checks every grammar rule uses."""

    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.current
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def at(self, *words: str) -> bool:
        token = self.current
        return token.kind is TokenKind.WORD and token.upper in words

    def at_symbol(self, *symbols: str) -> bool:
        return self.current.kind is TokenKind.SYMBOL and self.current.text in symbols

    def accept(self, *words: str) -> bool:
        if self.at(*words):
            self.advance()
            return True
        return False

    def expect(self, word: str) -> None:
        if not self.accept(word):
            raise self.unexpected(f"expected {word}")

    def expect_symbol(self, symbol: str) -> None:
        if not self.at_symbol(symbol):
            raise self.unexpected(f"expected '{symbol}'")
        self.advance()

    def unexpected(self, what: str) -> errors.DataverseError:
        token = self.current
        return sql_error(f"{what} but found {token.describe()} at position {token.position}.")
