"""A unit approves a person's binding request in its workspace; the person's 个人中心 then shows
the unit. Two real browsers (contexts), one for each side."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from shared.testing.fixtures import eventually

pytestmark = pytest.mark.browser


def login(page: Page, stack, account: dict, button: str) -> None:
    page.goto(stack.gateway + "/login")
    page.locator(button).click()
    page.fill("input[name=username]", account["username"])
    page.fill("input[name=password]", account["password"])
    page.get_by_role("button", name="登录").click()


def test_unit_registers_person_binds_unit_approves_and_person_sees_the_unit(stack, chromium: Browser):
    unit_account = stack.new_unit_account("福建省浏览器测试设计院有限公司")
    person_account = stack.new_person("郑测试")
    unit_page = chromium.new_context(locale="zh-CN").new_page()
    person_page = chromium.new_context(locale="zh-CN").new_page()
    for p in (unit_page, person_page):
        p.set_default_timeout(15_000)

    # The legal person's first visit: the unit is not registered yet.
    login(unit_page, stack, unit_account, "#login-unit")
    expect(unit_page).to_have_url(re.compile(r"/unit/register$"))
    expect(unit_page.locator("#credit_code")).to_have_value(unit_account["credit_code"])
    unit_page.fill("#address", "福州市鼓楼区五一北路 100 号")
    unit_page.fill("#contact_name", "林经办")
    unit_page.fill("#contact_phone", "0591-83000000")
    unit_page.select_option("#department_code", label="福建省住房和城乡建设厅")
    unit_page.locator("#register-unit").click()
    expect(unit_page.get_by_text("单位注册成功")).to_be_visible()
    expect(unit_page.get_by_text("暂无待审核的绑定申请")).to_be_visible()

    # The person registers and asks to be bound, choosing the unit from the search.
    login(person_page, stack, person_account, "#login-person")
    expect(person_page).to_have_url(re.compile(r"/register$"))
    person_page.fill("#address", "福州市鼓楼区华林路 2 号")
    person_page.check("#choose_unit_yes")
    person_page.fill("#unit-q", "浏览器测试设计")
    person_page.get_by_role("button", name="选择").click()
    expect(person_page.locator("#unit-picked")).to_contain_text("福建省浏览器测试设计院有限公司")
    person_page.fill("#note", "本人为该院在职结构工程师，申请绑定。")
    person_page.locator("#register-submit").click()
    expect(person_page).to_have_url(re.compile(r"/home"))
    expect(person_page.locator("#module-todos")).to_contain_text("正在等待单位审核")

    # The unit sees the request and approves it.
    unit_page.reload()
    row = unit_page.locator("tr", has_text="郑测试")
    expect(row).to_contain_text("本人为该院在职结构工程师")
    row.get_by_role("button", name="通过").click()
    expect(unit_page.get_by_text("已通过该绑定申请")).to_be_visible()
    unit_page.get_by_role("link", name="本单位人员").click()
    expect(unit_page.locator("#staff")).to_contain_text("郑测试")

    # The person's 个人中心 shows the unit (identity learns it from the event).
    def shows_unit() -> bool:
        person_page.goto(stack.gateway + "/me")
        return "福建省浏览器测试设计院有限公司" in person_page.locator("#current-unit").inner_text()

    assert eventually(shows_unit)
    person_page.get_by_role("link", name="变更单位").first.click()
    expect(person_page.locator("#binding-history")).to_contain_text("已通过")
