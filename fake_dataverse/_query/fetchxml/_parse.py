"""FetchXML → the query model: ``parse_fetchxml(org_or_metadata, text) -> Query``.

Supported: ``<fetch>`` with ``top``, ``count``, ``page``, ``paging-cookie``, ``aggregate``,
``distinct``, ``returntotalrecordcount`` (and the accepted no-op ``version``, ``mapping``,
``no-lock``, ``output-format``); ``<entity name>`` with ``<attribute name alias aggregate groupby
distinct>``, ``<all-attributes/>``, ``<order attribute|alias descending>``, ``<filter type>``
(nested) and ``<condition attribute operator value>`` with ``<value>`` children. Any
``<link-entity>`` fails with 0x80048d0b. The Web API's paging annotation is built by
:func:`fake_dataverse._query._paging.fetchxml_paging_cookie_annotation`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._metadata import MetadataRegistry
from fake_dataverse._query._aggregate import FUNCTIONS
from fake_dataverse._query._bind import bind
from fake_dataverse._query._model import (
    AggregateColumn,
    Condition,
    Filter,
    FilterNode,
    GroupByColumn,
    Order,
    Query,
)
from fake_dataverse._query.fetchxml._operators import FETCH_OPERATORS

__all__ = ["parse_fetchxml"]

_FETCH_ATTRIBUTES = frozenset(
    {
        "version",
        "count",
        "page",
        "paging-cookie",
        "top",
        "aggregate",
        "distinct",
        "mapping",
        "returntotalrecordcount",
        "no-lock",
        "output-format",
        "utc-offset",
        "latematerialize",
    }
)
_ALLOWED = {
    "entity": frozenset({"name"}),
    "attribute": frozenset({"name", "alias", "aggregate", "groupby", "distinct"}),
    "all-attributes": frozenset(),
    "order": frozenset({"attribute", "alias", "descending"}),
    "filter": frozenset({"type"}),
    "condition": frozenset({"attribute", "operator", "value", "entityname"}),
    "value": frozenset(),
}
_CHILDREN = {
    "fetch": frozenset({"entity"}),
    "entity": frozenset({"attribute", "all-attributes", "order", "filter", "link-entity"}),
    "filter": frozenset({"condition", "filter", "link-entity"}),
    "condition": frozenset({"value"}),
}


def _malformed(detail: str) -> errors.DataverseError:
    return errors.InvalidFetchXml(detail=detail)


def _check(element: ET.Element, allowed: frozenset[str]) -> None:
    if element.tag == "condition" and "valueof" in element.attrib:
        raise errors.InvalidQuery(
            "Column comparison (a condition with 'valueof') is not supported."
        )
    for name in element.attrib:
        if name not in allowed:
            raise _malformed(f"The '{name}' attribute is not declared on '{element.tag}'.")
    for child in element:
        if child.tag == "link-entity":
            raise errors.LinkEntitiesNotSupported()
        if child.tag not in _CHILDREN.get(element.tag, frozenset()):
            raise _malformed(
                f"The element '{element.tag}' has invalid child element '{child.tag}'."
            )
        _check(child, _ALLOWED[child.tag])


def _bool(element: ET.Element, name: str) -> bool:
    text = element.get(name, "false").strip().lower()
    if text not in ("true", "false", "1", "0"):
        raise _malformed(f"'{text}' is not a valid value for the '{name}' attribute.")
    return text in ("true", "1")


def _int(element: ET.Element, name: str) -> int | None:
    text = element.get(name)
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise _malformed(f"'{text}' is not a valid value for the '{name}' attribute.") from None


def _required(element: ET.Element, name: str) -> str:
    value = element.get(name)
    if not value:
        raise _malformed(f"The required attribute '{name}' is missing on '{element.tag}'.")
    return value


def _condition(element: ET.Element) -> Condition:
    if element.get("entityname"):
        raise errors.LinkEntitiesNotSupported()
    name = _required(element, "operator")
    operator = FETCH_OPERATORS.get(name)
    if operator is None:
        raise _malformed(f"'{name}' is not a valid value for the 'operator' attribute.")
    values: list[str] = [v.text or "" for v in element.findall("value")]
    if element.get("value") is not None:
        values.insert(0, element.get("value", ""))
    return Condition(_required(element, "attribute"), operator, tuple(values))


def _filter(element: ET.Element) -> FilterNode | None:
    kind = element.get("type", "and")
    if kind not in ("and", "or"):
        raise _malformed(f"'{kind}' is not a valid value for the 'type' attribute.")
    children: list[FilterNode] = []
    for child in element:
        node = _condition(child) if child.tag == "condition" else _filter(child)
        if node is not None:
            children.append(node)
    return Filter("and" if kind == "and" else "or", tuple(children)) if children else None


def _and(nodes: list[FilterNode]) -> FilterNode | None:
    if not nodes:
        return None
    return nodes[0] if len(nodes) == 1 else Filter("and", tuple(nodes))


def _aggregate_parts(
    attributes: list[ET.Element],
) -> tuple[tuple[AggregateColumn, ...], tuple[GroupByColumn, ...]]:
    aggregates: list[AggregateColumn] = []
    groups: list[GroupByColumn] = []
    for element in attributes:
        name, alias = _required(element, "name"), _required(element, "alias")
        if _bool(element, "groupby"):
            groups.append(GroupByColumn(alias, name))
            continue
        function = _required(element, "aggregate")
        if function not in FUNCTIONS:
            raise _malformed(f"'{function}' is not a valid value for the 'aggregate' attribute.")
        aggregates.append(AggregateColumn(alias, name, function, _bool(element, "distinct")))
    return tuple(aggregates), tuple(groups)


def _orders(entity: ET.Element) -> tuple[Order, ...]:
    orders = []
    for element in entity.findall("order"):
        target = element.get("attribute") or element.get("alias")
        if not target:
            raise _malformed("An order needs an 'attribute' or an 'alias'.")
        orders.append(Order(target, _bool(element, "descending")))
    return tuple(orders)


def _columns(entity: ET.Element) -> tuple[str, ...] | None:
    if entity.find("all-attributes") is not None:
        return None
    return tuple(dict.fromkeys(_required(a, "name") for a in entity.findall("attribute")))


def _query(root: ET.Element, entity: ET.Element) -> Query:
    aggregate = _bool(root, "aggregate")
    attributes = entity.findall("attribute")
    if not aggregate and any(a.get("aggregate") or a.get("groupby") for a in attributes):
        raise _malformed("An aggregate attribute needs aggregate='true' on the fetch element.")
    aggregates, groups = _aggregate_parts(attributes) if aggregate else ((), ())
    count, page = _int(root, "count"), _int(root, "page")
    return Query(
        table=_required(entity, "name"),
        columns=_columns(entity) if not aggregate else (),
        filter=_and([n for f in entity.findall("filter") if (n := _filter(f)) is not None]),
        orders=_orders(entity),
        top=_int(root, "top"),
        page_size=count if count is not None or page is None else None,
        page_number=page if page is not None else 1,
        paging_cookie=root.get("paging-cookie") or None,
        return_total_record_count=_bool(root, "returntotalrecordcount"),
        aggregates=aggregates,
        group_by=groups,
        distinct=_bool(root, "distinct"),
    )


def _metadata(org_or_metadata: Any) -> MetadataRegistry | None:
    if org_or_metadata is None or isinstance(org_or_metadata, MetadataRegistry):
        return org_or_metadata
    registry = getattr(org_or_metadata, "metadata", None)
    if isinstance(registry, MetadataRegistry):
        return registry
    raise TypeError("parse_fetchxml() takes an Organization, a MetadataRegistry or None")


def parse_fetchxml(org_or_metadata: Any, text: str) -> Query:
    """Parse FetchXML text and bind it to the organization's metadata (None: parse only).

    Raises:
        InvalidFetchXml: 0x80040303 for text that is not well-formed, valid FetchXML.
        LinkEntitiesNotSupported: 0x80048d0b for a ``link-entity``.
        InvalidQuery: 0x80044183 for a column comparison (``valueof``).
        EntityNotFound: 0x80040217 for an unknown table; the binding faults.
    """
    if not isinstance(text, str) or "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise _malformed("The FetchXml is not a well-formed XML document.")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        raise _malformed(f"The FetchXml is not a well-formed XML document: {error}.") from None
    if root.tag != "fetch":
        raise _malformed(f"The root element must be 'fetch', not '{root.tag}'.")
    entities = [child for child in root if child.tag == "entity"]
    if len(entities) != 1 or len(root) != 1:
        raise _malformed("The 'fetch' element must hold exactly one 'entity' element.")
    _check(root, _FETCH_ATTRIBUTES)
    query = _query(root, entities[0])
    registry = _metadata(org_or_metadata)
    if registry is None:
        return query
    table = registry.get(query.table)
    if table is None:
        raise errors.EntityNotFound(entity=query.table)
    return bind(table, query, values="text")
