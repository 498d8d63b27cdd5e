"""The ``$filter`` parser: OData expression text becomes a bound filter tree.

Grammar (precedence from loosest): ``or``, ``and``, comparisons (``eq ne gt ge lt le``), ``not``,
then primaries: parenthesised expressions, ``contains``/``startswith``/``endswith``,
``Microsoft.Dynamics.CRM.<Function>(…)``, properties, literals and parameter aliases. Every
term is typed while it is parsed, so a type fault names the operator and both operand types, as
Dataverse's OData library does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._metadata import AttributeMetadata, AttributeTypeCode, EntityMetadata
from fake_dataverse._query._model import (
    Condition,
    ConditionOperator,
    Filter,
    FilterNode,
    Not,
)
from fake_dataverse._query.odata._binding import (
    Literal,
    bind_literal,
    find_property,
    literal_from_token,
    type_name,
)
from fake_dataverse._query.odata._functions import FUNCTION_NAMESPACE, function_condition
from fake_dataverse._query.odata._lexer import Token, TokenKind, TokenStream, odata_error

__all__ = ["COMPARISONS", "STRING_FUNCTIONS", "FilterParser", "parse_filter"]

MAX_DEPTH = 150

#: OData comparison keyword → (condition operator, OData operator kind name).
COMPARISONS: dict[str, tuple[ConditionOperator, str]] = {
    "eq": (ConditionOperator.EQUAL, "Equal"),
    "ne": (ConditionOperator.NOT_EQUAL, "NotEqual"),
    "gt": (ConditionOperator.GREATER_THAN, "GreaterThan"),
    "ge": (ConditionOperator.GREATER_EQUAL, "GreaterThanOrEqual"),
    "lt": (ConditionOperator.LESS_THAN, "LessThan"),
    "le": (ConditionOperator.LESS_EQUAL, "LessThanOrEqual"),
}

#: OData string function → how its value becomes the condition (Like-style operators).
STRING_FUNCTIONS: dict[str, Callable[[str, str], Condition]] = {
    "contains": lambda column, text: Condition(column, ConditionOperator.LIKE, (f"%{text}%",)),
    "startswith": lambda column, text: Condition(column, ConditionOperator.BEGINS_WITH, (text,)),
    "endswith": lambda column, text: Condition(column, ConditionOperator.ENDS_WITH, (text,)),
}

_STRING_TYPES = (AttributeTypeCode.STRING, AttributeTypeCode.MEMO)


@attrs.frozen
class _Property:
    attr: AttributeMetadata
    token: Token


@attrs.frozen
class _Navigation:
    path: str


@attrs.frozen
class _Boolean:
    node: FilterNode


_Term = _Property | _Navigation | _Boolean | Literal


def _edm_type(term: _Term) -> str:
    if isinstance(term, _Property):
        return term.attr.attribute_type.edm_type
    if isinstance(term, Literal):
        return term.edm_type
    return "Edm.Boolean"


def _join(operator: str, nodes: list[FilterNode]) -> Filter:
    """Join operands with one operator, taking in the children of operands joined by it.

    All operands at once: joining pairwise would copy the growing child list for every
    operand, quadratic in a long ``a or b or …`` chain.
    """
    children: list[FilterNode] = []
    for node in nodes:
        if isinstance(node, Filter) and node.operator == operator:
            children.extend(node.children)
        else:
            children.append(node)
    return Filter(operator, tuple(children))  # type: ignore[arg-type]


def _related_tables_error(path: str) -> errors.DataverseError:
    return errors.LinkEntitiesNotSupported().with_details(path=path)


class FilterParser:
    """A recursive-descent parser over one token stream, bound to one table."""

    def __init__(
        self,
        table: EntityMetadata,
        stream: TokenStream,
        aliases: Mapping[str, str],
        *,
        in_alias: bool = False,
    ) -> None:
        self.table = table
        self.stream = stream
        self.aliases = aliases
        self.in_alias = in_alias
        self.depth = 0

    def parse_boolean(self) -> FilterNode:
        """Parse one expression that must be a condition (the body of ``$filter``)."""
        term = self.parse_or()
        if isinstance(term, _Navigation):
            raise _related_tables_error(term.path)
        if not isinstance(term, _Boolean):
            raise odata_error("The $filter expression must evaluate to a single boolean value.")
        return term.node

    def parse_or(self) -> _Term:
        """Parse ``and``-expressions joined by ``or``."""
        return self._chain("or", "Or", self._parse_and)

    def _parse_and(self) -> _Term:
        return self._chain("and", "And", self._parse_comparison)

    def _chain(self, operator: str, kind: str, operand: Callable[[], _Term]) -> _Term:
        """Parse operands joined by one operator, checking each pair as it is read (the
        faults come in the order the text gives them), and join them once at the end."""
        left = operand()
        nodes: list[FilterNode] = []
        while self.stream.peek().is_word(operator):
            self.stream.next()
            right = operand()
            self._check_logical(kind, left, right)
            assert isinstance(left, _Boolean) and isinstance(right, _Boolean)
            if not nodes:
                nodes.append(left.node)
            nodes.append(right.node)
            left = right  # a boolean: all the next check needs of the left side
        return _Boolean(_join(operator, nodes)) if nodes else left

    def _check_logical(self, kind: str, left: _Term, right: _Term) -> None:
        for term in (left, right):
            if isinstance(term, _Navigation):
                raise _related_tables_error(term.path)
        if not (isinstance(left, _Boolean) and isinstance(right, _Boolean)):
            raise odata_error(
                "A binary operator with incompatible types was detected. Found operand types "
                f"'{_edm_type(left)}' and '{_edm_type(right)}' for operator kind '{kind}'."
            )

    def _parse_comparison(self) -> _Term:
        left = self._parse_unary()
        while self.stream.peek().text in COMPARISONS and self.stream.peek().kind is (
            TokenKind.IDENTIFIER
        ):
            operator = self.stream.next()
            left = self._compare(left, operator, self._parse_unary())
        return left

    def _parse_unary(self) -> _Term:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise odata_error("The recursion limit has been exceeded.")
            if not self.stream.peek().is_word("not"):
                return self._parse_primary()
            self.stream.next()
            operand = self._parse_unary()
            if isinstance(operand, _Navigation):
                raise _related_tables_error(operand.path)
            if not isinstance(operand, _Boolean):
                raise odata_error(
                    "A unary operator with an incompatible type was detected. Found operand type "
                    f"'{_edm_type(operand)}' for operator kind 'Not'."
                )
            return _Boolean(Not(operand.node))
        finally:
            self.depth -= 1

    def _parse_primary(self) -> _Term:
        token = self.stream.peek()
        if token.kind is TokenKind.OPEN:
            self.stream.next()
            inner = self.parse_or()
            self.stream.expect(TokenKind.CLOSE, "')' or operator")
            return inner
        if token.kind is TokenKind.ALIAS:
            return self._alias(self.stream.next())
        if token.kind is TokenKind.IDENTIFIER and token.text not in ("null", "true", "false"):
            return self._identifier(token)
        literal = literal_from_token(token, self.stream.text)
        if literal is None:
            if token.kind is TokenKind.TYPED:
                raise self.stream.error("Syntax error at position {position} in '{text}'.")
            raise self.stream.error("Expression expected at position {position} in '{text}'.")
        self.stream.next()
        return literal

    def _alias(self, token: Token) -> _Term:
        if self.in_alias:
            raise odata_error(
                f"The parameter alias '{token.text}' cannot be used inside the value of another "
                "parameter alias."
            )
        if token.text not in self.aliases:
            return Literal("null", None, token)
        stream = TokenStream(self.aliases[token.text])
        parser = FilterParser(self.table, stream, self.aliases, in_alias=True)
        term = parser.parse_or()
        stream.end()
        return term

    def _identifier(self, token: Token) -> _Term:
        following = self.stream.peek(1).kind
        if following is TokenKind.OPEN:
            return self._function_call()
        if following is TokenKind.SLASH:
            return _Navigation(self._path())
        self.stream.next()
        attr = find_property(self.table, token.text)
        if attr is not None:
            return _Property(attr, token)
        candidate = self.table.attribute(token.text)
        if candidate is not None and candidate.attribute_type is AttributeTypeCode.LOOKUP:
            return _Navigation(token.text)
        raise odata_error(
            f"Could not find a property named '{token.text}' on type '{type_name(self.table)}'."
        )

    def _path(self) -> str:
        parts = [self.stream.next().text]
        while self.stream.accept(TokenKind.SLASH):
            parts.append(self.stream.expect(TokenKind.IDENTIFIER, "Identifier").text)
        return "/".join(parts)

    def _function_call(self) -> _Term:
        name = self.stream.next()
        self.stream.next()
        if name.text in STRING_FUNCTIONS:
            return self._string_function(name.text)
        if name.text.startswith(FUNCTION_NAMESPACE):
            return _Boolean(function_condition(self.table, name.text, self._named_arguments()))
        raise errors.ODataError(
            f"An unknown function with name '{name.text}' was found. This may also be a function "
            "import or a key lookup on a navigation property, which is not allowed."
        )

    def _string_function(self, name: str) -> _Term:
        column = self.parse_or()
        self.stream.expect(TokenKind.COMMA, "')' or ','")
        value = self.parse_or()
        self.stream.expect(TokenKind.CLOSE, "')' or ','")
        if isinstance(column, _Navigation):
            raise _related_tables_error(column.path)
        if (
            not isinstance(column, _Property)
            or column.attr.attribute_type not in _STRING_TYPES
            or not isinstance(value, Literal)
            or value.edm_type != "Edm.String"
        ):
            raise odata_error(
                f"No function signature for the function with name '{name}' matches the "
                f"specified arguments. The function signatures considered are: {name}(Edm.String "
                "Nullable=true, Edm.String Nullable=true)."
            )
        return _Boolean(STRING_FUNCTIONS[name](column.attr.logical_name, value.value))

    def _named_arguments(self) -> dict[str, Literal]:
        arguments: dict[str, Literal] = {}
        if self.stream.accept(TokenKind.CLOSE):
            return arguments
        while True:
            name = self.stream.expect(TokenKind.IDENTIFIER, "Parameter name").text
            self.stream.expect(TokenKind.EQUALS, "'='")
            value = self._parse_primary()
            if not isinstance(value, Literal):
                raise odata_error(
                    f"The value of parameter '{name}' must be a literal or a parameter alias."
                )
            if name in arguments:
                raise odata_error(f"The parameter '{name}' is given more than once.")
            arguments[name] = value
            if self.stream.accept(TokenKind.CLOSE):
                return arguments
            self.stream.expect(TokenKind.COMMA, "')' or ','")

    def _compare(self, left: _Term, operator: Token, right: _Term) -> _Term:
        op, kind = COMPARISONS[operator.text]
        for term in (left, right):
            if isinstance(term, _Navigation):
                raise _related_tables_error(term.path)
        if isinstance(left, _Property) and isinstance(right, _Property):
            raise odata_error(
                f"Column comparison ('{left.attr.logical_name} {operator.text} "
                f"{right.attr.logical_name}') is not supported for elastic tables."
            )
        if isinstance(left, _Boolean) or isinstance(right, _Boolean):
            raise odata_error(
                "A binary operator with incompatible types was detected. Found operand types "
                f"'{_edm_type(left)}' and '{_edm_type(right)}' for operator kind '{kind}'."
            )
        if not isinstance(left, _Property) or not isinstance(right, Literal):
            raise self.stream.error(
                f"The left operand of '{operator.text}' at position {{position}} in '{{text}}' "
                "must be a column of the table and the right operand a value.",
                operator,
            )
        return _Boolean(self._condition(left.attr, op, kind, right))

    def _condition(
        self, attr: AttributeMetadata, op: ConditionOperator, kind: str, right: Literal
    ) -> Condition:
        if right.edm_type == "null":
            nulls = {
                ConditionOperator.EQUAL: ConditionOperator.NULL,
                ConditionOperator.NOT_EQUAL: ConditionOperator.NOT_NULL,
            }
            if op not in nulls:
                raise odata_error(
                    f"The operator kind '{kind}' cannot compare column '{attr.logical_name}' "
                    "with null; use eq null or ne null."
                )
            return Condition(attr.logical_name, nulls[op])
        return Condition(attr.logical_name, op, (bind_literal(attr, right, kind),))


def parse_filter(table: EntityMetadata, text: str, aliases: Mapping[str, str]) -> FilterNode:
    """Parse and bind a ``$filter`` expression.

    Raises:
        ODataError: 0x0 (HTTP 400) for a syntax fault, an unknown property, a literal of the wrong
            type or an unsupported construct (column comparison).
        LinkEntitiesNotSupported: 0x80048d0b for a navigation path (``createdby/fullname``).
    """
    stream = TokenStream(text)
    node = FilterParser(table, stream, aliases).parse_boolean()
    stream.end()
    return node
