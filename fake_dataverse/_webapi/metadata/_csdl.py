"""The ``$metadata`` document: CSDL (OData 4.0 XML) generated from the tables' metadata."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from xml.sax.saxutils import quoteattr

from fake_dataverse._model._metadata import AttributeMetadata, AttributeTypeCode, EntityMetadata

__all__ = ["csdl"]

_BULK_ACTIONS = {
    "CreateMultiple": "mscrm.CreateMultipleResponse",
    "UpdateMultiple": None,
    "UpsertMultiple": None,
    "DeleteMultiple": None,
}
_CORE = "Org.OData.Core.V1"
_CAPABILITIES = "Org.OData.Capabilities.V1"
_VOCABULARIES = "https://oasis-tcs.github.io/odata-vocabularies/vocabularies/"


def _attr(name: str, value: str) -> str:
    return f"{name}={quoteattr(value)}"


def _property(attr: AttributeMetadata) -> list[str]:
    parts = [_attr("Name", attr.odata_name), _attr("Type", attr.attribute_type.edm_type)]
    if attr.is_read_only:
        return [
            f"<Property {' '.join(parts)}>",
            f'<Annotation Term="{_CORE}.Computed" Bool="true"/>',
            f'<Annotation Term="{_CORE}.Permissions"><EnumMember>{_CORE}.Permission/Read'
            "</EnumMember></Annotation>",
            "</Property>",
        ]
    return [f"<Property {' '.join(parts)}/>"]


def _partner(table: EntityMetadata, attr: AttributeMetadata) -> str:
    return attr.relationship_name or f"lk_{table.logical_name}_{attr.logical_name}"


def _navigation(
    attr: AttributeMetadata, table: EntityMetadata, target: EntityMetadata
) -> list[str]:
    return [
        f"<NavigationProperty {_attr('Name', attr.logical_name)} "
        f"{_attr('Type', 'mscrm.' + target.logical_name)} "
        f"{_attr('Partner', _partner(table, attr))}>",
        f"<ReferentialConstraint {_attr('Property', attr.odata_name)} "
        f"{_attr('ReferencedProperty', target.primary_id_attribute)}/>",
        "</NavigationProperty>",
    ]


def _lookups(
    tables: Mapping[str, EntityMetadata],
) -> Iterator[tuple[EntityMetadata, AttributeMetadata, EntityMetadata]]:
    """Yield (table, lookup column, target table) for every lookup between known tables."""
    for table in tables.values():
        for attr in table.attributes:
            if attr.attribute_type is AttributeTypeCode.LOOKUP and attr.targets[0] in tables:
                yield table, attr, tables[attr.targets[0]]


def _entity_type(table: EntityMetadata, tables: Mapping[str, EntityMetadata]) -> list[str]:
    lines = [
        f'<EntityType {_attr("Name", table.logical_name)} BaseType="mscrm.crmbaseentity">',
        f"<Key><PropertyRef {_attr('Name', table.primary_id_attribute)}/></Key>",
    ]
    for attr in table.attributes:
        if not attr.is_virtual:
            lines += _property(attr)
    for owner, attr, target in _lookups(tables):
        if owner is table:
            lines += _navigation(attr, table, target)
        if target is table:
            lines.append(
                f"<NavigationProperty {_attr('Name', _partner(owner, attr))} "
                f"{_attr('Type', f'Collection(mscrm.{owner.logical_name})')} "
                f"{_attr('Partner', attr.logical_name)}/>"
            )
    lines.append("</EntityType>")
    return lines


def _actions() -> list[str]:
    lines = [
        '<ComplexType Name="CreateMultipleResponse">',
        '<Property Name="Ids" Type="Collection(Edm.Guid)" Nullable="false"/>',
        "</ComplexType>",
    ]
    for name, returns in _BULK_ACTIONS.items():
        lines += [
            f'<Action Name="{name}" IsBound="true">',
            '<Parameter Name="entityset" Type="Collection(mscrm.crmbaseentity)" Nullable="false"/>',
            '<Parameter Name="Targets" Type="Collection(mscrm.crmbaseentity)" Nullable="false"/>',
        ]
        if returns is not None:
            lines.append(f'<ReturnType Type="{returns}" Nullable="false"/>')
        lines.append("</Action>")
    return lines


def _change_tracking(table: EntityMetadata) -> list[str]:
    """Return the entity set's ``ChangeTracking`` annotation (change-tracked tables only)."""
    if not table.change_tracking_enabled:
        return []
    return [
        f'<Annotation Term="{_CAPABILITIES}.ChangeTracking"><Record>'
        '<PropertyValue Property="Supported" Bool="true"/></Record></Annotation>'
    ]


def _entity_set(
    table: EntityMetadata, sets: dict[str, str], *, annotations: bool = False
) -> list[str]:
    lines = [
        f"<EntitySet {_attr('Name', table.entity_set_name)} "
        f"{_attr('EntityType', 'Microsoft.Dynamics.CRM.' + table.logical_name)}>"
    ]
    for attr in table.attributes:
        if attr.attribute_type is AttributeTypeCode.LOOKUP and attr.targets[0] in sets:
            lines.append(
                f"<NavigationPropertyBinding {_attr('Path', attr.logical_name)} "
                f"{_attr('Target', sets[attr.targets[0]])}/>"
            )
    if annotations:
        lines += _change_tracking(table)
    lines.append("</EntitySet>")
    return lines


def csdl(tables: Iterable[EntityMetadata], *, annotations: bool = False) -> str:
    """Return the CSDL document describing the tables, their keys, properties and actions.

    ``annotations`` (``$metadata?annotations=true``) adds the annotations Dataverse leaves out by
    default: ``Org.OData.Capabilities.V1.ChangeTracking`` on change-tracked entity sets.
    """
    tables = list(tables)
    sets = {t.logical_name: t.entity_set_name for t in tables}
    by_name = {t.logical_name: t for t in tables}
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">',
        f'<edmx:Reference Uri="{_VOCABULARIES}{_CORE}.xml"><edmx:Include Namespace="{_CORE}" '
        'Alias="Core"/></edmx:Reference>',
    ]
    if annotations:
        lines.append(
            f'<edmx:Reference Uri="{_VOCABULARIES}{_CAPABILITIES}.xml"><edmx:Include '
            f'Namespace="{_CAPABILITIES}" Alias="Capabilities"/></edmx:Reference>'
        )
    lines += [
        "<edmx:DataServices>",
        '<Schema Namespace="Microsoft.Dynamics.CRM" Alias="mscrm" '
        'xmlns="http://docs.oasis-open.org/odata/ns/edm">',
        '<EntityType Name="crmbaseentity" Abstract="true"/>',
    ]
    for table in tables:
        lines += _entity_type(table, by_name)
    lines += _actions()
    lines.append('<EntityContainer Name="System">')
    for table in tables:
        lines += _entity_set(table, sets, annotations=annotations)
    lines += ["</EntityContainer>", "</Schema>", "</edmx:DataServices>", "</edmx:Edmx>"]
    return "\n".join(lines)
