"""The library's pages in the gateway over HTTP: what 个人首页 lists to do, what the notices after a
save say, which files an entry uses (个人业绩库, 我的附件), and the unit search's hints."""
from __future__ import annotations

import html
import re

from services.library.tests.test_entries import EDUCATION, _upload, api, bound_person, post
from shared.testing.browser import HttpBrowser
from shared.testing.fixtures import csrf_header


def _todos(stack, person: HttpBrowser) -> str:
    page = person.get(f"{stack.gateway}/home").text
    return html.unescape(page[page.index('id="module-todos"'):page.index('id="module-stats"')])


def test_returned_entries_are_to_do_on_the_home_page_with_the_way_to_fix_them(stack, unit_with_staff):
    unit, unit_account = unit_with_staff
    person = bound_person(stack, unit, unit_account, "退回待办")
    entry = post(stack, person, "/entries", {"type": "education", "fields": EDUCATION}).json()
    assert entry["id"] not in _todos(stack, person)
    post(stack, person, f"/entries/{entry['id']}/submit")
    assert post(stack, unit, f"/entries/{entry['id']}/return", {"reason": "请补充学位证书扫描件"}).status_code == 200

    todos = _todos(stack, person)
    assert f'href="/library/{entry["id"]}/edit"' in todos
    assert "学历教育「厦门大学」" in todos and "退回原因：请补充学位证书扫描件" in todos
    # Fixed and sent again: no longer to do.
    post(stack, person, f"/entries/{entry['id']}/submit")
    assert entry["id"] not in _todos(stack, person)


def _save(stack, person: HttpBrowser, entry: dict | None, fields: dict) -> str:
    form = {"type": "education", "csrf_token": person.csrf(stack.gateway),
            **({"entry_id": entry["id"]} if entry else {}), **{f"f_{k}": v for k, v in fields.items()}}
    address = f"/library/{entry['id']}/edit" if entry else "/library/new?type=education"  # the form's own address
    page = person.post(f"{stack.gateway}{address}", data=form)
    assert page.status_code == 200 and page.url.path == "/library", page.text[:300]
    flash = re.search(r'class="flash flash-notice".*?</div>', page.text, re.S).group(0)
    return html.unescape(re.sub(r"<[^>]+>", "", flash))


def test_the_notice_after_a_save_fits_the_entry_and_the_binding(stack, unit_with_staff):
    loner, _ = stack.person_browser("未绑定")
    assert "绑定单位后，可提交单位审核" in _save(stack, loner, None, EDUCATION)

    unit, unit_account = unit_with_staff
    person = bound_person(stack, unit, unit_account, "新版本通知")
    notice = _save(stack, person, None, EDUCATION)
    assert "绑定单位后" not in notice and "提交审核" in notice
    entry = person.get(api(stack, "/entries")).json()["items"][0]
    post(stack, person, f"/entries/{entry['id']}/submit")
    post(stack, unit, f"/entries/{entry['id']}/approve")

    notice = _save(stack, person, entry, {**EDUCATION, "study_notes": "获优秀毕业生"})
    assert "绑定单位后" not in notice
    assert "新版本" in notice and "已通过的版本仍可在申报时导入" in notice
    assert person.get(api(stack, f"/entries/{entry['id']}")).json()["version"] == 2


def test_the_library_lists_each_entrys_files_and_my_files_says_which_entry_uses_one(stack):
    person, _ = stack.person_browser("附件列表")
    scan = _upload(stack, person, "学位证书.jpg")
    entry = post(stack, person, "/entries", {"type": "education", "fields": EDUCATION,
                                             "attachment_ids": [scan["id"]]}).json()
    row = person.get(f"{stack.gateway}/library?type=education").text
    row = row[row.index(f'id="entry-{entry["id"]}"'):]
    assert "学位证书.jpg" in row and f'href="/files/{scan["id"]}"' in row and "查看附件" in row

    files = html.unescape(person.get(f"{stack.gateway}/files").text)
    mine = files[files.index(f'id="file-{scan["id"]}"'):]
    assert "业绩库：学历教育《厦门大学》" in mine[:mine.index("</tr>")]


def test_an_empty_unit_search_hints_what_fits_the_page(stack):
    word = "查无此单位甲乙丙"
    person, _ = stack.person_browser("变更单位提示")
    changing = html.unescape(person.get(f"{stack.gateway}/ui/units/search", params={"q": word}).text)
    assert f"未查询到名称包含“{word}”的单位" in changing
    assert "是否选择单位" not in changing and "尚未在本系统完成注册" in changing and "回到本页" in changing

    newcomer = HttpBrowser()  # first login: the registration page's search
    newcomer.login(stack.gateway, stack.new_person("注册提示"))
    registering = html.unescape(newcomer.get(f"{stack.gateway}/ui/units/search", params={"q": word}).text)
    assert "请先将“是否选择单位”选为“否”并提交" in registering
    assert csrf_header(newcomer, stack.gateway)  # a pending session, not a person's
