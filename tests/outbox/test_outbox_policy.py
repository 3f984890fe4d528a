"""The retry policy: capped exponential backoff with jitter, Retry-After, final failures."""

import email.utils
import random

import pytest

from kiosk.api.client import parse_retry_after
from kiosk.api.errors import (
    BadAnswer,
    CentralTimeout,
    CentralUnreachable,
    Conflict,
    Rejected,
    ServerError,
    TooManyRequests,
    rejected_for,
)
from kiosk.outbox.policy import JobError, RetryPolicy


def test_backoff_grows_exponentially_then_stays_at_the_cap():
    policy = RetryPolicy(base_s=1, factor=2, cap_s=60, jitter=0)
    assert [policy.backoff(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert policy.backoff(10_000) == 60


def test_jitter_spreads_each_delay_within_its_band():
    policy = RetryPolicy(base_s=1, factor=2, cap_s=300, jitter=0.5)
    rng = random.Random(7)
    delays = [policy.backoff(5, rng) for _ in range(200)]
    assert all(8 <= d <= 16 for d in delays)
    assert max(delays) - min(delays) > 4, "delays must actually be spread, not all equal"


@pytest.mark.parametrize(
    "error",
    [
        CentralUnreachable("down"),
        CentralTimeout("slow"),
        ServerError(500, "boom"),
        rejected_for(408, "timeout", "", None, {}),
        rejected_for(425, "too_early", "", None, {}),
        rejected_for(429, "rate_limited", "", None, {}),
        rejected_for(409, "in_progress", "", None, {}),
    ],
)
def test_transient_errors_are_retried(error):
    decision = RetryPolicy(jitter=0).decide(error, attempts=3)
    assert decision.retry
    assert decision.delay_s == 4


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 413, 422])
def test_other_client_errors_are_final_with_their_reason(status):
    error = rejected_for(status, "invalid_body", "service must be a letter", None, {})
    decision = RetryPolicy().decide(error, attempts=1)
    assert not decision.retry
    assert decision.reason == f"{status} invalid_body: service must be a letter"


def test_retry_after_is_a_floor_on_the_wait():
    policy = RetryPolicy(base_s=1, jitter=0)
    slow = policy.decide(ServerError(503, "maintenance", retry_after=120), attempts=1)
    assert slow.retry and slow.delay_s == 120 and slow.hold_s == 120
    # A Retry-After shorter than the backoff does not shorten it.
    quick = policy.decide(TooManyRequests(429, "rate_limited", "", retry_after=1), attempts=6)
    assert quick.delay_s == 32 and quick.hold_s == 1


def test_conflicts_stop_being_retried_after_the_limit():
    policy = RetryPolicy(max_conflicts=3)
    conflict = Conflict(409, "upload_busy", "")
    assert policy.decide(conflict, attempts=2).retry
    final = policy.decide(conflict, attempts=3)
    assert not final.retry and "after 3 attempts" in final.reason


def test_conflicts_that_can_never_clear_fail_at_once():
    taken = Conflict(409, "offline_number_taken", "K1-A001 was already recorded")
    decision = RetryPolicy().decide(taken, attempts=1)
    assert not decision.retry and "offline_number_taken" in decision.reason


def test_bad_answers_and_damaged_jobs_fail_at_once():
    assert not RetryPolicy().decide(BadAnswer("not json"), attempts=1).retry
    assert not RetryPolicy().decide(JobError("attached file 0 is missing"), attempts=1).retry


def test_unexpected_errors_keep_only_their_type_and_give_up_after_a_few_attempts():
    policy = RetryPolicy(max_unexpected=2)
    first = policy.decide(ValueError("012345678901 is not valid"), attempts=1)
    assert first.retry
    assert "012345678901" not in first.reason and "ValueError" in first.reason
    assert not policy.decide(ValueError("again"), attempts=2).retry


def test_rejected_errors_get_their_own_class_by_status():
    assert isinstance(rejected_for(409, "x", "", None, {}), Conflict)
    assert type(rejected_for(422, "x", "", None, {})) is Rejected


def test_retry_after_header_forms():
    assert parse_retry_after("30") == 30
    assert parse_retry_after("-5") == 0
    assert parse_retry_after("999999") == 3600
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    now = 1_800_000_000.0
    date = email.utils.formatdate(now + 90, usegmt=True)
    assert parse_retry_after(date, now=now) == pytest.approx(90, abs=1)
