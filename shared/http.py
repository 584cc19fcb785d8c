"""HTTP calls between services: the internal key and the current request id go along."""
from __future__ import annotations

import httpx

from shared.logging import REQUEST_ID_HEADER, current_request_id
from shared.settings import PlatformSettings


async def _add_request_id(request: httpx.Request) -> None:
    if rid := current_request_id():
        request.headers.setdefault(REQUEST_ID_HEADER, rid)


def internal_client(base_url: str, platform: PlatformSettings, *, timeout: float = 5.0) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=timeout,
        headers={"X-Service-Key": platform.internal_key.get_secret_value()},
        event_hooks={"request": [_add_request_id]},
    )


def local_path(path: str) -> bool:
    """A path of this site only (never ``//host`` or a scheme): where a login may send a person back."""
    return path.startswith("/") and not path.startswith(("//", "/\\")) and "\\" not in path and len(path) < 300
