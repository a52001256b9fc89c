"""Working time: an agency's working calendar and arithmetic in it.

Plain Python, no ORM. A working day is a day that is neither a weekend day
nor a day off; the days off are Vietnam's public holidays (Labour Code 2019,
Art. 112, the lunar ones — Tết, Hùng Kings' day — included) with the days
the government swaps, as the ``holidays`` library keeps them, and then the
calendar's own exceptions: days the government adds or swaps that the
library does not know yet, or an agency's own. A working instant lies inside
the working hours of a working day, ends included. An agency's calendar is
a child of the province's: what it does not say, the province says.

Instants are aware datetimes, computed in Asia/Ho_Chi_Minh (no daylight
saving time); days are dates.

>>> calendar = Calendar()
>>> calendar.is_working_day(dt.date(2026, 2, 17))  # Tết
False
>>> calendar.add_working_days(dt.date(2026, 2, 13), 1)  # Friday before Tết
datetime.date(2026, 2, 23)
"""
import datetime as dt
import functools
from typing import NamedTuple
from zoneinfo import ZoneInfo

import holidays

TZ = ZoneInfo('Asia/Ho_Chi_Minh')
# A 40-hour week, Saturday and Sunday off (Decision 188/1999/QĐ-TTg); the
# province sets the daily hours, and these are the usual ones.
HOURS = ((dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 30), dt.time(17)))
WEEKEND = frozenset({5, 6})  # Saturday, Sunday
# Art. 8.1: past 4 working hours of outage, agencies go back to paper.
OUTAGE_LIMIT = dt.timedelta(hours=4)
# How far a search for the next working time goes before giving up.
HORIZON = 3660


class Day(NamedTuple):
    "An exception to the national calendar: a day off or a working day"
    working: bool
    name: str = ''


@functools.lru_cache(maxsize=None)
def national(year):
    """Return the days off of Vietnam in year, by date, and the weekend days
    worked in exchange for a day off

    >>> off, worked = national(2026)
    >>> off[dt.date(2026, 4, 26)]  # a Sunday
    'Ngày Giỗ Tổ Hùng Vương'
    >>> off[dt.date(2026, 4, 27)]
    'Ngày Giỗ Tổ Hùng Vương (nghỉ bù)'
    >>> sorted(worked)
    [datetime.date(2026, 8, 22)]
    """
    # The next year too: a swap can take a working day from the year before.
    days = holidays.country_holidays(
        'VN', years=(year, year + 1), language='vi')
    off = {d: n for d, n in days.items() if d.year == year}
    worked = frozenset(d for d in days.weekend_workdays if d.year == year)
    return off, worked


