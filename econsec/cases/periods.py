"""Statutory periods counted as the Japanese Civil Code counts them (Arts. 140-143).

* Art. 140: a period in days, weeks, months or years does not count its first day, unless the
  period begins at midnight (00:00) of that day; counting starts the next day.
* Art. 141: the period ends when its last day ends.
* Art. 143: weeks, months and years follow the calendar. A period not counted from the start of
  a week, month or year ends on the day before the day that corresponds, in the last week, month
  or year, to the day counting started; when the last month has no such day, it ends on that
  month's last day.
* Art. 142 (a last day that is a holiday moves to the next day, where that is the custom) and the
  Act on Holidays of Administrative Organs (Art. 2: a deadline for an act *towards* a national
  administrative organ that falls on its holiday moves to the next working day) are left to the
  caller: :func:`period_end` takes an optional ``closed`` calendar, and each case rule says
  whether it applies. An organ's own review period (the 30 days of Art. 52 of the Economic
  Security Promotion Act) is not moved by it.

Example: three months from a filing on 2025-01-31 count from 2025-02-01 and end on 2025-04-30.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from econsec.errors import InvalidInput

UNITS = ("days", "weeks", "months", "years")
_TEXT = re.compile(r"^\s*(\d+)\s*(d|day|days|w|week|weeks|m|month|months|y|year|years)\s*$")


@dataclass(frozen=True, slots=True)
class Period:
    """A period of ``amount`` ``unit`` (days, weeks, months or years)."""

    amount: int
    unit: str

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise InvalidInput(f"unknown period unit {self.unit!r}; expected one of {UNITS}")
        if self.amount < 0:
            raise InvalidInput(f"a period cannot be negative: {self.amount} {self.unit}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """``"30 days"``, ``"3 months"``, ``"1 year"``, ``"7d"``, ``"4m"``..."""
        match = _TEXT.match(text.lower())
        if match is None:
            raise InvalidInput(f"not a period: {text!r}; expected e.g. '30 days' or '3 months'")
        amount, word = int(match.group(1)), match.group(2)
        unit = next(u for u in UNITS if u.startswith(word[0]))
        return cls(amount, unit)

    def months(self) -> int | None:
        """The period in calendar months (years as 12), None for days and weeks."""
        if self.unit == "months":
            return self.amount
        if self.unit == "years":
            return 12 * self.amount
        return None

    def __str__(self) -> str:
        unit = self.unit if self.amount != 1 else self.unit[:-1]
        return f"{self.amount} {unit}"


def add_months(day: date, months: int) -> date:
    """The day ``months`` calendar months after ``day`` (the month's last day when it has no
    such day: 2025-01-31 + 1 month = 2025-02-28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def period_end(
    start: date,
    period: Period,
    *,
    from_midnight: bool = False,
    closed: Callable[[date], bool] | None = None,
) -> date:
    """The last day of ``period`` from the event on ``start`` (the period ends when that day
    ends, Art. 141). ``from_midnight``: the period begins at 00:00 of ``start``, so ``start``
    counts (Art. 140 proviso). ``closed``: a calendar of days that move a last day to the next
    open day (Art. 142, or the Act on Holidays of Administrative Organs), where the rule of the
    case says so."""
    first = start if from_midnight else start + timedelta(days=1)  # Art. 140
    if period.amount == 0:
        last = first - timedelta(days=1)
    elif period.unit == "days":
        last = first + timedelta(days=period.amount - 1)
    elif period.unit == "weeks":
        last = first + timedelta(weeks=period.amount) - timedelta(days=1)
    else:
        months = period.months()
        assert months is not None
        last = _calendar_end(first, months)
    if closed is not None:
        for _ in range(366):
            if not closed(last):
                break
            last += timedelta(days=1)
    return last


def _calendar_end(first: date, months: int) -> date:
    """Art. 143(2): the day before the day corresponding to ``first`` ``months`` later, or the
    last day of that month when it has no corresponding day."""
    if first.day == 1:  # counted from the start of a month: the end of the last month
        return add_months(first, months) - timedelta(days=1)
    index = first.year * 12 + first.month - 1 + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    if first.day > last_day:  # no corresponding day in the last month
        return date(year, month + 1, last_day)
    return date(year, month + 1, first.day) - timedelta(days=1)


def weekend(day: date) -> bool:
    """Saturday or Sunday (part of every closed calendar; holidays come with the policy data)."""
    return day.weekday() >= 5
