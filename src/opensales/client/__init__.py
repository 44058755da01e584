"""The opensales SDK: a client for the Freshsales API, served by opensales or by Freshsales.

It stands alone: only the standard library and httpx, nothing from the server side.
"""

from opensales.client._async import AsyncClient
from opensales.client._http import RateLimit
from opensales.client._sync import Client
from opensales.client.errors import (
    ApiError,
    BadRequest,
    Conflict,
    Error,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServerError,
    Timeout,
    TransportError,
    Unauthorized,
)
from opensales.client.jobs import AsyncJob, Job
from opensales.client.record import Record

__all__ = [
    "ApiError",
    "AsyncClient",
    "AsyncJob",
    "BadRequest",
    "Client",
    "Conflict",
    "Error",
    "Forbidden",
    "Job",
    "NotFound",
    "PayloadTooLarge",
    "RateLimit",
    "RateLimited",
    "Record",
    "ServerError",
    "Timeout",
    "TransportError",
    "Unauthorized",
]
