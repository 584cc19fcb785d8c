"""公示 and 异议 over HTTP through the gateway, on the platform's moved clock (shared.clock): the
unit passes an application only after its 单位申报公示 of N working days (国庆 2025 in between);
the public notice shows nothing but name, unit, title and major; an objection sustained stops
the application for good; certificates wait for the 评审结果公示 and skip what an objection stopped."""
from __future__ import annotations

import datetime as dt
import re

import httpx

from services.applications.tests.test_review import assign, decide, submitted, version_of, waiting
from services.applications.tests.world import NOTICE_DAY, publish_notice, request, upload
from services.plans.tests.people import person
from shared.clock import today
from shared.testing.events import capture_events
from shared.testing.fixtures import eventually

D = dt.date
ID_NUMBER = re.compile(r"(?<!\d)\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)")
MASKED_ID = re.compile(r"\d{4}\*{6,}\d{3}[\dXx]")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _notice_of(stack, notice_id: str) -> httpx.Response:
    """The public notice, without logging in."""
    return httpx.get(f"{stack.gateway}/api/applications/public/notices/{notice_id}")


def _object(stack, who, notice: dict, entry: str, *, reason: str = "该申报人的论文存在抄袭", files: list[str] | None = None):
    return request(stack, who.browser, "POST", f"/applications/notices/{notice['id']}/objections",
                   json={"entry_id": entry, "reason": reason, "file_ids": files if files is not None else []})


