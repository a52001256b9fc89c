"""Working time core: Vietnam's days off, working days and hours, Art. 4.2
and Art. 8.1. No database.
"""
import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

from trytond.modules.mvp_documents import worktime
from trytond.modules.mvp_documents.worktime import TZ, Calendar, Day

D = dt.date
H = dt.timedelta(hours=1)
UTC = dt.timezone.utc
CALENDAR = Calendar()


def at(*args):
    return dt.datetime(*args, tzinfo=TZ)


# --- the national calendar --------------------------------------------------

def test_tet_2026_is_five_days_off():
    off = [d for d in worktime._days(D(2026, 2, 14), D(2026, 2, 22))
        if not CALENDAR.is_working_day(d)]
    assert off == [D(2026, 2, n) for n in range(14, 23)]
    assert [d for d, _, _ in CALENDAR.special_days(2026)
        if D(2026, 2, 1) <= d <= D(2026, 2, 28)] == [
        D(2026, 2, n) for n in range(16, 21)]


def test_tet_2027_falls_on_a_weekend_and_is_made_up():
    # Lunar new year on Saturday 6 Feb 2027: the days on the weekend are
    # given back before and after (Labour Code 2019, Art. 112).
    assert [d for d in worktime._days(D(2027, 2, 3), D(2027, 2, 12))
        if not CALENDAR.is_working_day(d)] == [
        D(2027, 2, n) for n in range(4, 11)]


def test_hung_kings_day_is_lunar():
    # 10th day of the 3rd lunar month.
    assert not CALENDAR.is_working_day(D(2025, 4, 7))
    assert not CALENDAR.is_working_day(D(2027, 4, 16))
    assert CALENDAR.is_working_day(D(2026, 4, 7))


@pytest.mark.parametrize('day', [
        D(2026, 1, 1), D(2026, 4, 30), D(2026, 5, 1), D(2026, 9, 1),
        D(2026, 9, 2), D(2026, 11, 24)])
def test_fixed_holidays(day):
    assert not CALENDAR.is_working_day(day)


def test_government_swap_2026():
    # Monday 31 Aug off for National Day, worked on Saturday 22 Aug.
    assert not CALENDAR.is_working_day(D(2026, 8, 31))
    assert CALENDAR.is_working_day(D(2026, 8, 22))
    assert not CALENDAR.is_working_day(D(2026, 8, 29))


def test_special_days_names_in_vietnamese():
    days = {d: (working, name) for d, working, name
        in CALENDAR.special_days(2026)}
    assert days[D(2026, 2, 17)] == (False, "Tết Nguyên Đán")
    assert days[D(2026, 9, 2)] == (False, "Quốc khánh")
    assert days[D(2026, 8, 22)][0] is True
    assert D(2026, 3, 7) not in days  # a plain Saturday


def test_plain_week():
    week = [D(2026, 11, 16) + dt.timedelta(days=n) for n in range(7)]
    assert [CALENDAR.is_working_day(d) for d in week] == [
        True] * 5 + [False] * 2


# --- the calendar's exceptions and an agency's -------------------------------

def test_added_day_off_and_make_up_day():
    # Say the government moves a working Friday to the Saturday after.
    province = Calendar(days={
            D(2027, 2, 12): Day(False, "Nghỉ bù Tết"),
            D(2027, 2, 20): Day(True, "Làm bù cho 12/02"),
            })
    assert not province.is_working_day(D(2027, 2, 12))
    assert province.is_working_day(D(2027, 2, 20))
    assert province.add_working_days(D(2027, 2, 11), 1) == D(2027, 2, 15)
    assert (D(2027, 2, 20), True, "Làm bù cho 12/02") in (
        province.special_days(2027))
    assert (D(2027, 2, 12), False, "Nghỉ bù Tết") in (
        province.special_days(2027))


