"""`python -m services.documents.worker`: the outbox relay and the clean-up without the API."""
import asyncio
import signal

from services.documents import cleanup
from services.documents.settings import get_settings
from services.documents.storage import ObjectStore
from shared.app import start_workers
from shared.db import Database
from shared.logging import configure_logging


async def main() -> None:
    s = get_settings()
    configure_logging(f"{s.service_name}-worker", s.platform.log_level, s.platform.log_json)
    db, store, stop = Database(s.database_url, pool_size=4, max_overflow=4), ObjectStore(s), asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await store.ensure_bucket()
    try:
        await asyncio.gather(*start_workers(db, s, None, stop), cleanup.run_periodically(db, store, s, stop))
    finally:
        store.close()
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
