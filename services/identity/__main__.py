"""`python -m services.identity`: migrate, seed demo data if asked, serve."""
from services.identity.app import MIGRATIONS, create_app
from services.identity.seed import main as seed
from services.identity.settings import get_settings
from shared.prestart import serve

if __name__ == "__main__":
    serve(create_app, get_settings(), MIGRATIONS, seed)
