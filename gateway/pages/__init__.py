"""The browser UI, one module per area; each has a ``router``."""
from gateway.pages import account, files, library, me, plans, units

ROUTERS = [account.router, files.router, library.router, me.router, plans.router, units.router]
