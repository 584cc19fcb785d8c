"""The platform's services; each owns its own database and has the same shape."""
