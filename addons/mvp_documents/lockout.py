"""When a login locked by wrong passwords opens again.

Plain Python, as trytond counts: a login is locked while more than
`max_attempt` failed attempts fall inside the last `window` (Tryton's
`[session] max_attempt`; the window is ours, `[session] lock_window`, instead
of the session timeout). It opens when the oldest of the last
max_attempt + 1 attempts leaves the window.
"""
import math


def locked_until(attempts, max_attempt, window, now):
    """Return when the login opens, or None if it is not locked.

    attempts are the times of the failed attempts, in any order; window a
    timedelta.

    >>> import datetime as dt
    >>> now = dt.datetime(2026, 12, 1, 9, 0)
    >>> tries = [now - dt.timedelta(minutes=m) for m in range(6)]
    >>> locked_until(tries, 5, dt.timedelta(minutes=15), now)
    datetime.datetime(2026, 12, 1, 9, 10)
    >>> locked_until(tries[:5], 5, dt.timedelta(minutes=15), now) is None
    True
    """
    recent = sorted((a for a in attempts if a > now - window), reverse=True)
    if len(recent) <= max_attempt:
        return None
    return recent[max_attempt] + window


def minutes_left(until, now):
    """Whole minutes until `until`, rounded up, at least 1

    >>> import datetime as dt
    >>> minutes_left(dt.datetime(2026, 1, 1, 9, 10, 1),
    ...     dt.datetime(2026, 1, 1, 9, 0))
    11
    """
    return max(1, math.ceil((until - now).total_seconds() / 60))
