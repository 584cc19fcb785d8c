"""`python -m services.applications.worker`: the outbox relay and the read models' consumer without the API."""
import asyncio

from services.applications.handlers import consumers
from services.applications.settings import get_settings
from shared.app import run_workers_forever
from shared.db import Database

if __name__ == "__main__":
    s = get_settings()
    asyncio.run(run_workers_forever(Database(s.database_url, pool_size=4, max_overflow=4), s, consumers))
