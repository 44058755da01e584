"""What `make run` needs on a fresh machine: a database with a workspace, an admin whose
credentials are kept (mode 600) in the data folder, and demo data, made once."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from opensales import migrate
from opensales.config import get_settings
from opensales.db import Conn

ADMIN_EMAIL = "admin@opensales.local"


def credentials_file() -> Path:
    return get_settings().data_dir / "credentials.json"


def ensure_first_run() -> dict[str, str]:
    from opensales.cli.demo import load_demo
    from opensales.cli.main import in_transaction
    from opensales.workspace import service as workspaces

    path = credentials_file()
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text())
        return stored
    migrate.upgrade(get_settings().resolved_database_url)
    credentials = {
        "email": ADMIN_EMAIL,
        "password": secrets.token_urlsafe(12),
        "api_key": secrets.token_urlsafe(24),
    }

    async def work(conn: Conn) -> None:
        workspace_id = await workspaces.find(conn, "default") or await workspaces.create(
            conn, "default"
        )
        await workspaces.ensure_admin(
            conn,
            workspace_id,
            email=credentials["email"],
            password=credentials["password"],
            api_key=credentials["api_key"],
        )
        await load_demo(conn, workspace_id, contacts=60, only_if_empty=True)

    in_transaction(work)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(credentials, indent=2))
    return credentials
