"""A person adds a 学历教育 entry with a scan of the certificate and submits it; the unit approves
it in 业绩审核; the person sees 已通过. Two real browsers, one for each side."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from services.documents.tests import samples
from shared.testing.fixtures import csrf_header, eventually

pytestmark = pytest.mark.browser


def test_entry_with_certificate_scan_is_submitted_approved_and_shown_as_passed(stack, chromium: Browser, tmp_path):
    unit, unit_account = stack.unit_browser("福建省浏览器业绩测试中心")
    person, account = stack.person_browser("周学历")
    binding = person.post(f"{stack.gateway}/api/units/bindings", headers=csrf_header(person, stack.gateway),
                          json={"unit_id": unit_account["unit_id"], "note": "申请绑定"}).json()
    unit.post(f"{stack.gateway}/api/units/bindings/{binding['id']}/approve", headers=csrf_header(unit, stack.gateway))
    assert eventually(lambda: person.get(f"{stack.gateway}/api/identity/me").json().get("unit_id"))
    assert eventually(lambda: unit.get(f"{stack.gateway}/api/identity/me").json().get("unit_id"))
    scan = tmp_path / "学位证书.jpg"
    scan.write_bytes(samples.jpeg())

    applicant = chromium.new_context(locale="zh-CN").new_page()
    reviewer = chromium.new_context(locale="zh-CN").new_page()
    for page, who, kind in ((applicant, account, "person"), (reviewer, unit_account, "unit")):
        page.set_default_timeout(15_000)
        page.goto(f"{stack.gateway}/auth/login/{kind}")
        page.fill("input[name=username]", who["username"])
        page.fill("input[name=password]", who["password"])
        page.get_by_role("button", name="登录").click()

    applicant.get_by_role("link", name="个人业绩库").click()
    applicant.get_by_role("link", name="学历教育").click()
    applicant.locator("#add-entry").click()
    for field, value in (("school", "福州大学"), ("major", "土木工程"), ("start_date", "2004-09-01"),
                         ("end_date", "2008-06-30"), ("certificate_no", "103861200805009999")):
        applicant.fill(f"#f_{field}", value)
    applicant.select_option("#f_education", "大学本科")
    applicant.select_option("#f_study_mode", "全日制")
    applicant.locator(".file-picker input[type=file]").set_input_files(str(scan))
    expect(applicant.locator(".picked-files")).to_contain_text("学位证书")
    applicant.locator("#save-entry").click()
    row = applicant.locator("#entries tr", has_text="福州大学")
    expect(row).to_contain_text("草稿")
    expect(row.locator("td.entry-files")).to_contain_text("学位证书")  # the attachment, by its name
    row.get_by_role("button", name="提交审核").click()
    expect(applicant.locator("#entries tr", has_text="福州大学")).to_contain_text("待单位审核")

    reviewer.goto(f"{stack.gateway}/unit/entries")
    item = reviewer.locator("tr", has_text="周学历")
    expect(item).to_contain_text("福州大学")
    thumb = item.locator(".thumbs img")
    expect(thumb).to_have_count(1)  # the scan is previewed for the reviewer: documents lets the unit read it
    thumb.evaluate("img => img.complete || new Promise(done => img.addEventListener('load', done))")
    assert thumb.evaluate("img => img.naturalWidth") > 0
    item.get_by_role("button", name="通过").click()
    expect(reviewer.get_by_text("已审核通过")).to_be_visible()
    expect(reviewer.get_by_text("暂无待审核的业绩")).to_be_visible()

    applicant.reload()
    expect(applicant.locator("#entries tr", has_text="福州大学")).to_contain_text("已通过")
    expect(applicant).to_have_url(re.compile(r"/library"))


def _log_in(page: Page, stack, account: dict, kind: str) -> None:
    page.goto(f"{stack.gateway}/auth/login/{kind}")
    page.fill("input[name=username]", account["username"])
    page.fill("input[name=password]", account["password"])
    page.get_by_role("button", name="登录").click()


def test_reviewing_entries_with_pdf_attachments_requests_nothing_that_is_missing(stack, page: Page):
    """业绩审核 previews images and shows a PDF as a badge: no request answers 404 (there is no
    thumbnail of a PDF); both open in the viewer."""
    unit, unit_account = stack.unit_browser("福建省缩略图测试中心")
    person, _ = stack.person_browser("郑论文")
    binding = person.post(f"{stack.gateway}/api/units/bindings", headers=csrf_header(person, stack.gateway),
                          json={"unit_id": unit_account["unit_id"], "note": "申请绑定"}).json()
    unit.post(f"{stack.gateway}/api/units/bindings/{binding['id']}/approve", headers=csrf_header(unit, stack.gateway))
    # Both tokens carry the binding once identity told the gateway (the pages stop saying otherwise).
    assert eventually(lambda: "no-unit-note" not in person.get(f"{stack.gateway}/library").text)
    assert eventually(lambda: unit.get(f"{stack.gateway}/api/library/review-queue",
                                       params={"unit_id": unit_account["unit_id"]}).status_code == 200)
    ids = []
    for name, content, ctype in (("论文全文.pdf", samples.pdf(), "application/pdf"),
                                 ("检索证明.jpg", samples.jpeg(), "image/jpeg")):
        stored = person.post(f"{stack.gateway}/api/documents/files", headers=csrf_header(person, stack.gateway),
                             data={"kind": "entry_attachment"}, files={"file": (name, content, ctype)})
        ids.append(stored.json()["id"])
    headers = csrf_header(person, stack.gateway)
    for year in (2023, 2024):
        entry = person.post(f"{stack.gateway}/api/library/entries", headers=headers, json={
            "type": "annual_assessment", "fields": {"year": year, "result": "优秀"}, "attachment_ids": ids}).json()
        assert person.post(f"{stack.gateway}/api/library/entries/{entry['id']}/submit",
                           headers=headers).status_code == 200

    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    _log_in(page, stack, unit_account, "unit")
    page.goto(f"{stack.gateway}/unit/entries")
    rows = page.locator("tr", has_text="郑论文")
    expect(rows).to_have_count(2)
    page.wait_for_load_state("networkidle")
    assert failed == []
    for i in range(2):
        cell = rows.nth(i).locator(".thumbs")
        expect(cell.locator(".file-badge")).to_have_text("PDF")
        expect(cell.locator("img")).to_have_count(1)
        assert cell.locator("img").evaluate("img => img.complete && img.naturalWidth") > 0
    with page.expect_popup() as opened:
        rows.first.locator(".thumbs a", has_text="PDF").click()
    viewer = opened.value
    expect(viewer.get_by_role("heading", name="论文全文.pdf")).to_be_visible()


def test_the_applicant_opens_an_entrys_files_from_the_library_and_sees_their_use_in_my_files(stack, page: Page):
    person, account = stack.person_browser("许附件")
    stored = person.post(f"{stack.gateway}/api/documents/files", headers=csrf_header(person, stack.gateway),
                         data={"kind": "entry_attachment"},
                         files={"file": ("获奖证书.jpg", samples.jpeg(), "image/jpeg")}).json()
    person.post(f"{stack.gateway}/api/library/entries", headers=csrf_header(person, stack.gateway), json={
        "type": "honor", "fields": {"name": "福建省科学技术进步奖", "level": "省部级", "grantor": "福建省人民政府",
                                    "date": "2021-12-01"},
        "attachment_ids": [stored["id"]]}).raise_for_status()
    _log_in(page, stack, account, "person")

    page.goto(f"{stack.gateway}/library?type=honor")
    row = page.locator("#entries tr", has_text="福建省科学技术进步奖")
    expect(row.locator(".entry-files")).to_contain_text("获奖证书.jpg")
    with page.expect_popup() as opened:
        row.get_by_role("link", name="查看附件").click()
    viewer = opened.value
    expect(viewer.get_by_role("heading", name="获奖证书.jpg")).to_be_visible()
    expect(viewer.locator("#viewer-image")).to_be_visible()

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的附件").click()
    expect(page.locator(f"#file-{stored['id']} .used-by")).to_have_text("业绩库：获得荣誉《福建省科学技术进步奖》")