def test_agency_inherits_and_overrides_the_province():
    province = Calendar(days={D(2027, 3, 8): Day(False, "Tỉnh nghỉ")})
    agency = province.child(
        hours=[(dt.time(7), dt.time(11)), (dt.time(13), dt.time(17))],
        days={D(2027, 3, 9): Day(False, "Cơ quan nghỉ")})
    assert not agency.is_working_day(D(2027, 3, 8))
    assert not agency.is_working_day(D(2027, 3, 9))
    assert province.is_working_day(D(2027, 3, 9))
    assert agency.weekend == province.weekend
    assert agency.end_of_day(D(2027, 3, 10)) == at(2027, 3, 10, 17)
    assert agency.send_deadline(at(2027, 3, 10, 9)) == at(2027, 3, 11, 11)
    # The agency works a day the province has off: its own word wins.
    working = province.child(days={D(2027, 3, 8): Day(True, "Trực")})
    assert working.is_working_day(D(2027, 3, 8))
    assert working.hours == worktime.HOURS


def test_agency_without_exceptions_is_the_province():
    province = Calendar(days={D(2027, 3, 8): Day(False)})
    agency = province.child()
    for day in worktime._days(D(2027, 1, 1), D(2027, 12, 31)):
        assert agency.is_working_day(day) == province.is_working_day(day)


@pytest.mark.parametrize('hours', [
        [(dt.time(8), dt.time(8))], [(dt.time(9), dt.time(8))],
        [(dt.time(8), dt.time(12)), (dt.time(11), dt.time(17))]])
def test_hours_must_be_in_order(hours):
    with pytest.raises(ValueError):
        Calendar(hours=hours)


def test_a_week_must_have_a_working_day():
    with pytest.raises(ValueError):
        Calendar(weekend=range(7))


# --- working days -----------------------------------------------------------

def test_ten_working_days_across_tet():
    # Registered on Wednesday 11 Feb 2026: Tết takes the week of the 16th.
    assert CALENDAR.add_working_days(D(2026, 2, 11), 10) == D(2026, 3, 4)


def test_zero_working_days_is_the_day_itself():
    saturday = D(2026, 11, 28)
    assert CALENDAR.add_working_days(saturday, 0) == saturday


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(D(2026, 11, 25), -1)


def test_working_days_between_counts_after_start_up_to_end():
    friday, monday = D(2026, 11, 27), D(2026, 11, 30)
    assert CALENDAR.working_days_between(friday, monday) == 1
    assert CALENDAR.working_days_between(monday, friday) == -1
    assert CALENDAR.working_days_between(friday, friday) == 0


# --- working hours ----------------------------------------------------------

def test_lunch_and_nights_are_not_working_time():
    assert CALENDAR.working_time_between(
        at(2026, 11, 25, 11), at(2026, 11, 25, 14)) == H
    assert CALENDAR.working_time_between(
        at(2026, 11, 25, 7, 30), at(2026, 11, 26, 7, 30)) == 7.5 * H
    assert CALENDAR.working_time_between(
        at(2026, 11, 28, 8), at(2026, 11, 29, 16)) == dt.timedelta(0)


def test_working_time_in_another_zone():
    start = at(2026, 11, 25, 9).astimezone(UTC)
    assert start.hour == 2
    assert CALENDAR.working_time_between(
        start, at(2026, 11, 25, 10)) == H
    assert CALENDAR.add_working_time(start, H) == at(2026, 11, 25, 10)


def test_naive_instants_are_refused():
    with pytest.raises(ValueError):
        CALENDAR.working_time_between(
            dt.datetime(2026, 11, 25, 9), at(2026, 11, 25, 10))


def test_add_working_time_ends_at_the_end_of_a_period():
    assert CALENDAR.add_working_time(
        at(2026, 11, 25, 9), 2.5 * H) == at(2026, 11, 25, 11, 30)
    assert CALENDAR.add_working_time(
        at(2026, 11, 25, 12), H) == at(2026, 11, 25, 14, 30)


def test_next_working_time():
    assert CALENDAR.next_working_time(
        at(2026, 11, 25, 12)) == at(2026, 11, 25, 13, 30)
    assert CALENDAR.next_working_time(
        at(2026, 11, 25, 9)) == at(2026, 11, 25, 9)
    assert CALENDAR.next_working_time(
        at(2026, 2, 13, 18)) == at(2026, 2, 23, 7, 30)


