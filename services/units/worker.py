"""`python -m services.units.worker`: the outbox relay and the consumers without the API."""
import asyncio

from services.units.handlers import consumers
from services.units.settings import get_settings
from shared.app import run_workers_forever
from shared.db import Database

if __name__ == "__main__":
    s = get_settings()
    asyncio.run(run_workers_forever(Database(s.database_url, pool_size=4, max_overflow=4), s, consumers))
