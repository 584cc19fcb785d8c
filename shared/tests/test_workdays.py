"""Working days from the maintained holiday calendar: 2025's 国庆/中秋 (Oct 1–8 off, Sunday 9/28
and Saturday 10/11 worked), and a clear error for a year the calendar does not know."""
from __future__ import annotations

import datetime as dt

import pytest

from shared import workdays

D = dt.date


def test_the_national_day_holiday_and_its_adjusted_workdays():
    assert not workdays.is_workday(D(2025, 10, 1)) and not workdays.is_workday(D(2025, 10, 8))
    assert workdays.is_workday(D(2025, 9, 28)) and workdays.is_workday(D(2025, 10, 11))  # 调休: a Sunday, a Saturday
    assert not workdays.is_workday(D(2025, 9, 27))  # a plain Saturday
    # Published on Friday 9/26: 9/26, 9/28 (调休), 9/29, 9/30, then the holiday, then 10/9.
    assert workdays.last_of(D(2025, 9, 26), 5) == D(2025, 10, 9)
    assert workdays.last_of(D(2025, 9, 26), 7) == D(2025, 10, 11)  # the 调休 Saturday counts
    # Published on a holiday: counting starts on the first working day after it.
    assert workdays.last_of(D(2025, 10, 3), 1) == D(2025, 10, 9)
    assert workdays.last_of(D(2025, 9, 29), 1) == D(2025, 9, 29)  # a working day counts itself
    # An ordinary week: Monday to Friday.
    assert workdays.last_of(D(2025, 11, 3), 5) == D(2025, 11, 7)
    with pytest.raises(ValueError):
        workdays.last_of(D(2025, 11, 3), 0)


def test_a_year_the_calendar_does_not_know_is_an_error_not_a_guess():
    with pytest.raises(workdays.CalendarUnknown, match="2099 年") as caught:
        workdays.last_of(D(2099, 3, 2), 5)
    assert caught.value.day == D(2099, 3, 2)
    # A period that runs into the unknown year fails too, rather than counting weekdays there.
    last_known = max(d for d in (D(y, 12, 31) for y in range(2020, 2100)) if _known(d))
    with pytest.raises(workdays.CalendarUnknown):
        workdays.last_of(last_known, 30)


def _known(day: dt.date) -> bool:
    try:
        workdays.is_workday(day)
    except workdays.CalendarUnknown:
        return False
    return True
