"""The kiosk's client for the central service and the errors use cases decide on."""

from kiosk.api.client import CentralClient, new_key, parse_retry_after
from kiosk.api.errors import (
    BadAnswer,
    CentralError,
    CentralTimeout,
    CentralUnavailable,
    CentralUnreachable,
    Conflict,
    ConnectionDropped,
    NotAuthorized,
    NotFound,
    Rejected,
    ServerError,
    TooManyRequests,
)

__all__ = [
    "BadAnswer",
    "CentralClient",
    "CentralError",
    "CentralTimeout",
    "CentralUnavailable",
    "CentralUnreachable",
    "Conflict",
    "ConnectionDropped",
    "NotAuthorized",
    "NotFound",
    "Rejected",
    "ServerError",
    "TooManyRequests",
    "new_key",
    "parse_retry_after",
]
