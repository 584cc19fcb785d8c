"""The committee online in a real browser: the organiser imports the pool and draws the panel on
their pages, an expert finds the application under 评审表决 (个人首页 says it waits), reads it,
votes and changes the vote; after the deadline the organiser closes the vote and the expert sees
the tally. The expert's page passes the accessibility scan."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from services.applications.tests.test_committee import at_committee, csv_of, row, sql
from services.applications.tests.world import make_world
from services.plans.tests.people import person
from shared.clock import SHANGHAI
from tests.browser.test_pages_browser import _axe

pytestmark = pytest.mark.browser


def _context(chromium: Browser, stack, browser) -> BrowserContext:
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "zc_session", "value": browser.cookies(stack.gateway)["zc_session"],
                          "url": stack.gateway}])
    return context


def test_an_expert_votes_and_sees_the_tally_once_closed(stack, chromium: Browser, tmp_path):
    world = make_world(stack)
    plan = world.plan()
    applicant, app_id = at_committee(stack, world, plan, "浏览器表决申报人")
    elsewhere, account = stack.unit_browser(f"浏览器评委单位{uuid.uuid4().hex[:6]}")
    experts = [person(stack, f"浏览器评委{n}") for n in range(3)]
    listing = tmp_path / "专家名单.csv"
    listing.write_bytes(csv_of([row(e, account["unit_name"]) for e in experts]))

    admin = _context(chromium, stack, world.admin.browser)
    page = admin.new_page()
    page.goto(f"{stack.gateway}/organizer/plans")
    page.locator(f"#plan-{plan['id']}").get_by_role("link", name="评委专家库").click()
    page.set_input_files("#file", str(listing))
    page.get_by_role("button", name="导入").click()
    expect(page.locator("#import-result")).to_contain_text("新增 3 名")
    expect(page.locator("#pool tbody tr")).to_have_count(3)

    page.goto(f"{stack.gateway}/organizer/plans/{plan['id']}/committee")
    page.fill("#panel_size", "3")
    page.fill("#reserve_count", "0")
    tomorrow = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=1)
    page.fill("#deadline", f"{tomorrow.isoformat()}T17:00")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="随机抽取").click()
    expect(page.locator("#members tbody tr")).to_have_count(3)
    expect(page.locator(f"#panel-app-{app_id}")).to_contain_text("0 / 3")
    expect(page.locator("#close-vote")).to_be_disabled()

    expert = _context(chromium, stack, experts[0].browser)
    mine = expert.new_page()
    mine.goto(f"{stack.gateway}/home")
    mine.get_by_role("link", name="有 1 件申报等待您评审表决").click()
    mine.locator(f"#vote-{app_id}").get_by_role("link", name="评审表决").click()
    expect(mine.locator("h1")).to_contain_text("浏览器表决申报人")
    expect(mine.locator("#files-overview")).to_contain_text("查看附件")
    assert not _axe(mine), _axe(mine)
    mine.fill("#opinion", "业绩突出，同意晋升")
    mine.get_by_role("button", name="同意", exact=True).click()
    expect(mine.locator("#my-choice")).to_have_text("我的表决：同意")
    expect(mine.locator("#opinion")).to_have_value("业绩突出，同意晋升")
    mine.get_by_role("button", name="弃权").click()  # changed before the deadline
    expect(mine.locator("#my-choice")).to_have_text("我的表决：弃权")
    for other in experts[1:]:
        other_page = _context(chromium, stack, other.browser).new_page()
        other_page.goto(f"{stack.gateway}/expert/{app_id}")
        other_page.get_by_role("button", name="同意", exact=True).click()
        expect(other_page.locator("#my-choice")).to_have_text("我的表决：同意")
        other_page.context.close()

    sql(stack, "UPDATE committees SET deadline = now() - interval '1 second' WHERE plan_id = :plan",
        plan=uuid.UUID(plan["id"]))
    page.reload()
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="结束表决并计票").click()
    expect(page.locator(f"#panel-app-{app_id}")).to_contain_text("同意 2 票，不同意 0 票，弃权 1 票")
    expect(page.locator(f"#panel-app-{app_id}")).to_contain_text("通过")

    mine.reload()
    expect(mine.locator("#tally")).to_contain_text("（参加表决 3 人，同意票须达三分之二）：通过")
    expect(mine.locator("#all-votes li")).to_have_count(3)
    expect(mine.locator("#vote-form")).to_have_count(0)
    admin.close()
    expert.close()
