"""The WHERE grammar: predicates on one table's columns against constants.

``AND``/``OR``/``NOT`` and parentheses over ``=, <>, !=, <, <=, >, >=``, ``[NOT] LIKE``,
``[NOT] IN``, ``IS [NOT] NULL`` and ``[NOT] BETWEEN``; a constant may stand on either side of a
comparison. Comparing two columns, expressions and functions are refused by name.
"""

from __future__ import annotations

from fake_dataverse._query._model import ConditionOperator as Op
from fake_dataverse._query.sql._lexer import Cursor, TokenKind, sql_error, words
from fake_dataverse._query.sql._syntax import (
    Column,
    Comparison,
    Logical,
    Negation,
    Predicate,
    Value,
)

__all__ = ["COMPARISONS", "RESERVED", "PredicateParser"]

COMPARISONS = {
    "=": Op.EQUAL,
    "<>": Op.NOT_EQUAL,
    "!=": Op.NOT_EQUAL,
    "<": Op.LESS_THAN,
    "<=": Op.LESS_EQUAL,
    ">": Op.GREATER_THAN,
    ">=": Op.GREATER_EQUAL,
}
_MIRRORED = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}
#: Words that end a clause, so they are never read as an alias.
RESERVED = words(
    "SELECT FROM WHERE GROUP ORDER BY HAVING OFFSET FETCH JOIN INNER LEFT RIGHT FULL "
    "CROSS OUTER ON AS AND OR NOT IN IS NULL LIKE BETWEEN UNION EXCEPT INTERSECT "
    "DISTINCT TOP ASC DESC ROWS ROW ONLY NEXT FIRST CASE WHEN THEN ELSE END EXISTS "
    "ESCAPE APPLY PIVOT UNPIVOT FOR WITH INTO OPTION WINDOW OVER"
)


