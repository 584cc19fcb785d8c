"""The browser UI, one module per area; each has a ``router``."""
from gateway.pages import account, me, units

ROUTERS = [account.router, me.router, units.router]