def test_the_unit_passes_only_after_its_notice_and_a_sustained_objection_stops_the_application(stack, world,
                                                                                              amqp_url):
    plan = world.plan()
    first, second = world.applicant("公示甲"), world.applicant("公示乙")
    one = submitted(stack, world, first, plan, notice=False)["id"]
    two = submitted(stack, world, second, plan, notice=False)["id"]

    # Before any notice: refused, with what to do.
    refused = decide(stack, world.unit, one, version_of(stack, first, one))
    assert refused.status_code == 409 and refused.json()["code"] == "notice_required", refused.text
    assert "单位申报公示" in refused.json()["detail"]
    body = {"kind": "unit", "plan_id": plan["id"]}
    short = request(stack, world.unit, "POST", "/applications/notices", json={**body, "workdays": 3})
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "workdays"
    assert "不得少于 5 个工作日" in short.json()["errors"][0]["message"]
    applicant = request(stack, first.browser, "POST", "/applications/notices", json={**body, "workdays": 5})
    assert applicant.status_code == 403  # an applicant publishes nothing
    not_organiser = request(stack, world.unit, "POST", "/applications/notices",
                            json={**body, "kind": "result", "workdays": 5})
    assert not_organiser.status_code == 404

    # Published on Friday 2025-09-26 for 5 working days: 9/26, 9/28 (调休 Sunday), 9/29, 9/30, 10/9.
    def publishes():
        return publish_notice(stack, world.unit, plan)

    notice, events = capture_events(amqp_url, "applications.notice.published", publishes,
                                    until=lambda seen: bool(seen))
    assert (notice["start_date"], notice["end_date"], notice["workdays"]) == ("2025-09-26", "2025-10-09", 5)
    assert notice["kind_label"] == "单位申报公示" and notice["count"] == 2
    fact = next(e.body["data"] for e in events if e.body["data"]["notice_id"] == notice["id"])
    assert sorted(fact["application_ids"]) == sorted([one, two]) and fact["unit_id"] == world.unit_account["unit_id"]
    again = request(stack, world.unit, "POST", "/applications/notices", json={**body, "workdays": 5})
    assert again.status_code == 409 and again.json()["code"] == "nothing_to_notice"  # none listed twice

    # On its last day the pass is still refused, with the end date; anyone may read it, without login.
    with stack.on(D(2025, 10, 9)):
        early = decide(stack, world.unit, two, version_of(stack, second, two))
        assert early.status_code == 409 and early.json()["code"] == "notice_running", early.text
        assert "2025年10月9日" in early.json()["detail"]
        shown = _notice_of(stack, notice["id"])
        assert shown.status_code == 200 and shown.json()["state_label"] == "公示中"
        listed = httpx.get(f"{stack.gateway}/api/applications/public/notices").json()
        assert notice["id"] in [n["id"] for n in listed["items"]]
        entries = {e["name"]: e for e in shown.json()["entries"]}
        assert set(entries) == {"公示甲", "公示乙"}
        assert set(entries["公示甲"]) == {"id", "name", "unit_name", "title", "level_name", "major"}
        page = httpx.get(f"{stack.gateway}/notices/{notice['id']}")
        assert page.status_code == 200 and "公示甲" in page.text and "2025-10-09" in page.text
        for text in (shown.text, page.text, httpx.get(f"{stack.gateway}/notices").text):
            assert not ID_NUMBER.search(text) and not MASKED_ID.search(text) and not PHONE.search(text)
        for account in (first.account, second.account):
            assert account["id_number"] not in page.text and account["phone"] not in page.text

        # 异议: a reason and evidence, by anyone logged in but the applicant.
        objector = world.applicant("实名异议人", bound=False)
        entry = entries["公示甲"]["id"]
        evidence = upload(stack, objector, "other")
        assert _object(stack, objector, notice, entry, reason="", files=[evidence]).json()["errors"][0]["field"] \
            == "reason"
        assert _object(stack, objector, notice, entry).json()["errors"][0]["field"] == "file_ids"
        assert _object(stack, first, notice, entry, files=[upload(stack, first, "other")]).status_code == 403
        assert httpx.post(f"{stack.gateway}/api/applications/notices/{notice['id']}/objections",
                          json={"entry_id": entry, "reason": "匿名", "file_ids": []}).status_code in (401, 403)
        filed = _object(stack, objector, notice, entry, files=[evidence])
        assert filed.status_code == 201, filed.text
        objection = filed.json()
        assert objection["status_label"] == "待处理" and objection["person_name"] == "公示甲"

    # After the period: no more objections; the unit passes the one nobody objected to, not the other.
    with stack.on(D(2025, 10, 10)):
        late = _object(stack, objector, notice, entries["公示乙"]["id"], files=[evidence])
        assert late.status_code == 409 and "不在公示期内" in late.json()["detail"]
    assert decide(stack, world.unit, two, version_of(stack, second, two)).status_code == 200
    pending = decide(stack, world.unit, one, version_of(stack, first, one))
    assert pending.status_code == 409 and pending.json()["code"] == "objection_pending"

    # The unit reads the objection and its evidence; nobody else finds it.
    path = f"/applications/notices/{notice['id']}/objections"
    assert [o["id"] for o in request(stack, world.unit, "GET", path).json()] == [objection["id"]]
    assert request(stack, second.browser, "GET", path).status_code == 404
    links = request(stack, world.unit, "GET", f"/applications/objections/{objection['id']}/files")
    assert links.status_code == 200 and [f["file_id"] for f in links.json()] == [evidence]
    assert request(stack, objector.browser, "GET", f"/applications/objections/{objection['id']}/files").status_code \
        == 404
    mine = request(stack, objector.browser, "GET", "/applications/objections", params={"notice_id": notice["id"]})
    assert [o["id"] for o in mine.json()] == [objection["id"]]

    # 成立: a note is required, then the application is stopped, once.
    resolution = f"/applications/objections/{objection['id']}/resolution"
    no_note = request(stack, world.unit, "POST", resolution, json={"sustained": True, "note": ""})
    assert no_note.status_code == 422 and no_note.json()["errors"][0]["field"] == "note"
    assert request(stack, objector.browser, "POST", resolution, json={"sustained": True, "note": "x"}).status_code \
        == 404

    def sustains():
        return request(stack, world.unit, "POST", resolution, json={"sustained": True, "note": "经核实论文确系抄袭"})

    resolved, seen = capture_events(amqp_url, "applications.objection.resolved", sustains,
                                    until=lambda s: any(e.body["subject"] == one for e in s))
    assert resolved.status_code == 200 and resolved.json()["status_label"] == "异议成立", resolved.text
    fact = next(e.body["data"] for e in seen if e.body["subject"] == one)
    assert fact["sustained"] is True and fact["status"] == "stopped"
    assert request(stack, world.unit, "POST", resolution, json={"sustained": False, "note": "再次"}).status_code == 409

    # The applicant sees why, on the application and in 待处理事项; the unit can no longer pass it.
    app = request(stack, first.browser, "GET", f"/applications/applications/{one}").json()
    assert app["status"] == "stopped" and app["status_label"] == "异议成立"
    assert "经核实论文确系抄袭" in app["reason"] and app["actions"] == []
    assert app["steps"][-1]["kind_label"] == "异议成立，终止申报"
    home = first.browser.get(f"{stack.gateway}/home", headers={"accept": "text/html"}).text
    assert "公示异议成立" in home and "经核实论文确系抄袭" in home
    assert one not in waiting(stack, world.unit)
    assert decide(stack, world.unit, one, app["version"]).status_code == 403