# --- Art. 4.2: sent on the day of signature, at the latest next morning ------

@pytest.mark.parametrize('signed, deadline', [
        (at(2026, 11, 25, 9), at(2026, 11, 26, 11, 30)),
        (at(2026, 11, 25, 22), at(2026, 11, 26, 11, 30)),
        (at(2026, 11, 27, 16), at(2026, 11, 30, 11, 30)),  # Friday
        (at(2026, 11, 28, 10), at(2026, 11, 30, 11, 30)),  # Saturday
        (at(2026, 2, 13, 15), at(2026, 2, 23, 11, 30)),  # before Tết
        (at(2026, 11, 23, 10), at(2026, 11, 25, 11, 30)),  # before 24 Nov
        ])
def test_send_deadline(signed, deadline):
    assert CALENDAR.send_deadline(signed) == deadline


# --- Art. 8.1: more than 4 working hours of outage ---------------------------

def test_outage_over_a_night_goes_to_paper_next_morning():
    down = at(2026, 11, 25, 15)
    assert CALENDAR.paper_from(down) == at(2026, 11, 26, 9, 30)
    assert not CALENDAR.outage_exceeds(down, at(2026, 11, 26, 9, 30))
    assert CALENDAR.outage_exceeds(down, at(2026, 11, 26, 9, 31))


def test_outage_over_a_weekend_is_not_counted():
    down = at(2026, 11, 27, 16)  # Friday
    assert not CALENDAR.outage_exceeds(down, at(2026, 11, 30, 7, 30))
    assert CALENDAR.paper_from(down) == at(2026, 11, 30, 10, 30)


# --- deadline states ---------------------------------------------------------

def test_deadline_states_through_time():
    deadline = D(2026, 11, 30)  # Monday
    states = {day: CALENDAR.deadline_state(deadline, day, soon=2)
        for day in worktime._days(D(2026, 11, 23), D(2026, 12, 1))}
    assert states == {
        D(2026, 11, 23): 'on_time',
        D(2026, 11, 24): 'on_time',  # Vietnam Cultural Day
        D(2026, 11, 25): 'on_time',
        D(2026, 11, 26): 'due_soon',
        D(2026, 11, 27): 'due_soon',
        D(2026, 11, 28): 'due_soon',
        D(2026, 11, 29): 'due_soon',
        D(2026, 11, 30): 'due_soon',
        D(2026, 12, 1): 'overdue',
        }
    assert CALENDAR.deadline_state(
        deadline, D(2026, 12, 5), done=deadline) == 'on_time'
    assert CALENDAR.deadline_state(
        deadline, D(2026, 12, 5), done=D(2026, 12, 1)) == 'done_late'


# --- properties --------------------------------------------------------------

dates = st.dates(D(2000, 1, 1), D(2090, 12, 31))
counts = st.integers(0, 300)
instants = st.datetimes(
    dt.datetime(2015, 1, 1), dt.datetime(2040, 12, 31),
    timezones=st.just(TZ))
durations = st.timedeltas(dt.timedelta(0), dt.timedelta(hours=400))
exceptions = st.dictionaries(
    st.dates(D(2026, 1, 1), D(2027, 12, 31)),
    st.builds(Day, st.booleans()), max_size=30)
calendars = st.one_of(
    st.just(CALENDAR),
    st.builds(Calendar, days=exceptions),
    st.builds(lambda p, c: Calendar(days=p).child(days=c),
        exceptions, exceptions))
property_test = settings(deadline=None, max_examples=150)


@property_test
@given(calendars, st.dates(D(2025, 6, 1), D(2028, 6, 1)), counts)
def test_adding_then_counting_gives_back_the_days(calendar, day, count):
    end = calendar.add_working_days(day, count)
    assert calendar.working_days_between(day, end) == count
    assert end >= day
    if count:
        assert calendar.is_working_day(end)
        # No working day is skipped: one less comes before the end.
        assert calendar.add_working_days(day, count - 1) < end


