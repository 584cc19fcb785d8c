"""`python -m services.applications`: migrate, serve."""
from services.applications.app import MIGRATIONS, create_app
from services.applications.settings import get_settings
from shared.prestart import serve

if __name__ == "__main__":
    serve(create_app, get_settings(), MIGRATIONS)