def test_certificates_wait_for_the_results_notice_and_skip_a_sustained_objection(stack, world):
    plan = world.plan()
    committee = person(stack, "结果公示评委会")
    assign(stack, world, plan, "评委会评审", committee)
    actors = [world.applicant("结果公示甲"), world.applicant("结果公示乙")]
    ids = [submitted(stack, world, a, plan)["id"] for a in actors]
    for a, i in zip(actors, ids, strict=True):
        assert decide(stack, world.unit, i, version_of(stack, a, i)).status_code == 200
    assert eventually(lambda: set(ids) <= set(waiting(stack, committee)), timeout=20)
    for a, i in zip(actors, ids, strict=True):
        approved = decide(stack, committee, i, version_of(stack, a, i))
        assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.text
    # Approval records the result only: no certificate yet.
    assert all(request(stack, a.browser, "GET", "/applications/certificates").json() == [] for a in actors)
    desk = request(stack, world.admin.browser, "GET", "/applications/notices/desk").json()
    assert any(c["plan_id"] == plan["id"] and c["kind"] == "result" and c["waiting"] == 2 for c in desk["candidates"])

    # Published on Monday 2025-11-03 for 5 working days: through Friday 11/07.
    notice = publish_notice(stack, world.admin.browser, plan, "result", on=D(2025, 11, 3))
    assert notice["end_date"] == "2025-11-07" and notice["publisher_name"] == plan["organizer_name"]
    issue = f"/applications/notices/{notice['id']}/certificates"
    with stack.on(D(2025, 11, 7)):
        early = request(stack, world.admin.browser, "POST", issue)
        assert early.status_code == 409 and "2025年11月7日" in early.json()["detail"], early.text
        shown = _notice_of(stack, notice["id"]).json()
        entry = {e["name"]: e["id"] for e in shown["entries"]}
        objector = world.applicant("结果异议人", bound=False)
        evidence = upload(stack, objector, "other")
        objections = [_object(stack, objector, notice, entry[name], files=[evidence]).json()
                      for name in ("结果公示甲", "结果公示乙")]
    assert request(stack, world.unit, "POST", issue).status_code == 404  # not the unit's notice

    # Unresolved, an objection holds its certificate back; 不成立 lets it go, 成立 stops it.
    held = request(stack, world.admin.browser, "POST", issue).json()
    assert held["done"] == [] and all("尚未处理的公示异议" in why for why in held["failed"].values())
    for objection, sustained in zip(objections, (False, True), strict=True):
        resolved = request(stack, world.admin.browser, "POST", f"/applications/objections/{objection['id']}/resolution",
                           json={"sustained": sustained, "note": "经核查" + ("属实" if sustained else "不属实")})
        assert resolved.status_code == 200, resolved.text
    issued = request(stack, world.admin.browser, "POST", issue).json()
    assert issued["done"] == [ids[0]] and "异议成立" in issued["failed"][ids[1]]
    [certificate] = request(stack, actors[0].browser, "GET", "/applications/certificates").json()
    assert certificate["obtained_on"] == str(today())  # the day the committee passed it
    assert request(stack, actors[1].browser, "GET", "/applications/certificates").json() == []
    stopped = request(stack, actors[1].browser, "GET", f"/applications/applications/{ids[1]}").json()
    assert stopped["status"] == "stopped" and "经核查属实" in stopped["reason"]
    # Again: nothing more is issued, nothing twice.
    assert request(stack, world.admin.browser, "POST", issue).json()["done"] == []
    assert len(request(stack, actors[0].browser, "GET", "/applications/certificates").json()) == 1