@property_test
@given(dates, counts)
def test_holidays_are_never_counted(day, count):
    end = CALENDAR.add_working_days(day, count)
    for year in {day.year, end.year}:
        off, _ = worktime.national(year)
        for holiday in off:
            if day < holiday <= end:
                assert not CALENDAR.is_working_day(holiday)
                assert CALENDAR.working_days_between(
                    holiday - dt.timedelta(days=1), holiday) == 0


@property_test
@given(dates, dates, counts, counts)
def test_adding_working_days_is_monotonic(first, second, n, m):
    first, second = sorted([first, second])
    n, m = sorted([n, m])
    assert CALENDAR.add_working_days(first, n) <= (
        CALENDAR.add_working_days(first, m))
    assert CALENDAR.add_working_days(first, n) <= (
        CALENDAR.add_working_days(second, n))


@property_test
@given(*[st.dates(D(2015, 1, 1), D(2040, 12, 31))] * 3)
def test_counting_working_days_adds_up(a, b, c):
    between = CALENDAR.working_days_between
    assert between(a, b) + between(b, c) == between(a, c)
    assert between(a, b) == -between(b, a)


@property_test
@given(calendars, st.datetimes(
        dt.datetime(2025, 6, 1), dt.datetime(2028, 6, 1),
        timezones=st.just(TZ)), durations)
def test_adding_then_measuring_gives_back_the_time(calendar, start, duration):
    end = calendar.add_working_time(start, duration)
    assert end >= start
    assert calendar.working_time_between(start, end) == duration
    if duration:
        assert calendar.is_working_time(end)
        assert calendar.is_working_day(end.date())


@property_test
@given(instants, durations, durations)
def test_adding_working_time_is_monotonic(start, first, second):
    first, second = sorted([first, second])
    assert CALENDAR.add_working_time(start, first) <= (
        CALENDAR.add_working_time(start, second))


@property_test
@given(instants, instants, instants)
def test_working_time_adds_up_and_never_exceeds_elapsed_time(a, b, c):
    between = CALENDAR.working_time_between
    assert between(a, b) + between(b, c) == between(a, c)
    assert between(a, b) == -between(b, a)
    assert abs(between(a, b)) <= abs(b - a)


@property_test
@given(instants, st.sampled_from([UTC, dt.timezone(-dt.timedelta(hours=5))]),
    durations)
def test_the_zone_of_an_instant_does_not_matter(moment, zone, duration):
    other = moment.astimezone(zone)
    assert CALENDAR.is_working_time(other) == CALENDAR.is_working_time(moment)
    assert CALENDAR.add_working_time(other, duration) == (
        CALENDAR.add_working_time(moment, duration))


@property_test
@given(instants)
def test_next_working_time_is_the_first_one(moment):
    found = CALENDAR.next_working_time(moment)
    assert found >= moment and CALENDAR.is_working_time(found)
    assert CALENDAR.working_time_between(moment, found) == dt.timedelta(0)


@property_test
@given(instants)
def test_send_deadline_is_the_next_working_morning(signed):
    deadline = CALENDAR.send_deadline(signed)
    day = signed.astimezone(TZ).date()
    assert deadline > signed and CALENDAR.is_working_time(deadline)
    assert deadline.time() == worktime.HOURS[0][1]
    assert CALENDAR.working_days_between(day, deadline.date()) == 1


@property_test
@given(instants)
def test_paper_period_starts_past_four_working_hours(down):
    paper = CALENDAR.paper_from(down)
    assert not CALENDAR.outage_exceeds(down, paper)
    # Past it, the first working second is too many.
    later = CALENDAR.add_working_time(paper, dt.timedelta(seconds=1))
    assert CALENDAR.outage_exceeds(down, later)


@property_test
@given(dates, st.dates(D(2000, 1, 1), D(2090, 12, 31)), st.integers(0, 5))
def test_deadline_states_only_go_forward(deadline, start, soon):
    order = ['on_time', 'due_soon', 'overdue']
    states = [order.index(CALENDAR.deadline_state(deadline, day, soon=soon))
        for day in worktime._days(start, start + dt.timedelta(days=20))]
    assert states == sorted(states)
