"""An organiser's plan administrator drafts a plan with its review standard in the form, and
publishes it; an applicant finds it by name and opens it. Two browsers, one for each side."""
from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Browser, Page, expect

from services.documents.tests.samples import pdf
from services.plans.tests.people import add_admin, call, person
from services.plans.window import today_in_shanghai

pytestmark = pytest.mark.browser


def login(page: Page, stack, account: dict) -> None:
    page.goto(stack.gateway + "/login")
    page.locator("#login-person").click()
    page.fill("input[name=username]", account["username"])
    page.fill("input[name=password]", account["password"])
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/home$"))


def nav(page: Page, label: str):
    return page.get_by_role("navigation", name="主导航").get_by_role("link", name=label)


def test_organiser_publishes_a_plan_and_an_applicant_finds_and_opens_it(stack, chromium: Browser):
    admin = person(stack, "高计划", "operator", "plan_admin")
    organizer = call(stack, admin, "POST", "/organizers", json={"name": f"福建省浏览器测试厅{secrets.token_hex(3)}"}).json()
    assert add_admin(stack, admin, organizer["id"], admin.person_id)
    applicant = person(stack, "叶申报")
    name = f"2026年度浏览器测试工程系列高级职称评审计划{secrets.token_hex(2)}"
    today = today_in_shanghai()

    page = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())  # 确定发布？
    login(page, stack, admin.account)
    nav(page, "计划管理").click()
    page.locator("#new-plan").click()
    expect(page.get_by_role("heading", name="新建计划")).to_be_visible()

    page.fill("#name", name)
    page.fill("#committee", "福建省工程系列高级职称评审委员会")
    page.select_option("#series", "engineering")
    page.fill("#start_date", str(today))
    page.fill("#end_date", f"{today.year + 1}-01-31")
    page.check("input[name=levels][value=senior_associate]")
    page.check("input[name=forms][value=exceptional]")
    page.fill("#scope", "全省企事业单位中从事工程技术工作的专业技术人员。")
    page.fill("#content", "# 申报条件\n- 取得工程师职称后从事本专业技术工作满5年")
    page.fill("#majors", "建筑工程\n电子信息")
    page.get_by_role("button", name="添加职称").click()
    page.select_option('[name="titles.0.level"]', "senior_associate")
    page.fill('[name="titles.0.name"]', "高级工程师")
    # The standard: the usual groups are there; add a category to 业绩条件 (the second group).
    page.locator('[data-add-row="rows-standard-groups-1"]').click()
    new_category = "standard.groups.1.categories.1"
    page.fill(f'[name="{new_category}.name"]', "专利")
    page.check(f'[name="{new_category}.entry_types"][value=patent]')
    page.fill(f'[name="{new_category}.min_count"]', "0")
    page.fill(f'[name="{new_category}.max_count"]', "3")
    page.uncheck(f'[name="{new_category}.required"]')
    page.locator("tr", has_text="职业证书").locator('[name$=".include"]').check()
    page.locator("#save-plan").click()

    expect(page.get_by_text("草稿已保存")).to_be_visible()
    # A downloadable attachment, stored by documents (htmx multipart upload with the CSRF header).
    page.set_input_files("#attachment-file", files=[{"name": "评审工作通知.pdf", "mimeType": "application/pdf",
                                                     "buffer": pdf("notice")}])
    page.fill("#attachment-name", "评审工作通知")
    page.get_by_role("button", name="上传附件").click()
    expect(page.locator("#plan-attachment-list a")).to_have_text("评审工作通知")
    nav(page, "计划管理").click()
    row = page.locator("tr", has_text=name)
    expect(row).to_contain_text("草稿")
    row.get_by_role("button", name="发布").click()
    expect(page.get_by_text("计划已发布")).to_be_visible()
    expect(page.locator("tr", has_text=name)).to_contain_text("已发布")

    reader = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    reader.set_default_timeout(15_000)
    login(reader, stack, applicant.account)
    nav(reader, "评审计划").click()
    reader.fill("#q-name", name[-12:])
    reader.get_by_role("button", name="查询").click()
    expect(reader.locator("#plan-total")).to_have_text("共 1 条")
    reader.get_by_role("link", name=f"查看 {name}").click()

    expect(reader.get_by_role("heading", name=name)).to_be_visible()
    for section in ("基本信息", "评审范围对象", "可评审专业", "计划内容", "附件下载"):
        expect(reader.get_by_role("heading", name=section)).to_be_visible()
    expect(reader.locator("#plan-majors")).to_contain_text("电子信息")
    expect(reader.locator("#plan-standard")).to_contain_text("选填，最多3项")  # 温馨提示 of the new category
    expect(reader.locator("#plan-required-attachments")).to_contain_text("职业证书")
    expect(reader.locator("#plan-downloads a")).to_have_text("评审工作通知")
    reader.locator("#apply-now").click()
    expect(reader.get_by_role("heading", name="申报职称选择")).to_be_visible()
    reader.context.close()
    page.context.close()
