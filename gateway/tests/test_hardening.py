"""The gateway against a hostile or lost visitor: CSRF bound to the session, invented sessions
rate-limited by address, security headers, pages for wrong addresses and refused forms."""
from __future__ import annotations

import asyncio
import secrets
import uuid

import httpx

from gateway.tests.test_gateway import _gateway_with_limits
from shared.testing.fixtures import csrf_header

HTML = {"accept": "text/html,application/xhtml+xml"}


def test_a_planted_csrf_cookie_with_a_matching_header_is_refused(stack):
    browser, _ = stack.person_browser()
    try:
        url = f"{stack.gateway}/api/identity/me"
        body = {"mobile": "13800000011", "address": "福州市鼓楼区", "email": None}
        # What a sibling site could do: plant a token cookie of its own and send the same value.
        browser.cookies(stack.gateway)["zc_csrf"] = "attacker-chosen-token"
        planted = browser.request("PATCH", url, json=body, headers={"x-csrf-token": "attacker-chosen-token"})
        assert planted.status_code == 403 and planted.json()["code"] == "csrf_failed"
        form = browser.post(f"{stack.gateway}/me/edit", data={**body, "email": "", "csrf_token": "attacker-chosen-token"})
        assert form.status_code == 403
        # The token the session's own pages carry works.
        assert browser.request("PATCH", url, json=body, headers=csrf_header(browser, stack.gateway)).status_code == 200
    finally:
        browser.close()
    # Another session's token is no good for this one.
    other, _ = stack.person_browser()
    try:
        theirs = csrf_header(other, stack.gateway)
        other.jar.clear()
        other.login(stack.gateway, stack.new_person())
        assert other.post(f"{stack.gateway}/api/identity/registration", headers=theirs,
                          json={"mobile": "13800000003", "address": "福州"}).status_code == 403
    finally:
        other.close()


async def _burst(url: str, n: int) -> list[int]:
    async with httpx.AsyncClient(timeout=15) as client:
        responses = await asyncio.gather(*(client.get(url, headers={"cookie": f"zc_session={secrets.token_urlsafe(24)}"})
                                           for _ in range(n)))
    return [r.status_code for r in responses]


def test_invented_session_cookies_share_their_address_budget(stack, tmp_path):
    # The production limits: 40 requests in about a second, each with a session nobody issued.
    procs, url = _gateway_with_limits(stack, tmp_path, "20/second;600/minute", "300/second;6000/minute")
    try:
        statuses = asyncio.run(_burst(f"{url}/login", 40))
        assert statuses.count(429) >= 15, statuses
    finally:
        procs.stop_all()


def test_a_real_session_keeps_its_own_budget_beside_invented_ones(stack, tmp_path):
    browser, _ = stack.person_browser()  # cookies are per host: the second gateway sees them too
    procs, url = _gateway_with_limits(stack, tmp_path, "5/minute", "1000/minute")
    try:
        assert browser.get(f"{url}/api/identity/me").status_code == 200  # identity vouches for it now
        fakes = [httpx.get(f"{url}/login", cookies={"zc_session": secrets.token_urlsafe(16)}).status_code
                 for _ in range(5)]
        assert fakes[:4] == [200] * 4 and fakes[4] == 429  # the address's 5, the real session's first included
        assert [browser.get(f"{url}/api/identity/me").status_code for _ in range(5)] == [200] * 5
        assert browser.get(f"{url}/api/identity/me").status_code == 429  # and its own 5 are spent
    finally:
        procs.stop_all()
        browser.close()


def test_pages_and_api_answers_carry_security_headers(stack):
    page = httpx.get(f"{stack.gateway}/login")
    csp = page.headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                      "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    api = httpx.get(f"{stack.gateway}/api/identity/me")
    assert api.headers["x-content-type-options"] == "nosniff" and api.headers["x-frame-options"] == "SAMEORIGIN"
    assert api.headers["content-security-policy"] == "frame-ancestors 'self'"
    static = httpx.get(f"{stack.gateway}/static/app.js")
    assert static.headers["x-content-type-options"] == "nosniff"


def test_a_wrong_address_shows_a_chinese_page_to_people_and_problem_details_to_programs(stack):
    page = httpx.get(f"{stack.gateway}/nonexistent-page", headers=HTML)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "页面不存在" in page.text and 'href="/"' in page.text
    api = httpx.get(f"{stack.gateway}/nonexistent-page")
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"
    under_api = httpx.get(f"{stack.gateway}/api/nosuch/thing", headers=HTML)
    assert under_api.headers["content-type"] == "application/problem+json"
    browser, _ = stack.person_browser()
    try:  # a signed-in person gets the way back to their own home too
        mine = browser.get(f"{stack.gateway}/library/new/nothing-here", headers=HTML)
        assert mine.status_code == 404 and 'href="/home"' in mine.text and "退出登录" in mine.text
    finally:
        browser.close()


def test_a_person_on_a_unit_page_is_told_why(stack):
    browser, _ = stack.person_browser()
    try:
        for path in ("/unit/home", "/unit/entries", "/unit/reviewers"):
            page = browser.get(f"{stack.gateway}{path}", follow=False)
            assert page.status_code == 403 and "单位工作台仅供单位账号使用" in page.text, path
            assert "经办人" in page.text and 'href="/home"' in page.text
    finally:
        browser.close()
    unit, _ = stack.unit_browser("页面说明测试有限公司")
    try:
        page = unit.get(f"{stack.gateway}/library", follow=False)
        assert page.status_code == 403 and "此页面供个人用户使用" in page.text and 'href="/unit/home"' in page.text
    finally:
        unit.close()


def test_a_refused_action_goes_back_to_its_page_with_the_reason(stack):
    browser, _ = stack.person_browser()
    try:
        missing = uuid.uuid4()
        refused = browser.post(f"{stack.gateway}/library/{missing}/submit", follow=False,
                               data={"type": "paper", "csrf_token": browser.csrf(stack.gateway)})
        assert refused.status_code == 303 and refused.headers["location"] == "/library?type=paper"
        page = browser.get(f"{stack.gateway}/library?type=paper")
        assert page.status_code == 200 and 'class="flash flash-error"' in page.text
        again = browser.get(f"{stack.gateway}/library?type=paper")  # shown once
        assert 'class="flash flash-error"' not in again.text
        # A message nobody signed (planted, or from another session) is not shown.
        browser.cookies(stack.gateway)["zc_flash"] = "5L2g5aW9.0123456789abcdef0123456789abcdef"
        assert 'class="flash flash-error"' not in browser.get(f"{stack.gateway}/library?type=paper").text
    finally:
        browser.close()
    unit, _ = stack.unit_browser("表单重定向测试有限公司")
    try:
        nothing = unit.post(f"{stack.gateway}/unit/entries/decide", data={"action": "approve",
                                                                           "csrf_token": unit.csrf(stack.gateway)})
        assert nothing.url.path == "/unit/entries" and "请先勾选要审核的业绩" in nothing.text
    finally:
        unit.close()


def test_a_refused_form_is_shown_again_at_its_own_address(stack):
    browser, _ = stack.person_browser()
    try:
        empty = browser.post(f"{stack.gateway}/library/new?type=paper", data={
            "type": "paper", "csrf_token": browser.csrf(stack.gateway)})
        assert empty.status_code == 422 and empty.url.path == "/library/new" and 'id="entry-form"' in empty.text
    finally:
        browser.close()
