"""An OpenAPI 3 document generated from the catalogue (served by the sandbox at /openapi.json)."""

from __future__ import annotations

from typing import Any

from .. import __version__
from .catalogue import APP_KEY, ENDPOINTS, BodyKind, Endpoint, ResultKind
from .models import Field, Schema
from .rules import Kind

_KIND_SCHEMA: dict[Kind, dict[str, Any]] = {
    Kind.STRING: {"type": "string"},
    Kind.INT64: {"type": "integer", "format": "int64"},
    Kind.INTEGER: {"type": "integer"},
    Kind.BOOLEAN: {"type": "boolean"},
    Kind.OBJECT: {"type": "object"},
    Kind.JSON: {},
}

_RESULT_SCHEMA: dict[ResultKind, dict[str, Any]] = {
    ResultKind.STRING: {"type": "string", "nullable": True},
    ResultKind.INT64: {"type": "integer", "format": "int64"},
    ResultKind.TOKEN: {"$ref": "#/components/schemas/TokenModel"},
    ResultKind.SCAN_RESULT: {"$ref": "#/components/schemas/UserQRCodeScanResult"},
    ResultKind.JSCONFIG: {"$ref": "#/components/schemas/WechatJSConfigResult"},
    ResultKind.JSON: {},
}


def field_schema(f: Field) -> dict[str, Any]:
    out = dict(_KIND_SCHEMA[f.kind])
    for rule in f.rules:
        out.update(rule.openapi())
    description = f"{f.en} / {f.zh}"
    if f.rules_en:
        description += f" ({f.rules_en})"
    out["description"] = description
    if f.example is not None:
        out["example"] = f.example
    return out


def schema_object(schema: Schema, *, open_ended: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "properties": {f.name: field_schema(f) for f in schema.fields},
    }
    required = [f.name for f in schema.fields if f.required]
    if required:
        out["required"] = required
    if open_ended:
        out["additionalProperties"] = True  # a JToken: WeChat members beyond the known ones pass through
    return out


def _envelope(data_schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["code"],
        "properties": {
            "code": {"type": "integer", "description": "200 = success; see the sandbox code table"},
            "data": data_schema,
            "error": {"type": "string", "nullable": True},
        },
    }


# An error carries no data (the provider's SDK types data per endpoint and could not read anything else)
# and lists the broken rules, when there are any, beside it.
_ERROR_ENVELOPE: dict[str, Any] = {
    "type": "object",
    "required": ["code", "data", "error"],
    "properties": {
        "code": {"type": "integer", "not": {"enum": [200]}, "description": "the error code; see the sandbox code table"},
        "data": {"type": "string", "nullable": True, "enum": [None], "description": "always null on errors"},
        "error": {"type": "string", "description": "bilingual text: field: rule / 中文"},
        "violations": {"type": "array", "items": {
            "type": "object",
            "required": ["field", "rule", "rule_zh"],
            "properties": {"field": {"type": "string"}, "rule": {"type": "string"}, "rule_zh": {"type": "string"}},
        }},
    },
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _request_body(ep: Endpoint) -> dict[str, Any]:
    assert ep.body is not None
    if ep.body_kind is BodyKind.MODEL:
        body_schema: dict[str, Any] = {"$ref": f"#/components/schemas/{ep.body.name}"}
    else:  # a JToken where WeChat takes an object: the object, or an array holding exactly that object
        target = schema_object(ep.body, open_ended=True)
        body_schema = {"oneOf": [target, {"type": "array", "items": target, "minItems": 1, "maxItems": 1}]}
    content: dict[str, Any] = {"schema": body_schema}
    if ep.example_body is not None:
        content["example"] = ep.example_body
    # No body at all is read as {}: only a body with required members is required.
    return {"required": any(f.required for f in ep.body.fields), "content": {"application/json": content}}


def _operation(ep: Endpoint) -> dict[str, Any]:
    params: list[dict[str, Any]] = [
        {"name": "appKey", "in": "path", "required": True, "schema": field_schema(APP_KEY)}
    ]
    params += [{"name": f.name, "in": "query", "required": f.required, "schema": field_schema(f)} for f in ep.query]
    op: dict[str, Any] = {
        "operationId": ep.id,
        "summary": f"{ep.name_zh} / {ep.name_en}",
        "description": f"{ep.summary_zh}\n\n{ep.summary_en}",
        "tags": [ep.group.value],
        "parameters": params,
        "responses": {
            "401": {"description": "missing or invalid bearer token", "content": _json(_ERROR_ENVELOPE)},
        },
    }
    if ep.body_kind is not BodyKind.NONE and ep.body is not None:
        op["requestBody"] = _request_body(ep)
    responses = op["responses"]
    if ep.result is ResultKind.IMAGE:
        binary = {"schema": {"type": "string", "format": "binary"}}
        responses["200"] = {"description": "the code: JPEG, or PNG when is_hyaline is true or Accept prefers PNG",
                            "content": {"image/jpeg": binary, "image/png": binary}}
    else:
        envelope = _envelope(_RESULT_SCHEMA[ep.result])
        if ep.error_status == 200:  # errors share HTTP 200 with the successes, per the contract
            responses["200"] = {"description": "an envelope: code 200 with data, or an error",
                                "content": _json({"anyOf": [envelope, _ERROR_ENVELOPE]})}
        else:
            responses["200"] = {"description": "an envelope with code 200", "content": _json(envelope)}
    if ep.error_status != 200:
        responses[str(ep.error_status)] = {"description": "refused: an error envelope", "content": _json(_ERROR_ENVELOPE)}
    return op


def build_openapi(server_url: str | None = None) -> dict[str, Any]:
    from . import models

    paths: dict[str, Any] = {}
    for ep in ENDPOINTS:
        paths.setdefault(ep.template, {})[ep.method.lower()] = _operation(ep)
    schemas = {s.name: schema_object(s) for s in (models.PRE_SIGN_IN, models.SCAN, models.SIGN_IN, models.SIGN_UP)}
    schemas["TokenModel"] = {"type": "object", "properties": {
        "access_token": {"type": "string"}, "token_type": {"type": "string"}, "expires_in": {"type": "integer"}}}
    schemas["UserQRCodeScanResult"] = {"type": "object", "properties": {
        "appID": {"type": "integer", "format": "int64"},
        **{n: {"type": "string", "nullable": True} for n in
           ("name", "logo", "website", "description", "tags", "scopes", "remark", "scheme")}}}
    schemas["WechatJSConfigResult"] = {"type": "object", "properties": {
        **{n: {"type": "string"} for n in ("noncestr", "timestamp", "signature", "appKey")},
        "jsApiList": {"type": "array", "items": {"type": "string"}}}}
    doc: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "服务商 - 微信 (qrlogin-desktop sandbox)", "version": __version__,
                 "description": "Generated from qrlogin-desktop's endpoint catalogue."},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc
