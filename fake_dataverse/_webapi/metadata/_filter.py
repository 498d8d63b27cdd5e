"""``$filter`` on metadata collections (``EntityDefinitions``, ``Attributes``).

Metadata queries take a small OData subset: ``eq``/``ne`` comparisons of a property (or a
``Complex/Value`` path) with a literal or an enum literal
(``Microsoft.Dynamics.CRM.AttributeTypeCode'Picklist'``), joined by ``and``/``or``/``not``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._literals import parse_integer

__all__ = ["metadata_filter"]

Predicate = Callable[[Mapping[str, Any]], bool]

_TOKEN = re.compile(
    r"\s*(?:(?P<enum>[A-Za-z][\w.]*'(?:[^']|'')*')|(?P<string>'(?:[^']|'')*')"
    r"|(?P<number>-?\d+)|(?P<word>[A-Za-z_][\w]*(?:/[A-Za-z_]\w*)*)|(?P<punct>[()]))",
    re.ASCII,  # names and numbers are ASCII in OData
)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise errors.ODataError(f"Syntax error at position {position} in '{text}'.")
        kind = match.lastgroup or ""
        tokens.append((kind, match[kind]))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str, type_name: str) -> None:
        self.text = text
        self.type_name = type_name
        self.tokens = _tokens(text)
        self.index = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise errors.ODataError(f"Syntax error: unexpected end of '{self.text}'.")
        self.index += 1
        return token

    def expression(self) -> Predicate:
        left = self.conjunction()
        while self.peek() == ("word", "or"):
            self.take()
            left = _either(left, self.conjunction())
        return left

    def conjunction(self) -> Predicate:
        left = self.unary()
        while self.peek() == ("word", "and"):
            self.take()
            left = _both(left, self.unary())
        return left

    def unary(self) -> Predicate:
        token = self.take()
        if token == ("word", "not"):
            inner = self.unary()
            return lambda item: not inner(item)
        if token == ("punct", "("):
            inner = self.expression()
            if self.take() != ("punct", ")"):
                raise errors.ODataError(f"Syntax error: ')' expected in '{self.text}'.")
            return inner
        if token[0] != "word":
            raise errors.ODataError(f"Syntax error at '{token[1]}' in '{self.text}'.")
        return self.comparison(token[1])

    def comparison(self, path: str) -> Predicate:
        operator = self.take()
        if operator not in (("word", "eq"), ("word", "ne")):
            raise errors.ODataError(f"Syntax error at '{operator[1]}' in '{self.text}'.")
        expected = _literal(self.take(), self.text)
        names = path.split("/")
        type_name = self.type_name

        def test(item: Mapping[str, Any]) -> bool:
            value: Any = item
            for name in names:
                if not isinstance(value, Mapping) or name not in value:
                    raise errors.ODataError(
                        f"Could not find a property named '{name}' on type "
                        f"'Microsoft.Dynamics.CRM.{type_name}'."
                    )
                value = value[name]
            return bool((value == expected) == (operator[1] == "eq"))

        return test


def _either(left: Predicate, right: Predicate) -> Predicate:
    return lambda item: left(item) or right(item)


def _both(left: Predicate, right: Predicate) -> Predicate:
    return lambda item: left(item) and right(item)


def _literal(token: tuple[str, str], text: str) -> Any:
    kind, value = token
    if kind == "string":
        return value[1:-1].replace("''", "'")
    if kind == "enum":
        return value.split("'", 1)[1][:-1].replace("''", "'")
    if kind == "number":  # beyond any integer: a double, which equals nothing stored
        parsed = parse_integer(value)
        return parsed if parsed is not None else float(value)
    constants = {"true": True, "false": False, "null": None}
    if kind == "word" and value in constants:
        return constants[value]
    raise errors.ODataError(f"Syntax error at '{value}' in '{text}'.")


def metadata_filter(text: str, type_name: str) -> Predicate:
    """Compile a metadata ``$filter`` into a predicate over definition objects.

    Raises:
        ODataError: 0x0 for a syntax error or (when applied) an unknown property.
    """
    parser = _Parser(text, type_name)
    predicate = parser.expression()
    if parser.peek() is not None:
        raise errors.ODataError(f"Syntax error at '{parser.peek()[1]}' in '{text}'.")  # type: ignore[index]
    return predicate
