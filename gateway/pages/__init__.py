"""The browser UI, one module per area; each has a ``router``."""
from gateway.pages import account, applications, files, library, me, plans, units

ROUTERS = [account.router, *applications.ROUTERS, files.router, library.router, me.router, plans.router, units.router]
