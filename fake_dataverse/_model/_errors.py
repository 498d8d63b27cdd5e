"""The catalogue of Dataverse faults: one exception class per fault, errors as data.

Each class carries the Dataverse error code (as the unsigned 32-bit value Dataverse prints in hex),
the HTTP status the Web API answers with, and a message template. The SDK surface raises these
directly (like ``FaultException<OrganizationServiceFault>``); the Web API serialises the same object
as ``{"error": {"code": "0x…", "message": "…"}}``. Nothing here knows about JSON or HTTP bodies.

Codes and messages: Microsoft Learn, "Web service error codes"
(powerapps-docs ``developer/data-platform/reference/web-service-error-codes.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

__all__ = [
    "DataverseError",
    "OrganizationServiceFault",
    "signed_code",
]


def signed_code(code: int) -> int:
    """Return the SDK's signed 32-bit ``ErrorCode`` for an unsigned Dataverse code."""
    return code - (1 << 32) if code >= (1 << 31) else code


@attrs.frozen
class OrganizationServiceFault:
    """The SDK fault detail: ``ErrorCode`` (signed), ``Message`` and ``ErrorDetails``."""

    error_code: int
    message: str
    error_details: Mapping[str, Any] = attrs.field(factory=dict)


class _SafeFormat(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _printable(value: Any) -> Any:
    """Return a field as it can be printed: Python refuses to print an integer of more than
    4,300 digits (only a Python caller can send one; .NET has none)."""
    if isinstance(value, int) and value.bit_length() > 14_000:
        return f"<an integer of about {int(value.bit_length() * 0.30103)} digits>"
    return value


class DataverseError(Exception):
    """The root of every fault the fake raises; carries a Dataverse error code.

    Subclasses set ``code`` (unsigned), ``http_status`` and ``template``; the message is the
    template formatted with the keyword arguments, or ``message`` when one is given.
    """

    code: ClassVar[int] = 0x80040216
    http_status: ClassVar[int] = 500
    template: ClassVar[str] = "An unexpected error occurred."

    def __init__(
        self,
        message: str | None = None,
        *,
        error_details: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> None:
        printable = _SafeFormat({name: _printable(value) for name, value in fields.items()})
        text = message if message is not None else self.template.format_map(printable)
        super().__init__(text)
        self.message: str = text
        self.fields: dict[str, Any] = dict(fields)
        self.error_details: dict[str, Any] = dict(error_details or {})

    @property
    def error_code(self) -> int:
        """Return the SDK's signed error code (e.g. -2147185406)."""
        return signed_code(self.code)

    @property
    def hex_code(self) -> str:
        """Return the code as the Web API prints it (``0x80048d02``)."""
        return f"0x{self.code:08x}" if self.code else "0x0"

    @property
    def detail(self) -> OrganizationServiceFault:
        """Return the SDK-style fault detail."""
        return OrganizationServiceFault(self.error_code, self.message, dict(self.error_details))

    def with_details(self, **details: Any) -> DataverseError:
        """Return a copy of this error with extra ``error_details`` entries."""
        clone = type(self)(self.message, error_details={**self.error_details, **details})
        clone.fields = dict(self.fields)
        return clone

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.hex_code}, {self.message!r})"


# ---- records and keys --------------------------------------------------------------------------
class RecordNotFound(DataverseError):
    """Dataverse fault RecordNotFound (0x80048d02)."""

    code = 0x80048D02
    http_status = 404
    template = (
        "The HTTP status code of the response was not expected (404).\n\nStatus: 404\nResponse:\n"
        '{{"error":{{"message":"Could not find item \'{id}\'.",'
        '"details":[{{"message":"\\r\\nErrors : '
        '[\\r\\n  \\"Resource Not Found. Learn more: https://aka.ms/cosmosdb-tsg-not-found\\"\\r\\n]'
        '\\r\\n"}}]}}}}'
    )


class ObjectDoesNotExist(DataverseError):
    """Dataverse fault ObjectDoesNotExist (0x80040217)."""

    code = 0x80040217
    http_status = 404
    template = "{entity} With Id = {id} Does Not Exist"


class DuplicateRecord(DataverseError):
    """Dataverse fault DuplicateRecord (0x80040237)."""

    code = 0x80040237
    http_status = 412
    template = "A record with matching key values already exists."


class DuplicateRecordEntityKey(DataverseError):
    """Dataverse fault DuplicateRecordEntityKey (0x80060892): alternate-key values are taken."""

    code = 0x80060892
    http_status = 412
    template = (
        "Entity Key {key} violated. A record with the same value for {attributes} already exists. "
        "A duplicate record cannot be created. Select one or more unique values and try again."
    )


class EntityKeyNotDefined(DataverseError):
    """Dataverse fault EntityKeyNotDefined (0x80060890): the names form no key of the table."""

    code = 0x80060890
    http_status = 400
    template = "The specified key attributes are not a defined key for the {entity} entity"


class RecordNotFoundByEntityKey(DataverseError):
    """Dataverse fault RecordNotFoundByEntityKey (0x80060891): no row holds the key's values."""

    code = 0x80060891
    http_status = 404
    template = "A record with the specified key values does not exist in {entity} entity"


class ConcurrencyVersionMismatch(DataverseError):
    """Dataverse fault ConcurrencyVersionMismatch (0x80060882)."""

    code = 0x80060882
    http_status = 412
    template = "The version of the existing record doesn't match the RowVersion property provided."


class ConcurrencyVersionNotProvided(DataverseError):
    """Dataverse fault ConcurrencyVersionNotProvided (0x80060883)."""

    code = 0x80060883
    http_status = 400
    template = (
        "The RowVersion property must be provided when the value of ConcurrencyBehavior is "
        "IfVersionMatches."
    )


# ---- payload validation ------------------------------------------------------------------------
class InvalidAttribute(DataverseError):
    """Dataverse fault InvalidAttribute (0x8005e009)."""

    code = 0x8005E009
    http_status = 400
    template = "Attribute {name} cannot be found for entity {entity}."


class InvalidPropertyInODataRequestBody(DataverseError):
    """Dataverse fault InvalidPropertyInODataRequestBody (0x80090801)."""

    code = 0x80090801
    http_status = 400
    template = "Invalid property '{name}' was found in entity 'Microsoft.Dynamics.CRM.{entity}'."


class ODataClientPayloadError(DataverseError):
    """Dataverse fault ODataClientPayloadError (0x80048d19)."""

    code = 0x80048D19
    http_status = 400
    template = (
        "Error identified in Payload provided by the user for Entity :'{entity_set}', For more "
        "information on this error please follow this help link "
        "https://go.microsoft.com/fwlink/?linkid=2195293  ---->  InnerException : {inner}"
    )


class IncorrectAttributeValueType(DataverseError):
    """Dataverse fault IncorrectAttributeValueType (0x80040203)."""

    code = 0x80040203
    http_status = 400
    template = "Incorrect attribute value type {type} for attribute '{name}'."


class NonUpdateableField(DataverseError):
    """Dataverse fault NonUpdateableField (0x80041100)."""

    code = 0x80041100
    http_status = 400
    template = "An attempt was made to update a non-updateable field. Attribute: '{name}'."


class RequiredAttributeMissing(DataverseError):
    """Dataverse fault RequiredAttributeMissing (0x80040203)."""

    code = 0x80040203
    http_status = 400
    template = "Invalid argument. The attribute '{name}' is required for entity '{entity}'."


class StringLengthTooLong(DataverseError):
    """Dataverse fault StringLengthTooLong (0x80044331)."""

    code = 0x80044331
    http_status = 400
    template = (
        "A validation error occurred. The length of the '{name}' attribute of the "
        "'{entity}' entity "
        "exceeded the maximum allowed length of '{max_length}'."
    )


class IntegerValueOutOfRange(DataverseError):
    """Dataverse fault IntegerValueOutOfRange (0x8004432f)."""

    code = 0x8004432F
    http_status = 400
    template = (
        "A validation error occurred. The value {value} of '{name}' on record of type "
        "'{entity}' is "
        "outside the valid range. Accepted Values: {min_value} to {max_value}."
    )


