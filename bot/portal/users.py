"""Portal accounts from the command line: the first admin, and staff where no admin is at hand.

    python -m bot.portal.users create --email E --name N (--cluster CODE | --admin) [--language en]
    python -m bot.portal.users reset-password --email E
    python -m bot.portal.users disable --email E
    python -m bot.portal.users enable --email E
    python -m bot.portal.users list

The password is asked for twice without echo, or read from the first line of
standard input with --password-stdin (for scripts); it is never an argument,
which would leave it in the shell history and the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.leads import schema
from bot.leads.clusters import CLUSTER_CODES, LANGUAGE_CODES
from bot.portal.accounts import AccountError, create_user, find_user, set_password
from bot.portal.models import User


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.portal.users", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    create = commands.add_parser("create", help="create a staff or admin account")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True, help="the person's name, shown in histories")
    scope = create.add_mutually_exclusive_group(required=True)
    scope.add_argument("--cluster", choices=CLUSTER_CODES, help="staff account of this cluster")
    scope.add_argument("--admin", action="store_true", help="admin account: all clusters, users, audit log")
    create.add_argument("--language", choices=LANGUAGE_CODES, default="en", help="language of the pages")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    reset = commands.add_parser("reset-password", help="set a new password (also lifts a lock-out)")
    reset.add_argument("--email", required=True)
    reset.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    for name, text in (("disable", "disable an account (it can no longer log in)"), ("enable", "enable it again")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--email", required=True)

    commands.add_parser("list", help="list the accounts")
    return parser


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat it: ") != first:
        raise AccountError("password_mismatch", "the two passwords differ")
    return first


def describe(user: User) -> str:
    """One tab-separated line of `list`: id, e-mail, name, scope, language, state."""
    scope = "admin" if user.is_admin else f"staff {user.cluster}"
    state = "disabled" if user.disabled else "active"
    if user.locked_until is not None:
        state += f", locked until {user.locked_until:%Y-%m-%d %H:%M}"
    return f"{user.id}\t{user.email}\t{user.name}\t{scope}\t{user.language}\t{state}"


def _existing(session: Session, email: str) -> User:
    user = find_user(session, email)
    if user is None:
        raise AccountError("not_found", f"no account with the e-mail {email}")
    return user


def _run(session: Session, args: argparse.Namespace) -> str:
    """Carry out the command; returns what to print."""
    if args.command == "list":
        return "\n".join(describe(user) for user in session.scalars(select(User).order_by(User.id)))
    if args.command == "create":
        user = create_user(
            session, email=args.email, name=args.name, password=read_password(args.password_stdin),
            cluster=None if args.admin else args.cluster, language=args.language,
        )
        message = f"Created {describe(user)}"
    elif args.command == "reset-password":
        user = _existing(session, args.email)
        set_password(user, read_password(args.password_stdin))
        message = f"New password set for {user.email}; the account is unlocked."
    else:
        user = _existing(session, args.email)
        user.disabled = args.command == "disable"
        message = f"{'Disabled' if user.disabled else 'Enabled'} {user.email}."
    session.commit()
    return message


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        with schema.current_session() as session:
            output = _run(session, args)
    except AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if output:
        print(output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
