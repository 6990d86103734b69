"""Best-effort decoding of JWT claims, for display only.

The console shows the claims of an access token (expiry, subject, ...) when the
provider happens to issue JWTs.  Nothing here verifies a signature, so the
result must never be used for an authorisation decision.  The decoder is fed
whatever the server returned, so it must never raise on garbage: every failure
path ends in ``None``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

__all__ = ["decode_jwt_claims"]

# A compact JWS is three base64url segments; the signature may be empty
# ("alg": "none").  Padding is not allowed by RFC 7515, but some issuers add it,
# so tolerate trailing "=".
_SEGMENT = r"[A-Za-z0-9_-]+={0,2}"
_JWT_RE = re.compile(rf"({_SEGMENT})\.({_SEGMENT})\.([A-Za-z0-9_-]*={{0,2}})")

# Tokens are sent in HTTP headers, which servers cap at a few KiB; anything far
# larger is not a token we want to spend CPU and memory decoding.
_MAX_TOKEN_CHARS = 64 * 1024


def _b64url_json(segment: str) -> Any:
    """Decode one base64url segment into a JSON value; raises ValueError-family errors."""
    raw = segment.rstrip("=")
    data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    # Decode explicitly as UTF-8: json.loads(bytes) would also accept UTF-16/32,
    # which RFC 7519 does not allow.
    return json.loads(data.decode("utf-8"))


def _split(token: object) -> tuple[str, str] | None:
    if not isinstance(token, str) or len(token) > _MAX_TOKEN_CHARS:
        return None
    match = _JWT_RE.fullmatch(token.strip())
    if match is None:
        return None
    return match.group(1), match.group(2)


def decode_jwt_claims(token: str) -> dict[str, Any] | None:
    """Return the payload claims of ``token`` if it looks like a JWT, else ``None``.

    "Looks like a JWT" means three base64url segments whose first decodes to a
    JSON object with an ``"alg"`` member and whose second decodes to a JSON
    object.  The signature is NOT checked.  Never raises.
    """
    parts = _split(token)
    if parts is None:
        return None
    header_seg, payload_seg = parts
    try:
        header = _b64url_json(header_seg)
        if not isinstance(header, dict) or not isinstance(header.get("alg"), str):
            return None
        claims = _b64url_json(payload_seg)
    # RecursionError: json.loads on deeply nested arrays ("[[[[...") recurses
    # once per level; a hostile token must not crash the caller.
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(claims, dict):
        return None
    return claims