def local_date(moment):
    """Return the date in Vietnam of moment; a naive moment is in UTC, as
    trytond keeps them

    >>> local_date(dt.datetime(2026, 11, 24, 18))
    datetime.date(2026, 11, 25)
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(TZ).date()


def _local(moment):
    if moment.tzinfo is None:
        raise ValueError(f"{moment} has no time zone")
    return moment.astimezone(TZ)


def _days(start, stop):
    day = start
    while day <= stop:
        yield day
        day += dt.timedelta(days=1)


class Calendar:
    """A working calendar

    hours are the working periods of a day, as (start, end) times in order;
    weekend the days of the week (Monday is 0) that are not worked; days the
    exceptions, by date. A child calendar takes from its parent the hours and
    weekend it leaves out, and the parent's exceptions it does not override.
    """

    def __init__(self, hours=None, weekend=None, days=None, parent=None):
        self.parent = parent
        self._hours = tuple(hours) if hours else None
        self._weekend = frozenset(weekend) if weekend is not None else None
        self.days = dict(days or {})
        ends = [t for period in self.hours for t in period]
        if not ends or ends != sorted(ends) or len(set(ends)) != len(ends):
            raise ValueError(f"working hours not in order: {self.hours}")
        if not set(range(7)) - self.weekend:
            raise ValueError("no working day in the week")

    @property
    def hours(self):
        if self._hours:
            return self._hours
        return self.parent.hours if self.parent else HOURS

    @property
    def weekend(self):
        if self._weekend is not None:
            return self._weekend
        return self.parent.weekend if self.parent else WEEKEND

    def child(self, hours=None, weekend=None, days=None):
        "Return an agency's calendar that inherits this one"
        return Calendar(hours=hours, weekend=weekend, days=days, parent=self)

    def exception(self, day):
        "Return the Day that overrides the national calendar on day, if any"
        calendar = self
        while calendar:
            if day in calendar.days:
                return calendar.days[day]
            calendar = calendar.parent

    def is_working_day(self, day):
        """Tell whether day is a working day

        >>> calendar = Calendar()
        >>> calendar.is_working_day(dt.date(2026, 9, 2))  # National Day
        False
        >>> calendar.is_working_day(dt.date(2026, 8, 22))  # a Saturday
        True
        """
        exception = self.exception(day)
        if exception is not None:
            return exception.working
        off, worked = national(day.year)
        if day in off:
            return False
        return day.weekday() not in self.weekend or day in worked

    def special_days(self, year):
        """Return the days of year that the weekly rule does not tell, in
        order: (date, working, name) for each day off that is not a mere
        weekend day, and each weekend day that is worked

        >>> for day in Calendar().special_days(2026)[-5:]:
        ...     print(*day)
        2026-08-22 True Ngày làm việc bù cho ngày 31/08/2026
        2026-08-31 False Ngày nghỉ (thay cho ngày 22/08/2026)
        2026-09-01 False Quốc khánh
        2026-09-02 False Quốc khánh
        2026-11-24 False Ngày Văn hóa Việt Nam
        """
        off, worked = national(year)
        found = {}
        for day, name in off.items():
            found[day] = Day(False, name)
        for day in worked:
            swapped = [d for d, n in off.items() if day.strftime(
                    '%d/%m/%Y') in n]
            found[day] = Day(True, "Ngày làm việc bù" + (
                    " cho ngày " + swapped[0].strftime('%d/%m/%Y')
                    if swapped else ''))
        calendars = []
        calendar = self
        while calendar:
            calendars.insert(0, calendar)
            calendar = calendar.parent
        for calendar in calendars:
            for day, exception in calendar.days.items():
                if day.year == year:
                    found[day] = exception
        return [(day, found[day].working, found[day].name)
            for day in sorted(found)
            if found[day].working == (day.weekday() in self.weekend)
            or day in off or day in worked]

    def add_working_days(self, day, count):
        """Return the date that is count working days after day

        >>> Calendar().add_working_days(dt.date(2026, 11, 20), 2)  # Friday
        datetime.date(2026, 11, 25)
        """
        if count < 0:
            raise ValueError(f"{count} working days")
        for _ in range(count):
            day = self.next_working_day(day)
        return day

    def next_working_day(self, day):
        "Return the first working day after day"
        for _ in range(HORIZON):
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError(f"no working day within {HORIZON} days of {day}")

    def working_days_between(self, start, end):
        """Count the working days after start up to end included; negative
        when end is before start

        >>> Calendar().working_days_between(
        ...     dt.date(2026, 2, 13), dt.date(2026, 2, 27))
        5
        """
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for day in _days(start + dt.timedelta(days=1), end)
            if self.is_working_day(day))

    def periods(self, day):
        "Return the working periods of day as aware (start, end) instants"
        if not self.is_working_day(day):
            return []
        return [(dt.datetime.combine(day, start, TZ),
                dt.datetime.combine(day, end, TZ))
            for start, end in self.hours]

    def is_working_time(self, moment):
        """Tell whether moment lies in working hours

        >>> calendar = Calendar()
        >>> calendar.is_working_time(
        ...     dt.datetime(2026, 11, 25, 11, 30, tzinfo=TZ))
        True
        >>> calendar.is_working_time(dt.datetime(2026, 11, 25, 12, tzinfo=TZ))
        False
        """
        moment = _local(moment)
        return any(start <= moment <= end
            for start, end in self.periods(moment.date()))

    def _periods_from(self, moment):
        "Yield the working periods from moment on, the first one cut"
        moment = _local(moment)
        day = moment.date()
        for _ in range(HORIZON):
            for start, end in self.periods(day):
                if end > moment:
                    yield max(start, moment), end
            day += dt.timedelta(days=1)
        raise ValueError(f"no working time within {HORIZON} days of {moment}")

    def next_working_time(self, moment):
        """Return moment if it is working time, otherwise the start of the
        next working period

        >>> Calendar().next_working_time(
        ...     dt.datetime(2026, 11, 27, 17, 30, tzinfo=TZ)).isoformat()
        '2026-11-30T07:30:00+07:00'
        """
        if self.is_working_time(moment):
            return _local(moment)
        start, _ = next(self._periods_from(moment))
        return start

    def add_working_time(self, moment, duration):
        """Return the first instant after which duration of working time has
        passed since moment

        >>> Calendar().add_working_time(
        ...     dt.datetime(2026, 11, 25, 10, tzinfo=TZ),
        ...     dt.timedelta(hours=4)).time()
        datetime.time(16, 0)
        """
        if duration < dt.timedelta(0):
            raise ValueError(f"{duration} of working time")
        if not duration:
            return _local(moment)
        for start, end in self._periods_from(moment):
            if duration <= end - start:
                return start + duration
            duration -= end - start

    def working_time_between(self, start, end):
        """Return the working time between two instants; negative when end
        is before start

        >>> Calendar().working_time_between(
        ...     dt.datetime(2026, 11, 27, 16, tzinfo=TZ),  # Friday
        ...     dt.datetime(2026, 11, 30, 8, 30, tzinfo=TZ))
        datetime.timedelta(seconds=7200)
        """
        start, end = _local(start), _local(end)
        if end < start:
            return -self.working_time_between(end, start)
        total = dt.timedelta(0)
        first, last = start.date(), end.date()
        length = sum((dt.datetime.combine(first, high)
                - dt.datetime.combine(first, low)
                for low, high in self.hours), dt.timedelta(0))
        for day in _days(first, last):
            if first < day < last:
                # Whole days between: no need to build their periods.
                if self.is_working_day(day):
                    total += length
                continue
            for low, high in self.periods(day):
                if high > start and low < end:
                    total += min(high, end) - max(low, start)
        return total

    def end_of_day(self, day):
        "Return the end of the working hours of day"
        return dt.datetime.combine(day, self.hours[-1][1], TZ)

    def send_deadline(self, signed):
        """Return when a document signed at signed must be sent at the
        latest: the end of the next working morning (Art. 4.2)

        >>> Calendar().send_deadline(
        ...     dt.datetime(2026, 4, 29, 16, 45, tzinfo=TZ)).isoformat()
        '2026-05-04T11:30:00+07:00'
        """
        day = self.next_working_day(_local(signed).date())
        return dt.datetime.combine(day, self.hours[0][1], TZ)

    def paper_from(self, down):
        """Return the instant past which an outage that began at down has
        lasted more than 4 working hours: agencies go back to paper (Art. 8.1)

        >>> Calendar().paper_from(
        ...     dt.datetime(2026, 11, 25, 15, tzinfo=TZ)).isoformat()
        '2026-11-26T09:30:00+07:00'
        """
        return self.add_working_time(down, OUTAGE_LIMIT)

    def outage_exceeds(self, down, up):
        "Tell whether an outage from down to up passed the limit of Art. 8.1"
        return self.working_time_between(down, up) > OUTAGE_LIMIT

    def deadline_state(self, deadline, today, done=None, soon=0):
        """Return the state of a deadline date as of today: 'on_time',
        'due_soon' (within soon working days), 'overdue', or for work done
        on the date done, 'on_time' or 'done_late'

        >>> calendar = Calendar()
        >>> friday = dt.date(2026, 11, 27)
        >>> calendar.deadline_state(
        ...     dt.date(2026, 11, 30), friday, soon=1)
        'due_soon'
        >>> calendar.deadline_state(friday, friday, done=dt.date(2026, 11, 28))
        'done_late'
        """
        if done is not None:
            return 'done_late' if done > deadline else 'on_time'
        if today > deadline:
            return 'overdue'
        if deadline <= self.add_working_days(today, soon):
            return 'due_soon'
        return 'on_time'


DEFAULT = Calendar()
