"""SQL text → :class:`~fake_dataverse._query.sql._syntax.Select`: a recursive-descent parser.

The grammar is the endpoint's documented subset::

    SELECT [DISTINCT] [TOP n] item, … FROM table [[AS] alias]
        [{INNER | LEFT [OUTER]} JOIN table [[AS] alias] ON column = column] …
        [WHERE predicate] [GROUP BY column, …] [ORDER BY column [ASC|DESC], …]
        [OFFSET n ROWS FETCH {NEXT|FIRST} m ROWS ONLY]

Every construct outside it (writes, ``SELECT *``, subqueries, CTEs, ``UNION``, ``HAVING``,
functions, expressions, other joins) is a 400 that names the construct.
"""

from __future__ import annotations

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._literals import INT64, parse_integer
from fake_dataverse._query.sql._lexer import TokenKind, sql_error, words
from fake_dataverse._query.sql._predicate import PredicateParser
from fake_dataverse._query.sql._syntax import (
    Aggregate,
    Column,
    Join,
    OrderItem,
    Select,
    SelectItem,
)

__all__ = ["parse_sql"]

AGGREGATES = frozenset({"COUNT", "SUM", "AVG", "MIN", "MAX"})
#: Statements the read-only endpoint refuses, by their first word.
_WRITES = words(
    "INSERT UPDATE DELETE MERGE DROP TRUNCATE ALTER CREATE EXEC EXECUTE GRANT REVOKE "
    "DENY BULK DECLARE SET USE BEGIN"
)
#: Clauses after the FROM part that the subset does not have.
_UNSUPPORTED_CLAUSES = {
    "UNION": "UNION",
    "EXCEPT": "EXCEPT",
    "INTERSECT": "INTERSECT",
    "HAVING": "HAVING",
    "FOR": "FOR XML/JSON",
    "OPTION": "OPTION (query hints)",
    "INTO": "SELECT INTO",
    "WINDOW": "WINDOW",
}


