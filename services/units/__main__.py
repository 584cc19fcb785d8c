"""`python -m services.units`: migrate, seed demo data if asked, serve."""
from services.units.app import MIGRATIONS, create_app
from services.units.seed import main as seed
from services.units.settings import get_settings
from shared.prestart import serve

if __name__ == "__main__":
    serve(create_app, get_settings(), MIGRATIONS, seed)
