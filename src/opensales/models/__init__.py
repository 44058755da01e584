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
from opensales.models.leads import Lead
from opensales.models.records import (
    Contact,
    ContactAccount,
    ContactEmail,
    CpqDocument,
    Deal,
    DealContact,
    LineItem,
    Product,
    ProductPricing,
    SalesAccount,
    TeamMember,
)
from opensales.models.search import SearchDocument
from opensales.models.sync import SyncLink
from opensales.models.workspace import (
    CustomModule,
    DataVersion,
    FieldDefinition,
    RateLimitWindow,
    SelectorOption,
    User,
    View,
    WebSession,
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
    "CpqDocument",
    "CustomModule",
    "DataVersion",
    "Deal",
    "DealContact",
    "FieldDefinition",
    "Job",
    "Lead",
    "LineItem",
    "ListMember",
    "MarketingList",
    "Note",
    "PhoneCall",
    "Product",
    "ProductPricing",
    "RateLimitWindow",
    "SalesAccount",
    "SalesActivity",
    "SearchDocument",
    "SelectorOption",
    "StoredFile",
    "SyncLink",
    "Task",
    "TaskUser",
    "TeamMember",
    "User",
    "View",
    "WebSession",
    "Workspace",
]
