"""Statutory periods as the Civil Code counts them (Arts. 140-143): the issue's example, month
ends, leap years, periods counted from midnight, weeks, and a closed calendar. The expected
dates are worked out by hand from the articles (the reasoning is in each case's comment)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from econsec.cases.periods import Period, add_months, period_end, weekend
from econsec.errors import InvalidInput

D = date.fromisoformat


@pytest.mark.parametrize(
    ("start", "period", "end"),
    [
        # The example: counting starts 02-01; the day before 05-01.
        ("2025-01-31", "3 months", "2025-04-30"),
        # Counting starts 01-31; April has no 31st: its last day.
        ("2025-01-30", "3 months", "2025-04-30"),
        # Counting starts 01-16; the day before 04-16.
        ("2025-01-15", "3 months", "2025-04-15"),
        # Leap year: counting starts 01-31; February 2024 ends on the 29th.
        ("2024-01-30", "1 month", "2024-02-29"),
        ("2025-01-30", "1 month", "2025-02-28"),
        # Counting starts 12-01 (a month's start): the end of February 2024 (leap).
        ("2023-11-30", "3 months", "2024-02-29"),
        # Foreign-filing ban: 10 months from a filing on 03-31 count from 04-01.
        ("2025-03-31", "10 months", "2026-01-31"),
        # Counting starts 2024-02-29; 2025 has no 29 February: its last day.
        ("2024-02-28", "1 year", "2025-02-28"),
        ("2024-02-29", "1 year", "2025-02-28"),
        # Days: day 1 is 01-11, day 30 is 02-09.
        ("2025-01-10", "30 days", "2025-02-09"),
        # Across a year end and a leap day.
        ("2023-12-31", "60 days", "2024-02-29"),
        # Weeks: counting starts Thursday 01-02; two weeks end Wednesday 01-15.
        ("2025-01-01", "2 weeks", "2025-01-15"),
    ],
)
def test_period_end(start: str, period: str, end: str) -> None:
    assert period_end(D(start), Period.parse(period)) == D(end)


def test_a_period_from_midnight_counts_its_first_day() -> None:
    # Art. 140 proviso: begins at 00:00 of 03-01, so March itself is the month.
    assert period_end(D("2025-03-01"), Period(1, "months"), from_midnight=True) == D("2025-03-31")
    assert period_end(D("2025-01-10"), Period(30, "days"), from_midnight=True) == D("2025-02-08")


def test_a_closed_calendar_moves_the_last_day() -> None:
    # 30 days from 2025-01-11 end on Monday 02-10; from 2025-01-09 on Saturday 02-08, which a
    # weekend calendar moves to Monday 02-10; a holiday on that Monday moves it once more.
    assert period_end(D("2025-01-11"), Period(30, "days"), closed=weekend) == D("2025-02-10")
    assert period_end(D("2025-01-09"), Period(30, "days"), closed=weekend) == D("2025-02-10")
    holiday = {D("2025-02-10")}
    closed = lambda day: weekend(day) or day in holiday  # noqa: E731
    assert period_end(D("2025-01-09"), Period(30, "days"), closed=closed) == D("2025-02-11")
    # Without a calendar the Saturday stands (an organ's own review period is not moved).
    assert period_end(D("2025-01-09"), Period(30, "days")) == D("2025-02-08")


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("30 days", Period(30, "days")),
        ("7d", Period(7, "days")),
        ("1 week", Period(1, "weeks")),
        ("4m", Period(4, "months")),
        ("3 Months", Period(3, "months")),
        ("1 year", Period(1, "years")),
    ],
)
def test_parse(text: str, period: Period) -> None:
    assert Period.parse(text) == period


@pytest.mark.parametrize("text", ["", "three months", "3 fortnights", "-3 months", "3"])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(InvalidInput):
        Period.parse(text)


def test_bad_periods_are_refused() -> None:
    with pytest.raises(InvalidInput, match="unit"):
        Period(3, "quarters")
    with pytest.raises(InvalidInput, match="negative"):
        Period(-1, "days")
    assert str(Period(1, "months")) == "1 month" and str(Period(30, "days")) == "30 days"


days = st.dates(min_value=date(1900, 1, 1), max_value=date(2400, 12, 31))


@given(days, st.integers(0, 500))
def test_days_are_counted_from_the_next_day(start: date, n: int) -> None:
    assert period_end(start, Period(n, "days")) == start + timedelta(days=n)


@given(days, st.integers(1, 120))
def test_months_follow_the_calendar(start: date, n: int) -> None:
    end = period_end(start, Period(n, "months"))
    first = start + timedelta(days=1)
    # The period ends the day before the corresponding day, or on the last month's last day.
    corresponding = add_months(first, n)
    if corresponding.day == first.day:
        assert end == corresponding - timedelta(days=1)
    else:  # the last month is too short: its last day
        assert end == corresponding and (end + timedelta(days=1)).day == 1
    # Longer periods never end earlier; a year is twelve months.
    assert period_end(start, Period(n + 1, "months")) >= end
    if n % 12 == 0:
        assert period_end(start, Period(n // 12, "years")) == end


@given(days, st.integers(1, 60))
def test_the_last_day_under_a_closed_calendar_is_open_and_not_earlier(start: date, n: int) -> None:
    plain = period_end(start, Period(n, "days"))
    moved = period_end(start, Period(n, "days"), closed=weekend)
    assert not weekend(moved) and plain <= moved <= plain + timedelta(days=2)
