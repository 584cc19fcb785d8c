"""`python -m gateway`."""
import uvicorn

from gateway.app import create_app
from gateway.settings import get_settings

if __name__ == "__main__":
    settings = get_settings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False)
