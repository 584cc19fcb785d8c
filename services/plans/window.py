"""The application window (申报起止日期): dates in Asia/Shanghai, both ends included.

Kept pure and apart so that the boundaries can be tested with any ``today``."""
from __future__ import annotations

import datetime as dt

from services.plans.schemas import Window
from shared.clock import SHANGHAI


def today_in_shanghai(now: dt.datetime | None = None) -> dt.date:
    """The calendar day in Fujian at ``now`` (an aware time; default: this instant)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(SHANGHAI).date()


def window_of(status: str, start: dt.date, end: dt.date, today: dt.date) -> Window:
    if status in ("draft", "closed"):
        return status  # type: ignore[return-value]
    if today < start:
        return "not_started"
    return "open" if today <= end else "ended"
