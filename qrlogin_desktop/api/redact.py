"""Redaction of bearer credentials and tokens from anything we log, show or export.

Two nets, because either alone misses cases: known secret *values* (the bearer credential and
every token the client has seen) are replaced wherever they appear, and values under sensitive
*names* (Authorization, access_token, sessionKey, ...) are replaced even when we never saw them.

Every value a Redactor learns is also entered in one process-wide, bounded registry
(:func:`known_secrets`), which the log masking (:mod:`.logmask`) applies to every log record.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

from .bigtext import contains_any_ci, decode_utf8

MASK = "***"
SENSITIVE_NAMES = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "access_token", "refresh_token", "token",
     "id_token", "session_key", "sessionkey", "password", "secret", "jsapi_ticket"}
)
# A JWT anywhere in free text (e.g. an HTML error page echoing a header) is masked as well.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")
# "Bearer <credential>" in free text. Only the credential is masked, not the next word of prose
# ("missing bearer token") nor an auth-param of a challenge (`Bearer realm="x"`): a match may not be
# `name=` followed by a value, may not end in a full stop, and must look like a credential
# (see looks_like_credential). A credential that looks like a word is still masked where it matters:
# by value (a Redactor knows the client's credential) and by name (the Authorization header).
_AUTH_PARAM_AHEAD = r"""(?![!#$%&'*+.^_`|~\w-]+\s*=\s*(?:"|[^\s=]))"""
_BEARER = re.compile(r"(?i)(\bbearer\s+)" + _AUTH_PARAM_AHEAD + r"([A-Za-z0-9._~+/-]*[A-Za-z0-9_~+/-]=*)")
_WORD_LIKE_MAX = 20  # a letters-only "credential" at least this long is masked all the same


def looks_like_credential(word: str) -> bool:
    """A token68 or an opaque key rather than a word: it has a digit or a sign, capitals inside
    (mixed case), or is too long for a word of prose."""
    return (not word.isalpha() or any(c.isupper() for c in word[1:]) or len(word) >= _WORD_LIKE_MAX)


def mask_bearer(text: str, pattern: re.Pattern[str] = _BEARER) -> str:
    """Mask the credential after each "bearer" of ``pattern`` (group 1 the prefix, 2 the candidate)."""
    return pattern.sub(lambda m: m.group(1) + MASK if looks_like_credential(m.group(2)) else m.group(0), text)


MIN_SECRET = 6  # shorter "secrets" would mask ordinary words
LARGE_TEXT = 256 * 1024
# A sensitive member in JSON text, plain ("token": "v") or inside a JSON string (\"token\": \"v\").
_SENSITIVE_MEMBER = re.compile(
    r'(\\?"(?:' + "|".join(sorted(map(re.escape, SENSITIVE_NAMES), key=len, reverse=True)) + r')\\?"\s*:\s*)'
    r'(\\?")(.*?)(\2)', re.IGNORECASE)


# The process-wide registry keeps the most recent secrets only: a long session that sees many
# tokens must not grow it without end (the oldest ones are the least likely to turn up again).
KNOWN_SECRETS_LIMIT = 1024
_registry_lock = threading.Lock()
_registry: OrderedDict[str, None] = OrderedDict()
_longest_first: tuple[str, ...] = ()  # rebuilt on (rare) registration, read on every log record


def _register(secret: str) -> None:
    global _longest_first
    with _registry_lock:
        if secret in _registry:
            _registry.move_to_end(secret)
            return
        _registry[secret] = None
        while len(_registry) > KNOWN_SECRETS_LIMIT:
            _registry.popitem(last=False)
        _longest_first = tuple(sorted(_registry, key=len, reverse=True))


def known_secrets() -> tuple[str, ...]:
    """Every registered secret, longest first (so a secret containing another is masked whole)."""
    return _longest_first


def is_sensitive(name: str) -> bool:
    return name.lower() in SENSITIVE_NAMES


class Redactor:
    """Thread-safe: the request log may read while the client learns a new token.

    What it is given up front and what is ``pin``-ned (the bearer credential) stays for its life;
    what it learns along the way (each login's token, each sessionKey) is bounded like the
    process-wide registry, newest kept: a console left running for thousands of logins must not
    mask each answer against every token it ever saw.
    """

    def __init__(self, secrets: Iterable[str | None] = ()):
        self._lock = threading.Lock()
        self._pinned: set[str] = set()
        self._learned: OrderedDict[str, None] = OrderedDict()
        self._longest_first: tuple[str, ...] = ()  # rebuilt on (rare) learning, read on every text
        for s in secrets:
            self.add(s, pin=True)

    def add(self, secret: str | None, *, pin: bool = False) -> None:
        if not secret or len(secret) < MIN_SECRET:
            return
        with self._lock:
            if pin:
                self._pinned.add(secret)
            else:
                self._learned[secret] = None
                self._learned.move_to_end(secret)
                while len(self._learned) > KNOWN_SECRETS_LIMIT:
                    self._learned.popitem(last=False)
            self._longest_first = tuple(sorted(self._pinned.union(self._learned), key=len, reverse=True))
        _register(secret)

    def add_url_value(self, secret: str) -> None:
        """A secret sent in a query string: masked as written and as percent-encoded on the wire."""
        for form in {secret, quote(secret, safe=""), quote_plus(secret, safe="")}:
            self.add(form)

    def text(self, text: str) -> str:
        for s in self._longest_first:  # one tuple read: no lock needed, no sort per call
            if s in text:
                text = text.replace(s, MASK)
        if len(text) > LARGE_TEXT and not contains_any_ci(text, ("bearer", "eyj")):
            # A regex pass over megabytes holds the GIL for tens of milliseconds (the GUI thread
            # waits meanwhile); a sliced substring test first skips it when there is nothing to find.
            return text
        text = mask_bearer(text)
        return _JWT.sub(MASK, text)

    def json(self, value: Any) -> Any:
        try:
            return self._json(value)
        except RecursionError:  # nested too deep to inspect (a hostile answer): hide it, do not fail the caller
            return MASK

    def _json(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (MASK if is_sensitive(str(k)) and v not in (None, "") else self._json(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [self._json(v) for v in value]
        if isinstance(value, str):
            return self._json_string(value)
        return value

    def _json_string(self, text: str) -> str:
        # A string holding JSON (JSCode2Session's data carries session_key so) is masked by name as well.
        if text.lstrip()[:1] in ("{", "["):
            try:
                parsed = json.loads(text)
            except (ValueError, RecursionError):
                parsed = None
            if isinstance(parsed, (dict, list)):
                masked = self.json(parsed)
                if masked != parsed:
                    return json.dumps(masked, ensure_ascii=False)
        return self.text(text)

    def headers(self, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        out = []
        for name, value in headers:
            if name.lower() in ("authorization", "proxy-authorization"):
                scheme = value.split(" ", 1)[0] if " " in value else ""
                value = f"{scheme} {MASK}".strip()
            elif is_sensitive(name):
                value = MASK
            else:
                value = self.text(value)
            out.append((name, value))
        return out

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.query:
            pairs = [(k, MASK if is_sensitive(k) else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
            parts = parts._replace(query=urlencode(pairs))
        return self.text(urlunsplit(parts))

    def body(self, raw: bytes | str | None, content_type: str | None = None) -> str | None:
        """Body text for logs: JSON is parsed and masked by name and value; anything else by value."""
        if raw is None:
            return None
        if isinstance(raw, bytes):
            if content_type and content_type.startswith("image/"):
                return f"<{len(raw)} bytes {content_type}>"
            text = decode_utf8(raw, errors="replace")
        else:
            text = raw
        if len(text) > LARGE_TEXT:
            return self._large(text)
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            return self.text(text)
        if isinstance(parsed, (dict, list)):
            try:
                return json.dumps(self.json(parsed), ensure_ascii=False)
            except RecursionError:
                return MASK
        return self.text(text)

    def body_prefix(self, raw: bytes | None, content_type: str | None, limit: int, *, total: int | None = None) -> str | None:
        """:meth:`body` of at most ``limit`` characters, with a note of the full size when cut.
        ``raw`` may run past ``limit`` (a margin): masking runs before the cut, so a secret that
        straddles it is masked whole, never half shown."""
        if raw is None:
            return None
        total = len(raw) if total is None else total
        if total <= limit and len(raw) <= limit:
            return self.body(raw, content_type)
        if content_type and content_type.startswith("image/"):
            return f"<{total} bytes {content_type}>"
        text = self._large(decode_utf8(raw, errors="replace"))  # a cut JSON document does not parse
        return text[:limit] + f"\n… [cut: the first {limit} characters of {total} bytes]"

    def _large(self, text: str) -> str:
        """Mask a big body without parsing it: re-encoding 5 MB of JSON in C would hold the GIL
        (and so freeze the GUI thread) for ~100 ms; sensitive members are masked by pattern."""
        if contains_any_ci(text, SENSITIVE_NAMES):
            text = _SENSITIVE_MEMBER.sub(lambda m: m.group(1) + m.group(2) + MASK + m.group(4), text)
        return self.text(text)
