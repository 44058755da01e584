"""/api/sales_accounts: every shared record endpoint, built from the account service."""

from opensales.account.service import account_service
from opensales.kit.routes import record_router

router = record_router(account_service)
