"""A person's first visit in a real browser: 首页 → 登录 → 个人登录 → 闽政通 → 注册 → 个人首页 → 退出."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_first_login_registration_home_and_logout(stack, page: Page):
    account = stack.new_person("叶文静")
    page.goto(stack.gateway + "/")
    expect(page).to_have_title(re.compile("福建省职称申报评审管理平台"))
    page.get_by_role("link", name="登录", exact=True).first.click()

    page.locator("#login-person").click()
    expect(page.get_by_text("个人用户登录")).to_be_visible()  # the 闽政通 login page
    page.fill("input[name=username]", account["username"])
    page.fill("input[name=password]", account["password"])
    page.get_by_role("button", name="登录").click()

    expect(page).to_have_url(re.compile(r"/register$"))
    expect(page.get_by_text("叶文静").first).to_be_visible()
    # A wrong mobile number is named, and what was typed stays.
    page.fill("input[name=mobile]", "123")
    page.fill("input[name=address]", "福州市鼓楼区杨桥东路 18 号")
    page.locator("#register-submit").click()
    expect(page.get_by_text("手机号码").first).to_be_visible()
    expect(page.locator("input[name=address]")).to_have_value("福州市鼓楼区杨桥东路 18 号")

    page.fill("input[name=mobile]", "13859012345")
    page.check("input[name=choose_unit][value=yes]")
    expect(page.locator("#unit-q")).to_be_visible()  # 是: search for the unit right here
    page.fill("#unit-q", "一个还没有注册的单位")
    expect(page.locator("#unit-results")).to_contain_text("尚未在本系统完成注册")  # and what to do then
    page.check("input[name=choose_unit][value=no]")
    page.locator("#register-submit").click()

    expect(page).to_have_url(re.compile(r"/home"))
    for module in ("个人基本信息", "我的申报情况", "待处理事项", "业绩统计", "最新计划"):
        expect(page.get_by_role("heading", name=module)).to_be_visible()
    expect(page.locator("#module-profile")).to_contain_text("13859012345")
    expect(page.locator("#module-todos")).to_contain_text("尚未绑定工作单位")

    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("link", name="登录").first).to_be_visible()
    page.goto(stack.gateway + "/home")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fhome$"))  # and back to 个人首页 after logging in
