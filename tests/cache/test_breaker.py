"""The circuit breaker: open after a failure, one trial call after the cooldown."""

from __future__ import annotations

from cache.breaker import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_failure_opens_the_breaker_for_the_cooldown() -> None:
    clock = Clock()
    breaker = CircuitBreaker(30.0, clock=clock)

    breaker.record_failure()
    clock.now += 29.0

    assert breaker.allow() is False
    assert breaker.seconds_left() == 1.0


def test_after_the_cooldown_one_trial_call_goes_through() -> None:
    clock = Clock()
    breaker = CircuitBreaker(30.0, clock=clock)
    breaker.record_failure()
    clock.now += 30.0

    assert breaker.allow() is True
    # While the trial runs, other callers still fail fast.
    assert breaker.allow() is False


def test_a_successful_trial_closes_and_a_failed_one_reopens() -> None:
    clock = Clock()
    breaker = CircuitBreaker(10.0, clock=clock)
    breaker.record_failure()
    clock.now += 10.0
    breaker.allow()
    breaker.record_failure()

    assert breaker.allow() is False
    assert breaker.seconds_left() == 10.0

    clock.now += 10.0
    breaker.allow()
    breaker.record_success()

    assert breaker.is_open is False
    assert breaker.allow() is True
