"""The client between the platform's processes: httpx over aiohttp, with httpx's own errors, and
no cookie kept from one caller's response for the next caller's request."""
from __future__ import annotations

import asyncio

import httpx
import pytest

from shared.http import Transport, no_cookies


class TooLong(Exception):
    pass


async def test_a_refused_connection_is_a_connect_error_not_a_timeout():
    async with httpx.AsyncClient(transport=Transport(), timeout=5) as client:
        with pytest.raises(httpx.ConnectError):  # the gateway answers 503 (service down), not 504
            await client.get("http://127.0.0.1:1/x")


async def test_an_error_of_the_request_body_reaches_the_caller():
    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.read(65536):
            pass
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]

    async def body():
        yield b"x" * 1000
        raise TooLong  # the gateway's cap on a streamed upload (413)

    try:
        async with httpx.AsyncClient(transport=Transport(), timeout=5) as client:
            with pytest.raises(TooLong):
                await client.post(f"http://127.0.0.1:{port}/upload", content=body())
    finally:
        server.close()


def test_a_shared_client_keeps_no_cookie_of_a_response():
    client = httpx.AsyncClient(cookies=no_cookies())
    login = httpx.Response(303, headers={"set-cookie": "zc_session=someone-elses; Path=/; HttpOnly"},
                           request=httpx.Request("GET", "http://127.0.0.1:8101/auth/callback"))
    client.cookies.extract_cookies(login)
    assert list(client.cookies.jar) == []
    assert "cookie" not in client.build_request("GET", "http://127.0.0.1:8101/api/identity/me").headers
    plain = httpx.AsyncClient()  # what it guards against
    plain.cookies.extract_cookies(login)
    assert "zc_session" in plain.build_request("GET", "http://127.0.0.1:8101/api/identity/me").headers["cookie"]
