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
            "401": {"description": "missing or invalid bearer token",
                    "content": {"application/json": {"schema": _envelope({"nullable": True})}}},
        },
    }
    if ep.body_kind is not BodyKind.NONE and ep.body is not None:
        if ep.body_kind is BodyKind.MODEL:
            body_schema = {"$ref": f"#/components/schemas/{ep.body.name}"}
        else:
            body_schema = {"oneOf": [schema_object(ep.body, open_ended=True), {"type": "array", "items": {}}]}
        content: dict[str, Any] = {"schema": body_schema}
        if ep.example_body is not None:
            content["example"] = ep.example_body
        op["requestBody"] = {"required": True, "content": {"application/json": content}}
    ok_content: dict[str, Any]
    if ep.result is ResultKind.IMAGE:
        ok_content = {
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": _envelope({"nullable": True})},
        }
    else:
        ok_content = {"application/json": {"schema": _envelope(_RESULT_SCHEMA[ep.result])}}
    op["responses"]["200"] = {"description": "an envelope (or, for mini-program codes, the image)", "content": ok_content}
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
