"""The read API of the Logboek Dataverwerkingen standard ("LDV lezen API" 1.1.0):
``POST /v1/gemeenten/{gemeente}/processing-activities``.

This endpoint speaks the standard's own contract, in English, because it *is* a standard API:
a party that reads logbooks of several organisations sends the same body and reads the same
answer everywhere. The body filters on ``traceId``, ``startTime``, ``endTime`` and any
``dpl.core.*`` attribute (at least one); the answer is ``{"processingActivities": [...]}`` with
the records the export gives (camelCase), errors are problem+json, and every answer carries
``API-Version``. What the standard leaves to the implementer is ours: pagination (query
``limit`` and ``after``, the next page's cursor in ``metadata.next`` and a ``Link`` header) and
authorisation: the role ``fg`` reads the municipality's log; a ``medewerker`` only on a
person's access request (query ``verzoek``, the request's reference; the body filters on the
person's ``dpl.core.data_subject_id``), and that read is logged (R36).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, post
from litestar.params import Body, FromPath, QueryParameter
from litestar.types import ControllerRouterHandler

from wams.service import roles
from wams.service.http import GEMEENTE, denied, principal_of, wams_of

OPERATION = "processingActivities"
PATH = f"{GEMEENTE}/processing-activities"
#: who may read which way: fg everything, medewerker a person's access request
EVERYTHING = frozenset({"fg"})
ON_REQUEST = frozenset({"medewerker"})

_HEX = {"type": "string"}
_TIME = {"type": "string", "format": "date-time",
         "description": "Tijdstip in RFC 3339, bijvoorbeeld 2027-02-01T09:00:00.000Z"}
_ATTRIBUTES = {
    "dpl.core.processing_activity_id": {
        "type": "string", "description": "URI van de verwerkingsactiviteit in het register"},
    "dpl.core.data_subject_id": {
        "type": "string", "description": "Gepseudonimiseerde identificatie van de betrokkene"},
    "dpl.core.data_subject_id_type": {"type": "string"},
    "dpl.core.foreign_operation.processor": {
        "type": "string", "description": "URL van de aanroepende applicatie"},
}
SCHEMAS: dict[str, Any] = {
    "ProcessingActivityRequest": {
        "type": "object", "minProperties": 1, "additionalProperties": False,
        "description": "Minstens één filter (LDV lezen 1.1.0).",
        "properties": {"traceId": {**_HEX, "pattern": "^[0-9a-fA-F-]{32,36}$"},
                       "startTime": _TIME, "endTime": _TIME, **_ATTRIBUTES}},
    "ProcessingActivity": {
        "type": "object", "description": "Een record van het Logboek Dataverwerkingen 1.0.0.",
        "required": ["traceId", "spanId", "status", "name", "startTime", "endTime",
                     "attributes"],
        "properties": {
            "traceId": {**_HEX, "pattern": "^[0-9a-f]{32}$"},
            "spanId": {**_HEX, "pattern": "^[0-9a-f]{16}$"},
            "parentSpanId": {**_HEX, "pattern": "^[0-9a-f]{16}$"},
            "status": {"type": "string", "enum": ["Unset", "Ok", "Error"]},
            "name": {"type": "string"}, "startTime": _TIME, "endTime": _TIME,
            "resource": {"type": "object", "properties": {"attributes": {"type": "object"}}},
            "attributes": {"type": "object", "properties": {
                **_ATTRIBUTES, "dpl.read.externalReadAPI_id": {"type": "string"}}}}},
    "ListProcessingActivities": {
        "type": "object", "required": ["processingActivities"],
        "properties": {
            "metadata": {"type": "object", "properties": {
                "logbookId": {"type": "string"}, "organizationName": {"type": "string"},
                "next": {"oneOf": [{"type": "string"}, {"type": "null"}],
                         "description": "De cursor van de volgende pagina (after), of null."}}},
            "processingActivities": {"type": "array", "items": {
                "$ref": "#/components/schemas/ProcessingActivity"}}}},
}


@post(PATH, operation_id=OPERATION, sync_to_thread=True, status_code=200,
      tags=["privacy"], summary="Het verwerkingslog lezen (LDV lezen API 1.1.0)")
def processing_activities(
        request: Request[Any, Any, Any], gemeente: FromPath[str],
        data: Annotated[dict[str, Any], Body(description="Filters (minstens één).")],
        limit: Annotated[int, QueryParameter(
            name="limit", required=False, ge=1, le=1000,
            description="Hoeveel records per pagina (1 tot en met 1000).")] = 100,
        after: Annotated[str | None, QueryParameter(
            name="after", required=False,
            description="De cursor uit metadata.next van de vorige pagina.")] = None,
        verzoek: Annotated[str | None, QueryParameter(
            name="verzoek", required=False,
            description="Het kenmerk van het inzageverzoek van de betrokkene (AVG art. 15); "
                        "verplicht buiten de rol fg.")] = None,
) -> Response[dict[str, Any]]:
    principal = principal_of(request, gemeente)
    if principal.role not in EVERYTHING | ON_REQUEST:
        raise denied(roles.DENIED, "raadplegen")
    w = wams_of(request)
    records, following = w.processing_activities(
        gemeente, data, actor=principal.actor, after=after, limit=limit, verzoek=verzoek,
        everything=principal.role in EVERYTHING)
    name = w.setting(gemeente, "gemeente_naam")
    body = {"metadata": {"logbookId": f"wams:{gemeente}",
                         "organizationName": f"Gemeente {name}" if name else
                         f"Gemeente {gemeente}", "next": following},
            "processingActivities": records}
    headers = {}
    if following is not None:
        headers["Link"] = f'<{request.url.path}?limit={limit}&after={following}>; rel="next"'
    return Response(body, headers=headers)


def document(op: dict[str, Any], components: dict[str, Any]) -> None:
    """The standard's request and answer schemas in the OpenAPI document (the handler takes
    a free mapping, because the standard's keys (``dpl.core.*``) are no Python names)."""
    components.setdefault("schemas", {}).update(SCHEMAS)
    op["requestBody"] = {"required": True, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/ProcessingActivityRequest"}}}}
    ok = op["responses"]["200"]
    ok["content"] = {"application/json": {
        "schema": {"$ref": "#/components/schemas/ListProcessingActivities"}}}


def handlers() -> list[ControllerRouterHandler]:
    return [processing_activities]
