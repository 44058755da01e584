"""/api/contacts: every shared record endpoint, built from the contact service."""

from opensales.contact.service import contact_service
from opensales.kit.routes import record_router

router = record_router(contact_service)
