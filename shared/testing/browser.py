"""A small cookie-keeping HTTP client that behaves like a browser for end-to-end tests over
plain HTTP: it follows redirects across hosts (gateway ↔ 闽政通) and keeps Secure cookies
for localhost, as browsers do (httpx's cookie jar drops them on http://)."""
from __future__ import annotations

import html
import re
from http.cookies import SimpleCookie
from urllib.parse import urljoin, urlsplit

import httpx

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


class HttpBrowser:
    def __init__(self) -> None:
        self.client = httpx.Client(timeout=15, follow_redirects=False)
        self.jar: dict[str, dict[str, str]] = {}  # host -> cookies (browsers ignore the port)
        self._csrf: dict[str, str] = {}  # session cookie -> the CSRF token its pages carry

    def cookies(self, url: str) -> dict[str, str]:
        return self.jar.setdefault(urlsplit(url).hostname or "", {})

    def _store(self, url: str, response: httpx.Response) -> None:
        jar = self.cookies(url)
        for header in response.headers.get_list("set-cookie"):
            parsed = SimpleCookie()
            parsed.load(header)
            for name, morsel in parsed.items():
                if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                    jar.pop(name, None)
                else:
                    jar[name] = morsel.value

    def request(self, method: str, url: str, *, follow: bool = True, headers: dict | None = None,
                **kwargs) -> httpx.Response:
        for _ in range(10):
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies(url).items())
            response = self.client.request(method, url, headers={**(headers or {}), **({"cookie": cookie} if cookie else {})},
                                           **kwargs)
            self._store(url, response)
            if not (follow and response.is_redirect):
                return response
            url = urljoin(url, response.headers["location"])
            method, kwargs = "GET", {}
        raise RuntimeError("too many redirects")

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def csrf(self, gateway: str) -> str:
        """The CSRF token of the current session, read from a page as a browser's script would."""
        session = self.cookies(gateway).get("zc_session", "")
        if session not in self._csrf:
            found = CSRF_META.search(self.get(f"{gateway}/").text)
            self._csrf[session] = html.unescape(found.group(1)) if found else ""
        return self._csrf[session]

    def login(self, gateway: str, account: dict, kind: str = "person") -> httpx.Response:
        """个人登录/单位登录 → 闽政通 form → back to the platform; returns the landing page."""
        form_page = self.get(f"{gateway}/auth/login/{kind}")
        assert form_page.status_code == 200, form_page.text[:500]
        fields = {k: html.unescape(v) for k, v in HIDDEN.findall(form_page.text)}
        fields.update(username=account["username"], password=account["password"])
        return self.post(str(form_page.url.copy_with(query=None, fragment=None)), data=fields)

    def close(self) -> None:
        self.client.close()
