"""SQLAlchemy models: the schema, which Alembic migrates. Every table is keyed by workspace."""

from opensales.models.activity import Activity, Job, ListMember, MarketingList
from opensales.models.base import Base
from opensales.models.engagement import (
    Appointment,
    AppointmentAttendee,
    Note,
    PhoneCall,
    SalesActivity,
    StoredFile,
    Task,
    TaskUser,
)
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
    "Appointment",
    "AppointmentAttendee",
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
    "Note",
    "PhoneCall",
    "RateLimitWindow",
    "SalesAccount",
    "SalesActivity",
    "SelectorOption",
    "StoredFile",
    "Task",
    "TaskUser",
    "TeamMember",
    "User",
    "View",
    "Workspace",
]
