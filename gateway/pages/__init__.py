"""The browser UI, one module per area; each has a ``router``."""
from gateway.pages import account

ROUTERS = [account.router]
