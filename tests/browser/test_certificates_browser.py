"""我的职称 in a real browser: the list with its 证书编号, the printable 电子职称证书 with the QR code
of its verification (the image loads under the CSP), and the public verification page, which a
visitor without a login fills in by hand. Screenshots are kept in test-results/ as artefacts."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from services.applications.tests.test_review import assign, decide, submitted, version_of
from services.applications.tests.world import certify, make_world, request
from services.plans.tests.people import person
from shared.testing.fixtures import eventually
from tests.browser.test_pages_browser import AXE, _axe

pytestmark = pytest.mark.browser
SHOTS = Path("test-results")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"certificate-{name}.png"), full_page=True)


def _loaded(page: Page, selector: str) -> bool:
    return page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0")


def test_my_titles_the_certificate_with_its_qr_code_and_the_verification_page(stack, chromium: Browser):
    world = make_world(stack)
    plan = world.plan()
    committee = person(stack, "浏览器评委会")
    assign(stack, world, plan, "评委会评审", committee)
    actor = world.applicant("浏览器持证人")
    app_id = submitted(stack, world, actor, plan)["id"]
    assert decide(stack, world.unit, app_id, version_of(stack, actor, app_id)).status_code == 200
    assert eventually(lambda: decide(stack, committee, app_id, version_of(stack, actor, app_id)).status_code == 200,
                      timeout=20)
    assert certify(stack, world.admin.browser, plan).json()["done"] == [app_id]  # after the 评审结果公示
    [certificate] = request(stack, actor.browser, "GET", "/applications/certificates").json()
    number = certificate["number"]

    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "zc_session", "value": actor.browser.cookies(stack.gateway)["zc_session"],
                          "url": stack.gateway}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    # 个人首页 → 个人基本信息 shows it as 现有职称; 个人中心 → 我的职称 lists it with its number.
    page.goto(f"{stack.gateway}/home")
    expect(page.locator("#current-titles")).to_contain_text("高级工程师（副高级")
    page.goto(f"{stack.gateway}/me")
    page.get_by_role("navigation", name="个人中心").get_by_role("link", name="我的职称").click()
    row = page.locator(f"#certificate-{certificate['id']}")
    expect(row).to_contain_text(number)
    row.get_by_role("link", name=re.compile("查看")).click()

    # 电子职称证书: every field, and the QR code as an image of this origin.
    expect(page).to_have_url(f"{stack.gateway}/me/titles/{certificate['id']}")
    expect(page.locator("#certificate-number")).to_have_text(number)
    expect(page.locator("#certificate-name")).to_have_text("浏览器持证人")
    for shown in (certificate["id_number_masked"], "副高级", certificate["committee"], certificate["organizer_name"]):
        expect(page.locator("#certificate")).to_contain_text(shown)
    qr = page.locator("#certificate-qr")
    expect(qr).to_be_visible()
    assert eventually(lambda: _loaded(page, "#certificate-qr"), timeout=10), "the QR code did not load"
    assert AXE.exists() and not _axe(page)
    shot(page, "1-certificate")

    # The QR code's address: the public answer.
    qr.click()
    expect(page).to_have_url(f"{stack.gateway}/verify/{number}")
    expect(page.locator("#verify-answer")).to_contain_text("证书真实有效")
    expect(page.locator("#verified-name")).to_have_text("浏览器持证人")
    context.close()

    # A visitor without a login types the number as printed (spaces, lower case) into the form.
    anonymous = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = anonymous.new_page()
    page.goto(f"{stack.gateway}/verify")
    page.get_by_role("textbox", name="证书编号").fill(f"{number[:8].lower()} {number[8:]}")
    page.locator("#verify-submit").click()
    expect(page).to_have_url(f"{stack.gateway}/verify/{number}")
    answer = page.locator("#verify-answer")
    expect(answer).to_contain_text("证书真实有效")
    expect(answer).to_contain_text("高级工程师")
    expect(answer).not_to_contain_text(certificate["id_number_masked"])
    assert not _axe(page)
    shot(page, "2-verified")
    # A number nobody was given: said plainly.
    page.get_by_role("textbox", name="证书编号").fill(number[:-1] + ("0" if number[-1] != "0" else "1"))
    page.locator("#verify-submit").click()
    expect(page.locator("#verify-answer")).to_contain_text("未查到")
    anonymous.close()
