"""职称申报 in a real browser: from the plan page through 马上申报 (a login that comes back to the
plan), 申报职称选择, the 诚信承诺书, every section with imports, to 附件一览表 and 申报一览表.
Screenshots of each step are kept in test-results/ as artefacts."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from services.applications.tests.world import (
    ACHIEVEMENT,
    ASSESSMENT,
    EDUCATION,
    PAPER,
    WORK,
    make_world,
    publish_notice,
)
from services.documents.tests import samples

pytestmark = pytest.mark.browser
SHOTS = Path("test-results")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"apply-{name}.png"), full_page=True)


def import_into(page: Page, menu_name: str, entry_title: str) -> None:
    page.locator(".apply-menu").get_by_role("link", name=menu_name, exact=True).first.click()
    page.locator("#open-import").click()
    page.get_by_label(entry_title).check()
    page.locator("#import-save").click()
    expect(page.locator(".flash-notice")).to_contain_text("已导入所选业绩")
    expect(page.locator(".imported-list")).to_contain_text(entry_title)


def test_from_the_plan_page_through_the_pledge_and_every_section_to_the_overview(stack, page: Page, tmp_path):
    world = make_world(stack)
    plan = world.plan()
    actor = world.applicant("浏览器申报")
    for type_, fields in [("work_experience", WORK), ("work_experience", {**WORK, "unit": "福建省第二设计院"}),
                          ("education", EDUCATION), ("annual_assessment", ASSESSMENT),
                          ("achievement", ACHIEVEMENT), ("paper", PAPER)]:
        world.approved_entry(actor, type_, fields)
    photo, id_card = tmp_path / "证件照.jpg", tmp_path / "身份证正面.jpg"
    photo.write_bytes(samples.jpeg(300, 400, "#c0392b"))
    id_card.write_bytes(samples.jpeg())

    page.set_viewport_size({"width": 1366, "height": 900})
    # Not logged in: 马上申报 leads through 闽政通 and back to this plan's 申报职称选择.
    page.goto(f"{stack.gateway}/plans/{plan['id']}")
    page.locator("#apply-now").click()
    page.locator("#login-person").click()
    page.fill("input[name=username]", actor.account["username"])
    page.fill("input[name=password]", actor.account["password"])
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{stack.gateway}/plans/{plan['id']}/apply")

    # 申报职称选择 → 确认无误 → 提交 → 诚信承诺书.
    page.get_by_label("常规申报").check()
    page.select_option("#major", plan["majors"][0])
    page.select_option("#title", plan["titles"][0]["name"])
    page.locator("#choose-submit").click()
    expect(page.locator(".flash-error")).to_contain_text("请完成申报职称选择")  # 确认无误 not ticked
    page.locator("#confirmed").check()
    page.locator("#choose-submit").click()
    dialog = page.get_by_role("dialog", name="诚信承诺书")
    expect(dialog).to_be_visible()
    shot(page, "1-pledge")
    dialog.locator("#pledge-agree").click()
    expect(page.locator(".flash-error")).to_contain_text("我已阅读并承诺")
    page.get_by_role("dialog").locator("#pledged").check()
    page.get_by_role("dialog").locator("#pledge-agree").click()
    expect(page.locator(".flash-notice")).to_contain_text("申报已创建")

    # 基本信息 → 个人信息 with the photo; 专业年限 larger than 工作年限 is set to it, and the page says so.
    for field, value in (("ethnicity", "汉族"), ("mobile", "13900001111"), ("work_start_date", "2010-07-01"),
                         ("years_of_work", "8"), ("years_in_profession", "12"), ("profession", "结构设计"),
                         ("position", "无")):
        page.fill(f"#{field}", value)
    page.select_option("#political_status", "群众")
    page.locator("#profile .file-picker input[type=file]").set_input_files(str(photo))
    expect(page.locator("#profile .picked-files")).to_contain_text("证件照")
    page.locator("#save-profile").click()
    expect(page.locator(".flash-notice")).to_contain_text("专业年限不能大于工作年限")
    expect(page.locator("#years_in_profession")).to_have_value("8")
    # 现有职称情况: 新增 a row.
    page.locator("#add-current-titles").click()
    page.fill("#current-titles-title_name", "工程师")
    page.fill("#current-titles-obtained_on", "2015-12-01")
    page.locator("#save-current-titles").click()
    expect(page.locator("#current-titles table")).to_contain_text("工程师")
    shot(page, "2-basic")

    import_into(page, "工作经历", WORK["unit"])
    import_into(page, "学历教育", EDUCATION["school"])
    page.get_by_role("button", name=f"设为最高学历：{EDUCATION['school']}").click()
    expect(page.locator(".imported-list")).to_contain_text("最高学历")
    import_into(page, "年度考核", "2024 年度")
    page.locator(".imported-list select").select_option("合格")
    page.get_by_role("button", name="保存考核结果").click()
    expect(page.locator(".imported-list")).to_contain_text("考核结果：合格")

    # The condition groups of the standard: a work experience already imported cannot go in twice.
    page.locator(".apply-menu").get_by_role("link", name="工作经历").nth(1).click()
    expect(page.locator("#hint")).to_contain_text("最少 1 项，最多 5 项")
    page.locator("#open-import").click()
    expect(page.locator("li", has_text=WORK["unit"]).locator("input")).to_be_disabled()
    page.get_by_label("福建省第二设计院").check()
    page.locator("#import-save").click()
    expect(page.locator(".imported-list")).to_contain_text("福建省第二设计院")
    import_into(page, "取得业绩", ACHIEVEMENT["name"])
    import_into(page, "发表论文", PAPER["title"])
    page.locator(".imported-list details summary").first.click()  # ">" shows the details
    expect(page.locator(".imported-list")).to_contain_text(PAPER["publication"])
    shot(page, "3-conditions")

    # 附件上传 → 身份证正面, renamed.
    page.locator(".apply-menu").get_by_role("link", name="附件上传").click()
    page.wait_for_load_state()  # htmx binds the upload on load: a file chosen earlier goes nowhere
    page.locator("#kind-id_card_front input[type=file]").set_input_files(str(id_card))
    expect(page.locator("#kind-id_card_front .picked-files")).to_contain_text("身份证正面")
    page.locator("#save-id_card_front").click()
    expect(page.locator("#kind-id_card_front")).to_contain_text("查看附件")
    page.locator("#kind-id_card_front details.rename summary").click()
    page.locator("#kind-id_card_front input[name=name]").fill("身份证人像面")
    page.get_by_role("button", name="改名").click()
    expect(page.locator("#kind-id_card_front")).to_contain_text("身份证人像面")

    # 附件一览表: the photo, the ID card, in one list; 查看附件 opens the viewer.
    page.locator(".apply-menu").get_by_role("link", name="附件一览表").click()
    table = page.locator("#files-overview table")
    expect(table).to_contain_text("证件照")
    expect(table).to_contain_text("附件上传 · 身份证正面")
    shot(page, "4-files")
    with page.context.expect_page() as opened:
        table.get_by_role("link", name="查看附件").first.click()
    expect(opened.value.locator("#viewer-image")).to_be_visible()

    # 申报一览表: everything entered and imported, read-only.
    page.locator(".apply-menu").get_by_role("link", name="申报一览表").click()
    overview = page.locator("#overview")
    for text in ("浏览器申报", "汉族", "工程师", WORK["unit"], "福建省第二设计院", EDUCATION["school"], "考核结果：合格",
                 ACHIEVEMENT["name"], PAPER["title"], "身份证人像面"):
        expect(overview).to_contain_text(text)
    expect(overview.locator("input, textarea, select")).to_have_count(0)
    shot(page, "5-overview")

    # On a phone: the page fits the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "6-phone")

    # 职称申报 lists it under 当前申报记录 with 填报, 查看 and 删除.
    page.locator(".site-nav").get_by_role("link", name="职称申报", exact=True).click()
    row = page.locator("#current-applications tr", has_text=plan["majors"][0])
    expect(row).to_contain_text("填报中")
    expect(row.get_by_role("link", name="填报")).to_be_visible()


def test_checks_show_what_is_missing_a_complete_draft_is_submitted_and_the_unit_reviews_it(stack, page: Page,
                                                                                            chromium):
    from services.applications.tests.world import complete, request, started

    world = make_world(stack)
    plan = world.plan()
    actor = world.applicant("检测提交")
    draft = started(stack, actor, plan)
    page.goto(f"{stack.gateway}/auth/login/person")
    page.fill("input[name=username]", actor.account["username"])
    page.fill("input[name=password]", actor.account["password"])
    page.get_by_role("button", name="登录").click()

    # 开始检测 on the empty draft: 不符合 items, each with where to fix it; 提交审核 is not possible.
    page.goto(f"{stack.gateway}/apply/{draft['id']}")
    page.locator("#run-checks").click()
    expect(page.locator("#checks-summary")).to_contain_text("不符合要求")
    expect(page.locator("#check-photo")).to_contain_text("不符合")
    expect(page.locator("#submit-application")).to_be_disabled()
    page.locator("#check-attachments").get_by_role("link", name="去修改").click()
    expect(page.get_by_role("heading", name="附件上传")).to_be_visible()
    shot(page, "7-checks-failing")

    # Filled in (through the API, as the other test does on the pages), checked again, submitted.
    complete(stack, world, actor, plan, draft)
    page.goto(f"{stack.gateway}/apply/{draft['id']}/checks")
    expect(page.locator("#checks-summary")).to_contain_text("均符合要求")
    page.locator("#submit-application").click()
    expect(page.locator(".flash-notice")).to_contain_text("已提交审核")
    expect(page.locator(".apply-summary")).to_contain_text("审核中（用人单位审核）")
    expect(page.locator("#run-checks")).to_have_count(0)  # read-only: no more 开始检测 or forms
    shot(page, "8-submitted")
    assert request(stack, actor.browser, "GET", f"/applications/applications/{draft['id']}").json()["status"] == "in_review"
    page.locator(".site-nav").get_by_role("link", name="职称申报", exact=True).click()
    row = page.locator("#current-applications tr", has_text=plan["majors"][0])
    expect(row).to_contain_text("审核中")
    expect(row.get_by_role("link", name="填报")).to_have_count(0)

    # The unit's legal-person account: 申报审核 lists it; 退回修改 needs a reason.
    unit = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    unit.context.set_default_timeout(15_000)
    unit.goto(f"{stack.gateway}/auth/login/unit")
    unit.fill("input[name=username]", world.unit_account["username"])
    unit.fill("input[name=password]", world.unit_account["password"])
    unit.get_by_role("button", name="登录").click()
    unit.locator(".site-nav").get_by_role("link", name="申报审核").click()
    expect(unit.locator("#desks")).to_contain_text("待审核 1 件")
    unit.locator(f"#review-{draft['id']}").get_by_role("link", name="审核").click()
    expect(unit.locator("#overview")).to_contain_text("检测提交")
    expect(unit.locator("#files-overview")).to_contain_text("证件照")
    unit.get_by_role("radio", name="退回修改").check()
    unit.locator("#decide").click()
    expect(unit.locator(".flash-error")).to_contain_text("请填写退回修改的理由")
    unit.fill("#reason", "现从事专业填写不完整")
    unit.locator("#decide").click()
    expect(unit.locator(".flash-notice")).to_contain_text("已退回申报人修改")
    expect(unit.locator("#timeline")).to_contain_text("现从事专业填写不完整")
    shot(unit, "9-unit-returned")

    # The applicant sees why on 个人首页, fixes it, checks again and resubmits.
    page.locator(".site-nav").get_by_role("link", name="个人首页").click()
    todo = page.locator("#module-todos")
    expect(todo).to_contain_text("现从事专业填写不完整")
    todo.get_by_role("link", name=re.compile("申报被退回修改")).click()
    expect(page.locator("#returned-note")).to_contain_text("现从事专业填写不完整")
    page.fill("#profession", "桥梁结构设计")
    page.locator("#save-profile").click()
    expect(page.locator(".flash-notice")).to_contain_text("已保存")
    page.locator("#run-checks").click()
    expect(page.locator("#checks-summary")).to_contain_text("均符合要求")
    page.locator("#submit-application").click()
    expect(page.locator(".flash-notice")).to_contain_text("已提交审核")

    # The unit passes it (after its 单位申报公示); the applicant's 申报一览表 shows every step.
    publish_notice(stack, world.unit, plan)
    unit.goto(f"{stack.gateway}/reviews/{draft['id']}")
    unit.get_by_role("radio", name="通过", exact=True).check()
    unit.locator("#decide").click()
    expect(unit.locator(".flash-notice")).to_contain_text("已审核通过")
    page.reload()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("退回修改")
    expect(timeline.locator(".step-passed")).to_have_count(1)
    expect(page.locator(".apply-summary")).to_contain_text("审核中（评委会评审）")
    shot(page, "10-timeline")
    unit.context.close()
