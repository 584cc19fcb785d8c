"""Working days (工作日) of mainland China, for periods such as a 公示 of N working days: weekends
and public holidays are not working days, 调休 weekend days are. The calendar is the State
Council's as the `chinesecalendar` package keeps it (a new release each year once the next
year's arrangement is announced); a date outside the years it knows is an error, never a guess."""
from __future__ import annotations

import datetime as dt

import chinese_calendar


class CalendarUnknown(ValueError):
    """The calendar does not know the year yet (update chinesecalendar once it is announced)."""

    def __init__(self, day: dt.date) -> None:
        self.day = day
        super().__init__(f"工作日历尚无 {day.year} 年的法定节假日安排，无法计算工作日；请更新节假日日历（chinesecalendar）后再试")


def is_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        raise CalendarUnknown(day) from None


def last_of(start: dt.date, n: int) -> dt.date:
    """The last day of a period of ``n`` (≥ 1) working days that begins on ``start`` (counted
    when it is itself a working day)."""
    if n < 1:
        raise ValueError("a period has at least one working day")
    day, counted = start, 0
    while True:
        if is_workday(day):
            counted += 1
            if counted == n:
                return day
        day += dt.timedelta(days=1)
