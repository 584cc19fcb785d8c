"""The platform's day is Fujian's: dates (application windows, ban periods, 公示 periods, “today”)
are in Asia/Shanghai, whatever the server's own time zone.

Tests move the day: with ``ZC_CLOCK_FILE`` set (refused in production), a file there holding an
ISO date makes that date "today" for every process of the platform until the file is removed —
so a test can publish a 公示 on a date the holiday calendar knows and walk past its end."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_CLOCK_FILE = os.environ.get("ZC_CLOCK_FILE")
if _CLOCK_FILE and os.environ.get("ZC_ENVIRONMENT", "development") not in ("development", "test"):
    raise RuntimeError("ZC_CLOCK_FILE moves the platform's day: only for development and tests")


def today() -> dt.date:
    if _CLOCK_FILE:
        try:
            return dt.date.fromisoformat(Path(_CLOCK_FILE).read_text().strip())
        except (FileNotFoundError, ValueError):
            pass  # no file (or an empty one being written): the real day
    return dt.datetime.now(SHANGHAI).date()
