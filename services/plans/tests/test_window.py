"""The application window at its boundaries, in Fujian's time zone."""
from __future__ import annotations

import datetime as dt

import pytest

from services.plans.window import today_in_shanghai, window_of

START, END = dt.date(2026, 6, 1), dt.date(2026, 12, 31)


@pytest.mark.parametrize(("today", "expected"), [
    (dt.date(2026, 5, 31), "not_started"),
    (dt.date(2026, 6, 1), "open"),  # the first day counts
    (dt.date(2026, 9, 1), "open"),
    (dt.date(2026, 12, 31), "open"),  # and so does the last
    (dt.date(2027, 1, 1), "ended"),
])
def test_a_published_plan_is_open_from_its_first_to_its_last_day(today, expected):
    assert window_of("published", START, END, today) == expected


def test_drafts_and_closed_plans_are_never_open_whatever_the_date():
    assert window_of("draft", START, END, dt.date(2026, 9, 1)) == "draft"
    assert window_of("closed", START, END, dt.date(2026, 9, 1)) == "closed"


def test_a_one_day_window():
    day = dt.date(2026, 3, 15)
    assert [window_of("published", day, day, day + dt.timedelta(d)) for d in (-1, 0, 1)] == \
        ["not_started", "open", "ended"]


def test_the_day_is_fujians_not_utcs():
    # 2026-05-31 16:30 UTC is already 2026-06-01 00:30 in Shanghai: the window has opened there.
    late_utc = dt.datetime(2026, 5, 31, 16, 30, tzinfo=dt.UTC)
    assert today_in_shanghai(late_utc) == dt.date(2026, 6, 1)
    assert window_of("published", START, END, today_in_shanghai(late_utc)) == "open"
    # 2026-12-31 16:00 UTC is 2027-01-01 00:00 in Shanghai: the last day is over.
    assert window_of("published", START, END, today_in_shanghai(dt.datetime(2026, 12, 31, 16, 0, tzinfo=dt.UTC))) == "ended"
    assert window_of("published", START, END, today_in_shanghai(dt.datetime(2026, 12, 31, 15, 59, tzinfo=dt.UTC))) == "open"
