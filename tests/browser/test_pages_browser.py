"""The main pages as people see them: on a phone (闽政通 users arrive from the app) and on a
laptop, usable with the keyboard and a screen reader (axe-core finds no serious or critical
problem), with Chinese file controls. The CSP watch of conftest.py applies to every page here."""
from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from services.plans.tests.factories import plan
from services.plans.tests.people import add_admin, call, person
from shared.entry_types import ENTRY_TYPES, FieldSpec
from shared.testing.browser import HttpBrowser
from shared.testing.fixtures import csrf_header

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / ".cache/node/node_modules/axe-core/axe.min.js"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def visitors(stack) -> dict:
    """Who looks at the pages: nobody, a person, a unit, a plan administrator; and a published plan."""
    admin = person(stack, "页面管理", "operator", "plan_admin")
    organizer = call(stack, admin, "POST", "/organizers", json={"name": f"福建省页面测试厅{secrets.token_hex(3)}"}).json()
    assert add_admin(stack, admin, organizer["id"], admin.person_id)
    draft = call(stack, admin, "POST", "/plans", json=plan(organizer_id=organizer["id"])).json()
    published = call(stack, admin, "POST", f"/plans/{draft['id']}/publish").json()
    unit, _ = stack.unit_browser("页面检查科技有限公司")
    applicant = person(stack, "林页面").browser
    for kind in ENTRY_TYPES.values():  # an entry of every type: each tab of 业绩库 shows its count
        fields = {f.code: _sample(f) for f in kind.fields}
        saved = applicant.post(f"{stack.gateway}/api/library/entries", headers=csrf_header(applicant, stack.gateway),
                               json={"type": kind.code, "fields": fields, "attachment_ids": []})
        assert saved.status_code == 201, saved.text
    return {"anonymous": None, "person": applicant, "unit": unit, "admin": admin.browser, "plan": published["id"]}


def _sample(field: FieldSpec) -> str:
    """A valid value of a library entry's field, whatever its type."""
    if field.choices:
        return field.choices[0]
    return {"date": "2021-06-30" if "end" in field.code else "2019-09-01", "year": "2020", "int": "12"}.get(
        field.type, "测试内容")


def pages(plan_id: str) -> list[tuple[str, str]]:
    return [("anonymous", "/"), ("anonymous", "/login"), ("anonymous", "/plans"), ("anonymous", "/nonexistent-page"),
            ("person", "/home"), ("person", "/me"), ("person", "/me/edit"), ("person", "/me/unit"),
            ("person", "/library"), ("person", "/library/new?type=paper"), ("person", "/plans"),
            (("person", f"/plans/{plan_id}")), ("person", "/files"), ("person", "/unit/home"),
            ("unit", "/unit/home"), ("unit", "/unit/entries"), ("unit", "/unit/staff"), ("unit", "/unit/info"),
            ("unit", "/unit/reviewers"), ("unit", "/reviews"), ("person", "/reviews?view=decided"),
            ("admin", "/organizer/plans"), ("admin", f"/organizer/plans/{plan_id}/edit"),
            ("admin", f"/organizer/plans/{plan_id}/assignees"), ("admin", f"/organizer/plans/{plan_id}/interviews"),
            ("admin", f"/organizer/plans/{plan_id}/experts"), ("admin", f"/organizer/plans/{plan_id}/committee"),
            ("person", "/expert"),
            ("admin", "/operator/departments"), ("admin", "/operator/departments/FJ-RSW?name=页面管理"),
            ("anonymous", "/verify"), ("person", "/me/titles"), ("person", "/apply"),
            # 公示: the public list and 公示管理 (a notice and its forms: tests/browser/test_notices_browser.py)
            ("anonymous", "/notices"), ("unit", "/reviews/notices"), ("admin", "/reviews/notices")]


def _context(chromium: Browser, stack, who: HttpBrowser | None, viewport: dict) -> BrowserContext:
    """A browser context signed in with the session of ``who`` (an HTTP test browser)."""
    context = chromium.new_context(locale="zh-CN", viewport=viewport)
    context.set_default_timeout(15_000)
    if who is not None:
        context.add_cookies([{"name": "zc_session", "value": who.cookies(stack.gateway)["zc_session"],
                              "url": stack.gateway}])
    return context


