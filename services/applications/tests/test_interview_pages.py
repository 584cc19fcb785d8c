"""免面试 and 面试安排 as people use the pages over HTTP: the applicant asks on 免面试 (a form without a
reason comes back with what was typed), the organiser's administrator refuses and grants on 面试安排
and schedules a batch, the applicant finds 打印准考证 and the interview on 个人首页."""
from __future__ import annotations

import html

from services.applications.tests.test_interviews import tomorrow
from services.applications.tests.test_review import submitted
from services.applications.tests.world import upload


def post(stack, browser, path: str, data: dict):
    return browser.post(f"{stack.gateway}{path}", data={"csrf_token": browser.csrf(stack.gateway), **data}, follow=False)


def test_exemption_and_interview_pages(stack, world):
    plan = world.plan()
    actor, second = world.applicant("页面免面试"), world.applicant("页面待面试")
    app_id = submitted(stack, world, actor, plan)["id"]
    other_id = submitted(stack, world, second, plan)["id"]
    index = actor.browser.get(f"{stack.gateway}/apply").text
    assert f'href="/apply/{app_id}/exemption"' in index and f'/apply/{app_id}/admission' not in index

    page = f"/apply/{app_id}/exemption"
    form = actor.browser.get(f"{stack.gateway}{page}")
    assert form.status_code == 200 and "申请免面试" in form.text and 'name="reason"' in form.text
    evidence = upload(stack, actor, "other")
    refused = post(stack, actor.browser, page, {"reason": " ", "file_ids": evidence})
    assert refused.status_code == 422 and "请填写申请免面试的理由" in html.unescape(refused.text)
    assert evidence in refused.text  # the chosen evidence is kept in the form
    asked = post(stack, actor.browser, page, {"reason": "已获省级以上奖励，申请免面试", "file_ids": evidence})
    assert asked.status_code == 303 and "notice=exemption_requested" in asked.headers["location"]
    shown = actor.browser.get(f"{stack.gateway}{page}").text
    assert "等待组建单位审批" in shown and "已获省级以上奖励" in shown and 'name="reason"' not in shown

    # The organiser: 计划管理 links to 面试安排; the request is refused without a reason, then with one.
    admin = world.admin.browser
    assert f"/organizer/plans/{plan['id']}/interviews" in admin.get(f"{stack.gateway}/organizer/plans").text
    arrangements = f"/organizer/plans/{plan['id']}/interviews"
    listing = admin.get(f"{stack.gateway}{arrangements}").text
    assert "页面免面试" in listing and f"{arrangements.rsplit('/', 1)[0]}/exemptions/{app_id}/files/{evidence}" in listing
    evidence_link = admin.get(f"{stack.gateway}/organizer/plans/{plan['id']}/exemptions/{app_id}/files/{evidence}",
                              follow=False)
    assert evidence_link.status_code == 303
    no_reason = post(stack, admin, arrangements, {"do": "refuse", "application_id": app_id})
    assert no_reason.status_code == 303
    assert "请填写不同意免面试的理由" in html.unescape(admin.get(f"{stack.gateway}{no_reason.headers['location']}").text)
    assert post(stack, admin, arrangements, {"do": "refuse", "application_id": app_id, "reason": "材料不足"}
                ).headers["location"].endswith("notice=exemption_refused")
    home = actor.browser.get(f"{stack.gateway}/home").text
    assert "免面试申请未获同意" in home and "材料不足" in home

    # 安排面试 of both (a batch): a form without a time comes back as typed; then each gets a ticket.
    untimed = post(stack, admin, arrangements, {"do": "schedule", "place": "福州考点", "picked": [app_id, other_id]})
    assert untimed.status_code == 422 and "请选择面试时间" in untimed.text and 'value="福州考点"' in untimed.text
    scheduled = post(stack, admin, arrangements, {"do": "schedule", "starts_at": tomorrow(10)[:16],
                                                  "place": "福州考点", "picked": [app_id, other_id]})
    assert scheduled.status_code == 303 and scheduled.headers["location"].endswith("notice=interviews_scheduled")
    listing = admin.get(f"{stack.gateway}{arrangements}").text
    assert f'id="scheduled-{app_id}"' in listing and f'id="scheduled-{other_id}"' in listing
    assert f'id="needed-{app_id}"' not in listing

    index = actor.browser.get(f"{stack.gateway}/apply").text
    assert f'href="/apply/{app_id}/admission"' in index
    ticket = actor.browser.get(f"{stack.gateway}/apply/{app_id}/admission")
    assert ticket.status_code == 200 and "福州考点" in ticket.text and "页面免面试" in ticket.text
    assert f"{tomorrow(10)[:10].replace('-', '年', 1).replace('-', '月', 1)}日 10:00" in ticket.text
    home = actor.browser.get(f"{stack.gateway}/home").text
    assert "面试已安排" in home and f"/apply/{app_id}/admission" in home
    # Another person's admission and exemption pages are not found.
    assert second.browser.get(f"{stack.gateway}/apply/{app_id}/admission").status_code == 404
    assert second.browser.get(f"{stack.gateway}{page}").status_code == 404
