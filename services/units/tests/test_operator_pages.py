"""The gateway's 部门工作人员 pages over real HTTP: an operator finds a registered person by name,
names them staff of a 主管部门 and removes them (forms with the CSRF token, post/redirect/get
with a confirmation or the refusal's reason); nobody else sees the pages."""
from __future__ import annotations

import re

import httpx

from services.plans.tests.people import person
from services.units.tests.test_department_staff import call, found
from shared.testing.fixtures import eventually


def post_form(stack, actor, path: str, fields: dict) -> httpx.Response:
    return actor.browser.post(f"{stack.gateway}{path}", data={**fields, "csrf_token": actor.browser.csrf(stack.gateway)})


def test_an_operator_manages_department_staff_on_the_pages(stack):
    operator, staffer = person(stack, "页面运维", "operator"), person(stack, "农业厅干部")
    gateway, page = stack.gateway, "/operator/departments/FJ-NYT"
    assert eventually(lambda: found(stack, operator, staffer), timeout=15)

    overview = operator.browser.get(f"{gateway}/operator/departments")
    assert overview.status_code == 200 and "福建省农业农村厅" in overview.text and "平潭综合实验区社会事业局" in overview.text
    assert f'href="{page}"' in overview.text

    searched = operator.browser.get(f"{gateway}{page}", params={"name": "农业厅干部"})
    assert searched.status_code == 200 and "暂未指定工作人员" in searched.text
    assert f'name="person_id" value="{staffer.person_id}"' in searched.text
    nobody = operator.browser.get(f"{gateway}{page}", params={"name": "查无此人"})
    assert "未找到名为“查无此人”的已注册人员" in nobody.text

    added = post_form(stack, operator, f"{page}/staff", {"person_id": staffer.person_id})
    assert added.url.path == page and "已指定为该主管部门的工作人员" in added.text
    assert f'id="staff-{staffer.person_id}"' in added.text and "页面运维" in added.text  # who named them
    row = re.search(r'<tr id="department-FJ-NYT">.*?</tr>', operator.browser.get(f"{gateway}/operator/departments").text,
                    re.S)
    assert row and "农业厅干部" in row.group(0)
    # Named twice: refused, and the page it went back to says why.
    twice = post_form(stack, operator, f"{page}/staff", {"person_id": staffer.person_id})
    assert twice.url.path == page and 'class="flash flash-error"' in twice.text and "已是福建省农业农村厅的工作人员" in twice.text
    assert "已是工作人员" in operator.browser.get(f"{gateway}{page}", params={"name": "农业厅干部"}).text
    picked_nobody = post_form(stack, operator, f"{page}/staff", {"person_id": "不是编号"})
    assert "请先按姓名查找" in picked_nobody.text

    removed = post_form(stack, operator, f"{page}/staff/{staffer.person_id}/remove", {})
    assert removed.url.path == page and "已移除该工作人员" in removed.text and "暂未指定工作人员" in removed.text
    assert call(stack, operator, "GET", "/departments/FJ-NYT/staff").json() == []
    # A form without the CSRF token changes nothing.
    forged = operator.browser.post(f"{gateway}{page}/staff", data={"person_id": staffer.person_id}, follow=False)
    assert forged.status_code == 403 and call(stack, operator, "GET", "/departments/FJ-NYT/staff").json() == []

    missing = operator.browser.get(f"{gateway}/operator/departments/NOPE")
    assert missing.status_code == 404 and "未找到该主管部门" in missing.text


def test_the_pages_are_for_operators_only(stack):
    applicant = person(stack, "普通申报人")
    refused = applicant.browser.get(f"{stack.gateway}/operator/departments")
    assert refused.status_code == 403 and "此页面仅供平台运维人员使用" in refused.text
    denied = post_form(stack, applicant, "/operator/departments/FJ-NYT/staff", {"person_id": applicant.person_id})
    assert denied.status_code == 403
    anonymous = httpx.get(f"{stack.gateway}/operator/departments")
    assert anonymous.headers["location"] == "/login?next=%2Foperator%2Fdepartments"
    assert 'href="/operator/departments"' not in applicant.browser.get(f"{stack.gateway}/home").text
    operator = person(stack, "导航运维", "operator")
    assert 'href="/operator/departments"' in operator.browser.get(f"{stack.gateway}/home").text
