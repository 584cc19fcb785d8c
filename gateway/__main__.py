"""`python -m gateway`."""
import uvicorn

from gateway.app import create_app
from gateway.settings import get_settings
from shared.metrics import serve_metrics

if __name__ == "__main__":
    settings = get_settings()
    serve_metrics(settings.host, settings.metrics_port, "gateway")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False)
