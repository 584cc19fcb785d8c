"""`python -m services.identity`: migrate, then serve."""
import uvicorn

from services.identity.app import MIGRATIONS, create_app
from services.identity.settings import get_settings
from shared.prestart import prepare_database

if __name__ == "__main__":
    settings = get_settings()
    prepare_database(settings.database_url, MIGRATIONS)
    if settings.seed_demo_data:
        import asyncio

        from services.identity.seed import main as seed

        asyncio.run(seed())
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None,
                proxy_headers=False, access_log=False)
