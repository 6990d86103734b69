"""An OpenAPI 3 document generated from the catalogue (served by the sandbox at /openapi.json).

It states what the sandbox really does: every HTTP status it sends, error envelopes beside the successes,
every body it accepts. tests/sandbox/test_schemathesis.py holds the sandbox to it.
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from .catalogue import APP_KEY, ENDPOINTS, BodyKind, Endpoint, ResultKind
from .models import (
    JSON_BODY_MEDIA_TYPES,
    Field,
    QRCodePreSignInRequest,
    QRCodeScanRequest,
    QRCodeSignInRequest,
    QRCodeSignUpRequest,
    Schema,
    TokenModel,
    UserQRCodeScanResult,
    WechatJSConfigResult,
)
from .rules import INT64_DECIMAL_PATTERN, Kind

_KIND_SCHEMA: dict[Kind, dict[str, Any]] = {
    Kind.STRING: {"type": "string"},
    # a JSON number, or the same integer as a plain decimal string (what a JavaScript phone can hold)
    Kind.INT64: {"oneOf": [{"type": "integer", "format": "int64"},
                           {"type": "string", "pattern": f"^(?:{INT64_DECIMAL_PATTERN})$"}]},
    Kind.INTEGER: {"type": "integer"},
    Kind.BOOLEAN: {"type": "boolean"},
    Kind.OBJECT: {"type": "object"},
    Kind.STRINGS: {"type": "array", "items": {"type": "string"}},
    Kind.JSON: {},
}
# What the sandbox sends: an int64 always as a JSON number (the client also reads its decimal string).
_ANSWER_KIND_SCHEMA = {**_KIND_SCHEMA, Kind.INT64: {"type": "integer", "format": "int64"}}
_REQUESTS = (QRCodePreSignInRequest, QRCodeScanRequest, QRCodeSignInRequest, QRCodeSignUpRequest)
_ANSWERS = (TokenModel, UserQRCodeScanResult, WechatJSConfigResult)

_RESULT_SCHEMA: dict[ResultKind, dict[str, Any]] = {
    ResultKind.STRING: {"type": "string", "nullable": True},
    ResultKind.INT64: {"type": "integer", "format": "int64"},
    ResultKind.TOKEN: {"$ref": f"#/components/schemas/{TokenModel.SCHEMA.name}"},
    ResultKind.SCAN_RESULT: {"$ref": f"#/components/schemas/{UserQRCodeScanResult.SCHEMA.name}"},
    ResultKind.JSCONFIG: {"$ref": f"#/components/schemas/{WechatJSConfigResult.SCHEMA.name}"},
    ResultKind.JSON: {},
}


def field_schema(f: Field, *, answer: bool = False) -> dict[str, Any]:
    """``answer``: a member the sandbox sends (null only where it is declared nullable), else one it accepts."""
    out = dict((_ANSWER_KIND_SCHEMA if answer else _KIND_SCHEMA)[f.kind])
    for rule in f.rules:
        for keyword, value in rule.openapi().items():
            if keyword in out and out[keyword] != value:  # two patterns (say): both must hold
                out.setdefault("allOf", []).append({keyword: value})
            else:
                out[keyword] = value
    if f.blank_is_absent and "pattern" in out:  # "" means "not given" and passes
        out["pattern"] = f"^$|{out['pattern']}"
    if (f.nullable if answer else not f.required) and "type" in out:
        out["nullable"] = True  # in a request, null is "not given" too
        if "enum" in out:
            out["enum"] = [*out["enum"], None]  # OpenAPI 3.0: an enum must list null for nullable to admit it
    description = f"{f.en} / {f.zh}"
    if f.rules_en:
        description += f" ({f.rules_en})"
    out["description"] = description
    if f.example is not None:
        out["example"] = f.example
    return out


def schema_object(schema: Schema, *, open_ended: bool = False, answer: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "properties": {f.name: field_schema(f, answer=answer) for f in schema.fields},
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


_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before trying again",
                                "schema": {"type": "integer", "minimum": 0}}}


def _refusal(description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "content": _json({"$ref": "#/components/schemas/ErrorEnvelope"}), **extra}


# Answers any operation may get, by reference: the bearer check, and what fault injection sends when an
# operator turns it on (off by default; a real server under load answers the same).
_SHARED_RESPONSES: dict[str, dict[str, Any]] = {
    "Unauthorized": _refusal("missing or invalid bearer token (envelope code 401)",
                             headers={"WWW-Authenticate": {"schema": {"type": "string"}}}),
    "InjectedRateLimit": _refusal("rate limited: only when the sandbox's fault injection is on (envelope code 429)",
                                  headers=_RETRY_AFTER),
    "InjectedServerFault": _refusal("server fault: only when the sandbox's fault injection is on (envelope code 500)"),
    "BodyTooLarge": _refusal("the request body is over the sandbox's size cap (envelope code 413)"),
    "Busy": _refusal("the sandbox is at a capacity limit; retry after Retry-After (envelope code 503)",
                     headers=_RETRY_AFTER),
}
# Answers of requests that reach no operation (documented here, as no operation can hold them).
_OUTSIDE_OPERATIONS = (
    "HTTP 404 (envelope code 404) for a path under /Wechat/{appKey}/ that names no endpoint; "
    "HTTP 405 (envelope code 405, with an Allow header) for a method an endpoint does not take."
)
# The limits that answer 503: the live-session cap (Initiate) and the bounded pool drawing the codes.
_CAPACITY_LIMITED = frozenset({"QRAuthInitiate", "WXACodeGet", "WXACodeGetUnlimited"})


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/responses/{name}"}


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
    return {"required": any(f.required for f in ep.body.fields),
            "content": {media: content for media in JSON_BODY_MEDIA_TYPES}}


def _app_key_parameter(app_key: str | None) -> dict[str, Any]:
    schema = field_schema(APP_KEY)
    if app_key is not None:  # a sandbox serves one appKey; any other is refused (envelope code 404)
        schema["enum"] = [app_key]
        schema["example"] = app_key
    return {"name": "appKey", "in": "path", "required": True, "schema": schema}


def _operation(ep: Endpoint, app_key: str | None) -> dict[str, Any]:
    params: list[dict[str, Any]] = [_app_key_parameter(app_key)]
    params += [{"name": f.name, "in": "query", "required": f.required, "schema": field_schema(f)} for f in ep.query]
    op: dict[str, Any] = {
        "operationId": ep.id,
        "summary": f"{ep.name_zh} / {ep.name_en}",
        "description": f"{ep.summary_zh}\n\n{ep.summary_en}",
        "tags": [ep.group.value],
        "parameters": params,
    }
    if ep.body_kind is not BodyKind.NONE and ep.body is not None:
        op["requestBody"] = _request_body(ep)
    responses: dict[str, Any] = {}
    if ep.result is ResultKind.IMAGE:
        binary = {"schema": {"type": "string", "format": "binary"}}
        responses["200"] = {"description": "the code: JPEG, or PNG when is_hyaline is true or Accept prefers PNG",
                            "content": {"image/jpeg": binary, "image/png": binary}}
    else:
        envelope = _envelope(_RESULT_SCHEMA[ep.result])
        if ep.error_status == 200:  # errors share HTTP 200 with the successes, per the contract
            responses["200"] = {"description": "an envelope: code 200 with data, or an error (code 400, 404, ...)",
                                "content": _json({"anyOf": [envelope, {"$ref": "#/components/schemas/ErrorEnvelope"}]})}
        else:
            responses["200"] = {"description": "an envelope with code 200", "content": _json(envelope)}
    if ep.error_status != 200:
        responses[str(ep.error_status)] = _refusal("refused (validation, unknown appKey): an error envelope")
    responses["401"] = _ref("Unauthorized")
    if "requestBody" in op:
        responses["413"] = _ref("BodyTooLarge")
    responses["429"] = _ref("InjectedRateLimit")
    responses["500"] = _ref("InjectedServerFault")
    if ep.id in _CAPACITY_LIMITED:
        responses["503"] = _ref("Busy")
    op["responses"] = responses
    return op


def build_openapi(app_key: str | None = None) -> dict[str, Any]:
    """The document; ``app_key``: the one appKey a sandbox serves (None: any, as the provider's API)."""
    paths: dict[str, Any] = {}
    for ep in ENDPOINTS:
        paths.setdefault(ep.template, {})[ep.method.lower()] = _operation(ep, app_key)
    schemas = {m.SCHEMA.name: schema_object(m.SCHEMA) for m in _REQUESTS}
    schemas |= {m.SCHEMA.name: schema_object(m.SCHEMA, answer=True) for m in _ANSWERS}
    schemas["ErrorEnvelope"] = _ERROR_ENVELOPE
    return {
        "openapi": "3.0.3",
        "info": {"title": "服务商 - 微信（qrlogin-desktop sandbox）", "version": __version__,
                 "description": f"Generated from qrlogin-desktop's endpoint catalogue. {_OUTSIDE_OPERATIONS}"},
        # Relative: the API is on the server that serves this document. Never taken from a request's Host
        # header, which any client sets as it likes.
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": _SHARED_RESPONSES,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }
