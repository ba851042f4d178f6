"""`cc112 user add|list|disable` and `cc112 token issue|revoke`: the API's users and tokens.

A token is printed once (on stdout, alone on its line) and only its hash is stored. Passwords
come from `--password-stdin` (one line) or a prompt; they are never an argument (shell history).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from cc112_pbx.cli.settings_arg import settings_from_args

EXIT_OK, EXIT_FAILED, EXIT_BAD_CONFIG = 0, 1, 2
ROLES = ("admin", "supervisor", "calltaker", "call_taker", "agency_dispatcher", "officer",  # issue 17
         "qc_evaluator")  # issue 18


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=None, metavar="FILE",
                        help="configuration file (default: $CC112_CONFIG, else config/cc112.toml)")
    parser.add_argument("--url", default=None, help="database URL overriding the configuration")


def register(subparsers: argparse._SubParsersAction) -> None:
    user = subparsers.add_parser("user", help="API users (admins, supervisors, call takers)",
                                 description="Manage the users of the HTTP API.")
    users = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = users.add_parser("add", help="create a user", description="Create an API user; the password is read "
                           "from stdin (--password-stdin) or prompted for.")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--seat", default=None, metavar="ID", help="the call taker's seat (required for calltaker)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first stdin line")
    add.set_defaults(func=lambda a: _run(a, _add))
    listing = users.add_parser("list", help="list the users")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=lambda a: _run(a, _list))
    disable = users.add_parser("disable", help="disable a user (their tokens stop working)")
    disable.add_argument("name")
    disable.set_defaults(func=lambda a: _run(a, _disable))
    token = subparsers.add_parser("token", help="API bearer tokens", description="Issue or revoke API tokens.")
    tokens = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    issue = tokens.add_parser("issue", help="issue a token for a user (printed once)")
    issue.add_argument("user")
    issue.add_argument("--ttl", default="30d", help="lifetime: 90m, 12h, 30d... (default 30d; at most 366d)")
    issue.add_argument("--label", default="cli")
    issue.set_defaults(func=lambda a: _run(a, _issue))
    revoke = tokens.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(func=lambda a: _run(a, _revoke))
    for sub in (add, listing, disable, issue, revoke):
        _common(sub)


def _run(args: argparse.Namespace, action: Callable[[Any, argparse.Namespace], Awaitable[int]]) -> int:
    from cc112_pbx.services.api_errors import ServiceError

    url = args.url
    if url is None:
        settings = settings_from_args(args)
        if settings is None:
            return EXIT_BAD_CONFIG
        url = settings.database.url
    try:
        return asyncio.run(_with_auth(url, args, action))
    except ServiceError as exc:
        details = "; ".join(f"{p.field}: {p.message}" for p in exc.fields)
        print(f"cc112: {exc.message}{': ' + details if details else ''}", file=sys.stderr)
        return EXIT_FAILED


async def _with_auth(url: str, args: argparse.Namespace, action: Callable[..., Awaitable[int]]) -> int:
    from cc112_pbx.services.auth_service import AuthService
    from cc112_pbx.services.context import SystemClock
    from cc112_pbx.storage import Database

    async with Database(url) as db:
        await db.upgrade()
        return await action(AuthService(db.api_users, db.audit, SystemClock()), args)


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


async def _add(auth: Any, args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
    user = await auth.add_user(_actor(), args.name, args.role, password, args.seat)
    print(f"user {user['username']} ({user['role']}{', seat ' + user['seat'] if user['seat'] else ''}) created")
    return EXIT_OK


async def _list(auth: Any, args: argparse.Namespace) -> int:
    users = await auth.list_users()
    if args.json:
        print(json.dumps(users))
        return EXIT_OK
    for u in users:
        state = "disabled" if u["disabled"] else "active"
        print(f"{u['id']:>4}  {u['username']:<20} {u['role']:<11} {u['seat'] or '-':<8} {state}")
    return EXIT_OK


async def _disable(auth: Any, args: argparse.Namespace) -> int:
    await auth.disable(_actor(), args.name)
    print(f"user {args.name} disabled")
    return EXIT_OK


async def _issue(auth: Any, args: argparse.Namespace) -> int:
    from cc112_pbx.services.auth_service import parse_ttl

    try:
        ttl = parse_ttl(args.ttl)
    except ValueError as exc:
        print(f"cc112: --ttl: {exc}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    issued = await auth.issue_token(_actor(), args.user, ttl, args.label)
    print(issued["token"])
    print(f"token id {issued['id']} for {args.user}, expires {issued['expires_at']} (shown once: keep it safe)",
          file=sys.stderr)
    return EXIT_OK


async def _revoke(auth: Any, args: argparse.Namespace) -> int:
    await auth.revoke_token(_actor(), args.id)
    print(f"token {args.id} revoked")
    return EXIT_OK
