"""Users: API keys (stored hashed), passwords (argon2), roles, and who a key belongs to."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from argon2 import PasswordHasher

from opensales.db import Conn, Row
from opensales.errors import NotFoundError, ValidationError
from opensales.kit.dates import utcnow
from opensales.kit.principal import ROLES, Principal
from opensales.kit.records import insert_sql

_hasher = PasswordHasher()


def hash_key(api_key: str) -> str:
    """API keys are long random secrets, so a fast digest is the right hash (not argon2)."""
    return hashlib.sha256(api_key.encode()).hexdigest()


def new_api_key() -> str:
    return secrets.token_urlsafe(24)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except Exception:  # argon2 raises a family of mismatch/invalid-hash errors
        return False


async def create_user(
    conn: Conn,
    workspace_id: int,
    *,
    email: str,
    display_name: str | None = None,
    role: str = "sales_rep",
    password: str | None = None,
    api_key: str | None = None,
    territory_id: int | None = None,
    time_zone: str = "UTC",
) -> tuple[int, str]:
    """Add a user; answers their id and API key (generated unless given)."""
    _check_role(role)
    await check_territory(conn, workspace_id, territory_id)
    local, _, domain = email.strip().partition("@")
    if not (local and domain):
        raise ValidationError("Invalid value for email: must be an email address")
    if await find_by_email(conn, workspace_id, email) is not None:
        raise ValidationError(f"Invalid value for email: {email} already has a user")
    api_key = api_key or new_api_key()
    now = utcnow()
    values: dict[str, Any] = {
        "workspace_id": workspace_id,
        "email": email.strip().lower(),
        "display_name": display_name or email.split("@")[0],
        "role": role,
        "password_hash": hash_password(password) if password else None,
        "api_key_hash": hash_key(api_key),
        "territory_id": territory_id,
        "is_active": True,
        "time_zone": time_zone,
        "created_at": now,
        "updated_at": now,
    }
    user_id = int(await conn.fetch_val(insert_sql("users", list(values)), values))
    forget_cached_keys()
    return user_id, api_key


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError(f"Invalid value for role: one of {', '.join(ROLES)}")


async def check_territory(conn: Conn, workspace_id: int, territory_id: int | None) -> None:
    """A 400 unless the territory is one of the workspace's (or none)."""
    if territory_id is None:
        return
    found = await conn.fetch_val(
        "SELECT id FROM selector_options WHERE id = :id AND workspace_id = :ws "
        "AND kind = 'territories'",
        {"id": territory_id, "ws": workspace_id},
    )
    if found is None:
        raise ValidationError("Invalid value for territory_id: no such territory")


def temporary_password() -> str:
    """A password an admin hands to a new user (shown once, stored hashed)."""
    return secrets.token_urlsafe(12)


async def get_user(conn: Conn, workspace_id: int, user_id: int) -> Row:
    row = await conn.fetch_one(
        "SELECT * FROM users WHERE id = :id AND workspace_id = :ws",
        {"id": user_id, "ws": workspace_id},
    )
    if row is None:
        raise NotFoundError("User not found")
    return row


async def update_user(
    conn: Conn, workspace_id: int, user_id: int, *, role: str, territory_id: int | None
) -> None:
    """Change a user's role and territory; the last active admin stays an admin."""
    _check_role(role)
    await check_territory(conn, workspace_id, territory_id)
    user = await get_user(conn, workspace_id, user_id)
    if role != "admin":
        await _keep_an_admin(conn, user)
    await conn.execute(
        "UPDATE users SET role = :role, territory_id = :territory, updated_at = :now "
        "WHERE id = :id",
        {"role": role, "territory": territory_id, "now": utcnow(), "id": user["id"]},
    )
    forget_cached_keys()


async def change_active(conn: Conn, workspace_id: int, user_id: int, active: bool) -> None:
    """Deactivate (or reactivate) a user of the workspace; the last active admin stays."""
    user = await get_user(conn, workspace_id, user_id)
    if not active:
        await _keep_an_admin(conn, user)
    await set_active(conn, user["id"], active)


async def _keep_an_admin(conn: Conn, user: Row) -> None:
    """Refuse to take away the workspace's last active admin."""
    if user["role"] != "admin" or not user["is_active"]:
        return
    others = await conn.fetch_val(
        "SELECT count(*) FROM users WHERE workspace_id = :ws AND role = 'admin' "
        "AND is_active = true AND id <> :id",
        {"ws": user["workspace_id"], "id": user["id"]},
    )
    if not others:
        raise ValidationError(f"{user['email']} is the last active admin: make another first")


async def set_api_key(conn: Conn, user_id: int, api_key: str) -> None:
    await conn.execute(
        "UPDATE users SET api_key_hash = :h, updated_at = :now WHERE id = :id",
        {"h": hash_key(api_key), "now": utcnow(), "id": user_id},
    )
    forget_cached_keys()


async def rotate_key(conn: Conn, user_id: int) -> str:
    """A new random API key for the user; the old one stops working."""
    api_key = new_api_key()
    await set_api_key(conn, user_id, api_key)
    return api_key


async def set_password(conn: Conn, user_id: int, password: str) -> None:
    await conn.execute(
        "UPDATE users SET password_hash = :h, failed_logins = 0, locked_until = NULL, "
        "updated_at = :now WHERE id = :id",
        {"h": hash_password(password), "now": utcnow(), "id": user_id},
    )


async def set_active(conn: Conn, user_id: int, active: bool) -> None:
    await conn.execute(
        "UPDATE users SET is_active = :a, updated_at = :now WHERE id = :id",
        {"a": active, "now": utcnow(), "id": user_id},
    )
    forget_cached_keys()


async def find_by_email(conn: Conn, workspace_id: int, email: str) -> Row | None:
    return await conn.fetch_one(
        "SELECT * FROM users WHERE workspace_id = :ws AND email = :email",
        {"ws": workspace_id, "email": email.strip().lower()},
    )


async def list_users(conn: Conn, workspace_id: int) -> list[Row]:
    """The workspace's users, with their territory's name, in the order they were added."""
    return await conn.fetch_all(
        "SELECT u.id, u.email, u.display_name, u.role, u.territory_id, t.name AS territory, "
        "u.is_active "
        "FROM users u LEFT JOIN selector_options t ON t.id = u.territory_id "
        "WHERE u.workspace_id = :ws ORDER BY u.id",
        {"ws": workspace_id},
    )


# --- authentication, on every request -----------------------------------------------------

_cache: dict[str, tuple[float, Principal | None]] = {}


def forget_cached_keys() -> None:
    _cache.clear()


async def authenticate(conn: Conn, api_key: str, ttl: float) -> Principal | None:
    """The active user an API key belongs to; remembered for `ttl` seconds per process."""
    digest = hash_key(api_key)
    now = time.monotonic()
    hit = _cache.get(digest)
    if hit is not None and hit[0] > now:
        return hit[1]
    row = await conn.fetch_one(
        f"SELECT {Principal.COLUMNS} FROM users WHERE api_key_hash = :h AND is_active = true",
        {"h": digest},
    )
    found = None if row is None else Principal.of_user(row)
    if len(_cache) > 10_000:
        _cache.clear()
    _cache[digest] = (now + ttl, found)
    return found
