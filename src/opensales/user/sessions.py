"""Web sign-in: passwords checked with argon2, a lockout after repeated failures, and
sessions whose cookie holds a random token of which the table keeps only the digest."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from opensales.db import Conn
from opensales.errors import PermissionDeniedError
from opensales.kit.dates import utcnow
from opensales.kit.principal import Principal
from opensales.user.service import hash_key, verify_password

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(days=14)
BAD_CREDENTIALS = "Invalid email or password"


class LockedOutError(PermissionDeniedError):
    pass


@dataclass(frozen=True, slots=True)
class WebSession:
    """Who a browser is signed in as, and the token its forms must carry."""

    who: Principal
    csrf_token: str


async def sign_in(conn: Conn, email: str, password: str) -> tuple[str, WebSession] | None:
    """A new session for the active user with this email and password: (cookie token,
    session); None for a wrong email or password, counted (so the caller commits, and says
    BAD_CREDENTIALS). Five wrong passwords in a row lock the account for 15 minutes."""
    now = utcnow()
    rows = await conn.fetch_all(
        f"SELECT {Principal.COLUMNS}, password_hash, failed_logins, "
        "CASE WHEN locked_until > :now THEN 1 ELSE 0 END AS locked FROM users "
        "WHERE email = :email AND is_active = true ORDER BY id",
        {"email": email.strip().lower(), "now": now},
    )
    # An email may belong to users of several workspaces: the password says which one.
    for row in rows:
        if row["locked"]:
            raise LockedOutError(
                "Too many failed sign-in attempts: this account is locked for "
                f"{int(LOCKOUT.total_seconds() // 60)} minutes"
            )
        if verify_password(row["password_hash"], password):
            await conn.execute(
                "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = :id",
                {"id": row["id"]},
            )
            return await _open_session(conn, Principal.of_user(row))
    for row in rows:
        await _count_failure(conn, row["id"], row["failed_logins"] + 1, now)
    return None


async def _count_failure(conn: Conn, user_id: int, failures: int, now: datetime) -> None:
    locked = failures >= MAX_FAILED_LOGINS
    await conn.execute(
        "UPDATE users SET failed_logins = :n, locked_until = :until WHERE id = :id",
        {
            "n": 0 if locked else failures,
            "until": now + LOCKOUT if locked else None,
            "id": user_id,
        },
    )


async def _open_session(conn: Conn, who: Principal) -> tuple[str, WebSession]:
    token = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    now = utcnow()
    # The user's expired sessions go as a new one starts, so the table never grows stale.
    await conn.execute(
        "DELETE FROM web_sessions WHERE user_id = :user AND expires_at <= :now",
        {"user": who.user_id, "now": now},
    )
    await conn.execute(
        "INSERT INTO web_sessions (workspace_id, user_id, token_hash, csrf_token, created_at, "
        "expires_at) VALUES (:ws, :user, :hash, :csrf, :now, :expires)",
        {
            "ws": who.workspace_id,
            "user": who.user_id,
            "hash": hash_key(token),
            "csrf": csrf_token,
            "now": now,
            "expires": now + SESSION_LIFETIME,
        },
    )
    return token, WebSession(who, csrf_token)


async def session_of(conn: Conn, token: str) -> WebSession | None:
    """The live session a cookie token names, for an active user; else None."""
    columns = ", ".join(f"u.{c.strip()}" for c in Principal.COLUMNS.split(","))
    row = await conn.fetch_one(
        f"SELECT {columns}, s.csrf_token FROM web_sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.token_hash = :hash AND s.expires_at > :now AND u.is_active = true",
        {"hash": hash_key(token), "now": utcnow()},
    )
    return None if row is None else WebSession(Principal.of_user(row), row["csrf_token"])


async def sign_out(conn: Conn, token: str) -> None:
    await conn.execute(
        "DELETE FROM web_sessions WHERE token_hash = :hash", {"hash": hash_key(token)}
    )


async def end_sessions(conn: Conn, user_id: int) -> None:
    """Sign a user out everywhere (deactivated, or their password changed)."""
    await conn.execute("DELETE FROM web_sessions WHERE user_id = :id", {"id": user_id})
