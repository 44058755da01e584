"""Who is asking: the API key's user, their workspace and what their role lets them see."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ROLES = ("admin", "manager", "sales_rep")
# admin: every record; manager: records of their territory (and their own); sales rep: their own.
SCOPES = {"admin": "all", "manager": "territory", "sales_rep": "own"}


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    workspace_id: int
    role: str
    territory_id: int | None
    time_zone: str
    display_name: str
    email: str

    # What `of_user` reads of a `users` row.
    COLUMNS = "id, workspace_id, role, territory_id, time_zone, display_name, email"

    @classmethod
    def of_user(cls, row: Mapping[str, Any]) -> Principal:
        """The principal a `users` row (its COLUMNS, at least) acts as."""
        return cls(
            user_id=row["id"],
            workspace_id=row["workspace_id"],
            role=row["role"],
            territory_id=row["territory_id"],
            time_zone=row["time_zone"],
            display_name=row["display_name"],
            email=row["email"],
        )

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def scope(self) -> str:
        return SCOPES.get(self.role, "own")

    def scope_sql(self, alias: str = "") -> tuple[str, dict[str, object]]:
        """An AND-clause limiting rows to what this user may see, with its parameters."""
        prefix = f"{alias}." if alias else ""
        if self.scope == "all":
            return "", {}
        if self.scope == "territory" and self.territory_id is not None:
            return (
                f" AND ({prefix}territory_id = :scope_territory OR {prefix}owner_id = :scope_user)",
                {"scope_territory": self.territory_id, "scope_user": self.user_id},
            )
        return f" AND {prefix}owner_id = :scope_user", {"scope_user": self.user_id}
