"""A query's time budget: a deadline its work checks as it goes.

Bounds on a query's shape (words, patterns and what each pattern stands for) keep most
queries cheap, but a query's cost also grows with the index, and a server must not give
one request a core for minutes. Each search runs under a deadline held in a context
variable (so each thread, or each task of a server, has its own); the loops whose work
grows with the index call check(), which raises QueryTooSlowError once it has passed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ..errors import QueryTooSlowError

QUERY_SECONDS = 10.0  # the default budget of one query (Index.query_seconds)

_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("indexer_deadline",
                                                               default=None)


@contextmanager
def limit(seconds: float | None) -> Iterator[None]:
    """Run the block under a budget of `seconds` (None or 0: none). A budget already
    running (a search inside a search) is kept when it ends sooner."""
    if not seconds:
        yield
        return
    deadline = time.monotonic() + seconds
    outer = _DEADLINE.get()
    if outer is not None and outer[0] <= deadline:
        yield
        return
    token = _DEADLINE.set((deadline, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check() -> None:
    """QueryTooSlowError when the running budget has passed."""
    running = _DEADLINE.get()
    if running is not None and time.monotonic() > running[0]:
        raise QueryTooSlowError(
            f"the query ran past its time budget ({running[1]:g} s) and was stopped: "
            "make it narrower (fewer or longer wildcard words, a filter, a date range)")
