"""/api/deals: every shared record endpoint, built from the deal service."""

from opensales.deal.service import deal_service
from opensales.kit.routes import record_router

router = record_router(deal_service)
