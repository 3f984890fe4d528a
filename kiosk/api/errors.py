"""What can go wrong talking to the central service, as the use cases decide on it.

``requests``/``urllib3`` errors and HTTP error answers are translated here, at the boundary::

    CentralError                   any problem with the central service; str() is for the operator
    ├── CentralUnavailable         no usable answer: try again later with the same idempotency key
    │   ├── CentralUnreachable     no connection was made, so the request was never sent
    │   ├── CentralTimeout         sent, but no answer in time: it may have been carried out
    │   ├── ConnectionDropped      the connection broke mid-request: it may have been carried out
    │   └── ServerError            5xx (``retry_after`` from a 503's ``Retry-After``)
    ├── Rejected                   4xx: understood and refused; ``status``, ``code``, ``message``
    │   ├── NotAuthorized          401/403: bad or missing kiosk token, or not the owner
    │   ├── NotFound               404
    │   ├── Conflict               409 (e.g. ``already_handed_over``, an upload chunk out of place)
    │   └── TooManyRequests        429 (``retry_after`` from ``Retry-After``)
    └── BadAnswer                  a success status whose body is not what the contract promises

``sent`` tells whether the central service may have acted on the request; a write that may have been
done is only ever repeated with its original ``Idempotency-Key``. ``retryable`` is the retry policy:
every ``CentralUnavailable``, and the 4xx statuses that mean "not now" (408, 409, 425, 429).
"""

from __future__ import annotations

RETRYABLE_4XX = frozenset({408, 409, 425, 429})


class CentralError(Exception):
    """Base of every central-service problem. Messages never carry personal data."""

    #: The central service may have carried the request out.
    sent: bool = True
    retryable: bool = False
    #: Seconds the service asked us to wait (``Retry-After``), when it did.
    retry_after: float | None = None


class CentralUnavailable(CentralError):
    retryable = True

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class CentralUnreachable(CentralUnavailable):
    sent = False


class CentralTimeout(CentralUnavailable):
    pass


class ConnectionDropped(CentralUnavailable):
    pass


class ServerError(CentralUnavailable):
    def __init__(self, status: int, message: str, retry_after: float | None = None):
        super().__init__(message, retry_after)
        self.status = status


class Rejected(CentralError):
    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None,
                 body: dict | None = None):
        super().__init__(f"{status} {code}: {message}" if message else f"{status} {code}")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.body = body or {}

    @property
    def retryable(self) -> bool:  # type: ignore[override]
        return self.status in RETRYABLE_4XX


class NotAuthorized(Rejected):
    pass


class NotFound(Rejected):
    pass


class Conflict(Rejected):
    pass


class TooManyRequests(Rejected):
    pass


class BadAnswer(CentralError):
    pass


def rejected_for(status: int, code: str, message: str, retry_after: float | None, body: dict) -> Rejected:
    cls = {401: NotAuthorized, 403: NotAuthorized, 404: NotFound, 409: Conflict, 429: TooManyRequests}
    return cls.get(status, Rejected)(status, code, message, retry_after, body)
