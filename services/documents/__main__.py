"""`python -m services.documents`: migrate, then serve."""
from services.documents.app import MIGRATIONS, create_app
from services.documents.settings import get_settings
from shared.prestart import serve

if __name__ == "__main__":
    serve(create_app, get_settings(), MIGRATIONS)
