"""`python -m services.documents.worker`: the outbox relay, the PDF consumer and the clean-up without the API."""
import asyncio

from services.documents import cleanup, handlers
from services.documents.settings import get_settings
from services.documents.storage import ObjectStore
from shared.app import run_workers_forever
from shared.db import Database


async def main() -> None:
    s = get_settings()
    db, store = Database(s.database_url, pool_size=4, max_overflow=4), ObjectStore(s)
    await store.ensure_bucket()
    handlers.configure(s, store, db)
    try:
        await run_workers_forever(db, s, handlers.consumers, extra=lambda db, stop: [cleanup.run_periodically(db, store, s, stop)])
    finally:
        handlers.close()
        store.close()


if __name__ == "__main__":
    asyncio.run(main())
