"""When to try a job again, and when to give up: the retry policy as data.

A failed delivery is retried after a capped exponential backoff with jitter; a ``Retry-After`` from the
central service is a floor on that wait. The central service's answer decides whether to go on:

- it could not be reached, timed out, broke the connection or failed (5xx): retry, however long it takes;
- 408, 425, 429: retry; 409: retry up to ``max_conflicts`` attempts, then fail, except the conflicts that
  can never clear (``final_conflicts``: the ticket was already served, the number is taken…), which fail
  at once;
- any other 4xx, or a success whose body breaks the contract: fail at once with that reason;
- a ``JobError`` (the job itself cannot be delivered: damaged, undecryptable, a file gone): fail at once;
- an unexpected error in the kiosk itself: retry up to ``max_unexpected`` attempts, then fail. Only its
  type is kept, since its text might quote personal data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from kiosk.api.errors import CentralError, Rejected


class JobError(Exception):
    """This job cannot be delivered as it stands; the message is for the operator, never personal data."""


@dataclass(frozen=True)
class Decision:
    retry: bool
    delay_s: float = 0.0
    #: Do not try before this many seconds from now, whatever else happens (``Retry-After``).
    hold_s: float = 0.0
    reason: str = ""


@dataclass(frozen=True)
class RetryPolicy:
    base_s: float = 1.0
    factor: float = 2.0
    cap_s: float = 300.0
    #: Fraction of each delay that is randomised: 0.5 waits between half and all of it.
    jitter: float = 0.5
    max_conflicts: int = 8
    final_conflicts: frozenset[str] = frozenset({"invalid_ticket_state", "offline_number_taken", "already_handed_over"})
    max_unexpected: int = 5

    def backoff(self, attempts: int, rng: random.Random | None = None) -> float:
        """The wait after the ``attempts``-th failed attempt (1 for the first)."""
        exponent = max(attempts - 1, 0)
        delay = self.cap_s if exponent > 64 else min(self.cap_s, self.base_s * self.factor**exponent)
        spread = delay * self.jitter
        return delay - spread + (rng or random).random() * spread

    def decide(self, error: BaseException, attempts: int, rng: random.Random | None = None) -> Decision:
        delay = self.backoff(attempts, rng)
        if isinstance(error, CentralError):
            reason = str(error)
            if not error.retryable:
                return Decision(False, reason=reason)
            if isinstance(error, Rejected) and error.status == 409:
                if error.code in self.final_conflicts:
                    return Decision(False, reason=reason)
                if attempts >= self.max_conflicts:
                    return Decision(False, reason=f"{reason} (still in conflict after {attempts} attempts)")
            hold = error.retry_after or 0.0
            return Decision(True, max(delay, hold), hold, reason)
        if isinstance(error, JobError):
            return Decision(False, reason=str(error))
        reason = f"kiosk error: {type(error).__name__}"
        if attempts >= self.max_unexpected:
            return Decision(False, reason=f"{reason} (after {attempts} attempts)")
        return Decision(True, delay, 0.0, reason)