def _each_page(chromium: Browser, stack, visitors: dict, viewport: dict):
    contexts: dict[str, BrowserContext] = {}
    try:
        for role, path in pages(visitors["plan"]):
            if role not in contexts:
                contexts[role] = _context(chromium, stack, visitors[role], viewport)
            page = contexts[role].new_page()
            page.goto(stack.gateway + path)
            expect(page.locator("main")).to_be_visible()
            yield role, path, page
            page.close()
    finally:
        for context in contexts.values():
            context.close()


def _axe(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page (WCAG 2.1 A and AA and best practice)."""
    page.evaluate(AXE.read_text())  # evaluated by the test, not loaded by the page: the CSP does not apply
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
        .filter(v => v.impact === "serious" || v.impact === "critical")
        .map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "))""")
    return found


def test_main_pages_have_no_serious_accessibility_problems(stack, chromium: Browser, visitors):
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed ({AXE}): run ./dev install")
    problems = []
    for role, path, page in _each_page(chromium, stack, visitors, LAPTOP):
        problems += [f"{role} {path}: {finding}" for finding in _axe(page)]
    assert not problems, "\n".join(problems)


def test_main_pages_work_on_a_phone(stack, chromium: Browser, visitors):
    problems = []
    for role, path, page in _each_page(chromium, stack, visitors, PHONE):
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            wide = page.evaluate("""() => [...document.querySelectorAll("main *")]
                .filter(e => e.getBoundingClientRect().right > innerWidth)
                .slice(-3).map(e => e.tagName + "." + e.className)""")  # the innermost ones say why
            problems.append(f"{role} {path}: {overflow} px wider than the phone ({', '.join(wide)})")
        # Every menu item is on the screen as the page opens: none cut off or hidden sideways.
        for link in page.get_by_role("navigation", name="主导航").get_by_role("link").all():
            box = link.bounding_box()
            if box is None or box["x"] < 0 or box["x"] + box["width"] > PHONE["width"] + 0.5:
                problems.append(f"{role} {path}: menu item {link.inner_text()} is cut off ({box})")
    assert not problems, "\n".join(problems)


def _tops(page: Page, selector: str) -> list[float]:
    return [round(box["y"]) for box in (e.bounding_box() for e in page.locator(selector).all()) if box]


def test_tabs_stay_on_one_line_and_cards_side_by_side_line_up(stack, chromium: Browser, visitors):
    context = _context(chromium, stack, visitors["person"], LAPTOP)
    try:
        page = context.new_page()
        page.goto(stack.gateway + "/library")
        expect(page.locator(".tabs .count")).to_have_count(len(ENTRY_TYPES))
        tabs = _tops(page, ".tabs a")
        assert len(tabs) == len(ENTRY_TYPES) and len(set(tabs)) == 1, tabs  # 业绩库's tabs on one line at 1366 px
        assert page.evaluate("(t => t.scrollWidth <= t.clientWidth)(document.querySelector('.tabs'))")  # all shown
        page.goto(stack.gateway + "/home")
        first_row = page.locator(".home-grid > *").all()[:2]
        assert len({round(card.bounding_box()["y"]) for card in first_row}) == 1
        anonymous = _context(chromium, stack, None, LAPTOP).new_page()
        anonymous.goto(stack.gateway + "/login")
        assert len(set(_tops(anonymous, ".login-card"))) == 1
        anonymous.context.close()
    finally:
        context.close()


def test_file_controls_speak_chinese(stack, chromium: Browser, visitors):
    context = _context(chromium, stack, visitors["person"], PHONE)
    try:
        page = context.new_page()
        page.goto(stack.gateway + "/files")
        control = page.locator("#upload-form .file-control")
        expect(control).to_contain_text("选择文件")
        expect(control).to_contain_text("未选择文件")
        native = page.locator("#upload-file")
        box = native.bounding_box()
        assert box is None or box["width"] <= 1  # the browser's own English button is not shown
        native.set_input_files(files=[{"name": "学历证书.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n"}])
        expect(control).to_contain_text("学历证书.png")
        page.keyboard.press("Tab")  # and it can be reached with the keyboard: the control shows focus
    finally:
        context.close()
