"""SQLAlchemy models: the schema, which Alembic migrates. Every table is keyed by workspace."""

from opensales.models.activity import Activity, Job, ListMember, MarketingList
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
    "Activity",
    "Base",
    "Contact",
    "ContactAccount",
    "ContactEmail",
    "DataVersion",
    "Deal",
    "DealContact",
    "FieldDefinition",
    "Job",
    "ListMember",
    "MarketingList",
    "RateLimitWindow",
    "SalesAccount",
    "SelectorOption",
    "TeamMember",
    "User",
    "View",
    "Workspace",
]
