"""Table definitions as the Web API's ``EntityDefinitions`` serves them, built from metadata.

One writer per column type (registered) adds the type's own properties (``MaxLength``,
``MinValue``, ``OptionSet``, ``Targets``…) to the common ``AttributeMetadata`` properties.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from fake_dataverse._model._metadata import (
    AttributeMetadata,
    AttributeTypeCode,
    EntityMetadata,
    MetadataRegistry,
)

__all__ = [
    "attribute_definition",
    "entity_definition",
    "key_definitions",
    "label",
    "relationship_definitions",
]

_NAMESPACE = uuid.UUID("9d0b8a0e-3c36-4f57-b8a4-0d6f0b7d2e51")
_LANGUAGE = 1033
TYPE_PREFIX = "Microsoft.Dynamics.CRM."


def _id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, ":".join(parts)))


def label(text: str, owner: str) -> dict[str, Any]:
    """Return a ``Label`` (``LocalizedLabels`` + ``UserLocalizedLabel``) in English."""
    if not text:
        return {"LocalizedLabels": [], "UserLocalizedLabel": None}
    localized = {
        "Label": text,
        "LanguageCode": _LANGUAGE,
        "IsManaged": True,
        "MetadataId": _id("label", owner, text),
        "HasChanged": None,
    }
    return {"LocalizedLabels": [localized], "UserLocalizedLabel": dict(localized)}


@attrs.frozen
class _TypeInfo:
    odata_type: str
    type_name: str
    extra: Callable[[EntityMetadata, AttributeMetadata], dict[str, Any]]


_TYPES: dict[AttributeTypeCode, _TypeInfo] = {}


def describes(
    type_code: AttributeTypeCode, odata_type: str, type_name: str
) -> Callable[
    [Callable[[EntityMetadata, AttributeMetadata], dict[str, Any]]],
    Callable[[EntityMetadata, AttributeMetadata], dict[str, Any]],
]:
    """Register the metadata class and the extra properties of a column type."""

    def decorate(
        extra: Callable[[EntityMetadata, AttributeMetadata], dict[str, Any]],
    ) -> Callable[[EntityMetadata, AttributeMetadata], dict[str, Any]]:
        _TYPES[type_code] = _TypeInfo(odata_type, type_name, extra)
        return extra

    return decorate


@describes(AttributeTypeCode.STRING, "StringAttributeMetadata", "StringType")
@describes(AttributeTypeCode.MEMO, "MemoAttributeMetadata", "MemoType")
def _text(table: EntityMetadata, attr: AttributeMetadata) -> dict[str, Any]:
    return {
        "MaxLength": attr.max_length,
        "DatabaseLength": (attr.max_length or 0) * 2,
        "FormatName": {"Value": attr.format or "Text"},
    }


@describes(AttributeTypeCode.INTEGER, "IntegerAttributeMetadata", "IntegerType")
@describes(AttributeTypeCode.BIGINT, "BigIntAttributeMetadata", "BigIntType")
def _number(table: EntityMetadata, attr: AttributeMetadata) -> dict[str, Any]:
    return {"MinValue": attr.min_value, "MaxValue": attr.max_value, "Format": attr.format or "None"}


@describes(AttributeTypeCode.DATETIME, "DateTimeAttributeMetadata", "DateTimeType")
def _moment(table: EntityMetadata, attr: AttributeMetadata) -> dict[str, Any]:
    return {
        "Format": attr.format or "DateAndTime",
        "DateTimeBehavior": {"Value": attr.date_time_behavior or "UserLocal"},
        "MinSupportedValue": "1753-01-01T00:00:00Z",
        "MaxSupportedValue": "9999-12-30T23:59:59Z",
    }


@describes(AttributeTypeCode.PICKLIST, "PicklistAttributeMetadata", "PicklistType")
def _choice(table: EntityMetadata, attr: AttributeMetadata) -> dict[str, Any]:
    return {"DefaultFormValue": attr.default_value}


@describes(AttributeTypeCode.LOOKUP, "LookupAttributeMetadata", "LookupType")
def _lookup(table: EntityMetadata, attr: AttributeMetadata) -> dict[str, Any]:
    return {"Targets": list(attr.targets)}


@describes(
    AttributeTypeCode.UNIQUEIDENTIFIER, "UniqueIdentifierAttributeMetadata", "UniqueidentifierType"
)
@describes(AttributeTypeCode.BOOLEAN, "BooleanAttributeMetadata", "BooleanType")
def _plain(table: EntityMetadata, attr: AttributeMetadata) -> dict[str, Any]:
    return {}


def odata_type_of(attr: AttributeMetadata) -> str:
    """Return the metadata class name of a column (``PicklistAttributeMetadata``)."""
    return _TYPES[attr.attribute_type].odata_type


def option_set(table: EntityMetadata, attr: AttributeMetadata) -> dict[str, Any]:
    """Return a choice column's ``OptionSet`` (local options with their labels)."""
    owner = f"{table.logical_name}.{attr.logical_name}"
    options: list[dict[str, Any]] = [
        {
            "Value": option.value,
            "Label": label(option.label, f"{owner}.{option.value}"),
            "Description": label("", owner),
            "Color": None,
            "IsManaged": True,
            "ExternalValue": None,
            "ParentValues": [],
            "MetadataId": None,
            "HasChanged": None,
            **({"State": option.state} if option.state is not None else {}),
        }
        for option in attr.options
    ]
    return {
        "MetadataId": _id("optionset", owner),
        "Name": f"{table.logical_name}_{attr.logical_name}",
        "IsGlobal": False,
        "OptionSetType": "Picklist",
        "Options": options,
    }


