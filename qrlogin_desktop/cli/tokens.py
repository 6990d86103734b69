"""``qrlogin-desktop tokens list|show|delete``: the stored tokens, redacted unless asked."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TextIO

from ..flow.session import keyring_service
from ..storage.keystore import KeystoreError, StoredToken, TokenStore
from ..storage.token_records import human_duration


def select(tokens: list[StoredToken], selector: str) -> StoredToken | None:
    """By list number (1-based), by account, or by the full "server / appKey / account" label."""
    if selector.isdigit() and 1 <= int(selector) <= len(tokens):
        return tokens[int(selector) - 1]
    exact = [t for t in tokens if str(t.key) == selector]
    if exact:
        return exact[0]
    by_account = [t for t in tokens if t.key.account == selector]
    return by_account[0] if len(by_account) == 1 else None


def _or_stdout(out: TextIO | None) -> TextIO:
    """``out``, else the sys.stdout of the moment: a default bound at import would keep the stream of
    that moment (a capture that started later, e.g. a test's, would never see the output)."""
    return sys.stdout if out is None else out


def list_tokens(store: TokenStore, out: TextIO | None = None) -> int:
    out = _or_stdout(out)
    tokens = store.list()
    if not tokens:
        print("no stored tokens", file=out)
        return 0
    now = time.time()
    rows = [("#", "server", "appKey", "account", "obtained", "expires in")]
    for i, t in enumerate(tokens, 1):
        rows.append((str(i), t.key.server, t.key.app_key, t.key.account,
                     time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t.obtained_at)),
                     human_duration(t.seconds_left(now))))
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip(), file=out)
    return 0


def _selected(store: TokenStore, selector: str) -> StoredToken | None:
    """The token ``selector`` names (see :func:`select`); None, said on stderr, when it names none."""
    token = select(store.list(), selector)
    if token is None:
        print(f"error: no stored token matches {selector!r} (see `qrlogin-desktop tokens list`)", file=sys.stderr)
    return token


def show_token(store: TokenStore, selector: str, *, reveal: bool, out: TextIO | None = None) -> int:
    out = _or_stdout(out)
    token = _selected(store, selector)
    if token is None:
        return 1
    print(f"key:          {token.key}", file=out)
    print(f"token type:   {token.token_type}", file=out)
    print(f"access token: {token.access_token if reveal else token.redacted()}", file=out)
    print(f"obtained:     {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(token.obtained_at))}", file=out)
    print(f"expires in:   {human_duration(token.seconds_left())} ({token.expires_in} s lifetime)", file=out)
    if token.claims:
        print("claims (unverified):", file=out)
        print(json.dumps(token.claims, ensure_ascii=False, indent=2), file=out)
    return 0


def delete_token(store: TokenStore, selector: str, *, yes: bool, out: TextIO | None = None) -> int:
    out = _or_stdout(out)
    token = _selected(store, selector)
    if token is None:
        return 1
    if not yes:
        if not sys.stdin.isatty():
            print("error: refusing to delete without confirmation; add --yes", file=sys.stderr)
            return 2
        answer = input(f"delete the token {token.key}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("kept", file=out)
            return 1
    try:
        store.delete(token.key)
    except KeystoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"deleted {token.key}", file=out)
    return 0


def token_store(args: argparse.Namespace) -> TokenStore:
    """The keyring store the command line uses (``login`` too), with the opt-in plaintext file if given."""
    fallback = getattr(args, "insecure_token_file", None)
    return TokenStore(service=keyring_service(), plaintext_fallback_path=Path(fallback) if fallback else None)


def run_tokens(args: argparse.Namespace) -> int:
    store = token_store(args)
    try:
        if args.tokens_command == "list":
            return list_tokens(store)
        if args.tokens_command == "show":
            return show_token(store, args.selector, reveal=args.reveal)
        return delete_token(store, args.selector, yes=args.yes)
    except KeystoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
