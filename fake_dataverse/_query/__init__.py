"""The query engine: one model, one evaluator, several front ends.

- ``_model``: the query model every front end compiles to.
- ``_expression``: the SDK query types (QueryExpression, QueryByAttribute, FetchExpression…).
- ``_compile``, ``_fetchxml`` (and ``_odata*``): front ends producing a model ``Query``.
- ``_bind``: checks columns, operators and values against metadata; values become raw.
- ``_operators``, ``_dates``, ``_evaluate``: condition predicates, date ranges, sort keys.
- ``_engine``, ``_paging``, ``_aggregate``: filter, sort, page with cookies, aggregate.
"""
