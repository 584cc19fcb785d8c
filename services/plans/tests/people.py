"""People for the plans tests: registered through the gateway, given roles, made administrators."""
from __future__ import annotations

import asyncio
import concurrent.futures
from dataclasses import dataclass

from shared.testing.browser import HttpBrowser
from shared.testing.fixtures import csrf_header, eventually


@dataclass
class Actor:
    browser: HttpBrowser
    account: dict
    person_id: str


def grant_roles(stack, id_number: str, *roles: str) -> None:
    """What `services.identity.cli grant-role` does, in-process (a subprocess per role is slow)."""
    from services.identity.people import grant_role
    from shared.db import Database

    async def grant() -> None:
        db = Database(stack.identity_db, pool_size=1, max_overflow=0)
        try:
            async with db.sessionmaker() as session, session.begin():
                for role in roles:
                    await grant_role(session, id_number, role, "test")
        finally:
            await db.dispose()

    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, grant()).result()


def person(stack, name: str, *roles: str) -> Actor:
    browser, account = stack.person_browser(name)
    actor = Actor(browser, account, browser.get(f"{stack.gateway}/api/identity/me").json()["id"])
    if roles:
        grant_roles(stack, account["id_number"], *roles)
        stack.relogin(browser, account)  # roles go into a token when it is minted
    return actor


def call(stack, actor: Actor, method: str, path: str, **kwargs):
    """The plans API through the gateway, as the actor's browser (cookie + CSRF token)."""
    return actor.browser.request(method, f"{stack.gateway}/api/plans{path}",
                                 headers=csrf_header(actor.browser, stack.gateway), **kwargs)


def add_admin(stack, operator: Actor, organizer_id: str, person_id: str):
    """Once plans has heard of the person's registration (an event), the operator can assign them."""
    return eventually(lambda: (r := call(stack, operator, "POST", f"/organizers/{organizer_id}/admins",
                                         json={"person_id": person_id})).status_code == 201 and r)
