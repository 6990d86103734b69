"""The server a command talks to, as its command line names it, for ``login``, ``check`` and ``load``.

A saved ``--profile``, or ``--server`` with ``--app-key`` (``login`` without either: the embedded
sandbox); the profile's settings as the command's options override them; the bearer credential from
``--token-stdin`` > ``--token`` > ``$QRLOGIN_TOKEN`` > the profile's keyring entry. Every problem is
one line naming the option and the rule, and never shows the credential.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..api.catalogue import BEARER_TOKEN
from ..api.errors import ValidationError
from ..storage.profiles import Profile, ProfileStore, sandbox_profile
from . import TOKEN_ENV

if TYPE_CHECKING:
    from ..flow.session import Connection
    from ..storage.keystore import TokenStore

MAX_STDIN_CREDENTIAL = 16 * 1024  # characters; a bearer credential is far shorter
# The options that override a profile's setting of the same name, where the command has them.
PROFILE_OVERRIDES = ("timeout", "session_ttl", "auto_refresh")


@dataclass(frozen=True)
class Target:
    profile: Profile
    credential: str | None  # given on the command line or in the environment
    source: str  # where the credential comes from, for the messages
    from_keyring: bool  # none given, and a saved profile: the credential is its keyring entry


def target_from_args(args: argparse.Namespace, *, sandbox_by_default: bool = False) -> Target | str:
    """The target the options name, or why they name none (a line for ``error:``). Prints the
    profiles file's warnings and a plain-HTTP warning on stderr."""
    try:
        credential, source = credential_from_args(args)
    except ValueError as exc:
        return str(exc)
    from_keyring = False
    if args.profile:
        profile = load_profiles(ProfileStore()).find(args.profile)
        if profile is None:
            return f"no profile named {args.profile!r}"
        from_keyring = credential is None and not profile.embedded_sandbox
        if from_keyring:
            source = f"the keyring (profile {profile.name!r})"
    elif args.server:
        if not args.app_key:
            return "--server needs --app-key"
        profile = Profile(name="command line", base_url=args.server, app_key=args.app_key)
    elif sandbox_by_default:
        profile = sandbox_profile()
    else:
        return "give --server URL and --app-key K, or --profile NAME"
    overrides: dict[str, object] = {name: value for name in PROFILE_OVERRIDES
                                    if (value := getattr(args, name, None)) is not None}
    if args.insecure:
        overrides["verify_tls"] = False
    profile = replace(profile, **overrides)
    if broken := profile.violations():
        return "; ".join(f"{v.field}: {v.rule_en}" for v in broken)
    if warning := profile.plain_http_warning:
        print(f"warning: {warning}", file=sys.stderr)
    return Target(profile, credential, source, from_keyring)


def open_connection(target: Target, store: TokenStore) -> Connection | str:
    """A connection to ``target`` (the credential read from ``store`` when it is the keyring's; the
    embedded sandbox started), or why it cannot be used, with nothing left open."""
    from ..flow.session import connect

    connection = connect(target.profile, target.credential, store=store if target.from_keyring else None)
    if not target.profile.embedded_sandbox and (problem := credential_problem(connection.token, target.source)):
        connection.close()
        return problem
    return connection


def credential_problem(credential: str | None, source: str) -> str | None:
    """One line saying why the credential cannot be sent (none, or the client's own rule), never showing it."""
    if not credential:
        return (f"no bearer credential: give --token-stdin or ${TOKEN_ENV}, or save one with the profile "
                f"(looked in {source})")
    broken = BEARER_TOKEN.violations(credential)
    return f"the bearer credential from {source} is refused: {ValidationError(broken)}" if broken else None


def load_profiles(store: ProfileStore) -> ProfileStore:
    """A damaged profiles file is kept aside and reported, never fatal."""
    store.load()
    for line in store.load_warnings:
        print(f"warning: {line}", file=sys.stderr)
    return store


def credential_from_args(args: argparse.Namespace) -> tuple[str | None, str]:
    """The credential and where it came from: --token-stdin > --token > $QRLOGIN_TOKEN; None
    leaves it to the profile (keyring)."""
    if args.token_stdin:
        return _read_stdin_credential(sys.stdin), "--token-stdin"
    if args.token is not None:
        print("warning: --token is visible to other users in the process list; "
              f"use {TOKEN_ENV} or --token-stdin instead", file=sys.stderr)
        return args.token, "--token"
    return os.environ.get(TOKEN_ENV) or None, TOKEN_ENV


def _read_stdin_credential(stream) -> str:
    """All of stdin (bounded) less exactly one trailing newline: a second newline is part of
    what the user gave, and the client's check refuses it rather than us guessing."""
    text = stream.read(MAX_STDIN_CREDENTIAL + 1)
    if len(text) > MAX_STDIN_CREDENTIAL:
        raise ValueError(f"--token-stdin: more than {MAX_STDIN_CREDENTIAL} characters on stdin")
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    if not text:
        raise ValueError("--token-stdin: stdin held no credential")
    return text
