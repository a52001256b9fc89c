"""Working-day arithmetic for deadlines.

Plain Python: a working day is Monday to Friday and not a holiday; holidays
come from the caller (they change every year by decision of the Prime
Minister).
"""
import datetime as dt


def is_working_day(day, holidays=frozenset()):
    return day.weekday() < 5 and day not in holidays


def add_working_days(start, days, holidays=frozenset()):
    """Return the date that is `days` working days after `start`.

    >>> add_working_days(dt.date(2026, 11, 27), 1)  # Friday
    datetime.date(2026, 11, 30)
    """
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays):
            days -= 1
    return day


def working_days_between(start, end, holidays=frozenset()):
    "Count working days after start up to and including end"
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day, holidays)
    return count
