"""The whole path over HTTP through the gateway: log in, bind to a unit, have library entries
approved, apply, submit (单位申报公示), pass every stage, sit the interview, get the result and,
after the 评审结果公示, the certificate in 我的职称, and have anyone verify it by its number."""
from __future__ import annotations

import httpx

from services.applications.tests.test_interviews import schedule
from services.applications.tests.test_review import assign, decide, submitted, version_of, waiting
from services.applications.tests.world import certify, request
from services.plans.tests.people import person
from shared.testing.fixtures import eventually


def test_from_login_to_a_certificate_anyone_can_verify(stack, world):
    plan = world.plan()  # 用人单位审核 → 评委会评审, with an interview
    committee = person(stack, "全程评委会秘书")
    assign(stack, world, plan, "评委会评审", committee)
    actor = world.applicant("全程申报人")  # logged in through 闽政通, bound to the unit (approved)
    app_id = submitted(stack, world, actor, plan)["id"]  # entries approved by the unit, imported, checked
    assert decide(stack, world.unit, app_id, version_of(stack, actor, app_id)).status_code == 200

    # The organiser schedules the interview; the applicant reads the 准考证.
    scheduled = eventually(lambda: (r := schedule(stack, world.admin, [app_id])).status_code == 200
                           and r.json()["done"] == [app_id] and r, timeout=20)
    assert scheduled, schedule(stack, world.admin, [app_id]).text
    admission = request(stack, actor.browser, "GET", f"/applications/applications/{app_id}/interview").json()
    assert admission["ticket_no"].startswith(str(plan["year"]))

    # The 评委会 passes it: the result, then the certificate in 我的职称.
    assert eventually(lambda: app_id in waiting(stack, committee), timeout=20)
    passed = decide(stack, committee, app_id, version_of(stack, actor, app_id))
    assert passed.status_code == 200 and passed.json()["status"] == "approved", passed.text
    # 评审结果公示 first: the certificate once it ended (the organiser's 发放证书).
    assert request(stack, actor.browser, "GET", "/applications/certificates").json() == []
    assert certify(stack, world.admin.browser, plan).json()["done"] == [app_id]
    [certificate] = request(stack, actor.browser, "GET", "/applications/certificates").json()
    assert certificate["name"] == "全程申报人" and certificate["title"] == plan["titles"][0]["name"]
    titles = actor.browser.get(f"{stack.gateway}/me/titles", headers={"accept": "text/html"})
    assert certificate["number"] in titles.text

    # Anyone, without logging in, learns that the number is genuine, and no more.
    verified = httpx.get(f"{stack.gateway}/api/applications/verify/{certificate['number']}").json()
    assert verified["genuine"] and verified["name"] == "全程申报人"
    assert set(verified) == {"genuine", "name", "title", "major", "level", "obtained_on", "committee"}
