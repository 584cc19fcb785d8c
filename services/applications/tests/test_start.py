"""马上申报 over HTTP through the gateway: every refusal says why and what to do; one application
per plan year, enforced by the database under concurrent attempts; 删除 and apply again."""
from __future__ import annotations

import concurrent.futures
import datetime as dt

from services.applications.tests.world import request, start, started
from services.plans.window import today_in_shanghai
from shared.testing.events import capture_events
from shared.testing.fixtures import eventually


def test_a_person_without_an_approved_unit_cannot_apply(stack, world):
    plan = world.plan()
    loner = world.applicant("未绑定人员", bound=False)
    refused = eventually(lambda: (r := start(stack, loner, plan)).json().get("code") == "no_unit" and r, timeout=20)
    assert refused and refused.status_code == 409
    assert "变更单位" in refused.json()["detail"]
    assert request(stack, loner.browser, "GET", "/applications/applications").json() == []


def test_the_choice_must_come_from_the_plan_and_be_confirmed_and_pledged(stack, world):
    plan = world.plan(forms=["regular"])
    actor = world.applicant("选择有误")
    eventually(lambda: start(stack, actor, plan, form="exceptional").status_code == 422, timeout=20)
    wrong_form = start(stack, actor, plan, form="exceptional")
    assert wrong_form.status_code == 422 and wrong_form.json()["errors"][0]["label"] == "申报形式"
    assert "常规申报" in wrong_form.json()["detail"]
    wrong_major = start(stack, actor, plan, major="烹饪")
    assert wrong_major.status_code == 422 and "申报专业" in wrong_major.json()["detail"]
    wrong_title = start(stack, actor, plan, title="正高级厨师")
    assert wrong_title.status_code == 422 and "申报职称" in wrong_title.json()["detail"]
    unconfirmed = start(stack, actor, plan, confirmed=False)
    assert unconfirmed.status_code == 422 and "确认无误" in unconfirmed.json()["detail"]
    no_pledge = start(stack, actor, plan, pledged=False)
    assert no_pledge.status_code == 422 and "诚信承诺书" in no_pledge.json()["detail"]
    assert request(stack, actor.browser, "GET", "/applications/applications").json() == []


def test_a_plan_outside_its_window_is_refused(stack, world):
    today = today_in_shanghai()
    later = world.plan(start_date=str(today + dt.timedelta(days=3)), end_date=str(today + dt.timedelta(days=30)))
    actor = world.applicant("窗口外")
    refused = eventually(lambda: (r := start(stack, actor, later)).json().get("code") == "plan_not_open" and r,
                         timeout=20)
    assert refused and refused.status_code == 409
    assert str(today + dt.timedelta(days=3)) in refused.json()["detail"]
    unknown = start(stack, actor, {**later, "id": "00000000-0000-0000-0000-000000000001"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "plan_not_found"


def test_one_application_per_plan_year_holds_under_50_concurrent_attempts(stack, world):
    plan = world.plan()
    other_plan = world.plan(series="economics")  # same year, another series: still refused
    actor = world.applicant("并发申报")
    # applications learns plans and bindings from events. Who may apply is checked before what
    # was chosen, so a 422 on the form says it knows the plan and the binding and found no obstacle.
    for p in (plan, other_plan):
        assert eventually(lambda p=p: start(stack, actor, p, form="nonsense").status_code == 422, timeout=20)
    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(lambda _: start(stack, actor, plan), range(50)))
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 1, [a.text for a in answers if a.status_code not in (201, 409)]
    assert codes.count(409) == 49
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"already_applied_this_year"}
    assert "一个申报年度只能申报一次" in next(a for a in answers if a.status_code == 409).json()["detail"]

    second = start(stack, actor, other_plan)
    assert second.status_code == 409 and plan["name"] in second.json()["detail"]
    mine = request(stack, actor.browser, "GET", "/applications/applications").json()
    assert [m["plan_id"] for m in mine] == [plan["id"]] and mine[0]["status"] == "draft"


def test_a_person_under_an_integrity_ban_cannot_apply(stack, world):
    plan = world.plan()
    actor = world.applicant("诚信受限")
    today = today_in_shanghai()
    recorded = request(stack, world.admin.browser, "POST", "/identity/integrity-records", json={
        "id_number": actor.account["id_number"], "reason": "提供虚假业绩材料",
        "ban_from": str(today - dt.timedelta(days=10)), "ban_until": str(today + dt.timedelta(days=365))})
    assert recorded.status_code == 201, recorded.text
    # Probing with a wrong form never creates a draft: the ban is checked before the choice.
    refused = eventually(lambda: (r := start(stack, actor, plan, form="nonsense")).json().get("code")
                         == "integrity_ban" and r, timeout=20)
    assert refused and refused.status_code == 403
    assert str(today + dt.timedelta(days=365)) in refused.json()["detail"]

    # Revoked: the ban no longer applies.
    revoked = request(stack, world.admin.browser, "POST",
                      f"/identity/integrity-records/{recorded.json()['id']}/revoke")
    assert revoked.status_code == 200, revoked.text
    assert eventually(lambda: start(stack, actor, plan).status_code == 201, timeout=20), start(stack, actor, plan).text


def test_deleting_a_draft_lets_the_person_apply_again(stack, world):
    plan, right_plan = world.plan(), world.plan()
    actor = world.applicant("删除重报")
    draft = started(stack, actor, plan)
    assert draft["status"] == "draft" and draft["version"] == 1 and "delete" in draft["actions"]
    url = f"/applications/applications/{draft['id']}"
    no_version = request(stack, actor.browser, "DELETE", url)
    assert no_version.status_code == 428 and "版本号" in no_version.json()["detail"]
    assert request(stack, actor.browser, "DELETE", url, version=draft["version"]).status_code == 204
    assert request(stack, actor.browser, "GET", url).status_code == 404
    again = started(stack, actor, right_plan)
    assert again["plan_id"] == right_plan["id"]


def test_a_draft_announces_its_creation_changes_and_deletion(stack, world, amqp_url):
    plan = world.plan()
    actor = world.applicant("事件申报")

    def scenario() -> dict:
        draft = started(stack, actor, plan)
        saved = request(stack, actor.browser, "PUT", f"/applications/applications/{draft['id']}/profile",
                        version=draft["version"], json={"ethnicity": "汉族"})
        assert saved.status_code == 200, saved.text
        deleted = request(stack, actor.browser, "DELETE", f"/applications/applications/{draft['id']}",
                          version=saved.json()["version"])
        assert deleted.status_code == 204, deleted.text
        return draft

    draft, seen = capture_events(amqp_url, "applications.application.*", scenario,
                                 # other tests' events may still be on their way: count this person's
                                 until=lambda seen: sum(e.body["data"]["person_id"] == actor.person_id
                                                        for e in seen) >= 3, timeout=20)
    mine = [e.body for e in seen if e.body["subject"] == draft["id"]]
    assert [e["type"] for e in mine] == ["applications.application.created", "applications.application.updated",
                                         "applications.application.deleted"]
    assert all(e.persistent for e in seen)
    assert mine[0]["data"]["plan_year"] == plan["year"] and mine[1]["data"]["version"] == 2
