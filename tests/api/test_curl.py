"""Copy as cURL: a runnable command that keeps secrets out unless the user asks."""

from __future__ import annotations

import shlex

from qrlogin_desktop.api.client import QrLoginClient

TOKEN = "bearer-credential-0123456789"


def test_curl_masks_bearer_and_secret_parameters_by_default():
    client = QrLoginClient("https://api.example.com", "my app", TOKEN)
    command = client.curl_for("Decrypt", query={"encryptedData": "a+b/", "iv": "x", "sessionKey": "SESSION-KEY-1"})
    assert TOKEN not in command and "SESSION-KEY-1" not in command
    assert '"Authorization: Bearer $QRLOGIN_TOKEN"' in command
    words = shlex.split(command)
    assert words[:3] == ["curl", "-X", "GET"]
    assert words[3].startswith("https://api.example.com/Wechat/my%20app/Decrypt?encryptedData=a%2Bb%2F")


def test_curl_reveals_on_request_and_quotes_the_body():
    client = QrLoginClient("https://api.example.com", "demo", TOKEN)
    command = client.curl_for("QRAuthInitiate", body={"remark": "it's 测试"}, reveal_token=True)
    words = shlex.split(command)
    assert f"Authorization: Bearer {TOKEN}" in words
    assert words[words.index("--data-raw") + 1] == '{"remark": "it\'s 测试"}'
    assert words[3] == "https://api.example.com/Wechat/demo/QR-Auth/Initiate"


def test_shown_url_is_the_call_url_with_secret_parameters_masked():
    from qrlogin_desktop.api import catalogue

    client = QrLoginClient("https://api.example.com", "my app", TOKEN)
    ep = catalogue.endpoint("Decrypt")
    query = {"encryptedData": "a+b/", "iv": "x", "sessionKey": "SESSION-KEY-1"}
    shown = client.shown_url(ep, query)
    assert "SESSION-KEY-1" not in shown
    assert shown == client.url_for(ep, dict(query, sessionKey="***"))
    assert shown.startswith("https://api.example.com/Wechat/my%20app/Decrypt?encryptedData=a%2Bb%2F")