def attribute_definition(table: EntityMetadata, attr: AttributeMetadata) -> dict[str, Any]:
    """Return one column's ``AttributeMetadata`` object."""
    info = _TYPES[attr.attribute_type]
    owner = f"{table.logical_name}.{attr.logical_name}"
    body: dict[str, Any] = {
        "@odata.type": f"#{TYPE_PREFIX}{info.odata_type}",
        "MetadataId": str(attr.metadata_id),
        "LogicalName": attr.logical_name,
        "SchemaName": attr.schema_name or attr.logical_name,
        "EntityLogicalName": table.logical_name,
        "AttributeType": attr.attribute_type.value,
        "AttributeTypeName": {"Value": info.type_name},
        "AttributeOf": attr.attribute_of,
        "IsPrimaryId": attr.logical_name == table.primary_id_attribute,
        "IsPrimaryName": attr.logical_name == table.primary_name_attribute,
        "IsValidForCreate": attr.is_valid_for_create,
        "IsValidForUpdate": attr.is_valid_for_update,
        "IsValidForRead": attr.is_valid_for_read,
        "IsCustomAttribute": False,
        "IsLogical": attr.is_virtual,
        "RequiredLevel": {
            "Value": attr.required_level.value,
            "CanBeChanged": False,
            "ManagedPropertyLogicalName": "canmodifyrequirementlevelsettings",
        },
        "DisplayName": label(attr.display_name, owner),
        "Description": label(attr.description, owner + ".description"),
    }
    body.update(info.extra(table, attr))
    return body


def entity_definition(table: EntityMetadata) -> dict[str, Any]:
    """Return a table's ``EntityMetadata`` object (without its navigation collections)."""
    return {
        "MetadataId": str(table.metadata_id),
        "LogicalName": table.logical_name,
        "SchemaName": table.schema_name or table.logical_name,
        "EntitySetName": table.entity_set_name,
        "LogicalCollectionName": table.entity_set_name,
        "CollectionSchemaName": (table.schema_name or table.logical_name) + "s",
        "PrimaryIdAttribute": table.primary_id_attribute,
        "PrimaryNameAttribute": table.primary_name_attribute,
        "PrimaryImageAttribute": None,
        "ObjectTypeCode": table.object_type_code,
        "TableType": table.table_type,
        "OwnershipType": table.ownership_type,
        "IsActivity": False,
        "IsCustomEntity": False,
        "IsPrivate": False,
        "IsIntersect": False,
        "IsValidForAdvancedFind": True,
        "ChangeTrackingEnabled": table.change_tracking_enabled,
        "IsOptimisticConcurrencyEnabled": True,
        "DisplayName": label(table.display_name, table.logical_name),
        "DisplayCollectionName": label(
            table.display_collection_name, table.logical_name + ".collection"
        ),
        "Description": label("", table.logical_name + ".description"),
    }


def key_definitions(table: EntityMetadata) -> list[dict[str, Any]]:
    """Return a table's alternate keys (``EntityKeyMetadata``)."""
    return [
        {
            "MetadataId": _id("key", table.logical_name, key.logical_name),
            "SchemaName": key.schema_name,
            "LogicalName": key.logical_name,
            "KeyAttributes": list(key.key_attributes),
            "EntityLogicalName": table.logical_name,
            "DisplayName": label(key.display_name, key.logical_name),
            "EntityKeyIndexStatus": "Active",
        }
        for key in table.keys
    ]


def _relationship(table: EntityMetadata, attr: AttributeMetadata, target: str) -> dict[str, Any]:
    name = attr.relationship_name or f"lk_{table.logical_name}_{attr.logical_name}"
    return {
        "MetadataId": _id("relationship", name),
        "SchemaName": name,
        "RelationshipType": "OneToManyRelationship",
        "ReferencedEntity": target,
        "ReferencedAttribute": f"{target}id",
        "ReferencingEntity": table.logical_name,
        "ReferencingAttribute": attr.logical_name,
        "ReferencedEntityNavigationPropertyName": name,
        "ReferencingEntityNavigationPropertyName": attr.logical_name,
        "IsCustomRelationship": False,
    }


def _lookups(
    tables: Iterable[EntityMetadata],
) -> Iterable[tuple[EntityMetadata, AttributeMetadata]]:
    for table in tables:
        for attr in table.attributes:
            if attr.attribute_type is AttributeTypeCode.LOOKUP:
                yield table, attr


def relationship_definitions(
    registry: MetadataRegistry, table: EntityMetadata, side: str
) -> list[dict[str, Any]]:
    """Return a table's ``ManyToOneRelationships`` or ``OneToManyRelationships``."""
    if side == "ManyToOneRelationships":
        return [
            _relationship(table, attr, target)
            for owner, attr in _lookups([table])
            for target in attr.targets
        ]
    if side == "OneToManyRelationships":
        return [
            _relationship(owner, attr, table.logical_name)
            for owner, attr in _lookups(registry)
            if table.logical_name in attr.targets
        ]
    return []
