"""SQLAlchemy models: the schema, which Alembic migrates. Every table is keyed by workspace."""

from opensales.models.base import Base
from opensales.models.records import (
    Contact,
    ContactAccount,
    ContactEmail,
    Deal,
    DealContact,
    SalesAccount,
    TeamMember,
)
from opensales.models.workspace import (
    DataVersion,
    FieldDefinition,
    RateLimitWindow,
    SelectorOption,
    User,
    View,
    Workspace,
)

__all__ = [
    "Base",
    "Contact",
    "ContactAccount",
    "ContactEmail",
    "DataVersion",
    "Deal",
    "DealContact",
    "FieldDefinition",
    "RateLimitWindow",
    "SalesAccount",
    "SelectorOption",
    "TeamMember",
    "User",
    "View",
    "Workspace",
]
