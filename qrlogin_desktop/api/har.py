"""HAR 1.2 export of the request log (what browsers' dev tools and Postman import).

Built from :class:`~qrlogin_desktop.api.client.Exchange` records, which are redacted when they are
made, so an export cannot carry a secret the log did not have.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .. import APP_NAME, __version__
from .exchange import Exchange


def _headers(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in pairs]


def _entry(x: Exchange) -> dict[str, Any]:
    query = [{"name": k, "value": v} for k, v in parse_qsl(urlsplit(x.url).query, keep_blank_values=True)]
    request: dict[str, Any] = {
        "method": x.method, "url": x.url, "httpVersion": "HTTP/1.1", "cookies": [],
        "headers": _headers(x.request_headers), "queryString": query, "headersSize": -1,
        "bodySize": x.request_size if x.request_body is not None else 0,
    }
    if x.request_body is not None:
        request["postData"] = {"mimeType": "application/json", "text": x.request_body}
    response = {
        "status": x.status or 0, "statusText": "" if x.status else (x.error or "no response"),
        "httpVersion": "HTTP/1.1", "cookies": [], "headers": _headers(x.response_headers),
        "content": {"size": x.response_size, "mimeType": x.response_content_type or "",
                    "text": x.response_body or ""},
        "redirectURL": "", "headersSize": -1, "bodySize": x.response_size,
    }
    entry = {
        "startedDateTime": datetime.fromtimestamp(x.started_at, tz=UTC).isoformat(),
        "time": round(x.latency_ms, 3),
        "request": request, "response": response, "cache": {},
        "timings": {"send": 0, "wait": round(x.latency_ms, 3), "receive": 0},
    }
    if x.error:
        entry["comment"] = x.error
    return entry


def to_har(exchanges: Iterable[Exchange]) -> dict[str, Any]:
    return {"log": {"version": "1.2", "creator": {"name": APP_NAME, "version": __version__},
                    "entries": [_entry(x) for x in exchanges]}}
