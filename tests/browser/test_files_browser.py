"""我的附件 in a real browser: a person uploads a JPEG (and is told why a disguised file is
refused), renames it by clicking its name, opens 查看附件 and zooms in and out."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from services.documents.tests import samples

pytestmark = pytest.mark.browser


def test_person_uploads_renames_views_and_zooms_an_attachment(stack, page: Page):
    browser, account = stack.person_browser("林附件")  # registered already
    browser.close()
    page.goto(stack.gateway + "/login")
    page.locator("#login-person").click()
    page.fill("input[name=username]", account["username"])
    page.fill("input[name=password]", account["password"])
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/home$"))

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的附件").click()
    expect(page).to_have_url(re.compile(r"/files$"))
    expect(page.locator("#file-table")).to_contain_text("暂无附件")

    # A PNG renamed .pdf is refused, with the reason, and nothing appears in the list.
    page.select_option("#upload-kind", label="身份证正面")
    page.set_input_files("#upload-file", {"name": "身份证.pdf", "mimeType": "application/pdf", "buffer": samples.png()})
    page.locator("#upload-submit").click()
    expect(page.locator("#upload-error")).to_contain_text("扩展名 .pdf 与文件内容（PNG 图片）不符")
    expect(page.locator("#file-table")).to_contain_text("暂无附件")

    page.select_option("#upload-kind", label="证件照")
    page.set_input_files("#upload-file", {"name": "IMG_0001.jpg", "mimeType": "image/jpeg",
                                          "buffer": samples.jpeg(1600, 1200)})
    page.locator("#upload-submit").click()
    row = page.locator("#file-table tbody tr").first
    expect(row).to_contain_text("IMG_0001.jpg")
    expect(row).to_contain_text("证件照")
    expect(page.locator("#file-table")).to_contain_text("附件已上传")
    expect(page.locator("#upload-error")).to_be_hidden()
    expect(row.locator("img.thumb")).to_have_js_property("naturalWidth", 320)

    # 点击已上传的附件，可进行附件名称的修改.
    row.get_by_text("IMG_0001.jpg").click()
    row.get_by_label("新的附件名称").fill("证件照（2026年）")
    row.get_by_role("button", name="保存").click()
    expect(page.locator("#file-table")).to_contain_text("附件名称已修改")
    expect(page.locator("#file-table tbody tr").first).to_contain_text("证件照（2026年）")

    # 查看附件: the original, and 点击图片可以放大或缩小.
    page.locator("#file-table tbody tr").first.get_by_role("link", name="查看附件").click()
    expect(page).to_have_url(re.compile(r"/files/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", name="证件照（2026年）")).to_be_visible()
    image = page.locator("#viewer-image")
    expect(image).to_have_js_property("naturalWidth", 1600)
    fitted = image.bounding_box()["width"]
    image.click()
    expect(page.locator("#zoom-level")).not_to_have_text(re.compile(r"^$"))
    assert image.bounding_box()["width"] == pytest.approx(fitted * 1.5, abs=2)
    page.get_by_role("button", name="放大").click()
    assert image.bounding_box()["width"] == pytest.approx(fitted * 2, abs=2)
    page.get_by_role("button", name="缩小").click()
    page.get_by_role("button", name="缩小").click()
    assert image.bounding_box()["width"] == pytest.approx(fitted, abs=2)
    download = page.locator("#download")
    expect(download).to_have_attribute("href", re.compile(r"/api/documents/files/.+/content\?download=true"))
