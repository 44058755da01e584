"""Staying inside the source's rate limit (Freshsales: 1000 to 5000 requests an hour per
account, shared with every other integration of that account).

The SDK retries a 429 after its Retry-After; the pacer tries not to cause one: while more
than a fifth of the window's requests remain it does not wait; below that it spreads the
remaining requests evenly over what is left of the window; with only a reserve left it
waits for the window to reset.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from opensales.client import RateLimit

SPREAD_BELOW = 0.2  # of the limit: start spreading requests out
RESERVE = 0.02  # of the limit (at least one request): left for the account's other users
EPOCH_AFTER = 10**9  # a reset this large is a time (epoch seconds), else seconds from now


def seconds_to_reset(reset: float, now: float) -> float:
    """X-RateLimit-Reset as seconds from now, whether sent as epoch seconds or a delay."""
    return max(0.0, reset - now if reset >= EPOCH_AFTER else reset)


def pause_before_next(rate: RateLimit | None, now: float) -> float:
    """How long to wait before the next request, given the source's last rate-limit headers."""
    if rate is None or rate.limit <= 0:
        return 0.0
    left = seconds_to_reset(rate.reset, now)
    reserve = max(1, int(rate.limit * RESERVE))
    if rate.remaining <= reserve:
        return left
    if rate.remaining >= rate.limit * SPREAD_BELOW:
        return 0.0
    return left / (rate.remaining - reserve)


@dataclass
class Pacer:
    """Waits as `pause_before_next` says; gives up (RateLimitWait) past `max_wait` seconds."""

    max_wait: float
    waited: float = 0.0

    async def pause(
        self, rate: RateLimit | None, on_wait: Callable[[float], None] | None = None
    ) -> None:
        delay = pause_before_next(rate, time.time())
        if delay <= 0:
            return
        if delay > self.max_wait:
            raise RateLimitWait(delay)
        if on_wait is not None and delay >= 1:
            on_wait(delay)
        await asyncio.sleep(delay)
        self.waited += delay


class RateLimitWait(Exception):
    """The source's limit would need a longer wait than allowed: stop, resume later."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the source's rate limit resets in {seconds:.0f} s")
        self.seconds = seconds
