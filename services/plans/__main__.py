"""`python -m services.plans`: migrate, seed demo data if asked, serve."""
from services.plans.app import MIGRATIONS, create_app
from services.plans.seed import main as seed
from services.plans.settings import get_settings
from shared.prestart import serve

if __name__ == "__main__":
    serve(create_app, get_settings(), MIGRATIONS, seed)
