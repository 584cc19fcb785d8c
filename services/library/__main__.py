"""`python -m services.library`: migrate, seed demo data if asked, serve."""
from services.library.app import MIGRATIONS, create_app
from services.library.seed import main as seed
from services.library.settings import get_settings
from shared.prestart import serve

if __name__ == "__main__":
    serve(create_app, get_settings(), MIGRATIONS, seed)
