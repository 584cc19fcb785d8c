"""The platform's day is Fujian's: dates (application windows, ban periods, “today”) are in
Asia/Shanghai, whatever the server's own time zone."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> dt.date:
    return dt.datetime.now(SHANGHAI).date()