class PredicateParser(Cursor):
    """Column references, constants and WHERE predicates."""

    def check_no_expression(self) -> None:
        if self.at_symbol("+", "-", "*", "/", "%"):
            raise sql_error(f"expressions ('{self.current.text}') are not supported.")

    def alias(self) -> str | None:
        if self.accept("AS"):
            return self.name("an alias after AS")
        return self._take_name()

    def name(self, what: str) -> str:
        taken = self._take_name()
        if taken is None:
            raise self.unexpected(f"expected {what}")
        return taken

    def _take_name(self) -> str | None:
        """Consume a name (bracketed, plain but not reserved, or quoted) and return its text."""
        token = self.current
        plain = token.kind is TokenKind.WORD and token.upper not in RESERVED
        if token.kind in (TokenKind.NAME, TokenKind.STRING) or plain:
            self.advance()
            return token.text
        return None

    def column(self) -> Column:
        if self.at("CASE"):
            raise sql_error("CASE expressions are not supported.")
        if self.at_symbol("("):
            if self.peek().upper == "SELECT":
                raise sql_error("subqueries are not supported.")
            raise sql_error("parenthesised expressions are not supported in this place.")
        if self.current.kind in (TokenKind.STRING, TokenKind.NUMBER) or self.at("NULL"):
            raise sql_error(
                f"a constant ({self.current.describe()}) is not supported where a column is "
                "expected."
            )
        if self.current.kind is TokenKind.WORD and self.peek().text == "(":
            raise sql_error(f"the function {self.current.upper}() is not supported here.")
        first = self.name("a column name")
        if self.at_symbol(".") and self.peek().text != "*":
            self.advance()
            return Column(first, self.name("a column name after '.'"))
        return Column(None, first)

    def column_list(self) -> list[Column]:
        columns = [self.column()]
        while self.at_symbol(","):
            self.advance()
            columns.append(self.column())
        return columns

    # ---- WHERE ------------------------------------------------------------------------------
    def predicate(self) -> Predicate:
        children = [self.conjunction()]
        while self.accept("OR"):
            children.append(self.conjunction())
        return children[0] if len(children) == 1 else Logical("or", tuple(children))

    def conjunction(self) -> Predicate:
        children = [self.negation()]
        while self.accept("AND"):
            children.append(self.negation())
        return children[0] if len(children) == 1 else Logical("and", tuple(children))

    def negation(self) -> Predicate:
        if self.accept("NOT"):
            return Negation(self.negation())
        if self.at("EXISTS"):
            raise sql_error("EXISTS (subqueries) is not supported.")
        if self.at_symbol("("):
            if self.peek().upper == "SELECT":
                raise sql_error("subqueries are not supported.")
            self.advance()
            inner = self.predicate()
            self.expect_symbol(")")
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        if self.current.kind in (TokenKind.STRING, TokenKind.NUMBER) and self.peek().text in (
            COMPARISONS
        ):
            value = self.value()
            symbol = self.advance().text
            column = self.column()
            self.check_no_expression()
            return Comparison(column, COMPARISONS[_MIRRORED.get(symbol, symbol)], (value,))
        column = self.column()
        self.check_no_expression()
        if self.at_symbol(*COMPARISONS):
            symbol = self.advance().text
            if self.is_column_ahead():
                raise sql_error(
                    f"comparing two columns ({column} {symbol} {self.current.text}) is not "
                    "supported; compare a column with a constant."
                )
            value = self.value()
            self.check_no_expression()
            return Comparison(column, COMPARISONS[symbol], (value,))
        if self.accept("IS"):
            negated = self.accept("NOT")
            self.expect("NULL")
            return Comparison(column, Op.NOT_NULL if negated else Op.NULL)
        negated = self.accept("NOT")
        if self.accept("LIKE"):
            pattern = self.value()
            if self.at("ESCAPE"):
                raise sql_error("LIKE … ESCAPE is not supported.")
            return Comparison(column, Op.NOT_LIKE if negated else Op.LIKE, (pattern,))
        if self.accept("IN"):
            return Comparison(column, Op.NOT_IN if negated else Op.IN, self.value_list())
        if self.accept("BETWEEN"):
            low = self.value()
            self.expect("AND")
            high = self.value()
            return Comparison(column, Op.NOT_BETWEEN if negated else Op.BETWEEN, (low, high))
        raise self.unexpected(f"expected a comparison after {column}")

    def is_column_ahead(self) -> bool:
        """Return True when a column name (not NULL, a function or a parameter) comes next."""
        token = self.current
        if token.kind is TokenKind.NAME:
            return True
        return (
            token.kind is TokenKind.WORD
            and not self.at("NULL")
            and not token.text.startswith("@")
            and self.peek().text != "("
        )

    def value_list(self) -> tuple[Value, ...]:
        self.expect_symbol("(")
        if self.at("SELECT"):
            raise sql_error("subqueries are not supported.")
        values = [self.value()]
        while self.at_symbol(","):
            self.advance()
            values.append(self.value())
        self.expect_symbol(")")
        return tuple(values)

    def value(self) -> Value:
        token = self.current
        if token.kind is TokenKind.STRING:
            self.advance()
            return Value("string", token.text)
        sign = ""
        if self.at_symbol("-", "+") and self.peek().kind is TokenKind.NUMBER:
            sign = "-" if self.advance().text == "-" else ""
            token = self.current
        if token.kind is TokenKind.NUMBER:
            self.advance()
            return Value("number", sign + token.text)
        if self.accept("NULL"):
            return Value("null", "NULL")
        if self.at_symbol("(") and self.peek().upper == "SELECT":
            raise sql_error("subqueries are not supported.")
        if token.kind is TokenKind.WORD and self.peek().text == "(":
            raise sql_error(f"the function {token.upper}() is not supported.")
        if token.kind is TokenKind.WORD and token.text.startswith("@"):
            raise sql_error(f"parameters ({token.text}) are not supported.")
        raise self.unexpected("expected a constant")
