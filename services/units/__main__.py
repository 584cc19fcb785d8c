"""`python -m services.units`: migrate, (seed demo data,) then serve."""
import asyncio

import uvicorn

from services.units.app import MIGRATIONS, create_app
from services.units.settings import get_settings
from shared.prestart import prepare_database

if __name__ == "__main__":
    settings = get_settings()
    prepare_database(settings.database_url, MIGRATIONS)
    if settings.seed_demo_data:
        from services.units.seed import main as seed

        asyncio.run(seed())
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False)
