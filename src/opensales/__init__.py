"""opensales: a self-hosted sales CRM whose REST API is the Freshsales API."""

__version__ = "0.1.0"
