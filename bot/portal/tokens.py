"""Per-user tokens of the lead API, and the command line that issues them.

Only a token's SHA-256 is stored, so a leaked database reveals no usable token;
the plain token is shown once, when it is created.

    python -m bot.portal.tokens create --name NAME (--cluster CODE | --admin)
    python -m bot.portal.tokens revoke ID
    python -m bot.portal.tokens revoke --user EMAIL
    python -m bot.portal.tokens list
"""

from __future__ import annotations

import argparse
import hashlib
import secrets
import sys
from typing import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.leads import schema
from bot.leads.clusters import CLUSTER_CODES
from bot.orm import utcnow
from bot.portal.models import ApiToken, User


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    session: Session, name: str, cluster: str | None, user_id: int | None = None
) -> tuple[ApiToken, str]:
    """Store a new token for `cluster` (None: admin), owned by a portal user if given.

    Returns:
        The stored row and the plain token, which exists nowhere else.
    """
    name = name.strip()
    if not name:
        raise ValueError("a token needs the name of the person or tool that uses it")
    if cluster is not None and cluster not in CLUSTER_CODES:
        raise ValueError(f"unknown cluster {cluster!r}; valid codes: {', '.join(CLUSTER_CODES)}")
    plain = secrets.token_urlsafe(32)
    row = ApiToken(name=name, token_sha256=token_hash(plain), cluster=cluster, user_id=user_id)
    session.add(row)
    session.commit()
    return row, plain


def revoke_token(session: Session, token_id: int) -> ApiToken:
    """Revoke a token for good; revoking it again keeps the first revocation time."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise LookupError(f"no token with id {token_id}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.commit()
    return row


def revoke_user_tokens(session: Session, user_id: int) -> int:
    """Revoke every active token of a portal user (password reset, an admin's decision); the caller commits.

    Returns:
        How many tokens were active.
    """
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


def list_tokens(session: Session, user_id: int | None = None) -> list[ApiToken]:
    """All tokens, or those of one portal user."""
    query = select(ApiToken).order_by(ApiToken.id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(session.scalars(query))


def find_active_token(session: Session, plain: str) -> ApiToken | None:
    """The unrevoked token row whose hash matches `plain`, if any; a disabled user's tokens do not count."""
    row = session.scalars(
        select(ApiToken).where(ApiToken.token_sha256 == token_hash(plain), ApiToken.revoked_at.is_(None))
    ).first()
    if row is not None and row.user is not None and row.user.disabled:
        return None
    return row


def scope_of(row: ApiToken) -> str:
    return f"cluster {row.cluster}" if row.cluster else "admin"


def describe(row: ApiToken) -> str:
    """One tab-separated line of `list`: id, name, scope, created, state."""
    state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
    return f"{row.id}\t{row.name}\t{scope_of(row)}\tcreated {row.created_at:%Y-%m-%d %H:%M}\t{state}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.portal.tokens", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="issue a token; it is printed once, on stdout")
    create.add_argument("--name", required=True, help="who or what uses the token")
    scope = create.add_mutually_exclusive_group(required=True)
    scope.add_argument("--cluster", choices=CLUSTER_CODES, help="staff token: sees this cluster's leads")
    scope.add_argument("--admin", action="store_true", help="admin token: sees all leads")
    revoke = commands.add_parser("revoke", help="revoke a token by its id, or all tokens of a portal user")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("id", type=int, nargs="?")
    which.add_argument("--user", metavar="EMAIL", help="the e-mail of the portal account whose tokens to revoke")
    commands.add_parser("list", help="list tokens (never the tokens themselves)")
    return parser


def _run(session: Session, args: argparse.Namespace) -> int:
    if args.command == "create":
        row, plain = create_token(session, args.name, None if args.admin else args.cluster)
        print(plain)
        print(f"Created token {row.id} ({scope_of(row)}) for {row.name}; it is shown only this once.",
              file=sys.stderr)
    elif args.command == "revoke" and args.user:
        user = session.scalars(select(User).where(User.email == args.user.strip().lower())).first()
        if user is None:
            print(f"error: no account with the e-mail {args.user}", file=sys.stderr)
            return 1
        count = revoke_user_tokens(session, user.id)
        session.commit()
        print(f"Revoked {count} token(s) of {user.email}.")
    elif args.command == "revoke":
        try:
            row = revoke_token(session, args.id)
        except LookupError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"Revoked token {row.id} ({row.name}).")
    else:
        for row in list_tokens(session):
            print(describe(row))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    with schema.current_session() as session:
        return _run(session, args)


if __name__ == "__main__":
    sys.exit(main())