def test_publishing_beyond_the_calendars_years_is_a_clear_error(stack, world):
    plan = world.plan()
    actor = world.applicant("日历之外")
    submitted(stack, world, actor, plan, notice=False)
    with stack.on(D(2099, 3, 2)):
        answer = request(stack, world.unit, "POST", "/applications/notices",
                         json={"kind": "unit", "plan_id": plan["id"], "workdays": 5})
    assert answer.status_code == 503 and answer.json()["code"] == "calendar_unknown"
    assert "2099 年" in answer.json()["detail"]
    assert NOTICE_DAY.year == 2025  # the helpers' day is one the calendar knows


def test_a_reviewer_who_applied_sees_no_objection_to_their_own_application_and_a_final_one_takes_none(stack, world):
    plan = world.plan()
    reviewer, other = world.applicant("经办人本人公示"), world.applicant("同单位他人公示")
    named = request(stack, world.unit, "POST", f"/units/units/{world.unit_account['unit_id']}/reviewers",
                    json={"id_number": reviewer.account["id_number"]})
    assert named.status_code == 201, named.text
    submitted(stack, world, reviewer, plan, notice=False)
    theirs = submitted(stack, world, other, plan, notice=False)["id"]

    def a_unit_desk() -> bool:
        stack.relogin(reviewer.browser, reviewer.account)  # the token names the units a person reviews for
        return bool(request(stack, reviewer.browser, "GET", "/applications/reviews/desks").json())

    assert eventually(a_unit_desk, timeout=20)
    notice = publish_notice(stack, world.unit, plan)
    objector = world.applicant("对经办人异议", bound=False)
    with stack.on(D(2025, 10, 9)):
        entries = {e["name"]: e["id"] for e in _notice_of(stack, notice["id"]).json()["entries"]}
        to_reviewer = _object(stack, objector, notice, entries["经办人本人公示"],
                              files=[upload(stack, objector, "other")]).json()
        by_reviewer = _object(stack, reviewer, notice, entries["同单位他人公示"],
                              files=[upload(stack, reviewer, "other")]).json()

    # The unit sees both; the reviewer only the one about someone else, and resolves none of them.
    path = f"/applications/notices/{notice['id']}"
    assert {o["id"] for o in request(stack, world.unit, "GET", f"{path}/objections").json()} == {
        to_reviewer["id"], by_reviewer["id"]}
    assert [o["id"] for o in request(stack, reviewer.browser, "GET", f"{path}/objections").json()] == [
        by_reviewer["id"]]
    assert request(stack, world.unit, "GET", path).json()["objections_total"] == 2
    assert request(stack, reviewer.browser, "GET", path).json()["objections_total"] == 1
    desk = request(stack, reviewer.browser, "GET", "/applications/notices/desk").json()
    assert next(n for n in desk["notices"] if n["id"] == notice["id"])["objections_pending"] == 1
    assert request(stack, reviewer.browser, "GET",
                   f"/applications/objections/{to_reviewer['id']}/files").status_code == 404
    assert request(stack, world.unit, "GET", f"/applications/objections/{to_reviewer['id']}/files").status_code == 200

    def resolve(who, objection: dict, sustained: bool):
        return request(stack, who, "POST", f"/applications/objections/{objection['id']}/resolution",
                       json={"sustained": sustained, "note": "经核实属实"})

    assert resolve(reviewer.browser, to_reviewer, False).status_code == 404
    own_objection = resolve(reviewer.browser, by_reviewer, True)
    assert own_objection.status_code == 403 and own_objection.json()["code"] == "own_objection", own_objection.text
    assert "本人提出的异议" in own_objection.json()["detail"]

    # 成立 stops it: a later objection to it would never be resolved, so it is refused.
    assert resolve(world.unit, by_reviewer, True).status_code == 200
    with stack.on(D(2025, 10, 9)):
        final = _object(stack, objector, notice, entries["同单位他人公示"], files=[upload(stack, objector, "other")])
    assert final.status_code == 409 and final.json()["code"] == "application_final", final.text
    assert "异议成立" in final.json()["detail"]
    assert request(stack, other.browser, "GET", f"/applications/applications/{theirs}").json()["status"] == "stopped"

    # The public read keeps the public list's window: 30 days after the end, it is gone from both.
    with stack.on(D(2025, 11, 8)):
        assert _notice_of(stack, notice["id"]).status_code == 200
    with stack.on(D(2025, 11, 9)):
        assert _notice_of(stack, notice["id"]).status_code == 404
