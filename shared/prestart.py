"""Before a service serves: wait for its database, create it if missing, migrate to head."""
from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from shared.db import ensure_database, upgrade_to_head

log = logging.getLogger(__name__)


def prepare_database(url: str, migrations_dir: Path, *, wait_seconds: float = 60) -> None:
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            asyncio.run(ensure_database(url))
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            log.warning("database not reachable yet; waiting")
            time.sleep(1)
    upgrade_to_head(migrations_dir, url)