class PicklistValueOutOfRange(DataverseError):
    """Dataverse fault PicklistValueOutOfRange (0x8004431a)."""

    code = 0x8004431A
    http_status = 400
    template = (
        "A validation error occurred. The value {value} of '{name}' on record of type "
        "'{entity}' is "
        "outside the valid range. Accepted Values: {accepted}."
    )


class InvalidStateCodeStatusCode(DataverseError):
    """Dataverse fault InvalidStateCodeStatusCode (0x80048408)."""

    code = 0x80048408
    http_status = 400
    template = (
        "State code is invalid or state code is valid but status code is invalid for a "
        "specified state code."
    )


class InvalidDateTime(DataverseError):
    """Dataverse fault InvalidDateTime (0x80040239)."""

    code = 0x80040239
    http_status = 400
    template = "The date-time format is invalid, or value is outside the supported range."


class InvalidArgument(DataverseError):
    """Dataverse fault InvalidArgument (0x80040203)."""

    code = 0x80040203
    http_status = 400
    template = "Invalid argument."


# ---- security ----------------------------------------------------------------------------------
class PrivilegeDenied(DataverseError):
    """Dataverse fault PrivilegeDenied (0x80040220)."""

    code = 0x80040220
    http_status = 403
    template = (
        "Principal user (Id={user_id}, type=8) is missing {privilege} privilege "
        "(Id={privilege_id}) on OTC={otc} for entity '{entity}'."
    )


class InvalidCallerId(DataverseError):
    """Dataverse fault InvalidCallerId (0x80048d1a)."""

    code = 0x80048D1A
    http_status = 400
    template = (
        "CallerId provided for impersonation is invalid. Provided CallerId is either NULL or empty "
        "string"
    )


class CallerNotFound(DataverseError):
    """Dataverse fault CallerNotFound (0x80040217)."""

    code = 0x80040217
    http_status = 404
    template = "systemuser With Id = {id} Does Not Exist"


# ---- messages ----------------------------------------------------------------------------------
class MessageNotSupported(DataverseError):
    """Dataverse fault MessageNotSupported (0x80040315)."""

    code = 0x80040315
    http_status = 405
    template = "The '{request}' method does not support entities of type '{entity}'."


class DeleteMultipleNotImplemented(DataverseError):
    """DeleteMultiple on a standard table (0x80040219): it exists for elastic tables only."""

    code = 0x80040219
    http_status = 501
    template = "DeleteMultiple has not yet been implemented."


class UnknownMessage(DataverseError):
    """Dataverse fault UnknownMessage (0x80040219)."""

    code = 0x80040219
    http_status = 501
    template = (
        "Request '{request}' is not a valid message. The requested functionality is not yet "
        "implemented."
    )


class EntityNotFound(DataverseError):
    """Dataverse fault EntityNotFound (0x80040217)."""

    code = 0x80040217
    http_status = 404
    template = "Could not find an entity with the logical name '{entity}'."


class LinkEntitiesNotSupported(DataverseError):
    """Dataverse fault LinkEntitiesNotSupported (0x80048d0b)."""

    code = 0x80048D0B
    http_status = 400
    template = "Link entities are not supported"


# ---- queries and change tracking ---------------------------------------------------------------
class QueryBuilderNoAttribute(DataverseError):
    """Dataverse fault QueryBuilderNoAttribute (0x80041103)."""

    code = 0x80041103
    http_status = 400
    template = (
        "'{entity}' entity doesn't contain attribute with Name = '{name}' and NameMapping = "
        "'Logical'."
    )


class InvalidQuery(DataverseError):
    """Dataverse fault InvalidQuery (0x80044183)."""

    code = 0x80044183
    http_status = 400
    template = "The query specified for this operation is invalid"


class InvalidFetchXml(DataverseError):
    """Dataverse fault InvalidFetchXml (0x80040303)."""

    code = 0x80040303
    http_status = 400
    template = "Malformed FetchXml. {detail}"