class _Parser(PredicateParser):
    # ---- statement --------------------------------------------------------------------------
    def statement(self) -> Select:
        if self.at("WITH"):
            raise sql_error("common table expressions (WITH) are not supported.")
        if self.at(*_WRITES):
            raise sql_error(
                f"'{self.current.upper}' is not supported: the SQL endpoint is read-only and "
                "runs one SELECT statement."
            )
        self.expect("SELECT")
        select = self.select_body()
        if self.at_symbol(";"):
            self.advance()
        if self.current.kind is not TokenKind.END:
            raise self.trailing()
        return select

    def trailing(self) -> errors.DataverseError:
        word = self.current.upper if self.current.kind is TokenKind.WORD else ""
        if word in _UNSUPPORTED_CLAUSES:
            return sql_error(f"{_UNSUPPORTED_CLAUSES[word]} is not supported.")
        if word in ("RIGHT", "FULL", "CROSS") or word.endswith("APPLY"):
            return sql_error(f"{word} JOIN is not supported; only INNER JOIN and LEFT JOIN are.")
        if self.at_symbol(","):
            return sql_error("a second table in FROM (an implicit join) is not supported.")
        if self.current.kind is TokenKind.WORD and word in _WRITES | {"SELECT"}:
            return sql_error("only one statement can be sent.")
        return self.unexpected("expected the end of the statement")

    def select_body(self) -> Select:
        distinct = self.accept("DISTINCT")
        top = None
        if self.accept("TOP"):
            top = self.top_count()
        items = [self.select_item()]
        while self.at_symbol(","):
            self.advance()
            items.append(self.select_item())
        if self.at("INTO"):
            raise sql_error("SELECT INTO is not supported: the SQL endpoint is read-only.")
        self.expect("FROM")
        table, alias = self.table_name()
        joins: list[Join] = []
        while self.at("INNER", "LEFT", "JOIN", "RIGHT", "FULL", "CROSS", "OUTER"):
            joins.append(self.join())
        where = None
        if self.accept("WHERE"):
            where = self.predicate()
        group_by: list[Column] = []
        if self.accept("GROUP"):
            self.expect("BY")
            group_by = self.column_list()
        if self.at("HAVING"):
            raise sql_error("HAVING is not supported.")
        order_by: list[OrderItem] = []
        if self.accept("ORDER"):
            self.expect("BY")
            order_by = self.order_list()
        offset, fetch = self.offset_fetch()
        return Select(
            distinct=distinct,
            top=top,
            items=tuple(items),
            table=table,
            alias=alias,
            joins=tuple(joins),
            where=where,
            group_by=tuple(group_by),
            order_by=tuple(order_by),
            offset=offset,
            fetch=fetch,
        )

    def top_count(self) -> int:
        parenthesised = self.at_symbol("(")
        if parenthesised:
            self.advance()
        count = self.integer("TOP")
        if parenthesised:
            self.expect_symbol(")")
        if self.at("PERCENT"):
            raise sql_error("TOP … PERCENT is not supported.")
        if self.at("WITH"):
            raise sql_error("TOP … WITH TIES is not supported.")
        return count

    def integer(self, clause: str) -> int:
        token = self.current
        # T-SQL's TOP, OFFSET and FETCH take a bigint.
        value = parse_integer(token.text, signed=False, maximum=INT64[1])
        if token.kind is not TokenKind.NUMBER or value is None:
            raise self.unexpected(f"expected a whole number after {clause}")
        self.advance()
        return value

    # ---- select list ------------------------------------------------------------------------
    def select_item(self) -> SelectItem:
        if self.at_symbol("*"):
            raise sql_error("SELECT * is not supported: name the columns to return.")
        if self.at_symbol("(") and self.peek().upper == "SELECT":
            raise sql_error("subqueries are not supported.")
        expression: Column | Aggregate
        if self.current.kind is TokenKind.WORD and self.peek().text == "(":
            expression = self.function()
        else:
            expression = self.column()
            if self.at_symbol(".") and self.peek().text == "*":
                raise sql_error(f"SELECT {expression}.* is not supported: name the columns.")
        self.check_no_expression()
        return SelectItem(expression, self.alias())

    def function(self) -> Aggregate:
        name = self.advance().upper
        if name not in AGGREGATES:
            raise sql_error(f"the function {name}() is not supported.")
        self.expect_symbol("(")
        if self.at_symbol("*"):
            if name != "COUNT":
                raise sql_error(f"{name}(*) is not supported; only COUNT(*) is.")
            self.advance()
            self.expect_symbol(")")
            return self.no_window(Aggregate(name, None))
        distinct = self.accept("DISTINCT")
        if self.at("SELECT"):
            raise sql_error("subqueries are not supported.")
        column = self.column()
        if not self.at_symbol(")"):
            raise sql_error(f"{name}() takes one column; expressions are not supported.")
        self.advance()
        return self.no_window(Aggregate(name, column, distinct))

    def no_window(self, aggregate: Aggregate) -> Aggregate:
        if self.at("OVER"):
            raise sql_error("window functions (OVER) are not supported.")
        return aggregate

    # ---- FROM and JOIN ----------------------------------------------------------------------
    def table_name(self) -> tuple[str, str | None]:
        if self.at_symbol("("):
            raise sql_error("subqueries are not supported.")
        name = self.name("a table name")
        if self.at_symbol("."):
            raise sql_error("schema-qualified table names are not supported.")
        if self.at_symbol("("):
            raise sql_error(f"table-valued functions ({name}()) are not supported.")
        return name, self.alias()

    def join(self) -> Join:
        word = self.current.upper
        if word in ("RIGHT", "FULL", "CROSS"):
            raise sql_error(f"{word} JOIN is not supported; only INNER JOIN and LEFT JOIN are.")
        kind = "inner"
        if self.accept("LEFT"):
            kind = "left"
            self.accept("OUTER")
        else:
            self.accept("INNER")
        self.expect("JOIN")
        table, alias = self.table_name()
        self.expect("ON")
        left = self.column()
        if not self.at_symbol("="):
            raise self.unexpected("a join condition compares two columns with '='; expected '='")
        self.advance()
        right = self.column()
        if self.at("AND", "OR"):
            raise sql_error("a join condition with more than one comparison is not supported.")
        return Join(kind, table, alias, left, right)

    # ---- ORDER BY, OFFSET / FETCH -----------------------------------------------------------
    def order_list(self) -> list[OrderItem]:
        items = [self.order_item()]
        while self.at_symbol(","):
            self.advance()
            items.append(self.order_item())
        return items

    def order_item(self) -> OrderItem:
        if self.current.kind is TokenKind.NUMBER:
            raise sql_error("ORDER BY a column position is not supported; name the column.")
        column = self.column()
        self.check_no_expression()
        if self.accept("DESC"):
            return OrderItem(column, True)
        self.accept("ASC")
        return OrderItem(column)

    def offset_fetch(self) -> tuple[int | None, int | None]:
        if not self.accept("OFFSET"):
            if self.at("FETCH"):
                raise sql_error("FETCH needs an OFFSET … ROWS clause before it.")
            return None, None
        offset = self.integer("OFFSET")
        if not self.accept("ROWS", "ROW"):
            raise self.unexpected("expected ROWS after OFFSET n")
        if not self.accept("FETCH"):
            raise sql_error("OFFSET without FETCH NEXT n ROWS ONLY is not supported.")
        if not self.accept("NEXT", "FIRST"):
            raise self.unexpected("expected NEXT after FETCH")
        fetch = self.integer("FETCH NEXT")
        if not self.accept("ROWS", "ROW"):
            raise self.unexpected("expected ROWS after FETCH NEXT n")
        self.expect("ONLY")
        return offset, fetch


def parse_sql(text: str) -> Select:
    """Parse one SELECT statement of the endpoint's subset.

    Raises:
        InvalidArgument: 0x80040203 naming the construct the subset does not have, or where the
            text stops making sense.
    """
    return _Parser(text).statement()
