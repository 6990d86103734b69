"""Each QR-Auth wire type is declared once (api/models.py); the sandbox's answers, the client's decoder and the
OpenAPI document all follow that declaration."""

from __future__ import annotations

import httpx
import pytest
from support import APP_KEY, TEST_TOKEN, asgi_client

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.api.errors import ProtocolError
from qrlogin_desktop.api.models import TokenModel, UserQRCodeScanResult, WechatJSConfigResult, WireModel
from qrlogin_desktop.api.openapi import build_openapi
from qrlogin_desktop.sandbox import Sandbox, SandboxConfig

ANSWERS = (TokenModel, UserQRCodeScanResult, WechatJSConfigResult)


def names(model: type[WireModel]) -> list[str]:
    return [f.name for f in model.SCHEMA.fields]


async def test_the_sandbox_answers_with_exactly_the_declared_members():
    sandbox = Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN))
    async with asgi_client(sandbox) as client:
        key = await client.initiate(scopes="userinfo")
    raw = httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app), base_url="http://sandbox.test",
                            headers={"Authorization": f"Bearer {TEST_TOKEN}"})
    async with raw:
        def path(endpoint_id: str) -> str:
            return catalogue.endpoint(endpoint_id).url_path(APP_KEY)

        scanned = (await raw.post(path("QRAuthScan"), json={"signInKey": key})).json()["data"]
        token = (await raw.post(path("QRAuthConfirmLogin"), json={"signInKey": key})).json()["data"]
        config = (await raw.get(path("JSConfig"), params={"url": "https://example.com/p"})).json()["data"]
    for model, data in ((UserQRCodeScanResult, scanned), (TokenModel, token), (WechatJSConfigResult, config)):
        assert list(data) == names(model), model
        assert model.from_json(data).to_json() == data, model  # the decoder reads back what the sandbox built


def test_the_openapi_answer_schemas_are_the_declarations():
    schemas = build_openapi(APP_KEY)["components"]["schemas"]
    for model in ANSWERS:
        schema = schemas[model.SCHEMA.name]
        assert list(schema["properties"]) == names(model)
        for f in model.SCHEMA.fields:
            assert schema["properties"][f.name]["description"].startswith(f"{f.en} / {f.zh}")
    token = schemas["TokenModel"]
    assert token["required"] == ["access_token"]  # the client refuses a token answer without it
    assert token["properties"]["expires_in"] == {**token["properties"]["expires_in"],
                                                 "type": "integer", "format": "int64"}
    scan = schemas["UserQRCodeScanResult"]["properties"]
    assert scan["logo"]["nullable"] is True and "nullable" not in scan["appID"]
    assert schemas["WechatJSConfigResult"]["properties"]["jsApiList"]["items"] == {"type": "string"}


@pytest.mark.parametrize(("model", "data", "expected"), [
    (TokenModel, {"access_token": "t0k", "token_type": "", "expires_in": "60"}, TokenModel("t0k", "Bearer", 60)),
    (TokenModel, {"access_token": "t0k"}, TokenModel("t0k", "Bearer", 0)),
    (UserQRCodeScanResult, {"appID": None, "name": None}, UserQRCodeScanResult(None)),
    (UserQRCodeScanResult, {"appID": "7", "scopes": "a,b"}, UserQRCodeScanResult(7, scopes="a,b")),
    (WechatJSConfigResult, {"noncestr": "n", "timestamp": 1700000000, "signature": "s", "appKey": None,
                            "jsApiList": None}, WechatJSConfigResult("n", "1700000000", "s", "", ())),
])
def test_the_decoder_reads_answers_as_before(model, data, expected):
    assert model.from_json(data) == expected


@pytest.mark.parametrize(("model", "data", "reason"), [
    (TokenModel, {"access_token": "t0k", "token_type": None}, "token_type must be a string"),
    (UserQRCodeScanResult, {"appID": True}, "appID must be an integer"),
    (UserQRCodeScanResult, {"appID": 1, "logo": 5}, "logo must be a string"),
    (WechatJSConfigResult, {"timestamp": "1", "signature": "s"}, "noncestr must be a string"),
    (WechatJSConfigResult, {"noncestr": "n", "timestamp": "1", "signature": "s", "jsApiList": [1]},
     "jsApiList must be an array of strings"),
])
def test_the_decoder_refuses_what_it_refused(model, data, reason):
    with pytest.raises(ProtocolError) as err:
        model.from_json(data, "QRAuthScan")
    assert reason in err.value.reason
