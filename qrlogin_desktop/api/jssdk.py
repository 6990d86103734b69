"""WeChat's JS-SDK signature, the one algorithm of the WeChat endpoints a client can check from outside.

SHA-1 hex of ``jsapi_ticket=T&noncestr=N&timestamp=S&url=U`` (keys in that order, the url without its
``#fragment``), as WeChat's JS-SDK documents it. The sandbox signs its JSConfig answers with it and the
conformance check verifies a server's answers against a ticket the operator gives.
"""

from __future__ import annotations

import hashlib


def jsconfig_signature(jsapi_ticket: str, noncestr: str, timestamp: str, url: str) -> str:
    url = url.split("#", 1)[0]
    plain = f"jsapi_ticket={jsapi_ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url}"
    return hashlib.sha1(plain.encode()).hexdigest()
