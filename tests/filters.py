"""Filter trees in one spelling, so trees from two front ends can be compared for equality."""

from __future__ import annotations

from fake_dataverse._query._model import Condition, Filter, FilterNode, Not
from fake_dataverse._query._model import ConditionOperator as Op

NEGATED = {
    Op.NOT_LIKE: Op.LIKE,
    Op.DOES_NOT_BEGIN_WITH: Op.BEGINS_WITH,
    Op.DOES_NOT_END_WITH: Op.ENDS_WITH,
}


def canonical(node: FilterNode) -> FilterNode:
    """Spell negated string operators with ``not``, flatten chains, unwrap one-child filters."""
    if isinstance(node, Not):
        return Not(canonical(node.child))
    if isinstance(node, Condition):
        if node.operator in NEGATED:
            return Not(Condition(node.attribute, NEGATED[node.operator], node.values))
        return node
    children: list[FilterNode] = []
    for child in map(canonical, node.children):
        if isinstance(child, Filter) and child.operator == node.operator:
            children.extend(child.children)
        else:
            children.append(child)
    return children[0] if len(children) == 1 else Filter(node.operator, tuple(children))
