"""公示 in a real browser, on the platform's moved clock: the unit publishes its 单位申报公示 from
公示管理 (too short a period is refused), a visitor without a login reads the public list and the
notice on a phone (no ID number, no phone number), a logged-in person objects with a reason and an
uploaded file, the unit sustains it, and the applicant sees why; the organiser publishes a
评审结果公示 and issues certificates only after it. Screenshots in test-results/."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from services.applications.tests.test_notices import ID_NUMBER, MASKED_ID, PHONE
from services.applications.tests.test_review import assign, decide, submitted, version_of
from services.applications.tests.world import make_world, request
from services.documents.tests import samples
from services.plans.tests.people import person
from shared.testing.browser import HttpBrowser
from shared.testing.fixtures import eventually
from tests.browser.test_pages_browser import AXE, _axe

pytestmark = pytest.mark.browser
SHOTS = Path("test-results")
D = dt.date


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"notices-{name}.png"), full_page=True)


def _signed_in(chromium: Browser, stack, who: HttpBrowser | None, width: int = 1280) -> BrowserContext:
    context = chromium.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    if who is not None:
        context.add_cookies([{"name": "zc_session", "value": who.cookies(stack.gateway)["zc_session"],
                              "url": stack.gateway}])
    return context


def _fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_unit_notice_read_in_public_objected_to_and_the_objection_sustained(stack, chromium: Browser):
    assert AXE.exists()
    world = make_world(stack)
    plan = world.plan()
    actor = world.applicant("浏览器公示人")
    app_id = submitted(stack, world, actor, plan, notice=False)["id"]

    # 公示管理 (the unit's legal-person account), on Friday 2025-09-26.
    unit = _signed_in(chromium, stack, world.unit).new_page()
    with stack.on(D(2025, 9, 26)):
        unit.goto(f"{stack.gateway}/reviews")
        unit.locator("#notices-link").get_by_role("link").click()
        row = unit.locator(f"#candidate-unit-{plan['id']}-{world.unit_account['unit_id']}")
        expect(row).to_contain_text("1 人")
        assert not _axe(unit)
        row.get_by_label("公示期（工作日）").fill("3")
        row.get_by_role("button", name="发布公示").click()
        expect(unit.locator(".flash-error")).to_contain_text("不得少于 5 个工作日")
        row.get_by_label("公示期（工作日）").fill("5")
        row.get_by_role("button", name="发布公示").click()
        expect(unit.locator(".flash-notice")).to_contain_text("公示已发布")
        expect(unit.locator("#notice-period")).to_have_text("2025-09-26 至 2025-10-09（5 个工作日）")
        notice_id = unit.url.split("?")[0].rsplit("/", 1)[-1]
        shot(unit, "1-published")

    # On 10/8 (国庆 over, one working day left): anyone reads it, on a phone, without logging in.
    with stack.on(D(2025, 10, 8)):
        anonymous = _signed_in(chromium, stack, None, width=390).new_page()
        anonymous.goto(f"{stack.gateway}/")
        anonymous.get_by_role("link", name="职称评审公示（无需登录）").click()
        listed = anonymous.locator(f"#notice-{notice_id}")
        expect(listed).to_contain_text("公示中")
        assert _fits(anonymous) and not _axe(anonymous)
        listed.get_by_role("link").click()
        expect(anonymous.locator("#notice-entries")).to_contain_text("浏览器公示人")
        expect(anonymous.locator("#notice-entries")).to_contain_text(world.unit_account["unit_name"])
        expect(anonymous.locator("#notice-entries")).to_contain_text(plan["majors"][0])
        expect(anonymous.get_by_role("link", name="提出异议")).to_have_count(0)  # only after logging in
        html = anonymous.content()
        assert not ID_NUMBER.search(html) and not MASKED_ID.search(html) and not PHONE.search(html)
        assert actor.account["id_number"] not in html and actor.account["phone"] not in html
        assert _fits(anonymous) and not _axe(anonymous)
        shot(anonymous, "2-public")
        anonymous.context.close()

        # A logged-in person objects: a reason is required, then with an uploaded file it is filed.
        objector = world.applicant("浏览器异议人", bound=False)
        page = _signed_in(chromium, stack, objector.browser).new_page()
        page.goto(f"{stack.gateway}/notices/{notice_id}")
        page.locator("#notice-entries").get_by_role("link", name="提出异议").click()
        expect(page.locator("h2#form-title")).to_contain_text("浏览器公示人")
        page.locator("#objection-form .file-picker input[type=file]").set_input_files(
            files=[{"name": "论文比对报告.jpg", "mimeType": "image/jpeg", "buffer": samples.jpeg()}])
        expect(page.locator("#objection-form .picked-files")).to_contain_text("论文比对报告")
        page.locator("#file-objection").click()
        expect(page.locator("#reason-error")).to_contain_text("请填写异议理由")
        assert not _axe(page)
        page.fill("#reason", "申报材料中的论文与他人论文高度重复")
        page.locator("#file-objection").click()
        expect(page.locator(".flash-notice")).to_contain_text("异议已提交")
        expect(page.locator("#my-objections")).to_contain_text("待处理")
        shot(page, "3-objected")

    # After the period the unit may not pass it while the objection is open; it sustains it.
    unit.goto(f"{stack.gateway}/reviews/notices/{notice_id}")
    objection = unit.locator("#objections tbody tr").first
    expect(objection).to_contain_text("论文与他人论文高度重复")
    expect(objection.get_by_role("link", name="论文比对报告.jpg")).to_be_visible()
    assert not _axe(unit)
    objection.get_by_label("成立", exact=True).check()
    objection.get_by_role("button", name="提交处理结果").click()
    expect(unit.locator(".flash-error")).to_contain_text("请填写处理意见")
    objection = unit.locator("#objections tbody tr").first
    objection.get_by_label("成立", exact=True).check()
    objection.get_by_label("处理意见").fill("经核实，论文重复率过高，异议成立")
    objection.get_by_role("button", name="提交处理结果").click()
    expect(unit.locator(".flash-notice")).to_contain_text("异议成立")
    expect(unit.locator("#objections")).to_contain_text("经核实，论文重复率过高")
    shot(unit, "4-sustained")
    unit.goto(f"{stack.gateway}/reviews")
    expect(unit.locator(f"#review-{app_id}")).to_have_count(0)  # no longer waits for the unit
    unit.context.close()

    # The applicant sees why: 个人首页's 待处理事项 and the application's status.
    mine = _signed_in(chromium, stack, actor.browser).new_page()
    mine.goto(f"{stack.gateway}/home")
    todo = mine.locator("#module-todos")
    expect(todo).to_contain_text("公示异议成立")
    expect(todo).to_contain_text("论文重复率过高")
    mine.goto(f"{stack.gateway}/apply")
    expect(mine.locator("body")).to_contain_text("异议成立")
    mine.goto(f"{stack.gateway}/apply/{app_id}")
    expect(mine.locator("#stopped-note")).to_contain_text("论文重复率过高")
    shot(mine, "5-applicant")
    mine.context.close()


def test_the_organiser_publishes_the_results_notice_and_issues_certificates_after_it(stack, chromium: Browser):
    world = make_world(stack)
    plan = world.plan()
    committee = person(stack, "浏览器结果评委会")
    assign(stack, world, plan, "评委会评审", committee)
    actor = world.applicant("浏览器结果人")
    app_id = submitted(stack, world, actor, plan)["id"]
    assert decide(stack, world.unit, app_id, version_of(stack, actor, app_id)).status_code == 200
    assert eventually(lambda: decide(stack, committee, app_id, version_of(stack, actor, app_id)).status_code == 200,
                      timeout=20)

    admin = _signed_in(chromium, stack, world.admin.browser).new_page()
    with stack.on(D(2025, 11, 3)):  # a Monday: five working days through Friday 11/07
        admin.goto(f"{stack.gateway}/home")
        admin.get_by_role("navigation", name="主导航").get_by_role("link", name="公示管理").click()
        row = admin.locator(f"#candidate-result-{plan['id']}")
        expect(row).to_contain_text("评审结果公示")
        row.get_by_role("button", name="发布公示").click()
        expect(admin.locator(".flash-notice")).to_contain_text("公示已发布")
        expect(admin.locator("#notice-period")).to_have_text("2025-11-03 至 2025-11-07（5 个工作日）")
        notice_url = admin.url.split("?")[0]
        admin.locator("#issue-certificates").click()
        expect(admin.locator(".flash-error")).to_contain_text("公示期满（2025年11月7日）后方可发放证书")
        assert not _axe(admin)
        # The public page of a results notice, on a phone.
        visitor = _signed_in(chromium, stack, None, width=390).new_page()
        visitor.goto(f"{stack.gateway}/notices/{notice_url.rsplit('/', 1)[-1]}")
        expect(visitor.locator("h1")).to_contain_text("评审结果公示")
        expect(visitor.locator("#notice-entries")).to_contain_text("浏览器结果人")
        html = visitor.content()
        assert not ID_NUMBER.search(html) and not MASKED_ID.search(html) and not PHONE.search(html)
        assert _fits(visitor) and not _axe(visitor)
        visitor.context.close()
    assert request(stack, actor.browser, "GET", "/applications/certificates").json() == []

    # Once it has ended (the real day, long after): 发放证书.
    admin.goto(notice_url)
    admin.locator("#issue-certificates").click()
    expect(admin.locator(".flash-notice")).to_contain_text("已为公示期满且无异议成立的申报发放电子职称证书")
    expect(admin.locator("#notice")).to_contain_text("已发放 1 张")
    shot(admin, "6-certificates")
    admin.context.close()
    [certificate] = request(stack, actor.browser, "GET", "/applications/certificates").json()
    assert certificate["application_id"] == app_id