class InvalidPagingCookie(DataverseError):
    """Dataverse fault InvalidPagingCookie (0x8004112a)."""

    code = 0x8004112A
    http_status = 400
    template = "Invalid page number in paging cookie."


class OverRetrievalUpperLimitWithoutPagingCookie(DataverseError):
    """Dataverse fault OverRetrievalUpperLimitWithoutPagingCookie (0x8004430a)."""

    code = 0x8004430A
    http_status = 400
    template = (
        "Over upper limit of records that can be requested without a paging cookie. "
        "A paging cookie is required when retrieving a high page number."
    )


class OrderByColumnsMustBeUnique(DataverseError):
    """Dataverse fault OrderByColumnsMustBeUnique (0x80048d16)."""

    code = 0x80048D16
    http_status = 400
    template = (
        "A column has been specified more than once in the order by list. "
        "Columns in the order by list must be unique."
    )


class ValueGreaterThanZero(DataverseError):
    """Dataverse fault ValueGreaterThanZero (0x8004110c)."""

    code = 0x8004110C
    http_status = 400
    template = "A value greater than zero must be specified."


class AggregateQueryRecordLimitExceeded(DataverseError):
    """Dataverse fault AggregateQueryRecordLimitExceeded (0x8004e023)."""

    code = 0x8004E023
    http_status = 400
    template = "The maximum record limit is exceeded. Reduce the number of records."


class ExpiredVersionStamp(DataverseError):
    """Dataverse fault ExpiredVersionStamp (0x80044352)."""

    code = 0x80044352
    http_status = 400
    template = "Version stamp associated with the client has expired. Please perform a full sync."


class ChangeTrackingNotEnabled(DataverseError):
    """Dataverse fault ChangeTrackingNotEnabled (0x80072491)."""

    code = 0x80072491
    http_status = 400
    template = "Entity {entity} isn't enabled for change tracking."


# ---- Web API protocol --------------------------------------------------------------------------
class ResourceNotFound(DataverseError):
    """Dataverse fault ResourceNotFound (0x8006088a)."""

    code = 0x8006088A
    http_status = 404
    template = "Resource not found for the segment '{segment}'."


class ODataError(DataverseError):
    """Dataverse fault ODataError (0x0)."""

    code = 0x0
    http_status = 400
    template = "{detail}"


# ---- service protection ------------------------------------------------------------------------
class RequestsLimitExceeded(DataverseError):
    """Dataverse fault RequestsLimitExceeded (0x80072322)."""

    code = 0x80072322
    http_status = 429
    template = "Number of requests exceeded the limit of 6000 over time window of 300 seconds."


class ExecutionTimeLimitExceeded(DataverseError):
    """Dataverse fault ExecutionTimeLimitExceeded (0x80072321)."""

    code = 0x80072321
    http_status = 429
    template = (
        "Combined execution time of incoming requests exceeded limit of 1,200,000 "
        "milliseconds over "
        "time window of 300 seconds. Decrease number of concurrent requests or reduce the duration "
        "of requests and try again later."
    )


class ConcurrentRequestsLimitExceeded(DataverseError):
    """Dataverse fault ConcurrentRequestsLimitExceeded (0x80072326)."""

    code = 0x80072326
    http_status = 429
    template = "Number of concurrent requests exceeded the limit of 52."


# ---- Web API protocol (HTTP layer) -------------------------------------------------------------
class MethodNotAllowed(DataverseError):
    """Dataverse fault MethodNotAllowed (0x80060888): an HTTP method the resource does not take."""

    code = 0x80060888
    http_status = 405
    template = "The requested resource does not support http method '{method}'."


class NoHttpResource(DataverseError):
    """Web API fault for an operation called with the wrong HTTP method (code ``""``)."""

    code = 0x0
    http_status = 404
    template = "No HTTP resource was found that matches the request URI '{uri}'."

    @property
    def hex_code(self) -> str:
        """Return the empty code the Web API sends for this fault."""
        return ""


class Unauthorized(DataverseError):
    """Web API answer to a request without a bearer token (HTTP 401, no error body)."""

    code = 0x80040220
    http_status = 401
    template = "The request needs an 'Authorization: Bearer <token>' header."
