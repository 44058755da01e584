"""Who is asking: the API key's user, their workspace and what their role lets them see."""

from __future__ import annotations

from dataclasses import dataclass

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
